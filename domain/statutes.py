"""Onboarding time windows as data, each with the article it comes from (statutes.md §1, T1).

Product rules (not law) are marked as such. Injury-case windows (T2-T11) come later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain import calendar


@dataclass(frozen=True)
class Window:
    """A period counted from an event as the Civil Code counts (arts. 201-203)."""

    name: str
    days: int | None = None
    months: int | None = None
    years: int | None = None
    article: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        given = [n for n in (self.days, self.months, self.years) if n is not None]
        if len(given) != 1 or given[0] < 0:
            raise ValueError(f"window {self.name}: give exactly one of days, months, years (>= 0)")

    def period(self, start: date) -> calendar.Period:
        """The period that starts the day after `start` (Civil Code art. 201), raw and adjusted."""
        if self.days is not None:
            return calendar.count_days(start, self.days)
        if self.months is not None:
            return calendar.count_months(start, self.months)
        assert self.years is not None
        return calendar.count_years(start, self.years)


SI_REGISTRATION = Window(
    "si_registration",
    days=30,
    article="Social Insurance Law art. 58",
    description="The employer applies to the SI agency for the worker's social-insurance "
    "registration within 30 days of the start of employment (用工之日). If it does not, the "
    "agency assesses the premiums owed (SIL 58), may fine 1-3x the premiums (SIL 84) and adds a "
    "0.05 %/day late fee (SIL 86). Not a coverage grace period.",
)

CONTRACT_SI_MISMATCH = Window(
    "contract_si_mismatch",
    days=30,
    article="Social Insurance Law art. 58; Labour Contract Law art. 10",
    description="30 days after the labour contract's start date with no SI enrolment: the "
    "employment relationship begins when employment starts (Labour Contract Law art. 10), so "
    "the SIL art. 58 registration window has run out by then.",
)

WRITTEN_CONTRACT = Window(
    "written_contract",
    months=1,
    article="Labour Contract Law art. 10, 82",
    description="A written labour contract within one month of the start of employment; after "
    "that, double wages for each month up to one year (LCL 82).",
)

# Product rules, not statutory figures.
SI_REMINDER_LEAD = timedelta(days=3)  # product rule: remind HR 3 days before the SIL 58 deadline
ESCALATION_INTERVAL_DEFAULT = timedelta(days=1)  # product rule: re-escalate daily once overdue
ENROLLMENT_HOLD_DEFAULT = timedelta(hours=1)  # product rule: approved, held before sent to bureau
MAX_HIRE_DATE_AHEAD = timedelta(days=90)  # product rule: no registrations > 90 days ahead
