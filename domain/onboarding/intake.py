"""Turn a new-hire registration into a validated OnboardingInput (every check names its field)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.contributions.policy import deadline_rule
from domain.onboarding.payloads import BaseLimitsRef, BureauRoute, Deadline, OnboardingInput, Timing
from domain.onboarding.policy import PolicyTable
from domain.onboarding.policy_update import rates_ref
from domain.onboarding.rules import check_base
from domain.shared import statutes
from domain.shared.calendar import HolidayCalendar, Period
from domain.shared.calendar_sources import official_calendar
from domain.shared.errors import RuleViolation
from domain.shared.intake import employee_from
from domain.shared.people import Contact, Employee


@dataclass(frozen=True)
class ProcessSettings:
    """The configurable parts of the process (CASEGUARD_* settings)."""

    escalation_interval: timedelta = statutes.ESCALATION_INTERVAL_DEFAULT
    enrollment_hold: timedelta = statutes.ENROLLMENT_HOLD_DEFAULT
    time_scale: float = 1.0
    hr_manager: Contact | None = None
    si_bureau: BureauRoute = "gateway"
    quiet_hours: bool = False


def deadline(window: statutes.Window, start: date, cal: HolidayCalendar) -> Deadline:
    """A window counted from `start` as the Civil Code counts days, raw and holiday-adjusted."""
    period: Period = window.period(start, cal)
    return Deadline(name=window.name, due_at=period.due_at(), raw_due_at=period.raw_due_at(),
                    article=window.article, calendar_verified=period.calendar_verified)


def check_hire_date(hire_date: date, today: date) -> None:
    latest = today + statutes.MAX_HIRE_DATE_AHEAD
    if hire_date > latest:
        raise RuleViolation(
            "hire_date", "hire_date.too_far_ahead",
            f"hire_date {hire_date} is more than {statutes.MAX_HIRE_DATE_AHEAD.days} days ahead "
            f"(latest accepted: {latest})")


def build_input(*, employee: Employee, hire_date: date, region: str, contribution_base: Decimal,
                contract_start: date | None, created_by: str, policy: PolicyTable, today: date,
                process: ProcessSettings,
                calendar: HolidayCalendar | None = None) -> OnboardingInput:
    """Everything the workflow needs, resolved now so that replay never depends on changed data
    (`calendar`: the official schedules known now; default: the bundled ones)."""
    cal = (calendar or official_calendar()).since(hire_date.year - 1)
    checked = employee_from(employee, today)
    check_hire_date(hire_date, today)
    limits = policy.base_limits(region, hire_date)
    limits_ref = BaseLimitsRef(lower=limits.lower, upper=limits.upper,
                               period_start=limits.period_start, period_end=limits.period_end,
                               source=limits.source, verified=limits.verified,
                               provisional=limits.provisional)
    check_base(contribution_base, limits_ref)
    rates = policy.contribution_rates(region, hire_date)
    window = policy.withdrawal_window(region)
    return OnboardingInput(
        employee=checked, hire_date=hire_date, region=region,
        contribution_base=contribution_base, created_by=created_by,
        si_registration=deadline(statutes.SI_REGISTRATION, hire_date, cal),
        base_limits=limits_ref,
        rates=rates_ref(rates),
        timing=Timing(
            reminder_lead=statutes.SI_REMINDER_LEAD,
            escalation_interval=process.escalation_interval,
            enrollment_hold=process.enrollment_hold,
            withdrawal_window=timedelta(hours=window.hours),
            time_scale=process.time_scale, quiet_hours=process.quiet_hours,
            withdrawal_window_source=window.source, withdrawal_window_verified=window.verified,
            withdrawal_window_region=window.region,
        ),
        contract_start=contract_start,
        contract_si=deadline(statutes.CONTRACT_SI_MISMATCH, contract_start, cal)
        if contract_start else None,
        hr_manager=process.hr_manager,
        calendar=cal,
        si_bureau=process.si_bureau,
        payment_rule=deadline_rule(region),
    )
