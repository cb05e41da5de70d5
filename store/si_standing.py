"""What the employee record says of an employee's SI on one day, for a case opened about it.

Reads only: the SI status timeline (si_status_changes), the employment in force that day
(employments) and its onboarding's window (onboardings.si_due_at)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, or_, select

from domain.employees.from_onboarding import local_date
from domain.employees.si_standing import RecordFacts
from domain.employees.si_status import SiStatus
from domain.shared import statutes
from store.db import engine_for
from store.models import EmploymentRow, OnboardingRow, SiStatusChangeRow, table_of

_CHANGES = table_of(SiStatusChangeRow)
_EMPLOYMENTS = table_of(EmploymentRow)
_ONBOARDINGS = table_of(OnboardingRow)
_INSTANT = timedelta(microseconds=1)


def facts_on(db_url: str, employee_id: str, day: date) -> RecordFacts:
    """The SI status in force on `day` and since when, and the enrolment window of the
    employment in force that day (the last day of its onboarding's
    si_due_at; else 30 days from the hire date, SIL art. 58)."""
    with engine_for(db_url).connect() as conn:
        change = conn.execute(
            select(_CHANGES.c.status, _CHANGES.c.effective_on)
            .where(and_(_CHANGES.c.employee_id == employee_id, _CHANGES.c.effective_on <= day))
            .order_by(_CHANGES.c.effective_on.desc(), _CHANGES.c.id.desc()).limit(1)).first()
        employment = conn.execute(
            select(_EMPLOYMENTS.c.onboarding_id, _EMPLOYMENTS.c.hire_date)
            .where(and_(_EMPLOYMENTS.c.employee_id == employee_id,
                        _EMPLOYMENTS.c.hire_date <= day,
                        or_(_EMPLOYMENTS.c.leave_date.is_(None), _EMPLOYMENTS.c.leave_date >= day)))
            .order_by(_EMPLOYMENTS.c.seq.desc()).limit(1)).first()
        onboarding = None
        if employment is not None and employment.onboarding_id is not None:
            onboarding = conn.execute(
                select(_ONBOARDINGS.c.id, _ONBOARDINGS.c.status, _ONBOARDINGS.c.si_due_at)
                .where(_ONBOARDINGS.c.id == employment.onboarding_id)).first()
    due: date | None = None
    if onboarding is not None:
        due = local_date(onboarding.si_due_at - _INSTANT)  # due_at is 24:00 of the last day
    elif employment is not None:
        due = statutes.SI_REGISTRATION.period(employment.hire_date).end
    return RecordFacts(
        status=SiStatus(change.status) if change else None,
        since=change.effective_on if change else None,
        onboarding_id=employment.onboarding_id if employment is not None else None,
        window_due_on=due,
        onboarding_status=onboarding.status if onboarding is not None else None,
        employed=employment is not None)
