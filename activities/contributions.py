"""The SI account's and the SI stop's database work: their events in the evidence ledger,
payments, the status changes of a month's end (store/contributions.py) and the stop (停保)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio import activity

from domain.contributions.payloads import (
    AccountEvents,
    InterruptRequest,
    InterruptResult,
    PaymentResult,
    PaymentWrite,
)
from domain.employees.si_status import SiStatus
from domain.separation.payloads import StopRecord
from domain.shared.calendar import SHANGHAI, local
from store import contributions, employees, evidence, workflow_events
from store.db import engine_for


class ContributionActivities:
    def __init__(self, db_url: str) -> None:
        self._db_url = db_url

    @activity.defn(name="record_account_events", no_thread_cancel_exception=True)
    def record_events(self, batch: AccountEvents) -> int:
        """The account's events, keyed by (account, seq): a retry writes nothing twice."""
        entries = [workflow_events.event_entry(batch.account_id, e) for e in batch.events]
        with engine_for(self._db_url).begin() as conn:
            return evidence.append_in(conn, batch.account_id, entries)

    @activity.defn(name="record_contribution_payment", no_thread_cancel_exception=True)
    def record_payment(self, write: PaymentWrite) -> PaymentResult:
        return contributions.record_payment(self._db_url, write)

    @activity.defn(name="record_si_stopped", no_thread_cancel_exception=True)
    def record_stopped(self, record: StopRecord) -> bool:
        """The employee's SI status turns to 停保 (keyed: a retry writes once)."""
        return employees.record_si_status(self._db_url, record.employee_id, SiStatus.stopped,
                                          record.effective_on, record.source, record.key,
                                          datetime.now(UTC))

    @activity.defn(name="interrupt_unpaid", no_thread_cancel_exception=True)
    def interrupt_unpaid(self, request: InterruptRequest) -> InterruptResult:
        """Everyone insured in the region whom no payment of the month covers turns to 中断."""
        last_day = (request.due_at.astimezone(SHANGHAI) - timedelta(seconds=1)).date()
        source = (f"系统判定：{request.region} 社保账户 {request.period} 月社保费截至 "
                  f"{local(request.due_at)} 未登记缴费 / no payment recorded for "
                  f"{request.period} by its deadline")
        interrupted, insured = contributions.interrupt_unpaid(
            self._db_url, key=request.key, account_id=request.account_id, region=request.region,
            period=request.period, due_on=last_day, source=source)
        return InterruptResult(interrupted=interrupted, insured=insured)
