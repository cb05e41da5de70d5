"""What the HR workspace lists (api/web): the deadlines of open onboardings and cases by when
they fall due, unanswered notices, open admin tasks, the onboarding list and the case board; all
from the list tables, kept to the caller's departments (store/scoping.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, union, union_all
from sqlmodel import col

from domain.injury.state import TERMINAL, Stage
from domain.onboarding.state import Status
from domain.shared import statutes
from domain.shared.scoping import Scope
from store.db import reading
from store.models import (
    AdminTaskRow,
    CaseDeadlineEntry,
    CaseRow,
    NoticeRow,
    OnboardingRow,
)
from store.scoping import within

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPEN_ONBOARDING = (Status.awaiting_enrollment, Status.enrollment_submitted,
                   Status.enrollment_approved, Status.enrollment_executing)
"""Onboardings whose SI registration window (SIL art. 58) still runs: not enrolled or ended."""
BOARD_STAGES = tuple(s for s in Stage if s not in TERMINAL)
LIMIT = 200
PAGE = 100  # onboardings per page


@dataclass(frozen=True)
class Due:
    """One open deadline of an onboarding or a case, with what the dashboard shows beside it."""

    subject_id: str
    kind: str  # onboarding | case
    employee_name: str
    department: str
    deadline: str
    deadline_kind: str
    due_at: datetime
    article: str
    owner: str
    bucket: str  # overdue | today | week


@dataclass(frozen=True)
class Horizon:
    """The moments the dashboard sorts deadlines by: now, the end of today and of the 7 days
    ahead, Beijing time (a statutory day ends at 24:00 there)."""

    now: datetime
    today_ends: datetime
    week_ends: datetime

    @classmethod
    def at(cls, now: datetime) -> Horizon:
        tomorrow = datetime.combine(now.astimezone(SHANGHAI).date() + timedelta(days=1), time(),
                                    SHANGHAI)
        return cls(now, tomorrow, tomorrow + timedelta(days=6))

    def bucket(self, due_at: datetime) -> str:
        return "overdue" if due_at < self.now else "today" if due_at < self.today_ends \
            else "week"


def _open_deadline() -> tuple[Any, Any]:
    # Written as the partial indexes of migration 0020 are (`active IS TRUE AND met_at IS NULL`).
    return col(CaseDeadlineEntry.active).is_(True), col(CaseDeadlineEntry.met_at).is_(None)


def due_soon(url: str, scope: Scope, horizon: Horizon) -> list[Due]:
    """Open deadlines overdue or due within the 7 days ahead, soonest first: each open
    onboarding's SI registration window and each open case's deadlines (an employee's right that
    passed is no one's to meet and is left out)."""
    with reading(url) as session:
        onboardings = session.execute(select(OnboardingRow).where(
            within(scope, OnboardingRow.department),
            col(OnboardingRow.status).in_([s.value for s in OPEN_ONBOARDING]),
            col(OnboardingRow.si_due_at) < horizon.week_ends)
            .order_by(col(OnboardingRow.si_due_at)).limit(LIMIT)).scalars().all()
        cases = session.execute(select(CaseDeadlineEntry, CaseRow).join(
            CaseRow, col(CaseRow.id) == col(CaseDeadlineEntry.case_id)).where(
            within(scope, CaseRow.department), col(CaseRow.stage).notin_(list(TERMINAL)),
            *_open_deadline(), col(CaseDeadlineEntry.due_at) < horizon.week_ends,
            or_(col(CaseDeadlineEntry.kind) != "right",
                col(CaseDeadlineEntry.due_at) >= horizon.now))
            .order_by(col(CaseDeadlineEntry.due_at)).limit(LIMIT)).all()
    found = [Due(o.id, "onboarding", o.employee_name, o.department, "si_registration", "duty",
                 o.si_due_at, statutes.SI_REGISTRATION.article, o.owner or o.created_by,
                 horizon.bucket(o.si_due_at)) for o in onboardings]
    found += [Due(c.id, "case", c.employee_name, c.department, d.name, d.kind, d.due_at,
                  d.article, c.owner or c.created_by, horizon.bucket(d.due_at))
              for d, c in cases]
    return sorted(found, key=lambda d: (d.due_at, d.subject_id))


def _visible_subjects(scope: Scope) -> object:
    return union_all(
        select(col(OnboardingRow.id)).where(within(scope, OnboardingRow.department)),
        select(col(CaseRow.id)).where(within(scope, CaseRow.department)))


def unanswered_notices(url: str, scope: Scope) -> list[NoticeRow]:
    """Notices still waiting for their recipient's answer, oldest first."""
    query = select(NoticeRow).where(col(NoticeRow.status) == "open",
                                    col(NoticeRow.answered_at).is_(None))
    if not scope.company:
        query = query.where(col(NoticeRow.subject_id).in_(_visible_subjects(scope)))  # type: ignore[arg-type]
    with reading(url) as session:
        return list(session.execute(query.order_by(col(NoticeRow.created_at)).limit(LIMIT))
                    .scalars())


def notices_to(url: str, name: str, since: datetime, scope: Scope) -> list[NoticeRow]:
    """Notices addressed to the person `name` since `since` about records the scope sees, newest
    first: for a manager, the escalations of their department's cases."""
    query = select(NoticeRow).where(col(NoticeRow.recipient_name) == name,
                                    col(NoticeRow.created_at) >= since)
    if not scope.company:
        query = query.where(col(NoticeRow.subject_id).in_(_visible_subjects(scope)))  # type: ignore[arg-type]
    with reading(url) as session:
        return list(session.execute(query.order_by(col(NoticeRow.created_at).desc())
                                    .limit(LIMIT)).scalars())


def at_the_bureau(url: str, scope: Scope) -> list[OnboardingRow]:
    """Onboardings whose enrolment is being made (`enrollment_executing`), oldest first: with the
    SI bureau entered by hand, each is a task of its owner's at the bureau's portal."""
    with reading(url) as session:
        return list(session.execute(select(OnboardingRow).where(
            within(scope, OnboardingRow.department),
            col(OnboardingRow.status) == Status.enrollment_executing.value)
            .order_by(col(OnboardingRow.updated_at)).limit(LIMIT)).scalars())


def open_admin_tasks(url: str) -> list[AdminTaskRow]:
    """Admin tasks not yet closed, oldest first (admins only: the caller checks)."""
    with reading(url) as session:
        return list(session.execute(select(AdminTaskRow).where(
            col(AdminTaskRow.closed_at).is_(None)).order_by(col(AdminTaskRow.opened_at))
            .limit(LIMIT)).scalars())


def onboardings(url: str, scope: Scope, status: str | None, *, limit: int = 100,
                offset: int = 0) -> tuple[int, list[OnboardingRow]]:
    """Onboardings newest first, by status; the total before paging."""
    filters = [within(scope, OnboardingRow.department)]
    if status:
        filters.append(col(OnboardingRow.status) == status)
    with reading(url) as session:
        total = session.execute(select(func.count()).select_from(OnboardingRow)
                             .where(*filters)).scalar_one()
        rows = session.execute(select(OnboardingRow).where(*filters).order_by(
            col(OnboardingRow.created_at).desc(), col(OnboardingRow.id))
            .offset(offset).limit(limit)).scalars().all()
    return int(total), list(rows)


@dataclass(frozen=True)
class NextDeadline:
    name: str
    due_at: datetime
    kind: str


@dataclass(frozen=True)
class BoardCard:
    """A case on the board: who, where, and its next open deadline (None: none open)."""

    case_id: str
    employee_name: str
    department: str
    next_deadline: NextDeadline | None


@dataclass(frozen=True)
class Board:
    """Open cases by stage, in the order of the statute flow: each stage's first `per_stage`
    cards, soonest next deadline first, and how many open cases the stage holds in all."""

    columns: dict[str, list[BoardCard]]
    totals: dict[str, int]


_CARD = (col(CaseRow.id), col(CaseRow.employee_name), col(CaseRow.department),
         col(CaseRow.stage))


def case_board(url: str, scope: Scope, *, per_stage: int = 100) -> Board:
    """Each open stage's cases with the soonest next deadline first (none open: last, newest
    accident first), taken per stage from the row's `next_due_at`, so an old stage is not crowded
    out by new cases and no view ranks every open case. Plain rows, not ORM objects: a board of
    900 cards built 2,700 of them."""
    visible = (within(scope, CaseRow.department), col(CaseRow.stage).notin_(list(TERMINAL)))
    with reading(url) as session:
        rows = [row for stage in BOARD_STAGES for row in session.execute(
            select(*_CARD).where(within(scope, CaseRow.department),
                                 col(CaseRow.stage) == stage.value)
            .order_by(col(CaseRow.next_due_at).asc().nulls_last(),
                      col(CaseRow.accident_at).desc(), col(CaseRow.id))
            .limit(per_stage))]
        totals = dict(session.execute(select(col(CaseRow.stage), func.count()).where(
            *visible).group_by(col(CaseRow.stage))).all())
        nexts: dict[str, NextDeadline] = {}
        if rows:
            for case_id, name, due_at, kind in session.execute(select(
                    col(CaseDeadlineEntry.case_id), col(CaseDeadlineEntry.name),
                    col(CaseDeadlineEntry.due_at), col(CaseDeadlineEntry.kind)).where(
                    col(CaseDeadlineEntry.case_id).in_([r[0] for r in rows]),
                    *_open_deadline()).order_by(col(CaseDeadlineEntry.due_at))):
                nexts.setdefault(case_id, NextDeadline(name, due_at, kind))
    columns: dict[str, list[BoardCard]] = {s.value: [] for s in BOARD_STAGES}
    for case_id, employee_name, department, stage in rows:
        columns[stage].append(BoardCard(case_id, employee_name, department, nexts.get(case_id)))
    return Board(columns, {stage: int(totals.get(stage, 0)) for stage in columns})


def departments(url: str, scope: Scope) -> list[str]:
    """The departments of the onboardings and cases the scope sees, sorted (the dashboard's
    filter)."""
    query = union(
        select(col(OnboardingRow.department)).where(within(scope, OnboardingRow.department))
        .distinct(),
        select(col(CaseRow.department)).where(within(scope, CaseRow.department)).distinct())
    with reading(url) as session:
        return sorted({str(d) for d in session.execute(query).scalars() if d})
