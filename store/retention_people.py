"""Deactivated people past their retention period (domain/data/retention.json, `person`).

Their contacts (phone, email, WeCom and DingTalk ids, channels) are cleared and the directory
ledger's entries about them (subject `people`, payload `person_id`) redacted. The person, with
their keys, is deleted only when no record names them: as an evidence actor, an access-log
reader, the author or owner of an onboarding or case, the author of a document, expense, dispute
import, calendar load, hold or key, an admin task's owner or closer. While one does, the name (and
roles) stay: the records would name nobody otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, exists, or_, update
from sqlmodel import Session, col, select

from domain.shared.retention import redaction_marker
from store.access_log import AccessLogRow
from store.db import session_for
from store.legal_holds import LegalHoldRow
from store.models import (
    AdminTaskRow,
    ApiKeyRow,
    CalendarYearRow,
    CaseRow,
    DisputeHistoryRow,
    DocumentRow,
    EvidenceEntry,
    ExpenseRow,
    OnboardingRow,
    PersonRow,
)
from store.people import PEOPLE_SUBJECT

_CONTACTS: dict[str, Any] = {"phone": None, "email": None, "wecom_user_id": None,
                             "dingtalk_user_id": None, "channels": []}


def expire(db_url: str, run_id: str, person_ids: Iterable[int], by: str) -> Counter[str]:
    """Clear or delete each person (see the module); counts `person_contacts`, `person`,
    `api_key`, `person_evidence` (redacted directory entries)."""
    counts: Counter[str] = Counter()
    for person_id in person_ids:
        with session_for(db_url) as session:
            row = session.get(PersonRow, person_id)
            if row is None or row.active:
                continue
            counts["person_evidence"] += _redact_directory_entries(session, person_id, run_id)
            if _named(session, row.name, person_id):
                if any(getattr(row, f) for f in _CONTACTS):
                    for name, value in _CONTACTS.items():
                        setattr(row, name, value)
                    row.updated_at = datetime.now(UTC)
                    session.add(row)
                    counts["person_contacts"] += 1
            else:
                counts["api_key"] += session.execute(  # type: ignore[attr-defined]
                    delete(ApiKeyRow).where(col(ApiKeyRow.person_id) == person_id)).rowcount
                session.delete(row)
                counts["person"] += 1
            session.commit()
    return counts


def named(db_url: str, name: str, person_id: int) -> bool:
    """Whether any record names the person (then they are never deleted)."""
    with session_for(db_url) as session:
        return _named(session, name, person_id)


def _named(session: Session, name: str, person_id: int) -> bool:
    checks = [
        col(EvidenceEntry.actor) == name, col(AccessLogRow.principal) == name,
        col(OnboardingRow.created_by) == name, col(CaseRow.created_by) == name,
        col(OnboardingRow.owner) == name, col(CaseRow.owner) == name,
        or_(col(AdminTaskRow.owner) == name, col(AdminTaskRow.closed_by) == name),
        col(DocumentRow.uploaded_by) == name, col(ExpenseRow.entered_by) == name,
        col(DisputeHistoryRow.recorded_by) == name, col(CalendarYearRow.loaded_by) == name,
        or_(col(LegalHoldRow.placed_by) == name, col(LegalHoldRow.lifted_by) == name),
        (col(ApiKeyRow.person_id) != person_id)
        & or_(col(ApiKeyRow.created_by) == name, col(ApiKeyRow.revoked_by) == name),
    ]
    return any(session.exec(select(exists().where(check))).one() for check in checks)


def _redact_directory_entries(session: Session, person_id: int, run_id: str) -> int:
    """Redact the `people` ledger entries whose payload is about this person (they hold the
    contacts as they were); entries already redacted are left as they are."""
    rows = session.exec(select(EvidenceEntry.id, EvidenceEntry.payload).where(
        EvidenceEntry.subject_id == PEOPLE_SUBJECT)).all()
    ids = [i for i, payload in rows if payload.get("person_id") == person_id]
    if not ids:
        return 0
    redacted: int = session.execute(update(EvidenceEntry).where(  # type: ignore[attr-defined]
        col(EvidenceEntry.id).in_(ids)).values(payload=redaction_marker(run_id))).rowcount
    return redacted
