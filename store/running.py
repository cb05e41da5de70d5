"""Which workflows are still running, from the list tables (the database projection)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from domain.injury.state import TERMINAL
from domain.onboarding.state import Status
from store.db import reading
from store.models import CaseRow, OnboardingRow

# An enrolled onboarding has met its SI deadlines; a cancelled one needs none.
_SETTLED_ONBOARDINGS = (Status.enrolled.value, Status.cancelled.value)


def open_workflow_ids(url: str) -> list[str]:
    """The ids of every onboarding and case whose list row says it is not finished (a row may lag
    its workflow by a write, so a listed workflow may have closed meanwhile)."""
    with reading(url) as session:
        onboardings = session.exec(select(OnboardingRow.id).where(
            col(OnboardingRow.status).not_in(_SETTLED_ONBOARDINGS)).order_by(OnboardingRow.id))
        cases = session.exec(select(CaseRow.id).where(
            col(CaseRow.stage).not_in([s.value for s in TERMINAL])).order_by(CaseRow.id))
        return [*onboardings, *cases]


def open_onboardings(session: Session) -> list[tuple[str, str, date]]:
    """Every onboarding the list shows running: (id, region, hire date), in the caller's
    transaction."""
    rows = session.exec(select(OnboardingRow).where(
        col(OnboardingRow.status).not_in(_SETTLED_ONBOARDINGS)).order_by(OnboardingRow.id))
    return [(r.id, r.region, r.hire_date) for r in rows]


def open_cases(session: Session) -> list[tuple[str, str, datetime]]:
    """Every case the list shows open: (id, region, accident moment), in the caller's
    transaction."""
    rows = session.exec(select(CaseRow).where(
        col(CaseRow.stage).not_in([s.value for s in TERMINAL])).order_by(CaseRow.id))
    return [(r.id, r.region, r.accident_at) for r in rows]
