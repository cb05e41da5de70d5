"""The late fee on unpaid months (滞纳金), each month from its own due date (社会保险法 第八十六条).

Social Insurance Law art. 86: an employer that does not pay its contributions in full and on time
is ordered to pay them, and a late fee of 0.05 % (万分之五) a day is added "from the day it was
overdue" (自欠缴之日起). Contributions are owed month by month (art. 60), so each unpaid month is
overdue from the day after its own payment deadline: a back payment of several months owes a fee
per month, the earliest month the most; one date for all months over- or under-states it.

Each month's fee is rounded once to the fen (ROUND_HALF_UP); the total is the sum of the months.
An estimate: the tax bureau's assessment governs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.contributions.payloads import PaymentDeadlineRule
from domain.contributions.rules import (
    FEN,
    LATE_FEE_ARTICLE,
    days_late,
    late_fee,
    month_deadline,
    parse_period,
)
from domain.shared.calendar import SHANGHAI, HolidayCalendar
from domain.shared.errors import RuleViolation


@dataclass(frozen=True)
class MonthOwed:
    """One unpaid month (缴费月) and the contributions owed for it, both shares, in yuan."""

    period: str  # "2026-12"
    amount: Decimal


@dataclass(frozen=True)
class MonthLateFee:
    """One month's late fee: `amount` × 0.05 % × the days from the day after `due_at` to the day
    paid."""

    period: str
    amount: Decimal
    due_at: datetime
    days_late: int
    late_fee: Decimal
    article: str = LATE_FEE_ARTICLE

    @property
    def formula(self) -> str:
        last_day = (self.due_at.astimezone(SHANGHAI) - timedelta(seconds=1)).date()
        return (f"{self.period}: {self.amount} × 0.05 % × {self.days_late} 日"
                f"（{last_day:%Y-%m-%d} 到期，次日起算）")


def month_due_at(period: str, rule: PaymentDeadlineRule, cal: HolidayCalendar,
                 not_before: datetime | None = None) -> datetime:
    """When `period`'s contributions fall due (SIL art. 60: monthly, by the region's deadline),
    never before `not_before` (e.g. the SIL art. 58 registration deadline of a new hire)."""
    due = month_deadline(period, rule, cal).due_at
    return max(due, not_before) if not_before is not None else due


def monthly_late_fees(owed: Sequence[MonthOwed], paid_on: date, rule: PaymentDeadlineRule,
                      cal: HolidayCalendar, not_before: datetime | None = None,
                      ) -> tuple[MonthLateFee, ...]:
    """The SIL art. 86 late fee of each unpaid month, counted from that month's own due date to
    `paid_on` (0 days for a month not yet overdue), each rounded to the fen."""
    seen: set[str] = set()
    lines = []
    for month in owed:
        parse_period(month.period, "owed.period")
        if month.period in seen:
            raise RuleViolation("owed.period", "late_fee.month_repeated",
                                f"month {month.period} is listed twice")
        seen.add(month.period)
        if month.amount < 0 or month.amount != month.amount.quantize(FEN):
            raise RuleViolation("owed.amount", "late_fee.amount",
                                f"month {month.period}: the amount owed must be 0 or more, "
                                "to the fen")
        due = month_due_at(month.period, rule, cal, not_before)
        days = days_late(due, paid_on)
        lines.append(MonthLateFee(period=month.period, amount=month.amount, due_at=due,
                                  days_late=days, late_fee=late_fee(month.amount, days)))
    return tuple(sorted(lines, key=lambda line: line.period))


def total_late_fee(lines: Sequence[MonthLateFee]) -> Decimal:
    """The back payment's late fee: the sum of its months' fees (each already to the fen)."""
    return sum((line.late_fee for line in lines), Decimal("0.00"))
