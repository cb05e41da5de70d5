"""SiAccountWorkflow (社保缴费): the company's SI account in one region, one month a run.

Each month: HR is reminded before the payment deadline, the HR managers are told on it, and the
insured employees not covered by a recorded payment turn to 中断 (interrupted) in one write that
fans out over the region's roster, not one timer per employee (README: "The SI account"). A
payment recorded later (a back payment) turns them back. Once the month's deadline has passed and
nothing is under way, the run continues as new into the next month: a run's history stays small.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contributions import ContributionActivities
    from domain.contributions import messages
    from domain.contributions.late_fees import MonthOwed, monthly_late_fees
    from domain.contributions.payloads import (
        AccountEvents,
        AccountInput,
        AccountView,
        InterruptRequest,
        InterruptResult,
        PaymentResult,
        PaymentWrite,
        RecordPayment,
    )
    from domain.contributions.rules import (
        INTERRUPTION_ARTICLE,
        LATE_FEE_ARTICLE,
        check_payment,
        check_role,
        month_deadline,
        next_period,
    )
    from domain.shared.calendar import LEGACY_CALENDAR, SHANGHAI
    from domain.shared.errors import ActionRefused, RuleViolation
    from domain.shared.events import Event
    from domain.shared.people import Recipient
    from workflows._people_notices import notify_directory
    from workflows._policies import DB_ACTIVITY, OPENS_FIRST_PATCH
    from workflows._refusals import refusal
    from workflows._timers import ScaledClock

SETTLES_LATE_PAYMENTS = "2026-12-account-settles-late-payments"
HR_TEAM = Recipient(role="hr_team", name="HR")
HR_MANAGER = Recipient(role="hr_manager", name="HR manager")


@workflow.defn(name="SiAccount")
class SiAccountWorkflow:
    @workflow.init
    def __init__(self, inp: AccountInput) -> None:
        self._in = inp
        self._clock = ScaledClock(inp.time_scale, inp.clock_origin)
        self._calendar = inp.calendar or LEGACY_CALENDAR
        self._deadline = month_deadline(inp.period, inp.rule, self._calendar, inp.reminder_lead)
        self._paid = False  # this run's month is paid for every insured employee
        self._events: list[Event] = []
        self._flushed = 0
        self._flush_lock = asyncio.Lock()
        self._children: list[Any] = []
        self._opened_first = workflow.patched(OPENS_FIRST_PATCH)
        if self._opened_first:
            self._emit_opened()

    @workflow.run
    async def run(self, inp: AccountInput) -> None:
        d = self._deadline
        if not self._opened_first:
            self._emit_opened()
        await self._flush()
        # Paid in full before a moment: nothing goes out at it (each sleep wakes on payment).
        if await self._clock.sleep_until(d.reminder_at, wake=lambda: self._paid) \
                and not self._paid:
            await self._notify("payment_reminder_sent", messages.reminder(inp.region, d),
                               (HR_TEAM,))
        if not self._paid and await self._clock.sleep_until(d.due_at, wake=lambda: self._paid):
            await self._month_missed()
        await self._settle()
        workflow.continue_as_new(replace(
            inp, period=next_period(inp.period), opened_period=self._opened_period(),
            opened_by="system", clock_origin=self._clock.origin,
            events_before=inp.events_before + len(self._events)))

    async def _settle(self) -> None:
        """Until nothing of this run is under way: its payments recorded, its events written, its
        notices reported (a run recorded before patch 2026-12-notices-dispatched started them as
        children, each reporting to the run that started it; since, they are dispatched and
        nothing comes back). A payment HR records while the run writes or waits is taken in, not
        cut off by the next month's run (patch 2026-12-account-settles-late-payments)."""
        while True:
            await workflow.wait_condition(workflow.all_handlers_finished)
            await self._flush()
            await asyncio.gather(*self._children)
            # patched() only when a payment came in meanwhile: no marker in every history.
            if workflow.all_handlers_finished() or not workflow.patched(SETTLES_LATE_PAYMENTS):
                return

    @workflow.update(name="record_payment")
    async def record_payment(self, payment: RecordPayment) -> AccountView:
        """HR records a month paid, read from the tax bureau's voucher; late, it is a back payment:
        the employees it covers turn from 中断 back to 正常缴费, and its late fee is priced as of
        the day paid."""
        # The month's own due date to the day paid (SIL art. 86; the onboarding's back payment
        # counts each of its months with the same rule).
        [month] = monthly_late_fees([MonthOwed(payment.period, payment.amount)], payment.paid_on,
                                    self._in.rule, self._calendar)
        due, late, fee = month.due_at, month.days_late, month.late_fee
        source = f"由 {payment.actor.name} 根据税务缴款凭证 {payment.reference} 录入"
        self._emit("contribution_paid", payment.actor.name, period=payment.period,
                   amount=str(payment.amount), paid_on=payment.paid_on.isoformat(),
                   reference=payment.reference, documents=list(payment.documents),
                   employees=len(payment.employees) or "all", days_late=late,
                   late_fee=str(fee) if late else None,
                   late_fee_article=LATE_FEE_ARTICLE if late else None, source=source,
                   note=payment.note or None)
        seq = self._events[-1].seq
        result: PaymentResult = await workflow.execute_activity_method(
            ContributionActivities.record_payment,
            PaymentWrite(key=f"{workflow.info().workflow_id}:{payment.period}:{seq}",
                         account_id=workflow.info().workflow_id, region=self._in.region,
                         payment=payment, due_at=due, days_late=late, late_fee=fee,
                         source=source),
            **DB_ACTIVITY)
        if result.resumed:
            self._emit("si_resumed", "system", period=payment.period, employees=result.resumed)
        if payment.period == self._in.period and not payment.employees:
            self._paid = True
        await self._flush()
        return self._view()

    @record_payment.validator
    def _check_payment(self, payment: RecordPayment) -> None:
        try:
            check_role("record_si_payment", payment.actor)
            today = self._clock.now().astimezone(SHANGHAI).date()
            check_payment(payment, self._opened_period(), self._in.period, today)
        except (RuleViolation, ActionRefused) as exc:
            raise refusal(exc) from None

    @workflow.query(name="status")
    def status(self) -> AccountView:
        return self._view()

    def _emit_opened(self) -> None:
        d = self._deadline
        self._emit("month_opened", self._in.opened_by, period=self._in.period,
                   due_at=d.due_at.isoformat(), reminder_at=d.reminder_at.isoformat(),
                   rule_source=d.source, rule_verified=d.verified,
                   calendar_verified=d.calendar_verified, article=d.article)

    # ---- the month's end ----------------------------------------------------------------------

    async def _month_missed(self) -> None:
        d = self._deadline
        await self._notify("payment_escalated", messages.escalation(self._in.region, d),
                           (HR_MANAGER, HR_TEAM))
        result: InterruptResult = await workflow.execute_activity_method(
            ContributionActivities.interrupt_unpaid,
            InterruptRequest(key=f"{workflow.info().workflow_id}:{d.period}:interrupt",
                             account_id=workflow.info().workflow_id, region=self._in.region,
                             period=d.period, due_at=d.due_at),
            **DB_ACTIVITY)
        self._emit("si_interrupted", "system", period=d.period, employees=result.interrupted,
                   insured=result.insured, article=INTERRUPTION_ARTICLE)
        if result.interrupted:
            await self._notify("si_interrupted",
                               messages.interrupted(self._in.region, d, result.interrupted,
                                                    result.insured), (HR_MANAGER, HR_TEAM))

    async def _notify(self, kind: str, text: tuple[str, str],
                      wanted: tuple[Recipient, ...]) -> None:
        self._emit(kind, "system", period=self._in.period, recipients=[r.role for r in wanted])
        self._children += await notify_directory(
            key=f"{workflow.info().workflow_id}:{self._events[-1].seq}", purpose=kind,
            department="", wanted=wanted, text=text, time_scale=self._in.time_scale,
            emit=self._emit, subject_id=workflow.info().workflow_id)
        await self._flush()

    # ---- the record ---------------------------------------------------------------------------

    def _opened_period(self) -> str:
        return self._in.opened_period or self._in.period

    def _emit(self, kind: str, actor: str, **data: Any) -> None:
        # Numbered across runs: the ledger keys an event by (account, seq).
        seq = self._in.events_before + len(self._events) + 1
        self._events.append(Event(seq=seq, at=self._clock.now(), kind=kind,
                                  actor=actor,
                                  data={k: v for k, v in data.items() if v is not None}))

    async def _flush(self) -> None:
        async with self._flush_lock:
            pending = tuple(self._events[self._flushed:])
            if pending:
                await workflow.execute_activity_method(
                    ContributionActivities.record_events,
                    AccountEvents(workflow.info().workflow_id, pending), **DB_ACTIVITY)
                self._flushed += len(pending)

    def _view(self) -> AccountView:
        now = self._clock.now()
        status = "paid" if self._paid else \
            "interrupted" if any(e.kind == "si_interrupted" for e in self._events) else \
            "overdue" if now > self._deadline.due_at else "upcoming"
        return AccountView(id=workflow.info().workflow_id, region=self._in.region,
                           period=self._in.period, deadline=self._deadline, status=status,
                           events=tuple(self._events), now=now)
