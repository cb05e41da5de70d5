"""InjuryCaseWorkflow under time skipping: months of statutory clocks in seconds."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.injury.payloads import AuthorityDecision
from domain.injury.state import CourierUpdate, Stage
from domain.injury.views import CaseAnswer, CaseView
from tests.factories import case_input
from tests.workflows.conftest import act_on_case
from tests.workflows.conftest import case_action as act


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
    # The form and the diagnosis are fetched together: either may come first on a busy machine.
    view = await until(lambda v: {"diagnosis_fetched", "form_generated"} <= set(kinds(v)),
                       handle, wf.env)
    assert view.stage == Stage.reported
    assert {d.name for d in view.deadlines} == {"materials_filed", "determination_application"}
    assert deadline(view, "determination_application").article.endswith("art. 17 ¶1, ¶4")
    assert "application_form" not in view.missing_materials
    assert "apply_determination" in view.allowed_actions


async def test_an_action_answers_with_the_events_it_recorded_not_the_whole_log(wf):
    now = await wf.env.get_current_time()
    handle = await wf.start_case(case_input(now - timedelta(hours=1), now=now))
    needed = (await query(handle, wf.env)).missing_materials
    answer = await handle.execute_update("act", act("file_materials", materials=needed),
                                         result_type=CaseAnswer)
    assert answer.view.events == () and answer.view.stage == Stage.materials_filed
    assert [e.kind for e in answer.recorded] == ["materials_filed"]
    assert answer.recorded[0].seq == answer.event_count  # the newest of the whole log
    logged = (await query(handle, wf.env)).events
    assert logged[answer.event_count - 1] == answer.recorded[0]


async def test_a_full_case_from_accident_to_closed(wf):
    now = await wf.env.get_current_time()
    handle = await wf.start_case(case_input(now - timedelta(hours=1), now=now))
    view = await query(handle, wf.env)
    needed = list(view.missing_materials)
    view = await act_on_case(handle, act("file_materials", materials=tuple(needed)))
    assert view.stage == Stage.materials_filed and deadline(view, "materials_filed").status == "met"
    view = await act_on_case(handle, act("apply_determination"))
    assert view.stage == Stage.determination_applied
    assert deadline(view, "determination_application").status == "met"
    await wf.env.sleep(timedelta(seconds=1))  # the submission runs after the answer (the queue)
    view = await query(handle, wf.env)
    assert deadline(view, "determination_decision").status == "upcoming"
    await wf.env.sleep(timedelta(days=20))
    today = (await wf.env.get_current_time()).date()
    await handle.signal("authority_decision", AuthorityDecision(recognised=True, decided_on=today,
                                                                reference="京人社工伤认字001"))
    await wf.env.sleep(timedelta(seconds=1))
    view = await query(handle, wf.env)
    assert view.stage == Stage.determination_decided and view.determination.recognised
    assert deadline(view, "determination_decision").status == "met"
    view = await act_on_case(handle, act("start_suspension", months=9))
    view = await act_on_case(handle, act("extend_suspension", months=2))
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
    view = await act_on_case(handle, act("record_courier_notice", carrier="EMS",
                                   tracking_number="EMS1234567890CN"))
    await handle.signal("courier_status", CourierUpdate("EMS1234567890CN", "signed",
                                                        await wf.env.get_current_time(), "张三"))
    await wf.env.sleep(timedelta(days=2))
    view = await act_on_case(handle, act("record_return"))
    assert view.stage == Stage.returned and view.couriers[0].status == "signed"
    assert deadline(view, "suspension_end").status == "met"
    view = await act_on_case(handle, act("apply_appraisal"))
    await wf.env.sleep(timedelta(days=40))
    answer = await handle.execute_update("act", act("record_appraisal", grade=8),
                                         result_type=CaseAnswer)
    assert deadline(answer.view, "appraisal_conclusion").status == "met"
    # the answer carries the action's own events; its side effects (the claim) follow at once
    assert [e.kind for e in answer.recorded] == ["appraisal_concluded"]
    await wf.env.sleep(timedelta(seconds=1))
    assert "benefit_claimed" in kinds(await query(handle, wf.env))
    await wf.env.sleep(timedelta(days=20))  # 15 days, moved past rest days (art. 203)
    view = await query(handle, wf.env)
    assert deadline(view, "reappraisal_request").status == "missed"
    view = await act_on_case(handle, act("open_negotiation"))
    view = await act_on_case(handle, act("record_offer", party="employer", amount=Decimal("50000")))
    view = await act_on_case(handle, act("record_agreement", amount=Decimal("60000")))
    assert deadline(view, "settlement_agreement").status == "met"
    await wf.env.sleep(timedelta(days=30))  # the money follows a month later
    view = await act_on_case(handle, act("record_payment", amount=Decimal("60000")))
    assert view.stage == Stage.paid
    view = await act_on_case(handle, act("close", reason="settled and paid"))
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
        await handle.execute_update("act", act("record_appraisal", grade=3),
                                    result_type=CaseAnswer)
    details = refused.value.cause.details[0]
    assert details["code"] == "stage.conflict" and details["stage"] == "reported"
    assert "apply_determination" in details["allowed_actions"]
