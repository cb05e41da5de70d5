"""An enrolment entered by hand (CASEGUARD_GATEWAY_SI_BUREAU=manual): HR gets a task with what to
type into the bureau's portal, and the onboarding is enrolled only once HR records the bureau's
reference and receipt. No simulator answers, and nothing says SIM-."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

from domain.onboarding.payloads import BureauOutcome, OnboardingInput
from domain.onboarding.state import Status
from domain.shared.people import Actor
from settings import GatewayMode
from tests.factories import onboarding_input
from tests.workflows.conftest import Harness
from tests.workflows.test_onboarding_workflow import (
    HR,
    act,
    kinds,
    outbox,
    refused,
    submit_and_approve,
    view,
)
from worker import GUARD_RUNNER, WORKFLOWS, Workers, activities_for

RECEIPT = "doc-7f3a"


def by_hand(inp: OnboardingInput) -> OnboardingInput:
    return replace(inp, si_bureau="manual")


async def test_an_approved_enrolment_becomes_a_task_and_waits_for_the_bureau(wf: Harness):
    inp = by_hand(onboarding_input(await wf.today()))
    handle = await wf.start(inp)
    await submit_and_approve(handle)
    await wf.env.sleep(timedelta(hours=2))
    v = await view(handle)
    assert v.status == Status.enrollment_executing
    assert v.enrollment_requests[0].bureau_task_opened_at is not None
    assert "bureau_task_opened" in kinds(v) and "enrollment_executed" not in kinds(v)
    task = outbox(wf.db_url, "bureau_task_opened")[0]
    assert task.recipient_role == "hr" and "社保经办平台" in task.body
    assert inp.employee.id_number not in task.body  # the full ID number stays on the record
    await wf.env.sleep(timedelta(days=3))
    assert (await view(handle)).status == Status.enrollment_executing  # waits; no one pretends


async def test_a_recorded_reference_with_its_receipt_enrols_and_names_its_source(wf: Harness):
    handle = await wf.start(by_hand(onboarding_input(await wf.today())))
    await submit_and_approve(handle)
    await wf.env.sleep(timedelta(hours=2))
    answer = await act(handle, "record_bureau_outcome",
                       BureauOutcome(HR, "accepted", reference="BJ2026-0042",
                                     receipt_document=RECEIPT))
    assert answer.view.status == Status.enrolled
    request = answer.view.enrollment_requests[0]
    assert request.bureau_reference == "BJ2026-0042" and request.receipt_document == RECEIPT
    assert "hr-alice" in request.answer_source and "社保经办平台" in request.answer_source
    v = await view(handle)
    executed = next(e for e in v.events if e.kind == "enrollment_executed")
    assert executed.data["source"] == request.answer_source
    assert v.deadlines[0].status == "met"
    assert not any("SIM-" in str(e.data) for e in v.events)


async def test_a_recorded_rejection_returns_the_request_to_hr_with_the_reason(wf: Harness):
    handle = await wf.start(by_hand(onboarding_input(await wf.today())))
    await submit_and_approve(handle)
    await wf.env.sleep(timedelta(hours=2))
    answer = await act(handle, "record_bureau_outcome",
                       BureauOutcome(HR, "rejected", reason="已在其他单位参保"))
    assert answer.view.status == Status.awaiting_enrollment
    assert answer.view.enrollment_requests[0].status == "bureau_rejected"
    assert answer.view.enrollment_requests[0].reason == "已在其他单位参保"
    await wf.env.sleep(timedelta(minutes=5))  # the notice to HR is its own workflow
    assert outbox(wf.db_url, "enrollment_failed")[0].recipient_role == "hr"


async def test_an_outcome_needs_its_reference_receipt_or_reason_and_the_right_moment(wf: Harness):
    handle = await wf.start(by_hand(onboarding_input(await wf.today())))
    early = await refused(handle, "record_bureau_outcome",
                          BureauOutcome(HR, "accepted", reference="X", receipt_document=RECEIPT))
    assert early.type == "Conflict" and early.details[0]["code"] == "status.conflict"
    await submit_and_approve(handle)
    await wf.env.sleep(timedelta(hours=2))
    before = len((await view(handle)).events)
    cases = [(BureauOutcome(HR, "accepted", receipt_document=RECEIPT), "reference"),
             (BureauOutcome(HR, "accepted", reference="BJ-1"), "receipt_document"),
             (BureauOutcome(HR, "rejected"), "reason")]
    for outcome, field in cases:
        error = await refused(handle, "record_bureau_outcome", outcome)
        assert error.details[0]["field"] == field
    manager = Actor("dept-li", "manager")
    error = await refused(handle, "record_bureau_outcome",
                          BureauOutcome(manager, "rejected", reason="x"))
    assert error.details[0]["code"] == "role.forbidden"
    assert len((await view(handle)).events) == before


async def test_no_outcome_by_hand_once_the_gateway_answered(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await submit_and_approve(handle)
    await wf.env.sleep(timedelta(hours=2))
    assert (await view(handle)).status == Status.enrolled  # the dev simulator answered
    error = await refused(handle, "record_bureau_outcome",
                          BureauOutcome(HR, "accepted", reference="X", receipt_document=RECEIPT))
    assert error.type == "Conflict" and error.details[0]["code"] == "status.conflict"


async def test_a_worker_without_a_bureau_gateway_never_enrols_a_gateway_onboarding(wf: Harness):
    task_queue = f"tq-{uuid.uuid4().hex[:8]}"
    manual = activities_for(wf.db_url, gateway_modes={"si_bureau": GatewayMode.manual})
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Workers(wf.client, task_queue=task_queue, workflows=list(WORKFLOWS),
                           workflow_runner=GUARD_RUNNER, activities=manual,
                           activity_executor=executor):
            harness = Harness(wf.env, wf.client, task_queue, wf.db_url)
            handle = await harness.start(onboarding_input(await wf.today(), employee_id="E2002"))
            await submit_and_approve(handle)
            await wf.env.sleep(timedelta(hours=2))
            v = await view(handle)
    assert v.status == Status.awaiting_enrollment
    request = v.enrollment_requests[0]
    assert request.status == "bureau_rejected" and request.bureau_reference is None
    assert "手工办理" in request.reason
    failed = next(e for e in v.events if e.kind == "enrollment_failed")
    assert failed.data["code"] == "manual_step" and failed.data["submitted"] is False
