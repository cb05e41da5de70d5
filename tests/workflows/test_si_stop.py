"""The SI stop (减员) when HR corrects the leave day: the deadline counted from the new day, the
old day's clocks retired, a submitted stop back to submission, and no correction once the bureau
may have the stop. Time-skipping server; "today" is the server's."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.separation.payloads import (
    LeaveCorrection,
    StopInput,
    StopStatus,
    StopStep,
    StopView,
)
from domain.separation.policy import deadline_rule
from domain.separation.rules import stop_deadline
from domain.shared.calendar import SHANGHAI
from domain.shared.calendar_sources import official_calendar
from domain.shared.people import Actor
from store.db import session_for
from store.models import EvidenceEntry
from tests.workflows.conftest import guarded_worker, started_with_an_update
from tests.workflows.test_notices_dispatched import dispatched_not_children
from worker import Workers

pytestmark = pytest.mark.dated  # the leave day is the server's today: its month's end matters
HR, MANAGER = Actor("hr-alice", "hr"), Actor("mgr-bob", "hr_manager")
CLOCKS = ("stop_reminder_sent", "stop_escalated")


def _input(leave_date: date) -> StopInput:
    return StopInput(employee_id="S1", employment=1, department="生产部", region="beijing",
                     leave_date=leave_date, reason="合同期满", hold=timedelta(hours=1),
                     deadline=stop_deadline(leave_date, deadline_rule("beijing"),
                                            official_calendar()),
                     created_by="hr-alice")


def _correction(leave_date: date, actor: Actor = HR) -> LeaveCorrection:
    return LeaveCorrection(actor=actor, leave_date=leave_date, reason="离职日期登记错误，以离职证明为准",
                           deadline=stop_deadline(leave_date, deadline_rule("beijing"),
                                                  official_calendar()))


async def _start(wf, leave_date: date) -> WorkflowHandle:
    return await wf.client.start_workflow("SiStop", _input(leave_date), id="si-stop-S1",
                                          task_queue=wf.task_queue, result_type=StopView)


async def _do(handle: WorkflowHandle, update: str, arg: object) -> StopView:
    view: StopView = await handle.execute_update(update, arg, result_type=StopView)
    return view


def _kinds(view: StopView, after_seq: int = 0) -> list[str]:
    return [e.kind for e in view.events if e.seq > after_seq]


async def test_a_corrected_leave_day_moves_the_deadline_and_retires_the_old_clocks(wf):
    old = await wf.today()
    handle = await _start(wf, old)
    await _do(handle, "submit_stop", StopStep(HR))
    await _do(handle, "approve_stop", StopStep(MANAGER))
    new = old + timedelta(days=40)  # a month-end deadline one or two months after the old one
    corrected = await _do(handle, "correct_leave_date", _correction(new))

    assert corrected.status is StopStatus.awaiting_submission  # approved for another day
    assert (corrected.leave_date, corrected.deadline) == (new, _correction(new).deadline)
    assert corrected.submitted_by is None and corrected.reviewed_by is None
    event = corrected.events[-1]
    assert event.kind == "leave_date_corrected" and event.actor == "hr-alice"
    assert event.data["leave_date_before"] == old.isoformat()
    assert event.data["leave_date"] == new.isoformat()
    assert event.data["due_at_before"] == _input(old).deadline.due_at.isoformat()
    assert event.data["returned_to_submission"] is True
    seq = event.seq

    deadline = corrected.deadline
    await wf.sleep_until(deadline.reminder_at - timedelta(hours=1))  # past the old due moment
    view = await handle.query("status", result_type=StopView)
    assert [k for k in _kinds(view, seq) if k in CLOCKS] == []
    assert view.status is StopStatus.awaiting_submission  # the hold's executor was woken off
    await wf.sleep_until(deadline.due_at + timedelta(hours=1))
    view = await handle.query("status", result_type=StopView)
    assert [k for k in _kinds(view, seq) if k in CLOCKS] == list(CLOCKS)
    assert view.overdue
    await dispatched_not_children(wf, handle, "stop_escalated", {"hr", "hr_manager"})


async def test_the_same_day_again_changes_nothing(wf):
    today = await wf.today()
    handle = await _start(wf, today)
    first = await _do(handle, "correct_leave_date", _correction(today - timedelta(days=2)))
    again = await _do(handle, "correct_leave_date", _correction(today - timedelta(days=2)))
    [correction] = [e for e in again.events if e.kind == "leave_date_corrected"]
    assert again.deadline == first.deadline and again.leave_date == first.leave_date
    assert correction.data.get("returned_to_submission") is None  # not submitted yet


async def test_no_correction_once_the_bureau_may_have_the_stop(wf):
    today = await wf.today()
    handle = await _start(wf, today)
    await _do(handle, "submit_stop", StopStep(HR))
    await _do(handle, "approve_stop", StopStep(MANAGER))
    await wf.env.sleep(timedelta(hours=2))  # the hold is over: HR's task at the bureau
    assert (await handle.query("status", result_type=StopView)).status is StopStatus.executing
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await _do(handle, "correct_leave_date", _correction(today + timedelta(days=1)))
    cause = refused.value.cause
    assert cause.type == "Conflict" and cause.details[0]["code"] == "leave.correction_at_bureau"
    assert cause.details[0]["field"] == "leave_date"
    with pytest.raises(WorkflowUpdateFailedError) as forbidden:
        await _do(handle, "correct_leave_date",
                  _correction(today + timedelta(days=1), Actor("mgr-x", "manager")))
    assert forbidden.value.cause.type == "Forbidden"
    view = await handle.query("status", result_type=StopView)
    assert view.leave_date == today and "leave_date_corrected" not in _kinds(view)


async def test_a_correction_needs_its_reason(wf):
    today = await wf.today()
    handle = await _start(wf, today)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await _do(handle, "correct_leave_date",
                  LeaveCorrection(HR, today + timedelta(days=1), "  ", _correction(today).deadline))
    assert refused.value.cause.type == "InvalidInput"
    assert refused.value.cause.details[0]["field"] == "reason"


async def test_a_revoke_that_arrives_with_the_end_of_the_hold_wins(time_skipping_env, sqlite_url,
                                                                   tmp_path):
    """The worker is away while the hold ends and HR revokes: both reach the stop in one task.
    The revoke was accepted, so HR is not sent to the bureau."""
    env, queue = time_skipping_env, f"tq-{uuid.uuid4().hex[:8]}"

    def worker() -> Workers:
        return guarded_worker(env.client, queue, sqlite_url, tmp_path / "docs", executor,
                              max_cached_workflows=0)

    with ThreadPoolExecutor(max_workers=4) as executor:
        async with worker():
            today = (await env.get_current_time()).astimezone(ZoneInfo("Asia/Shanghai")).date()
            # A leave day whose deadline is weeks away: no reminder falls in the hour (near a
            # month's end one would, and its notices would hold the server's clock while no
            # worker runs).
            leave = today + timedelta(days=40)
            handle = await env.client.start_workflow("SiStop", _input(leave), id="si-stop-S1",
                                                     task_queue=queue, result_type=StopView)
            await _do(handle, "submit_stop", StopStep(HR))
            await _do(handle, "approve_stop", StopStep(MANAGER))
        # The hold's timer fires while no worker runs: the server skips no time past a task
        # that waits for a worker, so the last seconds pass in real time.
        await env.sleep(timedelta(hours=1) - timedelta(seconds=2))
        await asyncio.sleep(3)
        revoke = asyncio.create_task(handle.execute_update(
            "revoke_stop", StopStep(MANAGER, note="员工撤回离职"), result_type=StopView))
        await asyncio.sleep(1)  # the revoke waits at the server beside the fired timer
        async with worker():
            revoked = await revoke
            view = await handle.query("status", result_type=StopView)
            history = [e.WhichOneof("attributes") for e in (await handle.fetch_history()).events]
    fired = history.index("timer_fired_event_attributes")
    accepted = history.index("workflow_execution_update_accepted_event_attributes", fired)
    assert history[fired:accepted].count("workflow_task_completed_event_attributes") == 1
    assert revoked.status is StopStatus.awaiting_submission
    assert view.status is StopStatus.awaiting_submission
    assert "stop_task_opened" not in _kinds(view)


async def test_a_submission_that_comes_with_the_start_follows_the_opening(
        time_skipping_env, sqlite_url: str, tmp_path):
    """HR submits before the stop's first task has run: the SDK runs the update's handler before
    `run` in that task, and the stop's record still opens first."""
    today = (await time_skipping_env.get_current_time()).astimezone(SHANGHAI).date()

    async def started(queue: str) -> WorkflowHandle:
        return await time_skipping_env.client.start_workflow(
            "SiStop", _input(today), id="si-stop-S1", task_queue=queue, result_type=StopView)

    async with started_with_an_update(
            time_skipping_env, sqlite_url, tmp_path, started,
            lambda handle: _do(handle, "submit_stop", StopStep(HR))) as (wf, handle, submitted):
        assert _kinds(submitted) == ["stop_opened", "stop_submitted"]
        assert submitted.status is StopStatus.submitted
        with session_for(wf.db_url) as session:  # written before the update answered
            assert [e.kind for e in session.exec(select(EvidenceEntry).where(
                EvidenceEntry.subject_id == handle.id).order_by(col(EvidenceEntry.seq)))
            ] == ["stop_opened", "stop_submitted"]
