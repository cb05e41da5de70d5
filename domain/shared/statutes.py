"""Onboarding time windows as data, each with the article it comes from (statutes.md §1, T1).

Product rules (not law) are marked as such. Injury-case windows (T2-T10) follow the onboarding ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.shared import calendar


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

    def period(self, start: date,
               cal: calendar.HolidayCalendar = calendar.LEGACY_CALENDAR) -> calendar.Period:
        """The period that starts the day after `start` (Civil Code art. 201), raw and adjusted
        over the holidays of `cal` (the calendar the workflow carries)."""
        if self.days is not None:
            return calendar.count_days(start, self.days, cal)
        if self.months is not None:
            return calendar.count_months(start, self.months, cal)
        assert self.years is not None
        return calendar.count_years(start, self.years, cal)


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
    "that, double wages for each month up to one year (LCL 82). Watched by the WrittenContract "
    "workflow, which counts as the labour-law texts do (the first day of work is day one; "
    "domain/employees/written_contract.py), not with this window's Civil Code count.",
)

# Product rules, not statutory figures.
SI_REMINDER_LEAD = timedelta(days=3)  # product rule: remind HR 3 days before the SIL 58 deadline
ESCALATION_INTERVAL_DEFAULT = timedelta(days=1)  # product rule: re-escalate daily once overdue
ENROLLMENT_HOLD_DEFAULT = timedelta(hours=1)  # product rule: approved, held before sent to bureau
MAX_HIRE_DATE_AHEAD = timedelta(days=90)  # product rule: no registrations > 90 days ahead


# ---- work-injury cases (工伤), statutes.md §1 T2-T10 ---------------------------------------------

REG = "Regulations on Work-Related Injury Insurance (工伤保险条例)"

DETERMINATION_APPLICATION = Window(
    "determination_application",
    days=30,
    article=f"{REG} art. 17 ¶1, ¶4",
    description="The employer applies for the work-injury determination (工伤认定) within 30 days "
    "of the accident. Extendable with the SI department's approval. If missed, qualifying costs "
    "of the late period are the employer's (art. 17 ¶4).",
)

EMPLOYEE_APPLICATION = Window(
    "employee_application",
    years=1,
    article=f"{REG} art. 17 ¶2",
    description="Where the employer has not applied, the worker, close relatives or the union may "
    "apply within one year of the accident.",
)

DETERMINATION_ACCEPTANCE = Window(
    "determination_acceptance",
    days=15,
    article="工伤认定办法 (MOHRSS Order 8) art. 8",
    description="The authority checks the materials and accepts or rejects within 15 days.",
)

DETERMINATION_DECISION = Window(
    "determination_decision",
    days=60,
    article=f"{REG} art. 20",
    description="The authority decides within 60 days of accepting the application.",
)

DETERMINATION_DECISION_SIMPLE = Window(
    "determination_decision",
    days=15,
    article=f"{REG} art. 20",
    description="Clear-cut cases (事实清楚、权利义务明确) are decided within 15 days of acceptance.",
)

ADMINISTRATIVE_REVIEW = Window(
    "administrative_review",
    days=60,
    article=f"{REG} art. 55; Administrative Reconsideration Law art. 20 (secondary copies)",
    description="A party who disputes the determination may apply for administrative review "
    "within 60 days of knowing it (or sue within 6 months).",
)

SUSPENSION_MAX_MONTHS = 12  # Reg. art. 33 ¶2: generally no more than 12 months
SUSPENSION_EXTENSION_MAX_MONTHS = 12  # art. 33 ¶2: extension confirmed by the committee, <= 12 more
SUSPENSION_ARTICLE = f"{REG} art. 33"

APPRAISAL_CONCLUSION = Window(
    "appraisal_conclusion",
    days=60,
    article=f"{REG} art. 25",
    description="The labour-ability appraisal committee concludes within 60 days of receiving "
    "the application; 30 more days when necessary.",
)
APPRAISAL_EXTENSION_MAX_DAYS = 30  # Reg. art. 25: "+30 days when necessary"

REAPPRAISAL_REQUEST = Window(
    "reappraisal_request",
    days=15,
    article=f"{REG} art. 26",
    description="A party who disagrees may ask the provincial committee for re-appraisal within "
    "15 days of receiving the conclusion; the provincial conclusion is final.",
)

ARBITRATION_CLAIM = Window(
    "arbitration_claim",
    years=1,
    article="Labour Dispute Mediation and Arbitration Law art. 27",
    description="A labour arbitration claim is made within one year of the day the party knew or "
    "should have known of the infringement (interruption and suspension rules apply).",
)

# Product rules of a case (internal targets), not statutory figures.
MATERIALS_FILED_SLA_DEFAULT = timedelta(hours=24)  # product rule: materials on file 24 h after report
DETERMINATION_REMINDER_DAYS_DEFAULT = (7, 20, 27)  # product rule: days after the accident
RETURN_NOTICE_LEAD_DEFAULT = timedelta(days=7)  # product rule: notice 7 days before suspension ends
NOTICE_RESPONSE_DEFAULT = timedelta(days=3)  # product rule: no answer in 3 days -> escalate
SETTLEMENT_TARGET = Window(
    "settlement_agreement",
    days=15,
    article="product rule: settle within 15 days of opening the negotiation",
    description="A target, not a statutory period.",
)
CASE_REMINDER_LEAD_DEFAULT = timedelta(days=3)  # product rule: remind 3 days before a deadline
CHASE_INTERVAL_DEFAULT = timedelta(days=7)  # product rule: chase an overdue authority weekly
ARBITRATION_REMINDER_LEAD = timedelta(days=30)  # product rule: a month before the limit
MAX_ACCIDENT_AGE = timedelta(days=3 * 365)  # product rule: older accidents are data migration
# Engineering rule, not a statute: a long case continues as new (a fresh history, its state carried)
# once its history reaches 2,000 events or 2 MB, or the server suggests it, whichever comes first.
# Measured in docs/benchmarks.md "Session 5": what binds is replay time (~0.5 ms per event on the
# worker after a restart), not Temporal's limits (suggest 4,096 events / 4 MiB, fail at 51,200 /
# 50 MiB); 2,000 events is about three years of weekly chasing (sessions 5 and 28) or ~250 HR
# actions, a replay of about a second.
CASE_HISTORY_EVENTS_MAX = 2_000
CASE_HISTORY_BYTES_MAX = 2 * 1024 * 1024
