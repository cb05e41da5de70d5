"""Back-payment (补缴) estimate: the premiums owed plus the SIL art. 86 late fee.

Assumptions (an estimate for HR to confirm, not the bureau's assessment):
- premiums are owed for every started calendar month (缴费月) from the hire month to the month of
  `as_of`, on one monthly base, at today's rates;
- the employer owes both shares: its own and the employee's, which it must withhold and remit
  (SIL art. 60), so the late fee runs on both;
- the late fee runs for `days_late` days on all months owed; the bureau charges each month from
  its own due date, so this over-estimates for the later months (a safe upper bound);
- each line item is rounded once to the fen (ROUND_HALF_UP) and the total is their sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

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


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"
