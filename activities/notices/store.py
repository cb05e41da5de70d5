"""Database side of notices: open and close the notice row, append notice evidence."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from pydantic import TypeAdapter
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from temporalio import activity

from domain.notices.payloads import Answer, EvidenceEvent, NoticeClose, NoticeOpen
from store import evidence
from store.db import session_for
from store.models import NoticeRow
from store.recipients import addressed

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
_ANSWER = TypeAdapter(Answer)


def notice_code(notice_id: str, length: int = 6) -> str:
    """A short code derived from the notice id, for SMS that may carry no link."""
    digest = int.from_bytes(hashlib.sha256(notice_id.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        digest, index = divmod(digest, len(_CODE_ALPHABET))
        chars.append(_CODE_ALPHABET[index])
    return "".join(chars)


class NoticeActivities:
    def __init__(self, db_url: str) -> None:
        self._db_url = db_url

    @activity.defn(name="open_notice", no_thread_cancel_exception=True)
    def open_notice(self, request: NoticeOpen) -> str:
        """Create the notice row once; returns its short code."""
        inp = request.input
        to = addressed(self._db_url, inp.recipient)  # inbound SMS find a notice by its phone
        with session_for(self._db_url) as session:
            existing = session.get(NoticeRow, request.notice_id)
            if existing is not None:
                return existing.code
            for length in (6, 8, 10, 12):
                code = notice_code(request.notice_id, length)
                if session.exec(select(NoticeRow.id).where(NoticeRow.code == code)).first() is None:
                    break
            session.add(NoticeRow(
                id=request.notice_id, subject_id=inp.subject_id, purpose=inp.purpose, code=code,
                recipient_name=inp.recipient.name, recipient_role=inp.recipient.role,
                phone=to.phone, email=to.email, locale=inp.recipient.locale,
                channels=list(inp.channels), status="open", created_at=request.opened_at))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
        self.append_evidence(EvidenceEvent(
            subject_id=inp.subject_id, idempotency_key=f"{request.notice_id}:opened",
            at=request.opened_at, actor="system", kind="notice_opened",
            payload={"notice_id": request.notice_id, "purpose": inp.purpose,
                     "recipient": inp.recipient.name, "role": inp.recipient.role,
                     "channels": list(inp.channels), "code": code,
                     # what the notice says: the employee's page renders it from here
                     "template": inp.template, "data": dict(inp.data)}))
        return code

    @activity.defn(name="close_notice", no_thread_cancel_exception=True)
    def close_notice(self, request: NoticeClose) -> None:
        """Record the outcome on the notice row and in the evidence ledger."""
        outcome = request.outcome
        with session_for(self._db_url) as session:
            row = session.get(NoticeRow, request.notice_id)
            if row is not None and row.status == "open":
                row.status = outcome.result
                row.closed_at = outcome.closed_at or datetime.now(UTC)
                if outcome.answer is not None and row.answered_at is None:  # the first answer stands
                    row.answer = _ANSWER.dump_python(outcome.answer, mode="json")
                    row.answered_at = outcome.answer.at
                session.add(row)
                session.commit()
        self.append_evidence(EvidenceEvent(
            subject_id=request.subject_id, idempotency_key=f"{request.notice_id}:closed",
            at=outcome.closed_at or datetime.now(UTC), actor="system", kind="notice_closed",
            payload={"notice_id": request.notice_id, "result": outcome.result,
                     "proof": outcome.proof, "unreachable": outcome.unreachable,
                     "attempts": [{"attempt": a.attempt_no, "channel": a.channel,
                                   "status": a.status.value, "provider_id": a.provider_id}
                                  for a in outcome.attempts]}))

    @activity.defn(name="append_evidence", no_thread_cancel_exception=True)
    def append_evidence(self, event: EvidenceEvent) -> bool:
        """Append one event to the ledger; the same key twice is one entry."""
        _, created = evidence.append(self._db_url, evidence.NewEntry(
            subject_id=event.subject_id, idempotency_key=event.idempotency_key, at=event.at,
            actor=event.actor, kind=event.kind, payload=dict(event.payload)))
        return created
