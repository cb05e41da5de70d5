"""InjuryCaseWorkflow's clocks under time skipping: reminders, escalations, extensions, notices."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import select
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError

from activities.directory import DirectoryActivities
from domain.injury.payloads import AuthorityDecision
from domain.injury.state import CourierUpdate, Stage
from domain.injury.views import CaseView
from domain.notices.payloads import Answer
from domain.shared.calendar import SHANGHAI, is_rest_day
from domain.shared.events import Event
from domain.shared.people import Dispatched, NoticeDispatch
from domain.shared.statutes import CHASE_INTERVAL_DEFAULT
from store.db import session_for
from store.models import EvidenceEntry, NoticeAttemptRow, NoticeRow
from tests.factories import case_input
from tests.workflows.conftest import act_on_case, harness_replacing
from tests.workflows.conftest import case_action as act

ESCALATED_TO = ["hr", "hr_manager", "department_manager"]


def deadline(view: CaseView, name: str):
    found = {d.name: d for d in view.deadlines}
    assert name in found, f"no {name} deadline; the case has {sorted(found)}"
    return found[name]


def events(view: CaseView, kind: str, deadline: str | None = None) -> list[Event]:
    return [e for e in view.events
            if e.kind == kind and (deadline is None or e.data.get("deadline") == deadline)]


def returned_notice(view: CaseView):
    [notice] = [n for n in view.notices if n.purpose == "return_to_work"]
    return notice


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


async def query(wf, handle: WorkflowHandle) -> CaseView:
    return await handle.query("status", await wf.env.get_current_time(), result_type=CaseView)


async def update(handle: WorkflowHandle, action: str, **fields) -> CaseView:
    return await act_on_case(handle, act(action, **fields))


async def refused(handle: WorkflowHandle, action: str, **fields):
    """The error an action is refused with (its type: InvalidInput → 422, Conflict → 409)."""
    with pytest.raises(WorkflowUpdateFailedError) as error:
        await update(handle, action, **fields)
    return error.value.cause


async def sleep_until(wf, at: datetime) -> None:
    await wf.env.sleep(at - await wf.env.get_current_time())


async def open_case(wf, days_ago: float = 2) -> tuple[WorkflowHandle, CaseView]:
    """A case reported `days_ago` days after the accident, its first clocks started."""
    now = await wf.env.get_current_time()
    handle = await wf.start_case(case_input(now - timedelta(days=days_ago), now=now))
    await wf.env.sleep(timedelta(seconds=1))
    return handle, await query(wf, handle)


async def file_all(handle: WorkflowHandle, view: CaseView) -> CaseView:
    return await update(handle, "file_materials", materials=view.missing_materials)


async def decided_case(wf, recognised: bool = True) -> tuple[WorkflowHandle, CaseView]:
    """A case filed and applied for, whose determination the authority has just decided."""
    handle, view = await open_case(wf, days_ago=1)
    await file_all(handle, view)
    await update(handle, "apply_determination")
    await handle.signal("authority_decision", AuthorityDecision(
        recognised=recognised, decided_on=await wf.today(), reference="京人社工伤认字001",
        reason="" if recognised else "not in the course of work"))
    await wf.env.sleep(timedelta(seconds=1))
    return handle, await query(wf, handle)


def notice_rows(wf, subject: WorkflowHandle | str, purpose: str) -> list[NoticeRow]:
    subject_id = subject if isinstance(subject, str) else subject.id
    with session_for(wf.db_url) as session:
        return list(session.exec(select(NoticeRow).where(NoticeRow.subject_id == subject_id,
                                                         NoticeRow.purpose == purpose)))


def ledger(wf, handle: WorkflowHandle, kind: str) -> list[EvidenceEntry]:
    with session_for(wf.db_url) as session:
        return list(session.exec(select(EvidenceEntry).where(EvidenceEntry.subject_id == handle.id,
                                                             EvidenceEntry.kind == kind)))


# ---- the employer's 30-day determination application (Regs. art. 17) -----------------------


async def test_a_missed_determination_deadline_is_reminded_escalated_and_costs_the_employer(wf):
    handle, view = await open_case(wf, days_ago=2)
    accident_day = local_day(view.accident_at)
    due = deadline(view, "determination_application").due_at

    await sleep_until(wf, due - timedelta(hours=1))
    view = await query(wf, handle)
    reminders = events(view, "case_reminder_sent", "determination_application")
    assert [(local_day(e.at) - accident_day).days for e in reminders] == [7, 20, 27]
    assert all(e.data["recipients"] == ["hr"] for e in reminders)
    assert not events(view, "case_escalated", "determination_application")
    assert deadline(view, "determination_application").status == "upcoming"
    assert view.late_application is None

    await sleep_until(wf, due + timedelta(hours=1))
    view = await query(wf, handle)
    [escalation] = events(view, "case_escalated", "determination_application")
    assert escalation.data["recipients"] == ESCALATED_TO
    escalated = [n for n in notice_rows(wf, handle, "case_escalation") if n.created_at >= due]
    assert sorted(n.recipient_role for n in escalated) == sorted(ESCALATED_TO)
    assert deadline(view, "determination_application").status == "missed"
    assert view.overdue
    late = view.late_application
    assert late["employer_bears_costs_from"] == accident_day.isoformat()
    assert late["ongoing"] is True and late["employer_bears_costs_until"] is None
    employee = deadline(view, "employee_application")
    assert employee.kind == "right" and employee.status == "upcoming"
    assert local_day(employee.due_at) > accident_day.replace(year=accident_day.year + 1)
    assert late["employee_application_due_at"] == employee.due_at.isoformat()
    assert len(ledger(wf, handle, "case_escalated")) == 2  # materials (24 h), then this one

    # Late, and with materials missing: refused without a reason, accepted with one.
    error = await refused(handle, "apply_determination")
    assert error.type == "Conflict" and error.details[0]["code"] == "materials.missing"
    view = await update(handle, "apply_determination", override_reason="the rest follows by post")
    assert view.stage == Stage.determination_applied
    assert deadline(view, "determination_application").status == "missed"
    # Reg. art. 17 ¶4 (national reading): the employer's period ends at the acceptance, which the
    # answer does not know yet; the simulated authority accepts on receipt.
    assert view.late_application["ongoing"] is True
    await wf.env.sleep(timedelta(seconds=1))
    view = await query(wf, handle)
    assert events(view, "determination_accepted")
    assert view.late_application["ongoing"] is False
    assert view.late_application["employer_bears_costs_until"] == \
        view.determination.accepted_on.isoformat()
    assert deadline(view, "determination_decision").status == "upcoming"


async def test_an_extension_moves_the_escalation_to_the_new_due_date(wf):
    handle, view = await open_case(wf, days_ago=2)
    await file_all(handle, view)
    old_due = deadline(view, "determination_application").due_at
    until = local_day(old_due) + timedelta(days=20)
    view = await update(handle, "grant_extension", deadline="determination_application",
                        until=until, reference="京人社延期001")
    new_due = deadline(view, "determination_application").due_at
    assert local_day(new_due) > local_day(old_due) and deadline(view,
                                                               "determination_application").extended

    await sleep_until(wf, old_due + timedelta(hours=1))
    view = await query(wf, handle)
    assert not events(view, "case_escalated", "determination_application")
    assert deadline(view, "determination_application").status == "upcoming"
    assert view.late_application is None and not view.overdue

    await sleep_until(wf, new_due + timedelta(hours=1))
    view = await query(wf, handle)
    [escalation] = events(view, "case_escalated", "determination_application")
    assert escalation.data["due_at"] == new_due.isoformat()
    assert escalation.data["recipients"] == ESCALATED_TO
    assert deadline(view, "determination_application").status == "missed" and view.overdue
    # the extended deadline has its own reminder, reminder_lead before the new date
    assert any(e.data["due_at"] == new_due.isoformat()
               for e in events(view, "case_reminder_sent", "determination_application"))


async def test_applying_within_an_extension_meets_the_deadline(wf):
    handle, view = await open_case(wf, days_ago=2)
    await file_all(handle, view)
    old_due = deadline(view, "determination_application").due_at
    await update(handle, "grant_extension", deadline="determination_application",
                 until=local_day(old_due) + timedelta(days=20))
    await sleep_until(wf, old_due + timedelta(days=5))
    view = await update(handle, "apply_determination")
    assert deadline(view, "determination_application").status == "met"
    assert view.late_application is None and not view.overdue
    await wf.env.sleep(timedelta(days=30))
    view = await query(wf, handle)
    assert not events(view, "case_escalated", "determination_application")


# ---- the determination ---------------------------------------------------------------------


async def test_a_rejected_determination_opens_the_review_window_and_can_be_closed(wf):
    handle, view = await decided_case(wf, recognised=False)
    assert view.stage == Stage.determination_decided
    assert view.determination.recognised is False
    review = deadline(view, "administrative_review")
    assert review.kind == "right" and review.status == "upcoming"
    assert {"close", "record_dispute", "record_determination"} <= set(view.allowed_actions)
    assert "start_suspension" not in view.allowed_actions
    assert "decide_review" in {t.code for t in view.tasks}
    error = await refused(handle, "start_suspension", months=3)
    assert error.type == "Conflict"

    assert (await refused(handle, "close")).type == "InvalidInput"  # a reason is required
    view = await update(handle, "close", reason="not recognised; no review sought")
    result = await handle.result()
    assert result.stage == Stage.closed and result.closed_reason.startswith("not recognised")
    assert result.tasks == () and not result.overdue
    # The employee's decision notice outlives the case (abandoned, not cancelled, by the close).
    [notice] = notice_rows(wf, handle, "determination_decision")
    assert notice.status == "open"
    described = await wf.client.get_workflow_handle(notice.id).describe()
    assert described.status == WorkflowExecutionStatus.RUNNING


# ---- the return-to-work notice (product rule: 7 days before, 3 days to answer) ---------------


async def suspended_until_notice(wf, months: int = 1) -> tuple[WorkflowHandle, datetime, NoticeRow]:
    """A recognised case in its paid suspension period, just after the return notice went out."""
    handle, _ = await decided_case(wf)
    view = await update(handle, "start_suspension", months=months)
    end = deadline(view, "suspension_end").raw_due_at  # the period's end; due_at is the return day
    await sleep_until(wf, end - timedelta(days=7, hours=1))
    assert notice_rows(wf, handle, "return_to_work") == []
    await sleep_until(wf, end - timedelta(days=7) + timedelta(minutes=10))
    [notice] = notice_rows(wf, handle, "return_to_work")
    assert notice.recipient_role == "employee"
    return handle, end, notice


async def test_an_unanswered_return_notice_is_escalated_after_three_days(wf):
    handle, end, notice = await suspended_until_notice(wf)
    sent = end - timedelta(days=7)

    await sleep_until(wf, sent + timedelta(days=3) - timedelta(hours=1))
    view = await query(wf, handle)
    assert events(view, "return_notice_sent")
    assert not events(view, "return_notice_unanswered")
    assert notice_rows(wf, handle, "notice_escalation") == []

    await sleep_until(wf, sent + timedelta(days=3, hours=1))
    view = await query(wf, handle)
    [unanswered] = events(view, "return_notice_unanswered")
    assert unanswered.data["notice_id"] == notice.id
    tasks = {t.code: t for t in view.tasks}
    for code in ("courier_notice", "contact_employee"):
        assert tasks[code].owner_role == "hr" and tasks[code].owner == "hr-alice"
    roles = {n.recipient_role for n in notice_rows(wf, handle, "notice_escalation")}
    assert {"hr_manager", "department_manager"} <= roles
    assert returned_notice(view).result == "unacknowledged"


async def test_an_answered_return_notice_asks_hr_to_review_and_is_not_escalated(wf):
    handle, end, notice = await suspended_until_notice(wf)
    view = await query(wf, handle)
    assert returned_notice(view).notice_id == notice.id
    now = await wf.env.get_current_time()
    await wf.client.get_workflow_handle(notice.id).signal(
        "answer", Answer(at=now, channel="link", choice="answer", text="复诊后下周一返岗"))
    await wf.env.sleep(timedelta(minutes=5))
    view = await query(wf, handle)
    [answered] = events(view, "return_notice_answered")
    assert answered.data["choice"] == "answer" and answered.data["text"] == "复诊后下周一返岗"
    assert "review_answer" in {t.code for t in view.tasks}
    assert returned_notice(view).answer_text == "复诊后下周一返岗"

    await sleep_until(wf, end - timedelta(days=7) + timedelta(days=3, hours=1))
    view = await query(wf, handle)
    assert not events(view, "return_notice_unanswered")
    assert not {"courier_notice", "contact_employee"} & {t.code for t in view.tasks}
    assert notice_rows(wf, handle, "notice_escalation") == []


# ---- the paid suspension period (Regs. art. 33) ----------------------------------------------


async def test_an_extended_suspension_sends_the_return_notice_before_the_new_end(wf):
    handle, _ = await decided_case(wf)
    view = await update(handle, "start_suspension", months=1)
    old_end = deadline(view, "suspension_end").raw_due_at
    view = await update(handle, "extend_suspension", months=2, reference="鉴定委员会确认001")
    new_end = deadline(view, "suspension_end").raw_due_at
    assert deadline(view, "suspension_end").extended
    assert view.suspension.extended_months == 2 and local_day(new_end) > local_day(old_end)

    # An extension beyond the 12 months the committee may add changes nothing.
    count = len((await query(wf, handle)).events)
    error = await refused(handle, "extend_suspension", months=11)
    assert error.type == "InvalidInput"
    assert error.details[0]["code"] == "months.beyond_maximum"
    view = await query(wf, handle)
    assert len(view.events) == count and deadline(view, "suspension_end").raw_due_at == new_end

    await sleep_until(wf, old_end + timedelta(hours=1))
    assert notice_rows(wf, handle, "return_to_work") == []
    view = await query(wf, handle)
    assert not events(view, "case_escalated", "suspension_end")
    await sleep_until(wf, new_end - timedelta(days=7, hours=1))
    assert notice_rows(wf, handle, "return_to_work") == []
    await sleep_until(wf, new_end - timedelta(days=7) + timedelta(minutes=10))
    assert len(notice_rows(wf, handle, "return_to_work")) == 1
    view = await query(wf, handle)
    [sent] = events(view, "return_notice_sent")
    assert sent.data["suspension_ends_at"] == new_end.isoformat()


# ---- paper notices by courier ------------------------------------------------------------


async def test_courier_tracking_signed_is_proof_and_returned_raises_a_task(wf):
    handle, view = await open_case(wf, days_ago=1)
    for number in ("SF1234567890", "EMS9876543210CN"):
        view = await update(handle, "record_courier_notice", carrier="SF",
                            tracking_number=number, purpose="other")
    now = await wf.env.get_current_time()
    await handle.signal("courier_status", CourierUpdate("SF1234567890", "signed", now, "张三"))
    await handle.signal("courier_status", CourierUpdate("EMS9876543210CN", "returned", now))
    await handle.signal("courier_status", CourierUpdate("UNKNOWN000", "signed", now))
    await wf.env.sleep(timedelta(seconds=1))
    view = await query(wf, handle)
    assert [c.status for c in view.couriers] == ["signed", "returned"]
    statuses = events(view, "courier_status")
    assert [(e.data["tracking_number"], e.data["proof_of_delivery"]) for e in statuses] == \
        [("SF1234567890", True), ("EMS9876543210CN", False)]
    assert "courier_returned" in {t.code for t in view.tasks}
    assert events(view, "signal_ignored")[0].data["tracking_number"] == "UNKNOWN000"
    await wf.written()
    assert len(ledger(wf, handle, "courier_status")) == 2


# ---- withdrawal and re-appraisal ---------------------------------------------------------


async def test_withdrawing_a_filed_case_ends_it_without_anything_overdue(wf):
    handle, view = await open_case(wf, days_ago=1)
    view = await update(handle, "file_materials", materials=view.missing_materials[:1])
    assert view.stage == Stage.materials_filed and view.missing_materials
    await wf.env.sleep(timedelta(days=2))
    assert (await query(wf, handle)).overdue  # the 24-hour materials target has passed
    await update(handle, "withdraw", reason="employee chose private insurance")
    result = await handle.result()
    assert result.stage == Stage.withdrawn
    assert not result.overdue and result.tasks == () and result.allowed_actions == ()
    [withdrawn] = [e for e in result.events if e.kind == "withdrawn"]
    assert withdrawn.data["reason"] == "employee chose private insurance"


async def test_reappraisal_is_a_second_and_final_round(wf):
    handle, _ = await decided_case(wf)
    await update(handle, "apply_appraisal")
    await wf.env.sleep(timedelta(days=30))
    view = await update(handle, "record_appraisal", grade=9, reference="京劳鉴001")
    assert deadline(view, "reappraisal_request").status == "upcoming"
    await wf.env.sleep(timedelta(days=5))
    view = await update(handle, "request_reappraisal")
    assert [a.round for a in view.appraisals] == [1, 2]
    assert deadline(view, "reappraisal_request").status == "met"
    assert deadline(view, "reappraisal_conclusion").status == "upcoming"
    assert "await_appraisal" in {t.code for t in view.tasks}
    error = await refused(handle, "request_reappraisal")
    assert error.type == "Conflict" and error.details[0]["code"] == "stage.conflict"
    view = await update(handle, "record_appraisal", grade=8)
    assert view.appraisals[-1].grade == 8
    assert (await refused(handle, "request_reappraisal")).type == "Conflict"  # provincial: final


async def test_an_overdue_appraisal_conclusion_is_chased_every_week(wf):
    """Patch 2026-12-weekly-chase: after each chase the case sleeps until the next one."""
    handle, _ = await decided_case(wf)
    view = await update(handle, "apply_appraisal")
    due = deadline(view, "appraisal_conclusion").due_at  # as counted, holidays and all
    week = CHASE_INTERVAL_DEFAULT
    assert week == timedelta(days=7)
    await sleep_until(wf, due + 5 * week - timedelta(hours=1))
    view = await query(wf, handle)
    assert deadline(view, "appraisal_conclusion").status == "missed"
    sent = [e.at for e in events(view, "chase_sent", "appraisal_conclusion")]
    assert len(sent) == 5
    for k, at in enumerate(sent):  # each at its own week's chase, not when something else woke it
        assert due + k * week <= at < due + k * week + timedelta(minutes=5)
    await sleep_until(wf, due + 5 * week + timedelta(hours=1))
    assert len(events(await query(wf, handle), "chase_sent", "appraisal_conclusion")) == 6
    await update(handle, "record_appraisal", grade=9, reference="京劳鉴001")  # the chase stops
    await sleep_until(wf, due + 7 * week)
    assert len(events(await query(wf, handle), "chase_sent", "appraisal_conclusion")) == 6


async def test_an_employee_back_on_the_first_working_day_is_on_time_and_not_escalated(wf):
    handle, _ = await decided_case(wf)
    view = await update(handle, "start_suspension", months=1)
    period = deadline(view, "suspension_end")
    last_day = local_day(period.raw_due_at - timedelta(seconds=1))
    back_day = local_day(period.due_at - timedelta(seconds=1))
    assert back_day > last_day and not is_rest_day(back_day)
    await sleep_until(wf, datetime.combine(back_day, time(10), SHANGHAI))
    view = await query(wf, handle)
    assert not events(view, "case_escalated", "suspension_end")
    view = await update(handle, "record_return")
    assert deadline(view, "suspension_end").status == "met"


async def test_the_escalation_carries_the_receipt_history_and_may_reach_the_emergency_contact(wf):
    now = await wf.env.get_current_time()
    inp = replace(case_input(now - timedelta(hours=1), now=now), notify_emergency_contact=True)
    handle = await wf.start_case(inp)
    await update(handle, "file_materials", materials=tuple(m.code for m in inp.materials))
    await update(handle, "apply_determination")
    await update(handle, "record_determination", recognised=True)
    view = await update(handle, "start_suspension", months=1)
    end = deadline(view, "suspension_end").raw_due_at
    await sleep_until(wf, end - timedelta(days=7) + timedelta(days=3, hours=1))

    def sent_escalation_bodies() -> list[str]:
        escalations = notice_rows(wf, handle, "notice_escalation")
        if not {n.recipient_role for n in escalations} >= {"hr_manager", "department_manager"}:
            return []
        with session_for(wf.db_url) as session:
            return list(session.exec(select(NoticeAttemptRow.body).where(
                NoticeAttemptRow.notice_id == escalations[0].id)).all())

    def carries_history() -> bool:
        return any("通知记录" in b and "发出" in b for b in sent_escalation_bodies())

    # Each notice opens its row and sends in activities of its own, a moment after the case's
    # escalation, one channel after another: wait for the attempt that carries the history and
    # for the contact's notice (real time; at most 20 s).
    for _ in range(200):
        if carries_history() and notice_rows(wf, handle, "emergency_contact"):
            break
        await asyncio.sleep(0.1)
    assert carries_history()
    [contact] = notice_rows(wf, handle, "emergency_contact")
    assert contact.recipient_name == "王芳" and contact.phone == "+8613700137000"


# ---- an alarm is in the ledger before its messages are routed (patch 2026-12-record-alarms-first)


@pytest.fixture
async def routing_watched(time_skipping_env, sqlite_url: str, tmp_path):
    """A worker whose dispatch of messages notes, for each message it routes, which alarm events
    of the case the ledger already holds at that moment."""
    seen: list[tuple[str, list[str]]] = []
    dispatch = DirectoryActivities(sqlite_url).dispatch_notices

    @activity.defn(name="dispatch_notices")
    async def watched(message: NoticeDispatch) -> Dispatched:
        with session_for(sqlite_url) as session:
            kinds = session.exec(select(EvidenceEntry.kind).where(
                EvidenceEntry.subject_id == message.query.subject_id)).all()
        seen.append((message.query.purpose, sorted(set(kinds))))
        return await dispatch(message)

    async with harness_replacing(time_skipping_env, sqlite_url, tmp_path, [watched]) as harness:
        yield harness, seen


async def test_an_escalation_is_in_the_ledger_before_its_recipients_are_routed(routing_watched):
    wf, seen = routing_watched
    handle, view = await open_case(wf, days_ago=2)
    due = deadline(view, "determination_application").due_at

    await sleep_until(wf, due + timedelta(hours=1))
    view = await query(wf, handle)
    assert events(view, "case_escalated", "determination_application")
    escalations = [kinds for purpose, kinds in seen if purpose == "case_escalation"]
    reminders = [kinds for purpose, kinds in seen if purpose == "case_reminder"]
    assert escalations and reminders
    assert all("case_escalated" in kinds for kinds in escalations)
    assert all("case_reminder_sent" in kinds for kinds in reminders)


async def test_a_new_case_asks_for_its_patches_as_one_baseline(wf):
    """One patch marker (and one search-attribute upsert) at a new case's start and none at its
    first action, where it asked for six (patch 2026-12-case-baseline-1), nor at its application,
    where it asked for the clocks' patch (2026-12-case-baseline-2, now baseline-4)."""
    handle, view = await open_case(wf, days_ago=1)
    await file_all(handle, view)
    await update(handle, "apply_determination")
    await wf.written()
    history = await handle.fetch_history()
    kinds = [e.WhichOneof("attributes") for e in history.events]
    patches = [e for e in history.events if e.HasField("marker_recorded_event_attributes")
               and e.marker_recorded_event_attributes.marker_name == "core_patch"]
    assert len(patches) == 1
    assert b"2026-12-case-baseline-4" in patches[0].SerializeToString()
    assert kinds.count("upsert_workflow_search_attributes_event_attributes") == 1


async def test_the_next_alarms_timer_stands_while_its_moment_does(wf):
    """A case's start (the form, the diagnosis, their writes) sets one timer for its next alarm
    and cancels none; filing the materials, which moves the next alarm, replaces it once (patch
    2026-12-steady-alarm-timer: each state change cancelled the timer and started another)."""
    now = await wf.env.get_current_time()
    handle = await wf.start_case(case_input(now - timedelta(days=1), now=now))
    view = await query(wf, handle)
    for _ in range(100):
        if {"form_generated", "diagnosis_fetched"} <= {e.kind for e in view.events}:
            break
        await asyncio.sleep(0.1)
        view = await query(wf, handle)
    await wf.written()

    def timers(history: Any) -> tuple[int, int]:
        kinds = [e.WhichOneof("attributes") for e in history.events]
        return (kinds.count("timer_started_event_attributes"),
                kinds.count("timer_canceled_event_attributes"))

    assert timers(await handle.fetch_history()) == (1, 0)
    await file_all(handle, view)
    await wf.written()
    started, cancelled = timers(await handle.fetch_history())
    # The write-behind's 2 s, then the alarm's timer replaced once: one cancelled, none stand idle.
    assert (started, cancelled) == (3, 1)


async def test_an_applications_gateway_answer_joins_the_write_its_action_armed(wf):
    """Applying arms one write-behind timer; the authority's receipt, which comes back while that
    timer runs, is written with the application's event (patch 2026-12-effect-results-keep-quiet:
    the receipt restarted the quiet period, a second timer and a second workflow task)."""
    handle, view = await open_case(wf, days_ago=1)
    await file_all(handle, view)
    await wf.written()
    before = len((await handle.fetch_history()).events)

    await update(handle, "apply_determination")
    await wf.written()
    view = await query(wf, handle)
    assert events(view, "determination_accepted")
    new = (await handle.fetch_history()).events[before:]
    quiet_timers = [e for e in new if e.HasField("timer_started_event_attributes")
                    and e.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
                    <= timedelta(seconds=2)]
    assert len(quiet_timers) == 1
    assert ledger(wf, handle, "determination_applied") and ledger(wf, handle, "determination_accepted")
