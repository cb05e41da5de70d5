"""What retention would delete now, and what holds the rest: read only.

A closed onboarding or case (a `closed_records` row) is due once its period
(domain/data/retention.json) has passed since it closed, unless a legal hold names it or its
employee, or its employee has an open dispute (a case not closed, or closed within the labour
dispute limitation period). Its notices, outbox messages, documents, expenses and evidence go
with it. Notices and outbox messages of no onboarding or case, access-log rows and deactivated
people and decided self-service proposals have periods of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from domain.shared import retention
from domain.shared.ids import CASE_PREFIX, ONBOARDING_PREFIX
from domain.shared.masking import mask_text
from store import legal_holds
from store.access_log import AccessLogRow
from store.db import session_for
from store.models import (
    CaseRow,
    ChangeProposalRow,
    ClosedRecord,
    NoticeRow,
    OnboardingRow,
    OutboxMessage,
    PersonRow,
)


@dataclass(frozen=True)
class SubjectDue:
    """A closed onboarding or case past its period; `held` says why it stays, if it does."""

    subject_id: str
    kind: str
    employee_id: str
    closed_at: datetime
    expires_at: datetime
    held: str | None


@dataclass(frozen=True)
class Plan:
    now: datetime
    subjects: list[SubjectDue]
    held_subjects: frozenset[str]  # every onboarding or case a hold keeps, due or not
    access_log_before: datetime  # access-log rows at or before this are past their period
    held_refs: frozenset[str] = frozenset()  # those and their employees' ids (the access log)
    loose_notices: list[str] = field(default_factory=list)  # ids: notices of no onboarding/case
    loose_outbox: list[int] = field(default_factory=list)
    access_log: int = 0
    people: list[int] = field(default_factory=list)  # deactivated, past their period
    change_proposals: list[int] = field(default_factory=list)  # decided, past their period

    @property
    def due(self) -> list[SubjectDue]:
        return [s for s in self.subjects if s.held is None]


def plan(db_url: str, now: datetime) -> Plan:
    """What a run at `now` deletes (`due`), and the closed records past their period it keeps."""
    table = retention.table()
    holds = legal_holds.active(db_url)
    with session_for(db_url) as session:
        employees = _employees(session)
        closed = {r.subject_id: r for r in session.exec(select(ClosedRecord)).all()}
        disputes = _open_disputes(session, closed, now, table.dispute_limitation)
        held = frozenset(s for s, e in employees.items()
                         if holds.hold(s, e) is not None or e in disputes)
        subjects = []
        for subject_id, row in sorted(closed.items()):
            employee = employees.get(subject_id)
            if employee is None or row.kind not in ("onboarding", "case"):
                continue  # its list row is gone already: nothing of it left to judge
            expires = retention.expires_at(table[row.kind], row.closed_at)
            if now < expires:
                continue
            reason = holds.hold(subject_id, employee) or (
                f"open dispute of employee {employee}" if employee in disputes else None)
            subjects.append(SubjectDue(subject_id, row.kind, employee, row.closed_at, expires,
                                       reason))
        log_before = retention.cutoff(table["access_log"], now)
        held_refs = held | {employees[s] for s in held} | holds.employees | holds.subjects
        return Plan(
            now=now, subjects=subjects, held_subjects=held, held_refs=held_refs,
            loose_notices=_loose(session, NoticeRow, table["notice"], now),
            loose_outbox=_loose(session, OutboxMessage, table["outbox"], now),
            access_log_before=log_before,
            access_log=_access_log_due(session, log_before, held_refs),
            people=_people_due(session, table["person"], now),
            change_proposals=_proposals_due(session, table["change_proposal"], now, held_refs))


def _employees(session: Session) -> dict[str, str]:
    """Every onboarding's and case's employee id, by its id."""
    onboardings = session.exec(select(OnboardingRow.id, OnboardingRow.employee_id)).all()
    cases = session.exec(select(CaseRow.id, CaseRow.employee_id)).all()
    return {**dict(onboardings), **dict(cases)}


def _open_disputes(session: Session, closed: dict[str, ClosedRecord], now: datetime,
                   limitation: retention.Period) -> frozenset[str]:
    """Employees with a case not closed, or closed within the dispute limitation period."""
    found = set()
    for case_id, employee_id in session.exec(select(CaseRow.id, CaseRow.employee_id)).all():
        record = closed.get(case_id)
        if retention.dispute_open(record.closed_at if record else None, now, limitation):
            found.add(employee_id)
    return frozenset(found)


def _loose(session: Session, model: type[NoticeRow] | type[OutboxMessage],
           period: retention.Period, now: datetime) -> list[Any]:
    """Ids of notices or outbox messages of no onboarding or case, past their own period."""
    subject = col(model.subject_id)
    rows = session.exec(select(model.id, model.created_at).where(
        ~subject.startswith(ONBOARDING_PREFIX), ~subject.startswith(CASE_PREFIX))).all()
    return sorted(i for i, created in rows if retention.past(period, created, now))


def _access_log_due(session: Session, before: datetime, held: frozenset[str]) -> int:
    return session.exec(select(func.count()).select_from(AccessLogRow).where(
        *access_log_due(before, held))).one()


def access_log_due(before: datetime, held: frozenset[str]) -> list[ColumnElement[bool]]:
    """The filters of access-log rows past their period (at or before `before`) and about no
    held record or employee (the log stores subjects masked: compared masked)."""
    filters = [col(AccessLogRow.at) <= before]
    if held:
        subject = col(AccessLogRow.subject_id)
        filters.append(subject.is_(None) | subject.not_in(sorted(mask_text(s) for s in held)))
    return filters


def _people_due(session: Session, period: retention.Period, now: datetime) -> list[int]:
    rows = session.exec(select(PersonRow.id, PersonRow.updated_at).where(
        col(PersonRow.active).is_(False))).all()
    return sorted(i for i, changed in rows if i is not None and retention.past(period, changed, now))


def _proposals_due(session: Session, period: retention.Period, now: datetime,
                   held: frozenset[str]) -> list[int]:
    """Decided proposals past their period whose employee no hold or open dispute keeps."""
    rows = session.exec(select(ChangeProposalRow.id, ChangeProposalRow.employee_id,
                               ChangeProposalRow.decided_at).where(
        col(ChangeProposalRow.status) != "pending")).all()
    return sorted(i for i, employee, decided in rows if i is not None and decided is not None
                  and employee not in held and retention.past(period, decided, now))
