"""InjuryCaseWorkflow under time skipping: months of statutory clocks in seconds."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.injury_case import AuthorityDecision, CaseAction, CaseView, CourierUpdate, Stage
from domain.onboarding import Actor
from tests.factories import case_input

HR = Actor("hr-alice", "hr")


def act(action: str, **fields) -> CaseAction:
    return CaseAction(action=action, actor=HR, **fields)


def deadline(view: CaseView, name: str):
    return next(d for d in view.deadlines if d.name == name)


async def until(check, handle, env, timeout: float = 30.0) -> CaseView:
    """Query until `check(view)` holds: activities run in real time even under time skipping."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        view = await query(handle, env)
        if check(view) or loop.time() > deadline:
            return view
        await asyncio.sleep(0.1)


def kinds(view: CaseView) -> list[str]:
    return [e.kind for e in view.events]


async def query(handle, env) -> CaseView:
    return await handle.query("status", await env.get_current_time(), result_type=CaseView)


async def test_case_opens_with_its_first_clocks_and_the_generated_form(wf):
    now = await wf.env.get_current_time()
    handle = await wf.start_case(case_input(now - timedelta(hours=2), now=now))
    view = await until(lambda v: "diagnosis_fetched" in kinds(v), handle, wf.env)
    assert view.stage == Stage.reported
    assert {d.name for d in view.deadlines} == {"materials_filed", "determination_application"}
    assert deadline(view, "determination_application").article.endswith("art. 17 ¶1, ¶4")
    assert "form_generated" in kinds(view) and "diagnosis_fetched" in kinds(view)
    assert "application_form" not in view.missing_materials
    assert "apply_determination" in view.allowed_actions


async def test_a_full_case_from_accident_to_closed(wf):
    now = await wf.env.get_current_time()
    handle = await wf.start_case(case_input(now - timedelta(hours=1), now=now))
    view = await query(handle, wf.env)
    needed = list(view.missing_materials)
    view = await handle.execute_update("act", act("file_materials", materials=tuple(needed)),
                                       result_type=CaseView)
    assert view.stage == Stage.materials_filed and deadline(view, "materials_filed").status == "met"
    view = await handle.execute_update("act", act("apply_determination"), result_type=CaseView)
    assert view.stage == Stage.determination_applied
    assert deadline(view, "determination_application").status == "met"
    assert deadline(view, "determination_decision").status == "upcoming"
    await wf.env.sleep(timedelta(days=20))
    today = (await wf.env.get_current_time()).date()
    await handle.signal("authority_decision", AuthorityDecision(recognised=True, decided_on=today,
                                                                reference="京人社工伤认字001"))
    await wf.env.sleep(timedelta(seconds=1))
    view = await query(handle, wf.env)
    assert view.stage == Stage.determination_decided and view.determination.recognised
    assert deadline(view, "determination_decision").status == "met"
    view = await handle.execute_update("act", act("start_suspension", months=9),
                                       result_type=CaseView)
    view = await handle.execute_update("act", act("extend_suspension", months=2),
                                       result_type=CaseView)
    assert deadline(view, "suspension_end").extended
    assert view.stage == Stage.suspension
    # 7 days before the end the return-to-work notice goes out; unanswered 3 days later -> escalated
    end = deadline(view, "suspension_end").due_at
    await wf.env.sleep(end - (await wf.env.get_current_time()) - timedelta(days=7) + timedelta(hours=1))
    view = await query(handle, wf.env)
    assert "return_notice_sent" in kinds(view)
    await wf.env.sleep(timedelta(days=3, hours=1))
    view = await query(handle, wf.env)
    assert "return_notice_unanswered" in kinds(view)
    assert {t.code for t in view.tasks} >= {"courier_notice", "contact_employee"}
    view = await handle.execute_update("act", act("record_courier_notice", carrier="EMS",
                                                  tracking_number="EMS1234567890CN"),
                                       result_type=CaseView)
    await handle.signal("courier_status", CourierUpdate("EMS1234567890CN", "signed",
                                                        await wf.env.get_current_time(), "张三"))
    await wf.env.sleep(timedelta(days=2))
    view = await handle.execute_update("act", act("record_return"), result_type=CaseView)
    assert view.stage == Stage.returned and view.couriers[0].status == "signed"
    assert deadline(view, "suspension_end").status == "met"
    view = await handle.execute_update("act", act("apply_appraisal"), result_type=CaseView)
    await wf.env.sleep(timedelta(days=40))
    view = await handle.execute_update("act", act("record_appraisal", grade=8), result_type=CaseView)
    assert deadline(view, "appraisal_conclusion").status == "met"
    assert "benefit_claimed" in kinds(view)
    await wf.env.sleep(timedelta(days=20))  # 15 days, moved past rest days (art. 203)
    view = await query(handle, wf.env)
    assert deadline(view, "reappraisal_request").status == "missed"
    view = await handle.execute_update("act", act("open_negotiation"), result_type=CaseView)
    view = await handle.execute_update("act", act("record_offer", party="employer",
                                                  amount=Decimal("50000")), result_type=CaseView)
    view = await handle.execute_update("act", act("record_agreement", amount=Decimal("60000")),
                                       result_type=CaseView)
    assert deadline(view, "settlement_agreement").status == "met"
    await wf.env.sleep(timedelta(days=30))  # the money follows a month later
    view = await handle.execute_update("act", act("record_payment", amount=Decimal("60000")),
                                       result_type=CaseView)
    assert view.stage == Stage.paid
    view = await handle.execute_update("act", act("close", reason="settled and paid"),
                                       result_type=CaseView)
    result = await handle.result()
    assert result.stage == Stage.closed
    assert not result.overdue
    lasted = result.now - result.accident_at
    assert timedelta(days=395) < lasted < timedelta(days=460)  # about 14 months, as cases run
    statuses = {d.name: d.status for d in result.deadlines}
    assert statuses["determination_application"] == statuses["suspension_end"] == "met"
    assert "case_outcome" in kinds(result)


async def test_an_action_the_stage_does_not_allow_is_refused_with_the_allowed_list(wf):
    now = await wf.env.get_current_time()
    handle = await wf.start_case(case_input(now - timedelta(hours=1), now=now))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update("act", act("record_appraisal", grade=3), result_type=CaseView)
    details = refused.value.cause.details[0]
    assert details["code"] == "stage.conflict" and details["stage"] == "reported"
    assert "apply_determination" in details["allowed_actions"]
