"""The counts behind the KPIs (domain/kpis/rules.py), per department and quarter, aggregated in
SQL over the list tables the product keeps: onboardings and their evidence entries, case
deadlines (met_at), notices, cases, employments. Kept to the caller's departments
(store/scoping.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from domain.injury.state import Stage
from domain.kpis import rules
from domain.kpis.quarters import Quarter
from domain.onboarding.state import Status
from domain.shared.calendar import SHANGHAI
from domain.shared.scoping import Scope
from store.db import reading
from store.models import (
    CaseDeadlineEntry,
    CaseRow,
    EmploymentRow,
    EvidenceEntry,
    NoticeRow,
    OnboardingRow,
    UtcDateTime,
)
from store.scoping import within

Counts = dict[tuple[str, str], tuple[int, int]]
"""(quarter code, department) → (numerator, denominator)."""


class elapsed_seconds(FunctionElement[float]):
    """Seconds from the first moment to the second, in SQL on SQLite and PostgreSQL alike."""

    type = Float()
    inherit_cache = True


@compiles(elapsed_seconds, "sqlite")
def _elapsed_sqlite(element: elapsed_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(elapsed_seconds, "postgresql")
def _elapsed_postgres(element: elapsed_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM (CAST({end} AS TIMESTAMPTZ) - CAST({start} AS TIMESTAMPTZ)))"


@dataclass(frozen=True)
class Ask:
    """What to count: these quarters, what the scope sees, one department or all, as of now."""

    quarters: tuple[Quarter, ...]
    scope: Scope
    department: str | None
    now: datetime


def _bucket(moment: Any, quarters: Sequence[Quarter]) -> Any:
    return case(*[(and_(moment >= q.starts_at, moment < q.ends_at), q.code) for q in quarters])


def _span(moment: Any, ask: Ask) -> Any:
    return and_(moment >= ask.quarters[0].starts_at, moment < ask.quarters[-1].ends_at)


def _where(ask: Ask, department: Any) -> list[Any]:
    found = [within(ask.scope, department)]
    if ask.department:
        found.append(col(department) == ask.department)
    return found


def _counts(rows: Any) -> Counts:
    return {(str(q), str(d)): (int(n or 0), int(m or 0)) for d, q, n, m in rows}


def _ones(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def si_enrolled_in_window(session: Any, ask: Ask) -> Counts:
    """Onboardings by the quarter their SI window ends in: enrolled by its end, of those enrolled
    or past it (cancelled ones left out). The first enrolment of each is looked up once, by the
    evidence ledger's subject index."""
    o = OnboardingRow
    rows = select(col(o.department).label("department"), col(o.si_due_at).label("due"),
                  select(func.min(col(EvidenceEntry.at))).where(
                      col(EvidenceEntry.subject_id) == col(o.id),
                      col(EvidenceEntry.kind) == "enrollment_executed")
                  .scalar_subquery().label("enrolled_at")).where(
        *_where(ask, o.department), _span(col(o.si_due_at), ask),
        col(o.status) != Status.cancelled.value).subquery()
    quarter = _bucket(rows.c.due, ask.quarters)
    return _counts(session.execute(
        select(rows.c.department, quarter, _ones(rows.c.enrolled_at <= rows.c.due), func.count())
        .where(or_(rows.c.enrolled_at.is_not(None), rows.c.due < ask.now))
        .group_by(rows.c.department, quarter)))


def deadline_met(session: Any, ask: Ask, name: str) -> Counts:
    """A case deadline by the quarter it falls due in: met by then, of those met or past it. An
    unmet one retired with its case (closed or withdrawn) counts only if it passed first."""
    d, c = CaseDeadlineEntry, CaseRow
    due, met = col(d.due_at), col(d.met_at)
    quarter = _bucket(due, ask.quarters)
    return _counts(session.execute(
        select(col(c.department), quarter, _ones(met <= due), func.count())
        .join(c, col(c.id) == col(d.case_id))
        .where(*_where(ask, c.department), col(d.name) == name, _span(due, ask),
               or_(met.is_not(None),
                   and_(due < ask.now, or_(col(d.active).is_(True), due < col(c.updated_at)))))
        .group_by(col(c.department), quarter)))


def return_notices_on_time(session: Any, ask: Ask) -> Counts:
    """Return notices by the quarter they were sent in: sent on or before the day the product
    rule names (the suspension's end less the lead, Beijing dates), of those whose event names
    the suspension's end. The few rows of the quarters are judged here, by date."""
    e, c = EvidenceEntry, CaseRow
    ends = col(e.payload)["suspension_ends_at"].as_string()
    rows = session.execute(
        select(col(c.department), col(e.at), ends).join(c, col(c.id) == col(e.subject_id))
        .where(*_where(ask, c.department), col(e.kind) == "return_notice_sent",
               _span(col(e.at), ask), ends.is_not(None)))
    lead = rules.RETURN_NOTICE_ON_TIME.window
    assert lead is not None
    found: dict[tuple[str, str], list[int]] = {}
    for department, at, suspension_ends in rows:
        due_day = (datetime.fromisoformat(suspension_ends) - lead).astimezone(SHANGHAI).date()
        tally = found.setdefault((Quarter.of(at).code, department), [0, 0])
        tally[0] += at.astimezone(SHANGHAI).date() <= due_day
        tally[1] += 1
    return {key: (n, m) for key, (n, m) in found.items()}


def return_notices_answered(session: Any, ask: Ask) -> Counts:
    """Return notices by the quarter they were sent in: answered within the window, of those
    answered or past it."""
    n, c = NoticeRow, CaseRow
    window = rules.RETURN_NOTICE_ANSWERED.window
    assert window is not None
    seconds = window.total_seconds()
    sent, answered = col(n.created_at), col(n.answered_at)
    quarter = _bucket(sent, ask.quarters)
    now = literal(ask.now, UtcDateTime())
    return _counts(session.execute(
        select(col(c.department), quarter,
               _ones(and_(answered.is_not(None), elapsed_seconds(sent, answered) <= seconds)),
               func.count())
        .join(c, col(c.id) == col(n.subject_id))
        .where(*_where(ask, c.department), col(n.purpose) == rules.RETURN_NOTICE_PURPOSE, _span(sent, ask),
               or_(answered.is_not(None), elapsed_seconds(sent, now) > seconds))
        .group_by(col(c.department), quarter)))


def injuries(session: Any, ask: Ask) -> Counts:
    """Cases by the quarter of the accident (withdrawn ones left out), over the department's
    headcount: employments that ran on any day of the quarter."""
    at = col(CaseRow.accident_at)
    quarter = _bucket(at, ask.quarters)
    cases = {(str(q), str(d)): int(k) for d, q, k in session.execute(
        select(col(CaseRow.department), quarter, func.count())
        .where(*_where(ask, CaseRow.department), _span(at, ask),
               col(CaseRow.stage) != Stage.withdrawn.value)
        .group_by(col(CaseRow.department), quarter))}
    e = EmploymentRow
    employed = [func.count(func.distinct(case(
        (and_(col(e.hire_date) < q.next_first_day,
              or_(col(e.leave_date).is_(None), col(e.leave_date) >= q.first_day)),
         col(e.employee_id))))) for q in ask.quarters]
    heads: dict[tuple[str, str], int] = {}
    for department, *counted in session.execute(  # one pass: a column per quarter
            select(col(e.department), *employed).where(
                *_where(ask, e.department), col(e.hire_date) < ask.quarters[-1].next_first_day,
                or_(col(e.leave_date).is_(None), col(e.leave_date) >= ask.quarters[0].first_day))
            .group_by(col(e.department))):
        for q, k in zip(ask.quarters, counted, strict=True):
            if k:
                heads[(q.code, str(department))] = int(k)
    return {key: (cases.get(key, 0), heads.get(key, 0)) for key in {*cases, *heads}}


def figures(url: str, ask: Ask) -> list[rules.Figure]:
    """Every KPI's figure for each department and quarter that has something to count."""
    with reading(url) as session:
        counted: dict[str, Counts] = {
            rules.SI_ENROLLED_IN_WINDOW.code: si_enrolled_in_window(session, ask),
            rules.MATERIALS_IN_TIME.code: deadline_met(session, ask, rules.MATERIALS_DEADLINE),
            rules.RETURN_NOTICE_ON_TIME.code: return_notices_on_time(session, ask),
            rules.RETURN_NOTICE_ANSWERED.code: return_notices_answered(session, ask),
            rules.SETTLEMENT_IN_TARGET.code: deadline_met(
                session, ask, rules.SETTLEMENT_DEADLINE),
            rules.INJURIES_PER_100.code: injuries(session, ask),
        }
    return [rules.figure(rules.BY_CODE[code], q, d, n, m)
            for code, counts in counted.items() for (q, d), (n, m) in sorted(counts.items())]
