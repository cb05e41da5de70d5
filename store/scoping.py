"""A caller's scope (domain.shared.scoping) in SQL: the department of one onboarding or case, as
its list row has it, and the conditions that keep lists to the departments a caller sees."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam, false, or_, select, true
from sqlmodel import col

from domain.shared.ids import CASE_PREFIX, ONBOARDING_PREFIX
from domain.shared.scoping import Scope
from store.db import _key_reads
from store.models import CaseRow, DisputeHistoryRow, OnboardingRow, table_of

_ONBOARDINGS, _CASES = table_of(OnboardingRow), table_of(CaseRow)
_DEPARTMENT = {
    ONBOARDING_PREFIX: select(_ONBOARDINGS.c.department)
    .where(_ONBOARDINGS.c.id == bindparam("id")),
    CASE_PREFIX: select(_CASES.c.department).where(_CASES.c.id == bindparam("id")),
}


def department_of(url: str, subject_id: str) -> str | None:
    """The department of the onboarding or case `subject_id`; None when the lists hold no such
    row (an unknown or malformed id, or a case whose first event is not projected yet). A read
    by key on the connections of `row_exists`, fit for `point_read`."""
    query = next((q for prefix, q in _DEPARTMENT.items() if subject_id.startswith(prefix)), None)
    if query is None:
        return None
    with _key_reads(url).connect() as connection:
        found: str | None = connection.execute(query, {"id": subject_id}).scalar()
    return found


def within(scope: Scope, department: Any) -> ColumnElement[bool]:
    """The condition that a row's `department` column is one the scope sees."""
    if scope.company:
        return true()
    if not scope.departments:
        return false()
    return col(department).in_(sorted(scope.departments))


def disputes_within(scope: Scope) -> ColumnElement[bool]:
    """The dispute-history rows the scope sees: a finished case's only when the case is of one of
    its departments; imported rows (past disputes that name no case, employee or department, kept
    to compare settlements) to everyone who reads the history."""
    if scope.company:
        return true()
    return or_(col(DisputeHistoryRow.source) == "import",
               col(DisputeHistoryRow.case_id).in_(
                   select(_CASES.c.id).where(within(scope, _CASES.c.department))))
