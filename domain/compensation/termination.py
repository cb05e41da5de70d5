"""Provincial adjustments to the grade 5-10 termination subsidies (statutes.md §2.6).

- Guangdong art. 35: with the worker's own wage W as the base, the average monthly contribution
  wage of the 12 months before employment ends replaces W when it is higher, still no more than
  300 % of the regional average (the 60 % floor cannot bind: W is already at least that).
- Zhejiang art. 27 ¶2: less than 5 years before the statutory retirement date, the employment
  subsidy falls by 20 % per year of age (AgeReduction in data.py says how the years are counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.compensation.data import AgeReduction
from domain.compensation.money import money


@dataclass(frozen=True)
class Adjusted:
    """A base or a factor after a provincial rule, and how it was reached (for the formula)."""

    value: Decimal
    formula: str


def end_average_base(w: Decimal, end_average: Decimal, cap: Decimal, article: str) -> Adjusted:
    """The higher of W and the 12-month average before employment ends, capped (Guangdong art. 35)."""
    if end_average <= w:
        return Adjusted(w, f"W {money(w)} (not below the 12-month average before employment ends "
                           f"{money(end_average)}; {article})")
    base = min(end_average, cap)
    capped = f", capped at 300 % × A {money(cap)}" if end_average > cap else ""
    return Adjusted(base, f"12-month average before employment ends {money(end_average)}{capped}, "
                          f"above W {money(w)} ({article})")


def full_years(start: date, end: date) -> int:
    """Completed years from `start` to `end` (0 if end is not after start)."""
    if end <= start:
        return 0
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def age_factor(ends: date, retirement: date, rule: AgeReduction) -> Adjusted:
    """The share of the employment subsidy still due when employment ends on `ends`."""
    left = full_years(ends, retirement)
    if ends >= retirement:
        steps = rule.within_years
    elif rule.counting == "started_years":
        steps = max(rule.within_years - left, 0)
    else:  # completed years past the mark `within_years` before retirement
        whole = (ends.month, ends.day) == (retirement.month, retirement.day)
        steps = max(rule.within_years - left - (0 if whole else 1), 0)
    factor = max(Decimal(100 - rule.percent_per_year * steps), Decimal(0)) / 100
    if steps == 0:
        why = (f"{left} full years from the end of employment {ends} to the retirement date "
               f"{retirement}: no reduction")
    else:
        why = (f"{left} full years from the end of employment {ends} to the retirement date "
               f"{retirement}: {steps} × {rule.percent_per_year} % off, {factor * 100:.0f} % due")
    return Adjusted(factor, f"{why} ({rule.article})")
