"""Outside systems of an injury case done by hand (CASEGUARD_GATEWAY_*=manual, the production
default): nothing simulated answers, HR gets the step as a task, and records its outcome."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from settings import GATEWAYS, GatewayMode
from tests.workflows.conftest import Harness
from tests.workflows.test_injury_case_clocks import (
    decided_case,
    file_all,
    open_case,
    query,
    refused,
    update,
)
from worker import GUARD_RUNNER, WORKFLOWS, Workers, activities_for


@pytest.fixture
async def by_hand(wf: Harness) -> AsyncIterator[Harness]:
    """The harness with a worker whose every gateway is manual."""
    task_queue = f"tq-{uuid.uuid4().hex[:8]}"
    manual = activities_for(wf.db_url, gateway_modes=dict.fromkeys(GATEWAYS, GatewayMode.manual))
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Workers(wf.client, task_queue=task_queue, workflows=list(WORKFLOWS),
                           workflow_runner=GUARD_RUNNER, activities=manual,
                           activity_executor=executor):
            yield Harness(wf.env, wf.client, task_queue, wf.db_url)


async def test_a_manual_application_is_hrs_task_until_hr_records_its_acceptance(by_hand: Harness):
    handle, view = await open_case(by_hand, days_ago=1)
    await file_all(handle, view)
    await update(handle, "apply_determination")
    await by_hand.env.sleep(timedelta(minutes=5))
    view = await query(by_hand, handle)
    [task] = [t for t in view.tasks if t.code == "submit_by_hand"]
    assert "手工" in task.reason or "by hand" in task.reason or "HR" in task.reason
    assert "determination_decision" not in {d.name for d in view.deadlines}
    assert not any("SIM-" in str(e.data) for e in view.events)

    today = await by_hand.today()
    assert (await refused(handle, "record_acceptance", reference="x")).details[0]["field"] == "on"
    assert (await refused(handle, "record_acceptance", on=today)).details[0]["field"] == \
        "reference"
    await update(handle, "record_acceptance", on=today, reference="京人社工伤受字0042")
    view = await query(by_hand, handle)
    accepted = [e for e in view.events if e.kind == "determination_accepted"]
    assert accepted and "hr" in accepted[0].data["source"]
    assert accepted[0].data["reference"] == "京人社工伤受字0042"
    assert "determination_decision" in {d.name for d in view.deadlines}
    assert "submit_by_hand" not in {t.code for t in view.tasks}
    again = await refused(handle, "record_acceptance", on=today, reference="x")
    assert again.details[0]["code"] == "stage.conflict"


async def test_benefits_and_courier_by_hand_are_recorded_from_their_answers(by_hand: Harness):
    handle, _ = await decided_case(by_hand)
    await update(handle, "record_courier_notice", carrier="EMS", tracking_number="EMS1234567890CN",
                 purpose="determination")
    await update(handle, "apply_appraisal")
    await update(handle, "record_appraisal", grade=8, reference="京劳鉴001")
    await by_hand.env.sleep(timedelta(minutes=5))
    view = await query(by_hand, handle)
    assert {"benefit_claim_by_hand", "courier_tracking_by_hand"} <= {t.code for t in view.tasks}

    unknown = await refused(handle, "record_courier_status", tracking_number="SF000000001",
                            status="signed", signed_by="张三")
    assert unknown.details[0]["field"] == "tracking_number"
    assert (await refused(handle, "record_courier_status", tracking_number="EMS1234567890CN",
                          status="signed")).details[0]["field"] == "signed_by"
    await update(handle, "record_courier_status", tracking_number="EMS1234567890CN",
                 status="signed", signed_by="张三")
    assert (await refused(handle, "record_benefit_claim", accepted=False)).details[0]["field"] \
        == "reason"
    await update(handle, "record_benefit_claim", accepted=True, reference="京工伤待遇2026-0042")

    view = await query(by_hand, handle)
    assert not {"benefit_claim_by_hand", "courier_tracking_by_hand"} & {t.code for t in view.tasks}
    signed = [e for e in view.events if e.kind == "courier_status"][-1]
    assert signed.data["proof_of_delivery"] is True and "hr" in signed.data["source"]
    claimed = [e for e in view.events if e.kind == "benefit_claimed"][-1]
    assert claimed.data["reference"] == "京工伤待遇2026-0042" and claimed.data["grade"] == 8
    assert not any("SIM-" in str(e.data) for e in view.events)
