"""SQLModel tables: read-model projections, events and the outbox. Migrations in store/migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC and read back as UTC (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_column(**kwargs: Any) -> Any:
    return Field(sa_column=Column(UtcDateTime(), **kwargs))


class OnboardingRow(SQLModel, table=True):
    """One row per onboarding, for lists; Temporal holds the process state."""

    __tablename__ = "onboardings"

    id: str = Field(primary_key=True, max_length=80)
    employee_id: str = Field(index=True, max_length=64)
    employee_name: str
    department: str
    region: str = Field(max_length=40)
    hire_date: date
    status: str = Field(index=True, max_length=40)
    si_due_at: datetime = _utc_column(nullable=False)
    created_by: str
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)
    last_seq: int = 0


class EvidenceEntry(SQLModel, table=True):
    """The append-only, hash-chained evidence ledger: every event of every onboarding and case.

    No code path updates or deletes a row. (subject_id, seq) and idempotency_key are unique, so
    the same event appended twice is one row.
    """

    __tablename__ = "evidence_entries"
    __table_args__ = (
        UniqueConstraint("subject_id", "seq", name="uq_evidence_subject_seq"),
        UniqueConstraint("idempotency_key", name="uq_evidence_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_id: str = Field(index=True, max_length=80)
    seq: int
    idempotency_key: str = Field(max_length=200)
    at: datetime = _utc_column(nullable=False)
    recorded_at: datetime = _utc_column(nullable=False)
    actor: str
    kind: str = Field(max_length=60)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    payload_sha256: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)


class DocumentRow(SQLModel, table=True):
    """A document attached to an onboarding or case; the bytes live in the content store."""

    __tablename__ = "documents"

    id: str = Field(primary_key=True, max_length=40)
    subject_id: str = Field(index=True, max_length=80)
    kind: str = Field(max_length=40)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=80)
    size: int
    sha256: str = Field(index=True, max_length=64)
    note: str = ""
    uploaded_by: str
    uploaded_at: datetime = _utc_column(nullable=False)


class OutboxMessage(SQLModel, table=True):
    """A message that a channel will deliver; for now the outbox is the delivery."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key", "recipient_role", name="uq_outbox_key_recipient"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200)
    subject_id: str = Field(index=True, max_length=80)
    purpose: str = Field(max_length=60)
    recipient_role: str = Field(max_length=40)
    recipient_name: str
    phone: str | None = None
    email: str | None = None
    subject: str
    body: str
    created_at: datetime = _utc_column(nullable=False)


class BureauRegistration(SQLModel, table=True):
    """The SI-bureau simulator's register: who is enrolled, for which employer, by which request."""

    __tablename__ = "simulated_bureau_registrations"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_bureau_request"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200)
    id_number: str = Field(index=True, max_length=18)
    employer_ref: str = Field(max_length=80)
    accepted: bool
    reference: str | None = None
    code: str = ""
    reason: str = ""
    created_at: datetime = _utc_column(nullable=False)
