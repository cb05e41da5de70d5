"""Back-payment (补缴) estimate: the premiums owed plus the SIL art. 86 late fee.

Assumptions (an estimate for HR to confirm, not the bureau's assessment):
- premiums are owed for every started calendar month (缴费月) from the hire month to the month of
  `as_of`, on one monthly base, at today's rates;
- the employer owes both shares: its own and the employee's, which it must withhold and remit
  (SIL art. 60), so the late fee runs on both;
- `back_payment_by_month` (onboardings started since patch `2026-12-monthly-late-fee`): the late
  fee runs for each month from that month's own due date (its payment deadline, never before the
  SIL art. 58 registration deadline), one line per month (domain/contributions/late_fees.py);
- `back_payment_estimate` (earlier onboardings): the late fee runs for `days_late` days on all
  months owed, from the registration deadline (an over-estimate for the later months);
- each line item is rounded once to the fen (ROUND_HALF_UP) and the total is their sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from domain.contributions.late_fees import MonthOwed, monthly_late_fees
from domain.contributions.payloads import PaymentDeadlineRule
from domain.shared.calendar import HolidayCalendar
from domain.shared.errors import RuleViolation

FEN = Decimal("0.01")
LATE_FEE_PER_DAY = Decimal("0.0005")  # 万分之五 per day: Social Insurance Law art. 86
PREMIUMS_ARTICLE = "Social Insurance Law arts. 58, 60"
LATE_FEE_ARTICLE = "Social Insurance Law art. 86"


class Rates(Protocol):
    """Total contribution rates as fractions of the base (policy.ContributionRates)."""

    @property
    def employer(self) -> Decimal: ...

    @property
    def employee(self) -> Decimal: ...

    @property
    def verified(self) -> bool: ...


@dataclass(frozen=True)
class EstimateItem:
    code: str
    amount: Decimal
    formula: str
    article: str


@dataclass(frozen=True)
class BackPaymentEstimate:
    """Line items (each citing its article) and their total, in yuan rounded to the fen."""

    items: tuple[EstimateItem, ...]
    total: Decimal
    base: Decimal
    months_owed: int
    days_late: int
    verified: bool


def months_owed(hire_date: date, as_of: date) -> int:
    """Started calendar months from the hire month to the month of `as_of` (at least 1)."""
    months = (as_of.year - hire_date.year) * 12 + as_of.month - hire_date.month + 1
    return max(1, months)


def back_payment_estimate(
    *, base: Decimal, rates: Rates, months_owed: int, days_late: int
) -> BackPaymentEstimate:
    """Premiums owed (SIL arts. 58, 60) plus a 0.05 %/day late fee on them (SIL art. 86)."""
    if base < 0 or months_owed < 0 or days_late < 0:
        raise ValueError("base, months_owed and days_late must not be negative")
    employer = _fen(base * rates.employer * months_owed)
    employee = _fen(base * rates.employee * months_owed)
    late_fee = _fen((employer + employee) * LATE_FEE_PER_DAY * days_late)
    items = (
        EstimateItem("premiums.employer", employer,
                     f"{base} × {_pct(rates.employer)} × {months_owed} months", PREMIUMS_ARTICLE),
        EstimateItem("premiums.employee", employee,
                     f"{base} × {_pct(rates.employee)} × {months_owed} months "
                     "(withheld from the employee, remitted by the employer)", PREMIUMS_ARTICLE),
        EstimateItem("late_fee", late_fee,
                     f"({employer} + {employee}) × 0.05 % × {days_late} days", LATE_FEE_ARTICLE),
    )
    return BackPaymentEstimate(
        items=items, total=sum((i.amount for i in items), Decimal("0.00")), base=base,
        months_owed=months_owed, days_late=days_late, verified=rates.verified,
    )


def owed_periods(hire_date: date, as_of: date) -> tuple[str, ...]:
    """The started calendar months from the hire month to the month of `as_of` ("2026-01", …)."""
    year, month = hire_date.year, hire_date.month
    periods = []
    for _ in range(months_owed(hire_date, as_of)):
        periods.append(f"{year:04d}-{month:02d}")
        year, month = year + month // 12, month % 12 + 1
    return tuple(periods)


def back_payment_by_month(*, base: Decimal, rates: Rates, hire_date: date, as_of: date,
                          rule: PaymentDeadlineRule, cal: HolidayCalendar,
                          registration_due: datetime) -> BackPaymentEstimate:
    """Premiums owed for each month from the hire month (SIL arts. 58, 60) plus each month's late
    fee from that month's own due date to `as_of` (SIL art. 86), one line per month."""
    if base < 0:
        raise RuleViolation("contribution_base", "contribution_base.negative",
                            "contribution_base must not be negative")
    if as_of < hire_date:
        raise RuleViolation("as_of", "back_payment.before_hire",
                            f"as_of {as_of} is before the hire date {hire_date}")
    periods = owed_periods(hire_date, as_of)
    employer, employee = _fen(base * rates.employer), _fen(base * rates.employee)
    fees = monthly_late_fees([MonthOwed(p, employer + employee) for p in periods], as_of, rule,
                             cal, not_before=registration_due)
    n = len(periods)
    items = (
        EstimateItem("premiums.employer", employer * n,
                     f"{base} × {_pct(rates.employer)} = {employer} × {n} months",
                     PREMIUMS_ARTICLE),
        EstimateItem("premiums.employee", employee * n,
                     f"{base} × {_pct(rates.employee)} = {employee} × {n} months "
                     "(withheld from the employee, remitted by the employer)", PREMIUMS_ARTICLE),
        *(EstimateItem(f"late_fee.{f.period}", f.late_fee, f.formula, LATE_FEE_ARTICLE)
          for f in fees),
    )
    return BackPaymentEstimate(
        items=items, total=sum((i.amount for i in items), Decimal("0.00")), base=base,
        months_owed=n, days_late=max((f.days_late for f in fees), default=0),
        verified=rates.verified and rule.verified,
    )


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"
