"""Legal holds (诉讼保全/证据保全 of the employer's own records): while an admin's hold on an
employee or on one onboarding or case stands, retention deletes none of its records. Placing and
lifting are entries of the evidence ledger, subject `personal-data`; a lifted hold is kept."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Column, Index
from sqlmodel import Field, Session, SQLModel, col, select

from store import evidence
from store.db import reading, session_for
from store.models import UtcDateTime

PERSONAL_DATA_SUBJECT = "personal-data"
"""The evidence ledger's subject for exports, legal holds and retention runs."""
Scope = Literal["employee", "subject"]


class LegalHoldRow(SQLModel, table=True):
    """A hold on every record of an employee (`employee`, target: employee id) or of one
    onboarding or case (`subject`, target: its id). Active while `lifted_at` is unset."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_scope_target", "scope", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=20)
    target: str = Field(max_length=120)
    reason: str = Field(max_length=500)
    placed_by: str = Field(max_length=100)
    placed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    lifted_by: str | None = Field(default=None, max_length=100)
    lifted_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    lift_reason: str | None = Field(default=None, max_length=500)


@dataclass(frozen=True)
class ActiveHolds:
    """The targets active holds name, by scope."""

    employees: frozenset[str]
    subjects: frozenset[str]

    def hold(self, subject_id: str, employee_id: str) -> str | None:
        """Which hold keeps this subject's records, if one does."""
        if subject_id in self.subjects:
            return f"legal hold on {subject_id}"
        if employee_id in self.employees:
            return f"legal hold on employee {employee_id}"
        return None


def place(db_url: str, scope: Scope, target: str, reason: str, by: str,
          at: datetime) -> LegalHoldRow:
    """Place a hold and record it in the ledger, in one transaction."""
    with session_for(db_url) as session:
        row = LegalHoldRow(scope=scope, target=target, reason=reason, placed_by=by, placed_at=at)
        session.add(row)
        session.flush()
        _record(session, "legal_hold_placed", by, at, row)
        session.commit()
        return row


def lift(db_url: str, hold_id: int, reason: str, by: str, at: datetime) -> LegalHoldRow | None:
    """Lift an active hold and record it; None when no active hold has this id."""
    with session_for(db_url) as session:
        row = session.get(LegalHoldRow, hold_id)
        if row is None or row.lifted_at is not None:
            return None
        row.lifted_by, row.lifted_at, row.lift_reason = by, at, reason
        session.add(row)
        _record(session, "legal_hold_lifted", by, at, row)
        session.commit()
        return row


def listed(db_url: str, *, active: bool | None = None,
           target: str | None = None) -> list[LegalHoldRow]:
    """Holds, newest first; `active` True: not lifted, False: lifted."""
    query = select(LegalHoldRow)
    if active is not None:
        lifted = col(LegalHoldRow.lifted_at)
        query = query.where(lifted.is_(None) if active else lifted.is_not(None))
    if target is not None:
        query = query.where(LegalHoldRow.target == target)
    with reading(db_url) as session:
        return list(session.exec(query.order_by(col(LegalHoldRow.id).desc())).all())


def active(db_url: str) -> ActiveHolds:
    rows = listed(db_url, active=True)
    return ActiveHolds(employees=frozenset(r.target for r in rows if r.scope == "employee"),
                       subjects=frozenset(r.target for r in rows if r.scope == "subject"))


def _record(session: Session, kind: str, by: str, at: datetime, row: LegalHoldRow) -> None:
    evidence.append_in(session.connection(), PERSONAL_DATA_SUBJECT, [evidence.NewEntry(
        subject_id=PERSONAL_DATA_SUBJECT, idempotency_key=f"{kind}:{row.id}:{uuid.uuid4()}",
        at=at, actor=by, kind=kind,
        payload={"hold_id": row.id, "scope": row.scope, "target": row.target,
                 "reason": row.lift_reason if kind == "legal_hold_lifted" else row.reason})])
