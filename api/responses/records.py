"""Records: the evidence ledger, documents, the outbox, notices and their attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from api.responses import IsoMoment


class EvidenceEntryOut(BaseModel):
    """One entry of the hash-chained ledger."""

    subject_id: str
    seq: int
    idempotency_key: str
    at: datetime
    recorded_at: datetime
    actor: str
    kind: str
    payload: dict[str, Any]
    payload_sha256: str
    prev_hash: str
    entry_hash: str


class EvidencePage(BaseModel):
    subject_id: str
    total: int
    offset: int
    limit: int
    items: list[EvidenceEntryOut]


class VerificationOut(BaseModel):
    """The chain recomputed: valid, or the first entry that no longer agrees and why."""

    subject_id: str
    valid: bool
    entries: int
    head: str
    first_broken_seq: int | None
    reason: str
    redacted: int = 0  # entries whose payload retention removed; their hashes still chain


class DocumentOut(BaseModel):
    """A document's metadata; `url` downloads it."""

    id: str
    subject_id: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    note: str
    uploaded_by: str
    uploaded_at: datetime
    url: str


class DocumentList(BaseModel):
    subject_id: str
    items: list[DocumentOut]


class OutboxMessageOut(BaseModel):
    id: int
    idempotency_key: str
    subject_id: str
    purpose: str
    recipient_role: str
    recipient_name: str
    phone: str | None
    email: str | None
    subject: str
    body: str
    created_at: datetime


class OutboxPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[OutboxMessageOut]


class AccessLogEntryOut(BaseModel):
    """One read of sensitive personal information: who, as which role, what (route template and
    the subject it named), when, from where."""

    id: int
    at: datetime
    principal: str
    role: str
    method: str
    route: str
    subject_id: str | None
    client_address: str
    user_agent: str


class AccessLogPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[AccessLogEntryOut]


class TimelineStepOut(BaseModel):
    """A status of one attempt: the provider's acceptance, then each receipt (with its error)."""

    status: str
    at: IsoMoment | None
    source: str
    error_code: str | None = Field(default=None, exclude_if=lambda code: code is None,
                                   description="receipts only")


class NoticeAttemptOut(BaseModel):
    """One send on one channel, with its status timeline."""

    notice_id: str
    attempt_no: int
    channel: str
    to_address: str
    reminder: bool
    state: str
    status: str
    provider_id: str | None
    segments: int
    error: str
    subject: str
    created_at: datetime
    sent_at: datetime | None
    timeline: list[TimelineStepOut]


class NoticeOut(BaseModel):
    """A notice to one person, each attempt, and the answer."""

    id: str
    subject_id: str
    purpose: str
    code: str
    recipient_name: str
    recipient_role: str
    phone: str | None
    email: str | None
    locale: str
    channels: list[str]
    status: str
    answer: dict[str, Any] | None
    created_at: datetime
    closed_at: datetime | None
    answered_at: datetime | None = Field(default=None, description="the first answer, the one "
                                         "that stands (a link answers once)")
    attempts: list[NoticeAttemptOut]


class NoticeList(BaseModel):
    subject: str
    items: list[NoticeOut]
