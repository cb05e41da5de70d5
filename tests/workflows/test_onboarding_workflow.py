"""OnboardingWorkflow under the time-skipping server: 30+ days pass in seconds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.employees.written_contract_watch import EmploymentEnded
from domain.onboarding.payloads import (
    CancelOnboarding,
    DelayReason,
    ReviewDecision,
    SubmitEnrollment,
    WithdrawalAction,
)
from domain.onboarding.state import ActionAnswer, OnboardingView, Status
from domain.shared.events import ACTION_WRITE_MAX_WAIT, ACTION_WRITE_QUIET
from domain.shared.people import Actor
from store.db import session_for
from store.models import BureauRegistration, EvidenceEntry, OutboxMessage
from tests.factories import onboarding_input
from tests.workflows.conftest import Harness

HR = Actor("hr-alice", "hr")
HR_MANAGER = Actor("mgr-bob", "hr_manager")


async def view(handle: WorkflowHandle) -> OnboardingView:
    return await handle.query("status", result_type=OnboardingView)


def kinds(v: OnboardingView) -> list[str]:
    return [e.kind for e in v.events]


async def refused(handle: WorkflowHandle, update: str, arg: object) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await act(handle, update, arg)
    cause = info.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


def outbox(db_url: str, purpose: str) -> list[OutboxMessage]:
    with session_for(db_url) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.purpose == purpose)))


async def act(handle: WorkflowHandle, update: str, arg: object) -> ActionAnswer:
    return await handle.execute_update(update, arg, result_type=ActionAnswer)


async def submit_and_approve(handle: WorkflowHandle) -> OnboardingView:
    await act(handle, "submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    return (await act(handle, "approve_enrollment", ReviewDecision(HR_MANAGER))).view


def ledger_kinds(db_url: str, subject_id: str) -> list[str]:
    with session_for(db_url) as session:
        return list(session.exec(select(EvidenceEntry.kind)
                                 .where(EvidenceEntry.subject_id == subject_id)
                                 .order_by(EvidenceEntry.seq)))


async def test_reminds_three_days_before_and_escalates_daily_after_the_deadline(wf: Harness):
    inp = onboarding_input(await wf.today())
    handle = await wf.start(inp)
    due = inp.si_registration.due_at  # holiday-adjusted: a window ending in a holiday moves
    reminder_at = due - inp.timing.reminder_lead
    await wf.sleep_until(reminder_at - timedelta(hours=12))
    assert "reminder_sent" not in kinds(await view(handle))

    await wf.sleep_until(reminder_at + timedelta(hours=12))
    v = await view(handle)
    assert kinds(v).count("reminder_sent") == 1
    assert "escalated" not in kinds(v)
    assert v.deadlines[0].status == "upcoming"

    await wf.sleep_until(due + timedelta(days=2, hours=12))
    v = await view(handle)
    assert kinds(v).count("escalated") == 3  # at the deadline, then every 24 hours
    assert v.deadlines[0].name == "si_registration" and v.deadlines[0].status == "missed"
    assert v.overdue
    escalations = outbox(wf.db_url, "escalated")
    assert {m.recipient_role for m in escalations} == {"hr", "hr_manager", "department_manager"}
    assert any("李经理" == m.recipient_name for m in escalations)
    assert outbox(wf.db_url, "reminder_sent")[0].recipient_role == "hr"


async def test_enrolment_executes_after_the_hold_window_and_meets_the_deadline(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    v = await submit_and_approve(handle)
    assert v.status == Status.enrollment_approved
    await wf.env.sleep(timedelta(hours=2))
    v = await view(handle)
    assert v.status == Status.enrolled
    assert v.enrollment_requests[0].bureau_reference.startswith("SIM-BEIJING-")
    assert v.deadlines[0].status == "met"
    await wf.env.sleep(timedelta(days=40))
    assert "escalated" not in kinds(await view(handle))
    final = await handle.result()
    assert final.status == Status.enrolled and kinds(final)[-1] == "completed"


async def test_submitter_may_not_approve_and_a_refused_action_changes_nothing(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await act(handle, "submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    before = await view(handle)
    same_person = Actor("hr-alice", "hr_manager")
    error = await refused(handle, "approve_enrollment", ReviewDecision(same_person))
    assert error.type == "Forbidden" and error.details[0]["code"] == "four_eyes.same_principal"
    error = await refused(handle, "approve_enrollment", ReviewDecision(HR))
    assert error.type == "Forbidden" and error.details[0]["code"] == "role.forbidden"
    assert len((await view(handle)).events) == len(before.events)


async def test_base_outside_the_limits_is_invalid_input(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    error = await refused(handle, "submit_enrollment",
                          SubmitEnrollment(HR, "new", Decimal("1000")))
    assert error.type == "InvalidInput"
    assert error.details[0]["field"] == "contribution_base"


async def test_revoked_approval_never_reaches_the_bureau(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await submit_and_approve(handle)
    v = (await act(handle, "revoke_enrollment", ReviewDecision(HR, "wrong type chosen"))).view
    assert v.status == Status.awaiting_enrollment
    await wf.env.sleep(timedelta(hours=3))
    v = await view(handle)
    assert v.enrollment_requests[0].status == "revoked"
    assert "enrollment_executed" not in kinds(v)
    with session_for(wf.db_url) as session:
        assert session.exec(select(BureauRegistration)).first() is None


async def test_a_bureau_rejection_reopens_with_the_reason(wf: Harness):
    with session_for(wf.db_url) as session:
        session.add(BureauRegistration(idempotency_key="other", id_number="11010519491231002X",
                                       employer_ref="other-employer:ACME", accepted=True,
                                       created_at=datetime.now(UTC)))
        session.commit()
    handle = await wf.start(onboarding_input(await wf.today()))
    await submit_and_approve(handle)
    await wf.env.sleep(timedelta(hours=2))
    v = await view(handle)
    assert v.status == Status.awaiting_enrollment
    assert v.enrollment_requests[0].status == "bureau_rejected"
    assert "already enrolled" in v.enrollment_requests[0].reason
    assert "enrollment_failed" in kinds(v)
    assert outbox(wf.db_url, "enrollment_failed")[0].recipient_role == "hr"


async def test_back_payment_needs_the_estimate_confirmed(wf: Harness):
    today = await wf.today()
    handle = await wf.start(onboarding_input(today - timedelta(days=75)))
    error = await refused(handle, "submit_enrollment",
                          SubmitEnrollment(HR, "back_payment", Decimal("8000")))
    assert error.type == "Conflict"
    estimate = error.details[0]["estimate"]
    assert Decimal(estimate["total"]) > 0 and estimate["items"]
    # patch 2026-12-monthly-late-fee: one SIL art. 86 late fee per month, each from its own date
    fees = [i for i in estimate["items"] if i["code"].startswith("late_fee.")]
    assert len(fees) >= 3 and all("86" in i["article"] for i in fees)
    assert Decimal(estimate["total"]) == sum(Decimal(i["amount"]) for i in estimate["items"])
    v = (await act(handle, "submit_enrollment", SubmitEnrollment(
        HR, "back_payment", Decimal("8000"), Decimal(estimate["total"])))).view
    assert v.enrollment_requests[0].cost_estimate.total == Decimal(estimate["total"])


async def test_withdrawal_inside_the_window_then_the_window_closes_the_onboarding(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await submit_and_approve(handle)
    await wf.env.sleep(timedelta(hours=2))
    v = (await act(handle, "request_withdrawal",
                   WithdrawalAction(HR, "back payment chosen by mistake"))).view
    assert v.status == Status.withdrawal_requested
    document = v.enrollment_requests[0].withdrawal_application
    assert "撤销" in document and "11010519491231002X" in document
    v = (await act(handle, "record_withdrawal_answer",
                   WithdrawalAction(HR, "ok", bureau_answer="accepted"))).view
    assert v.status == Status.awaiting_enrollment
    assert v.enrollment_requests[0].status == "withdrawn"

    await submit_and_approve(handle)
    await wf.env.sleep(timedelta(hours=2))
    v = await view(handle)
    assert v.status == Status.enrolled and v.enrollment_requests[1].status == "executed"
    await wf.env.sleep(timedelta(hours=73))
    final = await handle.result()
    assert final.status == Status.enrolled and kinds(final)[-1] == "completed"


async def test_cancel_keeps_the_reason_and_completes(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await act(handle, "record_delay_reason",
              DelayReason(HR, "bureau system down", documents=("doc-1",)))
    await act(handle, "cancel", CancelOnboarding(HR, "employee left on day 3"))
    final = await handle.result()
    assert final.status == Status.cancelled and final.cancel_reason == "employee left on day 3"
    assert {"delay_reason_recorded", "cancelled"} <= set(kinds(final))
    with session_for(wf.db_url) as session:
        stored = session.exec(select(EvidenceEntry.kind)).all()
    assert "cancelled" in stored


@pytest.mark.dated
async def test_contract_signed_without_enrolment_raises_a_mismatch_alert(wf: Harness):
    today = await wf.today()
    handle = await wf.start(onboarding_input(today, contract_start=today - timedelta(days=10)))
    # Its due day moves with rest days (a fixed 22 days fell short when it ran on 2026-12-06).
    [due] = [d.due_at for d in (await view(handle)).deadlines if d.name == "contract_si_mismatch"]
    await wf.sleep_until(due + timedelta(hours=1))
    v = await view(handle)
    assert "contract_si_mismatch" in kinds(v)
    assert [d.name for d in v.deadlines] == ["si_registration", "contract_si_mismatch"]
    assert outbox(wf.db_url, "contract_si_mismatch")


async def test_an_action_answers_with_its_event_and_the_log_size_not_the_whole_log(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    answer = await act(handle, "record_delay_reason", DelayReason(HR, "bureau system down"))
    assert answer.view.events == ()
    assert [(e.seq, e.kind, e.actor) for e in answer.recorded] == [
        (2, "delay_reason_recorded", "hr-alice")]
    assert answer.recorded[0].data["reason"] == "bureau system down"
    assert answer.event_count == 2 == len((await view(handle)).events)


async def test_a_burst_of_actions_is_written_once_after_the_answers(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await wf.env.sleep(timedelta(seconds=1))
    assert ledger_kinds(wf.db_url, handle.id) == ["registered"]
    writes_before = await _writes(handle)

    for n in range(3):
        await act(handle, "record_delay_reason", DelayReason(HR, f"bureau down, note {n}"))
    await wf.env.sleep(ACTION_WRITE_QUIET + timedelta(seconds=1))
    assert ledger_kinds(wf.db_url, handle.id) == ["registered"] + ["delay_reason_recorded"] * 3
    assert await _writes(handle) == writes_before + 1


async def test_actions_that_never_pause_are_still_written_within_the_longest_wait(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await wf.env.sleep(timedelta(seconds=1))
    writes_before = await _writes(handle)
    gap = ACTION_WRITE_QUIET / 2
    for n in range(int(ACTION_WRITE_MAX_WAIT / gap) + 2):
        await act(handle, "record_delay_reason", DelayReason(HR, f"note {n}"))
        await wf.env.sleep(gap)
    assert await _writes(handle) == writes_before + 1
    assert len(ledger_kinds(wf.db_url, handle.id)) > int(ACTION_WRITE_MAX_WAIT / gap)


async def _writes(handle: WorkflowHandle) -> int:
    """The onboarding writes the workflow made so far: local activities (each is one) and
    record_onboarding activities."""
    history = await handle.fetch_history()
    return sum(1 for e in history.events
               if (e.HasField("marker_recorded_event_attributes")
                   and e.marker_recorded_event_attributes.marker_name == "core_local_activity")
               or (e.HasField("activity_task_scheduled_event_attributes")
                   and e.activity_task_scheduled_event_attributes.activity_type.name
                   == "record_onboarding"))


async def test_a_registration_the_api_recorded_is_not_written_again_and_never_lost(wf: Harness):
    recorded = replace(onboarding_input(await wf.today()), registration_recorded=True)
    handle = await wf.start(recorded)
    await wf.env.sleep(timedelta(seconds=1))
    assert ledger_kinds(wf.db_url, handle.id) == []  # the API's write is lost in this test
    assert await _writes(handle) == 0
    await act(handle, "record_delay_reason", DelayReason(HR, "bureau down"))
    await wf.env.sleep(ACTION_WRITE_QUIET + timedelta(seconds=1))
    assert ledger_kinds(wf.db_url, handle.id) == ["registered", "delay_reason_recorded"]


async def test_write_now_writes_what_is_not_written(wf: Harness):
    handle = await wf.start(replace(onboarding_input(await wf.today()),
                                    registration_recorded=True))
    await handle.signal("write_now")
    await wf.env.sleep(timedelta(seconds=1))
    assert ledger_kinds(wf.db_url, handle.id) == ["registered"]


async def test_a_new_onboarding_asks_for_its_patches_as_one_baseline(wf: Harness):
    """One patch marker and one search-attribute upsert in an onboarding's whole life, where it
    recorded four of each (patch 2026-12-onboarding-baseline-1, then -2 with the leave's patch and
    the local write-behind, -3 with the dispatched notices): each is a server write. The write
    after an action is a local activity on the quiet timer's task: no activity task at the
    server."""
    today = await wf.today()
    handle = await wf.start(onboarding_input(today))
    await handle.execute_update("record_delay_reason", DelayReason(HR, "documents pending"),
                                result_type=ActionAnswer)
    await wf.written()
    await handle.signal("employment_left", EmploymentEnded(on=today, reason="resigned"))
    await submit_and_approve(handle)
    await wf.env.sleep(timedelta(days=40))
    await handle.result()
    history = await handle.fetch_history()
    patches = [e for e in history.events if e.HasField("marker_recorded_event_attributes")
               and e.marker_recorded_event_attributes.marker_name == "core_patch"]
    assert len(patches) == 1
    assert b"2026-12-onboarding-baseline-3" in patches[0].SerializeToString()
    activities = [e.activity_task_scheduled_event_attributes.activity_type.name
                  for e in history.events
                  if e.HasField("activity_task_scheduled_event_attributes")]
    assert "record_onboarding" not in activities  # every write was local
    assert "employment_left" in kinds(await view(handle))
    upserts = [e for e in history.events
               if e.HasField("upsert_workflow_search_attributes_event_attributes")]
    assert len(upserts) == 1
