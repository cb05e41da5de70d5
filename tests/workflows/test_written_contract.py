"""The written-contract watch (WrittenContract) under the time-skipping server (LCL arts. 10, 14,
82): reminded before the first month ends, escalated at its end, met or stopped by HR's record of
the signed contract, a deemed open-ended contract flagged at a year; the onboarding starts it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from sqlmodel import col, select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from api.routes.written_contracts import end_on_leave
from domain.employees import written_contract as wc
from domain.employees.leave_delivery import LeaveCorrected, LeaveDelivered, delivery_id
from domain.employees.written_contract_watch import (
    EmploymentEnded,
    OpenWatch,
    RecordMonthlyWage,
    RecordWrittenContract,
    WrittenContractView,
    opens_at,
    watch_id,
    watch_input,
)
from domain.onboarding.payloads import CancelOnboarding, ReviewDecision, SubmitEnrollment
from domain.shared.calendar import SHANGHAI
from domain.shared.people import Actor
from store.db import session_for
from store.models import EmploymentRow, EvidenceEntry, OutboxMessage
from tests.factories import onboarding_input
from tests.workflows.conftest import Harness, started_with_an_update
from tests.workflows.test_notices_dispatched import dispatched_not_children

HR = Actor("hr-alice", "hr")


async def start_watch(wf: Harness, employee_id: str, start: date) -> WorkflowHandle:
    onboarding = f"onboarding-{employee_id}"
    inp = watch_input(onboarding_input(start, employee_id=employee_id, base="8000"), onboarding)
    return await wf.client.start_workflow("WrittenContract", inp, id=watch_id(employee_id, start),
                                          task_queue=wf.task_queue, result_type=str)


async def view(handle: WorkflowHandle) -> WrittenContractView:
    return await handle.query("status", result_type=WrittenContractView)


async def record(handle: WorkflowHandle, signed_on: date, document: str = "doc-contract"
                 ) -> WrittenContractView:
    return await handle.execute_update("record_written_contract",
                                       RecordWrittenContract(HR, signed_on, document),
                                       result_type=WrittenContractView)


def purposes(wf: Harness, subject: str) -> list[str]:
    with session_for(wf.db_url) as session:
        return [m.purpose for m in session.exec(select(OutboxMessage).where(
            OutboxMessage.subject_id == subject))]


def ledger(wf: Harness, subject: str) -> list[str]:
    """The watch's own events in its ledger (the notices it started record theirs beside them)."""
    with session_for(wf.db_url) as session:
        return [e.kind for e in session.exec(select(EvidenceEntry).where(
            EvidenceEntry.subject_id == subject).order_by(col(EvidenceEntry.seq)))
            if "contract" in e.kind]


async def test_signed_in_time_meets_it_after_the_reminder_and_nothing_escalates(wf: Harness):
    start = await wf.today()
    handle = await start_watch(wf, "E9401", start)
    due = wc.sign_deadline(start).due_at
    await wf.sleep_until(due - timedelta(days=6))
    assert (await view(handle)).status == "upcoming"
    v = await record(handle, start + timedelta(days=20))
    assert v.status == "met" and v.exposure.total == Decimal("0.00")
    assert await handle.result() == "met"
    assert set(purposes(wf, handle.id)) == {"written_contract_reminder_sent"}
    assert ledger(wf, handle.id) == ["written_contract_watch_opened",
                                     "written_contract_reminder_sent", "written_contract_signed"]


async def test_missed_it_escalates_and_a_late_signature_stops_the_double_wage(wf: Harness):
    start = await wf.today()
    handle = await start_watch(wf, "E9402", start)
    dates = wc.contract_dates(start)
    await wf.sleep_until(wc.midnight_after(dates.sign_by) + timedelta(days=40))
    v = await view(handle)
    assert v.status == "missed" and v.exposure.months  # accrues from the day after the month
    assert "written_contract_escalated" in purposes(wf, handle.id)
    assert "written_contract_escalated" in ledger(wf, handle.id)
    await dispatched_not_children(wf, handle, "written_contract_escalated",
                                  {"hr_team", "hr_manager"})
    # The contribution base (8000) was an estimate; HR gives the wage: the exposure follows it.
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await handle.execute_update("record_monthly_wage", RecordMonthlyWage(HR, Decimal("0")))
    assert info.value.cause.details[0]["code"] == "monthly_wage.range"  # type: ignore[union-attr]
    v = await handle.execute_update("record_monthly_wage",
                                    RecordMonthlyWage(HR, Decimal("12000"), "工资条"),
                                    result_type=WrittenContractView)
    assert v.exposure.monthly_wage == Decimal("12000") and "hr-alice" in v.wage_source
    assert v.exposure.months[0].amount == Decimal("12000.00")
    signed_on = dates.double_wage_from + timedelta(days=30)
    v = await record(handle, signed_on)
    assert v.status == "signed_late" and v.signed_on == signed_on
    assert v.exposure.total == wc.double_wage_exposure(start, Decimal("12000"), await wf.today(),
                                                       signed_on).total > 0
    assert v.exposure.months[-1].last_day == signed_on - timedelta(days=1)
    assert await handle.result() == "signed_late"


async def test_a_year_without_a_contract_flags_the_deemed_open_ended_contract(wf: Harness):
    start = await wf.today()
    handle = await start_watch(wf, "E9403", start)
    year = wc.contract_dates(start).year_complete
    await wf.sleep_until(wc.midnight_after(year) - timedelta(hours=1))
    v = await view(handle)
    assert v.status == "open_ended_deemed" and v.exposure.open_ended_deemed
    assert len(v.exposure.months) == wc.MONTHS_MAX
    assert "open_ended_contract_deemed" in ledger(wf, handle.id)
    assert "open_ended_contract_deemed" in purposes(wf, handle.id)


async def test_a_bad_record_is_refused_and_a_second_one_conflicts(wf: Harness):
    start = await wf.today()
    handle = await start_watch(wf, "E9404", start)
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await record(handle, start + timedelta(days=3))
    assert isinstance(info.value.cause, ApplicationError)
    assert info.value.cause.details[0]["code"] == "signed_on.future"
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await record(handle, start, document=" ")
    assert info.value.cause.details[0]["field"] == "document"  # type: ignore[union-attr]
    await record(handle, start)
    assert await handle.result() == "met"


async def exists(wf: Harness, workflow_id: str) -> bool:
    try:
        await wf.client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return False
    return True


async def pending(onboarding: WorkflowHandle) -> WrittenContractView | None:
    answer: WrittenContractView | None = await onboarding.query(
        "written_contract", result_type=cast(Any, WrittenContractView | None))
    return answer


async def test_the_onboarding_starts_the_watch_at_the_reminders_moment(wf: Harness):
    start = await wf.today()
    onboarding = await wf.start(onboarding_input(start, employee_id="E9405"))
    watch = watch_id("E9405", start)
    await wf.env.sleep(timedelta(seconds=5))
    assert not await exists(wf, watch)  # a registration is one workflow, not two
    before = await pending(onboarding)
    assert before is not None and before.status == "upcoming" and before.events == ()
    assert before.deadline == wc.sign_deadline(start) and before.id == watch
    opens = opens_at(watch_input(onboarding_input(start, employee_id="E9405"), onboarding.id))
    assert opens == wc.sign_deadline(start).due_at - wc.REMINDER_LEAD
    await wf.sleep_until(opens + timedelta(hours=1))
    handle = wf.client.get_workflow_handle(watch, result_type=str)
    assert (await view(handle)).deadline == wc.sign_deadline(start)
    assert await pending(onboarding) is None  # the watch answers now
    assert purposes(wf, watch) == ["written_contract_reminder_sent"]


async def test_hr_acting_first_starts_the_watch_and_a_cancellation_ends_it(wf: Harness):
    start = await wf.today()
    onboarding = await wf.start(onboarding_input(start, employee_id="E9406"))
    with pytest.raises(WorkflowUpdateFailedError) as info:  # a role that may not record it
        await onboarding.execute_update("open_written_contract_watch",
                                        OpenWatch(Actor("mgr", "manager"),
                                                  "record_written_contract"), result_type=str)
    assert info.value.cause.details[0]["code"] == "role.forbidden"  # type: ignore[union-attr]
    watch = await onboarding.execute_update(
        "open_written_contract_watch", OpenWatch(HR, "record_written_contract"), result_type=str)
    assert watch == watch_id("E9406", start) and await exists(wf, watch)
    again = await onboarding.execute_update(
        "open_written_contract_watch", OpenWatch(HR, "record_monthly_wage"), result_type=str)
    assert again == watch  # started once
    await onboarding.execute_update("cancel", CancelOnboarding(HR, "left before day one"))
    handle = wf.client.get_workflow_handle(watch, result_type=str)
    assert await handle.result() == "ended"
    assert ledger(wf, handle.id)[-1] == "written_contract_watch_closed"


async def test_a_hire_cancelled_before_the_reminder_never_starts_a_watch(wf: Harness):
    start = await wf.today()
    onboarding = await wf.start(onboarding_input(start, employee_id="E9407"))
    await onboarding.execute_update("cancel", CancelOnboarding(HR, "offer withdrawn"))
    await onboarding.result()
    assert not await exists(wf, watch_id("E9407", start))
    ended = await pending(onboarding)
    assert ended is not None and ended.status == "ended" and ended.ended_on == start
    assert ended.exposure.total == Decimal("0.00")


# ---- the employee leaves (离职): POST …/leave ends the contract's exposure on the leave day ----

async def leave(wf: Harness, employee_id: str, start: date, on: date,
                onboarding: str | None = None) -> None:
    """What the leave route does once the leave is on the record (api/routes/si_stops.py)."""
    row = EmploymentRow(employee_id=employee_id, seq=1, hire_date=start,
                        onboarding_id=onboarding or f"onboarding-{employee_id}")
    await end_on_leave(wf.client, employee_id, row, on, "resigned", wf.task_queue)
    await wf.client.get_workflow_handle(delivery_id(employee_id, 1)).result()


async def test_a_leave_closes_a_running_watch_counting_the_double_wage_to_the_leave_day(
        wf: Harness):
    start = await wf.today()
    onboarding = await wf.start(onboarding_input(start, employee_id="E9408"))
    dates = wc.contract_dates(start)
    await wf.sleep_until(wc.midnight_after(dates.sign_by) + timedelta(days=40))
    handle = wf.client.get_workflow_handle(watch_id("E9408", start), result_type=str)
    assert (await view(handle)).status == "missed"
    left_on = dates.double_wage_from + timedelta(days=10)
    await leave(wf, "E9408", start, left_on, onboarding.id)
    assert await handle.result() == "ended_missed"
    v = await view(handle)
    assert v.ended_on == left_on
    assert v.exposure == wc.double_wage_exposure(start, Decimal("8000"), left_on, None)
    assert v.exposure.months[-1].last_day == left_on and v.exposure.total > 0
    assert ledger(wf, handle.id)[-1] == "written_contract_watch_closed"


async def test_a_leave_before_the_deadline_ends_the_watch_of_a_finished_onboarding(wf: Harness):
    start = await wf.today()
    onboarding = await wf.start(onboarding_input(start, employee_id="E9409"))
    await enrol(onboarding)
    await wf.env.sleep(timedelta(days=4))
    await onboarding.result()  # enrolled: it started the watch (at its reminder, or as it ended)
    handle = wf.client.get_workflow_handle(watch_id("E9409", start), result_type=str)
    assert (await view(handle)).status == "upcoming"
    await leave(wf, "E9409", start, start + timedelta(days=5), onboarding.id)
    await wf.env.sleep(timedelta(seconds=5))  # its reminder's notice keeps the run open after
    v = await view(handle)
    assert v.status == "ended" and ledger(wf, handle.id)[-1] == "written_contract_watch_closed"
    assert v.ended_on == start + timedelta(days=5) and v.exposure.total == Decimal("0.00")


async def enrol(onboarding: WorkflowHandle) -> None:
    await onboarding.execute_update("submit_enrollment",
                                    SubmitEnrollment(HR, "new", Decimal("8000")))
    await onboarding.execute_update("approve_enrollment",
                                    ReviewDecision(Actor("mgr-bob", "hr_manager")))


async def test_a_leave_before_the_watch_starts_means_it_never_starts(wf: Harness):
    start = await wf.today()
    onboarding = await wf.start(onboarding_input(start, employee_id="E9410"))
    watch = watch_id("E9410", start)
    await wf.env.sleep(timedelta(days=3))
    await leave(wf, "E9410", start, start + timedelta(days=2), onboarding.id)
    ended = await pending(onboarding)
    assert ended is not None and ended.status == "ended"
    assert ended.ended_on == start + timedelta(days=2)
    with pytest.raises(WorkflowUpdateFailedError) as info:  # HR acting on it now: nothing to do
        await onboarding.execute_update("open_written_contract_watch",
                                        OpenWatch(HR, "record_written_contract"), result_type=str)
    assert info.value.cause.details[0]["code"] == "written_contract.ended"  # type: ignore[union-attr]
    opens = opens_at(watch_input(onboarding_input(start, employee_id="E9410"), onboarding.id))
    await wf.sleep_until(opens + timedelta(days=1))  # the reminder's moment passes
    assert not await exists(wf, watch)
    await enrol(onboarding)
    await wf.env.sleep(timedelta(days=4))
    await onboarding.result()  # the onboarding's end starts no watch either
    assert not await exists(wf, watch)
    after = await pending(onboarding)
    assert after is not None and after.status == "ended" and after.exposure.total == 0


async def test_a_leave_with_neither_running_changes_nothing(wf: Harness):
    start = await wf.today()
    onboarding = await wf.start(onboarding_input(start, employee_id="E9411"))
    await onboarding.execute_update("cancel", CancelOnboarding(HR, "offer withdrawn"))
    await onboarding.result()
    await leave(wf, "E9411", start, start, onboarding.id)
    assert not await exists(wf, watch_id("E9411", start))
    await leave(wf, "E9412", start, start)  # no onboarding, no watch: nothing to tell
    assert not await exists(wf, "onboarding-E9412")


async def test_the_onboarding_tells_the_watch_it_started_that_the_employee_left(wf: Harness):
    start = await wf.today()
    onboarding = await wf.start(onboarding_input(start, employee_id="E9413"))
    watch = await onboarding.execute_update(
        "open_written_contract_watch", OpenWatch(HR, "record_written_contract"), result_type=str)
    await wf.env.sleep(timedelta(days=2))
    # Only the onboarding hears of it (the API's own signal to the watch is the second path).
    await onboarding.signal("employment_left",
                            EmploymentEnded(on=start + timedelta(days=1), reason="resigned"))
    handle = wf.client.get_workflow_handle(watch, result_type=str)
    assert await handle.result() == "ended"
    assert (await view(handle)).ended_on == start + timedelta(days=1)


async def test_a_leave_delivery_skips_workflows_not_running_and_never_starts_twice(wf: Harness):
    start = await wf.today()
    onboarding = await wf.start(onboarding_input(start, employee_id="E9410"))
    await onboarding.execute_update("cancel", CancelOnboarding(HR, "offer withdrawn"))
    await onboarding.result()  # closed before any watch started
    await leave(wf, "E9410", start, start + timedelta(days=1), onboarding.id)
    outcome = await wf.client.get_workflow_handle(delivery_id("E9410", 1),
                                                  result_type=LeaveDelivered).result()
    assert outcome.told == () and set(outcome.not_running) == {onboarding.id,
                                                               watch_id("E9410", start)}
    first_run = (await wf.client.get_workflow_handle(delivery_id("E9410", 1)).describe()).run_id
    await leave(wf, "E9410", start, start + timedelta(days=1), onboarding.id)  # a repeated call
    again = await wf.client.get_workflow_handle(delivery_id("E9410", 1)).describe()
    assert again.run_id == first_run  # nothing started twice


async def test_the_onboarding_takes_a_corrected_leave_day_once_and_in_order(wf: Harness):
    """HR corrected the leave day (POST …/leave/correction): the pending view ends on the corrected
    day and the onboarding's ledger says so; a repeat, or a correction told after a later one
    (two requests crossing), changes nothing."""
    start = await wf.today()
    onboarding = await wf.start(onboarding_input(start, employee_id="E9414"))
    await wf.env.sleep(timedelta(days=3))
    first, second, third = (start + timedelta(days=d) for d in (2, 1, 0))
    unknown = LeaveCorrected(1, first, second, "登记错误", "hr-alice")
    await onboarding.signal("leave_date_corrected", unknown)  # before any leave: nothing
    await leave(wf, "E9414", start, first, onboarding.id)
    for told in (LeaveCorrected(2, second, third, "以离职证明为准", "hr-alice"),
                 LeaveCorrected(1, first, second, "登记错误", "hr-alice"),  # the older, late
                 LeaveCorrected(2, second, third, "重复", "hr-alice")):
        await onboarding.signal("leave_date_corrected", told)
    ended = await pending(onboarding)
    assert ended is not None and ended.ended_on == third
    await wf.written()
    with session_for(wf.db_url) as session:
        entries = session.exec(select(EvidenceEntry).where(
            EvidenceEntry.subject_id == onboarding.id)).all()
    assert [e.kind for e in entries].count("employment_left") == 1
    [entry] = [e for e in entries if e.kind == "leave_date_corrected"]
    assert (entry.actor, entry.payload["leave_date_before"], entry.payload["leave_date"],
            entry.payload["reason"]) == ("hr-alice", first.isoformat(), third.isoformat(),
                                         "以离职证明为准")


async def test_a_record_sent_before_the_watch_first_runs_follows_its_opening(
        time_skipping_env, sqlite_url: str, tmp_path):
    """HR's record can reach the server before the watch's first task: both then come in one
    activation, where the SDK runs update handlers before `run`. The ledger still opens first."""
    start = (await time_skipping_env.get_current_time()).astimezone(SHANGHAI).date()
    inp = watch_input(onboarding_input(start, employee_id="E9420", base="8000"), "onboarding-E9420")

    async def started(queue: str) -> WorkflowHandle:
        return await time_skipping_env.client.start_workflow(
            "WrittenContract", inp, id=watch_id("E9420", start), task_queue=queue,
            result_type=str)

    async with started_with_an_update(time_skipping_env, sqlite_url, tmp_path, started,
                                      lambda handle: record(handle, start)) as (wf, handle, v):
        assert v.status == "met"
        assert await handle.result() == "met"
        assert ledger(wf, handle.id) == ["written_contract_watch_opened",
                                         "written_contract_signed"]
