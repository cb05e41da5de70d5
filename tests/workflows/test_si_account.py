"""The SI account (SiAccount) under the time-skipping server: each month's reminder before the
payment deadline, the escalation and 中断 on it for everyone no payment covers, a back payment that
clears it with its late fee, and a month paid in time that sends nothing."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

from activities.contributions import ContributionActivities
from domain.contributions.payloads import (
    AccountEvents,
    AccountInput,
    AccountView,
    PaymentResult,
    PaymentWrite,
    RecordPayment,
)
from domain.contributions.policy import deadline_rule
from domain.contributions.rules import month_deadline, next_period, period_of
from domain.employees.si_status import SiStatus
from domain.shared.calendar import SHANGHAI
from domain.shared.calendar_sources import official_calendar
from domain.shared.identity import check_digit
from domain.shared.people import Actor
from store import contributions, employees
from store.db import engine_for, session_for
from store.models import EvidenceEntry, OutboxMessage, SiStatusChangeRow
from tests.factories import employee
from tests.workflows.conftest import (
    Harness,
    eventually,
    harness_replacing,
    started_with_an_update,
)
from tests.workflows.test_notices_dispatched import dispatched_not_children

HR = Actor("hr-alice", "hr")


def id_number(n: int) -> str:
    body = f"11010519900101{n:03d}"
    return body + check_digit(body)


def enrol(wf: Harness, count: int, hired: date, region: str = "beijing") -> list[str]:
    """`count` employees employed in `region`, enrolled on the hire day."""
    ids = []
    for n in range(count):
        person = employee(f"S{n:03d}", id_number(n + 1))
        reg = employees.upsert_from_registration(wf.db_url, person, hire_date=hired, region=region)
        employees.record_si_status(wf.db_url, reg.employee_id, SiStatus.enrolled, hired,
                                   "测试：社保增员办结", f"test:{reg.employee_id}:enrolled",
                                   datetime.now(SHANGHAI))
        ids.append(reg.employee_id)
    return ids


async def account_input(env: WorkflowEnvironment, region: str = "beijing") -> AccountInput:
    """The account of the month whose payment deadline is still ahead on the server's clock."""
    today = (await env.get_current_time()).astimezone(SHANGHAI).date()
    calendar = official_calendar()
    rule = deadline_rule(region)
    period = period_of(today)
    if month_deadline(period, rule, calendar).due_at <= await env.get_current_time():
        period = next_period(period)
    return AccountInput(region=region, period=period, rule=rule, calendar=calendar,
                        opened_by="hr-alice")


async def open_account(wf: Harness, region: str = "beijing") -> tuple[WorkflowHandle, AccountView]:
    handle = await wf.client.start_workflow(
        "SiAccount", await account_input(wf.env, region), id=f"si-account-{region}",
        task_queue=wf.task_queue)
    return handle, await handle.query("status", result_type=AccountView)


def ledger(wf: Harness) -> list[str]:
    """The kinds of the beijing account's ledger entries, in order."""
    with session_for(wf.db_url) as session:
        return [e.kind for e in session.exec(select(EvidenceEntry).where(
            EvidenceEntry.subject_id == "si-account-beijing").order_by(col(EvidenceEntry.seq)))]


def statuses(wf: Harness, ids: list[str]) -> dict[str, str]:
    with session_for(wf.db_url) as session:
        rows = session.exec(select(SiStatusChangeRow).where(
            col(SiStatusChangeRow.employee_id).in_(ids)).order_by(col(SiStatusChangeRow.id)))
        latest: dict[str, str] = {}
        for row in rows:
            latest[row.employee_id] = row.status
    return latest


def outbox(wf: Harness, purpose: str) -> list[OutboxMessage]:
    with session_for(wf.db_url) as session:
        return list(session.exec(select(OutboxMessage).where(
            OutboxMessage.subject_id == "si-account-beijing", OutboxMessage.purpose == purpose)))


def payment(period: str, paid_on: date, amount: str = "12345.60",
            employees_: tuple[str, ...] = ()) -> RecordPayment:
    return RecordPayment(actor=HR, period=period, amount=Decimal(amount), paid_on=paid_on,
                         reference="3310012026120000001", documents=("doc-voucher",),
                         employees=employees_)


@pytest.mark.dated
async def test_an_unpaid_month_is_reminded_escalated_and_interrupts_everyone_until_paid_back(
        wf: Harness):
    ids = enrol(wf, 3, await wf.today())
    handle, view = await open_account(wf)
    deadline = view.deadline
    assert deadline.verified is False and "tax bureau" in deadline.source
    await wf.sleep_until(deadline.reminder_at + timedelta(hours=1))
    reminders = await eventually(lambda: outbox(wf, "payment_reminder_sent"))
    assert reminders[0].recipient_role == "hr_team" and deadline.period in reminders[0].subject
    assert set(statuses(wf, ids).values()) == {"enrolled"}

    await wf.sleep_until(deadline.due_at + timedelta(hours=1))
    await eventually(lambda: set(statuses(wf, ids).values()) == {"interrupted"})
    await eventually(lambda: outbox(wf, "si_interrupted"))
    escalated_to = {m.recipient_role for m in outbox(wf, "payment_escalated")}
    assert escalated_to >= {"hr_manager", "hr_team"}
    first_run = wf.client.get_workflow_handle(handle.id, run_id=handle.result_run_id)
    await dispatched_not_children(wf, first_run, "payment_escalated", roles=escalated_to,
                                  subject_id=handle.id)

    # The next month's run watches now; the month missed is paid back 5 days after its last day.
    await wf.sleep_until(deadline.due_at + timedelta(days=2))
    for _ in range(100):
        now_view = await handle.query("status", result_type=AccountView)
        if now_view.period != deadline.period:
            break
        await asyncio.sleep(0.1)
    assert now_view.period == next_period(deadline.period)
    last_day = (deadline.due_at.astimezone(SHANGHAI) - timedelta(seconds=1)).date()
    await wf.sleep_until(deadline.due_at + timedelta(days=5))
    answer = await handle.execute_update("record_payment",
                                         payment(deadline.period, last_day + timedelta(days=5)),
                                         result_type=AccountView)
    recorded = [e for e in answer.events if e.kind == "contribution_paid"][-1]
    assert recorded.data["days_late"] == 5
    assert Decimal(recorded.data["late_fee"]) == Decimal("30.86")  # 12345.60 × 0.05 % × 5
    assert set(statuses(wf, ids).values()) == {"paying"}
    assert [e for e in answer.events if e.kind == "si_resumed"][-1].data["employees"] == 3
    with session_for(wf.db_url) as session:
        kinds = [e.kind for e in session.exec(select(EvidenceEntry).where(
            EvidenceEntry.subject_id == "si-account-beijing").order_by(col(EvidenceEntry.seq)))]
    assert kinds.count("month_opened") == 2 and "si_interrupted" in kinds
    assert kinds[-2:] == ["contribution_paid", "si_resumed"]


@dataclass
class HeldWrites:
    """The month's 中断 write (the run's last events) and the payments' writes, each held until
    the test lets it go; `*_held` is set once one waits."""

    interruption_held: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    interruption_gate: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    payment_held: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    payment_gate: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)


@pytest.fixture
async def held_writes(time_skipping_env: WorkflowEnvironment, sqlite_url: str,
                      tmp_path: Path) -> AsyncIterator[tuple[Harness, HeldWrites]]:
    held = HeldWrites()
    real = ContributionActivities(sqlite_url)

    @activity.defn(name="record_account_events")
    async def write_events_when_let(batch: AccountEvents) -> int:
        if any(e.kind == "si_interrupted" for e in batch.events):
            held.interruption_held.set()
            await held.interruption_gate.wait()
        return await asyncio.to_thread(real.record_events, batch)

    @activity.defn(name="record_contribution_payment")
    async def write_payment_when_let(write: PaymentWrite) -> PaymentResult:
        held.payment_held.set()
        await held.payment_gate.wait()
        return await asyncio.to_thread(real.record_payment, write)

    async with harness_replacing(time_skipping_env, sqlite_url, tmp_path,
                                 [write_events_when_let, write_payment_when_let]) as harness:
        yield harness, held


@pytest.mark.dated
async def test_a_payment_recorded_as_the_month_closes_is_taken_before_the_next_month(
        held_writes: tuple[Harness, HeldWrites]):
    """HR records the month's payment as the run ends: its write is under way when the run has
    written its last events; the run takes it in before it continues as the next month's (CI,
    2026-12-31: a run that waited for its notices cut it off)."""
    wf, held = held_writes
    ids = enrol(wf, 2, await wf.today())
    handle, view = await open_account(wf)
    deadline = view.deadline
    # To the month's due moment only: the server skips no time while a write is held.
    await wf.sleep_until(deadline.due_at)
    await asyncio.wait_for(held.interruption_held.wait(), 30)
    assert set(statuses(wf, ids).values()) == {"interrupted"}
    update = await handle.start_update("record_payment", payment(deadline.period, await wf.today()),
                                       wait_for_stage=WorkflowUpdateStage.ACCEPTED,
                                       result_type=AccountView)
    await asyncio.wait_for(held.payment_held.wait(), 30)
    held.interruption_gate.set()  # the run has written everything of its own
    await eventually(lambda: "si_interrupted" in ledger(wf))
    await asyncio.sleep(1)
    assert (await handle.query("status", result_type=AccountView)).period == deadline.period

    held.payment_gate.set()
    answer = await update.result()
    assert answer.period == deadline.period and answer.status == "paid"
    assert set(statuses(wf, ids).values()) == {"paying"}
    next_month = await eventually(lambda: next_run(handle, deadline.period), timeout=30)
    assert next_month.period == next_period(deadline.period)
    kinds = ledger(wf)
    assert kinds.index("contribution_paid") < kinds.index("si_resumed") \
        < len(kinds) - 1 - kinds[::-1].index("month_opened")


async def next_run(handle: WorkflowHandle, period: str) -> AccountView | None:
    view = await handle.query("status", result_type=AccountView)
    return view if view.period != period else None


@pytest.mark.dated
async def test_a_month_paid_in_time_sends_nothing_and_a_partial_payment_interrupts_the_rest(
        wf: Harness):
    ids = enrol(wf, 3, await wf.today())
    handle, view = await open_account(wf)
    first = view.deadline
    paid_on = await wf.today()  # before the reminder on any day (the period's deadline is ahead)
    await handle.execute_update("record_payment", payment(first.period, paid_on),
                                result_type=AccountView)
    assert set(statuses(wf, ids).values()) == {"paying"}
    second = month_deadline(next_period(first.period), deadline_rule("beijing"),
                            official_calendar())
    await wf.sleep_until(first.due_at + timedelta(hours=1))
    assert not outbox(wf, "payment_reminder_sent") and not outbox(wf, "payment_escalated")

    # Next month: only S000 and S001 are paid for; S002 turns to 中断 at the deadline.
    await wf.sleep_until(second.reminder_at - timedelta(days=1))
    today = await wf.today()
    await handle.execute_update("record_payment",
                                payment(second.period, today, "8000.00", tuple(ids[:2])),
                                result_type=AccountView)
    await wf.sleep_until(second.due_at + timedelta(hours=1))
    await eventually(lambda: statuses(wf, ids)[ids[2]] == "interrupted")
    assert statuses(wf, ids) == {ids[0]: "paying", ids[1]: "paying", ids[2]: "interrupted"}
    assert outbox(wf, "payment_reminder_sent")  # the month was not paid in full


async def test_a_payment_that_breaks_a_rule_is_refused_naming_the_field(wf: Harness):
    _, view = await open_account(wf)
    handle = wf.client.get_workflow_handle("si-account-beijing")
    today = await wf.today()
    for bad, field in ((payment(next_period(view.period), today), "period"),
                       (payment(view.period, today, "0"), "amount"),
                       (payment(view.period, today + timedelta(days=2)), "paid_on"),
                       (RecordPayment(actor=HR, period=view.period, amount=Decimal("1"),
                                      paid_on=today, reference="x", documents=()), "documents"),
                       (RecordPayment(actor=Actor("dept-dave", "manager"), period=view.period,
                                      amount=Decimal("1"), paid_on=today, reference="x",
                                      documents=("d",)), "role")):
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update("record_payment", bad, result_type=AccountView)
        assert refused.value.cause.details[0]["field"] == field
    with engine_for(wf.db_url).connect() as conn:
        assert contributions.covered(conn, "si-account-beijing", view.period) == (False, set())


async def test_a_payment_that_comes_with_the_start_follows_the_months_opening(
        time_skipping_env: WorkflowEnvironment, sqlite_url: str, tmp_path: Path):
    """A payment recorded before the month's run first ran (say, as the last month's run
    continued as new): the SDK runs the update's handler before `run` in that first task, and the
    month's record still opens first."""
    today = (await time_skipping_env.get_current_time()).astimezone(SHANGHAI).date()
    inp = await account_input(time_skipping_env)

    async def started(queue: str) -> WorkflowHandle:
        return await time_skipping_env.client.start_workflow(
            "SiAccount", inp, id="si-account-beijing", task_queue=queue)

    async with started_with_an_update(
            time_skipping_env, sqlite_url, tmp_path, started,
            lambda handle: handle.execute_update("record_payment", payment(inp.period, today),
                                                 result_type=AccountView)) as (wf, _, paid):
        assert [e.kind for e in paid.events] == ["month_opened", "contribution_paid"]
        assert paid.status == "paid"
        # written before the update answered
        assert ledger(wf)[:2] == ["month_opened", "contribution_paid"]
