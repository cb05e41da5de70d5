"""Append to and read the evidence ledger; verification recomputes the chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from domain.evidence import (
    GENESIS,
    ChainEntry,
    Verification,
    entry_hash,
    payload_hash,
    verify_chain,
)
from store.db import session_for
from store.models import EvidenceEntry

APPEND_ATTEMPTS = 8


@dataclass(frozen=True)
class NewEntry:
    subject_id: str
    idempotency_key: str
    at: datetime
    actor: str
    kind: str
    payload: dict[str, Any]


def append(db_url: str, entry: NewEntry) -> tuple[EvidenceEntry, bool]:
    """Append once; returns the row and whether it is new (a known key writes nothing)."""
    for _ in range(APPEND_ATTEMPTS):
        with session_for(db_url) as session:
            try:
                return _append(session, entry)
            except IntegrityError:
                session.rollback()  # another writer took the key or the sequence: read again
    raise RuntimeError(f"could not append to the evidence of {entry.subject_id}: contention")


def _append(session: Session, entry: NewEntry) -> tuple[EvidenceEntry, bool]:
    _lock_subject(session, entry.subject_id)
    stored = session.exec(select(EvidenceEntry).where(
        EvidenceEntry.idempotency_key == entry.idempotency_key)).first()
    if stored is not None:
        return stored, False
    head = session.exec(select(EvidenceEntry).where(EvidenceEntry.subject_id == entry.subject_id)
                        .order_by(col(EvidenceEntry.seq).desc()).limit(1)).first()
    seq = head.seq + 1 if head else 1
    prev = head.entry_hash if head else GENESIS
    digest = payload_hash(entry.payload)
    at = entry.at.astimezone(UTC)
    row = EvidenceEntry(
        subject_id=entry.subject_id, seq=seq, idempotency_key=entry.idempotency_key, at=at,
        recorded_at=datetime.now(UTC), actor=entry.actor, kind=entry.kind,
        payload=entry.payload, payload_sha256=digest, prev_hash=prev,
        entry_hash=entry_hash(subject_id=entry.subject_id, seq=seq, at=at, actor=entry.actor,
                              kind=entry.kind, payload_sha256=digest, prev_hash=prev))
    session.add(row)
    session.commit()
    return row, True


def _lock_subject(session: Session, subject_id: str) -> None:
    """Serialise appends to one subject (PostgreSQL advisory lock; SQLite begins IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:s, 0))"),
                        {"s": subject_id})


def page(db_url: str, subject_id: str, *, offset: int = 0,
         limit: int = 100) -> tuple[int, list[EvidenceEntry]]:
    """One page of a subject's entries in chain order, and how many there are in all."""
    with session_for(db_url) as session:
        total = session.exec(select(func.count()).select_from(EvidenceEntry)
                             .where(EvidenceEntry.subject_id == subject_id)).one()
        rows = session.exec(select(EvidenceEntry).where(EvidenceEntry.subject_id == subject_id)
                            .order_by(col(EvidenceEntry.seq)).offset(offset).limit(limit)).all()
        return total, list(rows)


def verify(db_url: str, subject_id: str) -> Verification:
    """Recompute the subject's chain from the stored rows."""
    with session_for(db_url) as session:
        return verify_chain(subject_id, _chain(session, subject_id))


def _chain(session: Session, subject_id: str) -> Iterator[ChainEntry]:
    rows = session.exec(select(EvidenceEntry).where(EvidenceEntry.subject_id == subject_id)
                        .order_by(col(EvidenceEntry.seq)))
    for r in rows:
        yield chain_entry(r)


def chain_entry(r: EvidenceEntry) -> ChainEntry:
    """A stored row as the chain check reads it."""
    return ChainEntry(subject_id=r.subject_id, seq=r.seq, at=r.at, actor=r.actor, kind=r.kind,
                      payload=r.payload, payload_sha256=r.payload_sha256,
                      prev_hash=r.prev_hash, entry_hash=r.entry_hash)


def subjects(db_url: str) -> list[str]:
    with session_for(db_url) as session:
        return list(session.exec(select(EvidenceEntry.subject_id).distinct()
                                 .order_by(EvidenceEntry.subject_id)).all())


def has_subject(db_url: str, subject_id: str) -> bool:
    with session_for(db_url) as session:
        return session.exec(select(EvidenceEntry.id).where(
            EvidenceEntry.subject_id == subject_id).limit(1)).first() is not None
