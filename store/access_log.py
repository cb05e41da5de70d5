"""The access log: each read of an employee's sensitive personal information, who, what, when and
from where (PIPL art. 54 audits). One insert per read; an admin pages through it by person,
subject and time (GET /api/v1/admin/access-log). Rows are never updated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel, col, func, select

from store.db import reading, session_for
from store.models import UtcDateTime


class AccessLogRow(SQLModel, table=True):
    """One read: the principal and the role they read as, the route (its template, e.g.
    `/api/v1/cases/{id}`) and the subject it named, the moment, the client address and agent.
    The subject and the agent are stored masked (domain.shared.masking.mask_text)."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_principal_at", "principal", "at"),
        Index("ix_access_log_subject_at", "subject_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    principal: str = Field(max_length=100)
    role: str = Field(max_length=40)
    method: str = Field(max_length=10)
    route: str = Field(max_length=200)
    subject_id: str | None = Field(default=None, max_length=120)
    client_address: str = Field(max_length=64)
    user_agent: str = Field(max_length=300)


@dataclass(frozen=True)
class AccessQuery:
    principal: str | None = None
    subject_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def record(db_url: str, row: AccessLogRow) -> None:
    """Append one read (one INSERT)."""
    with session_for(db_url) as session:
        session.add(row)
        session.commit()


def page(db_url: str, query: AccessQuery, *, offset: int,
         limit: int) -> tuple[int, list[AccessLogRow]]:
    """The reads matching `query` (since inclusive, until exclusive), newest first, and their
    count."""
    filters = []
    if query.principal is not None:
        filters.append(col(AccessLogRow.principal) == query.principal)
    if query.subject_id is not None:
        filters.append(col(AccessLogRow.subject_id) == query.subject_id)
    if query.since is not None:
        filters.append(col(AccessLogRow.at) >= query.since)
    if query.until is not None:
        filters.append(col(AccessLogRow.at) < query.until)
    with reading(db_url) as session:
        total = session.exec(select(func.count()).select_from(AccessLogRow).where(*filters)).one()
        rows = session.exec(select(AccessLogRow).where(*filters)
                            .order_by(col(AccessLogRow.at).desc(), col(AccessLogRow.id).desc())
                            .offset(offset).limit(limit)).all()
    return total, list(rows)
