"""Database side of notices: open and close the notice row, append notice evidence."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Connection, insert, select, update
from temporalio import activity

from domain.notices.payloads import Answer, EvidenceEvent, NoticeClose, NoticeOpen
from store import evidence
from store.db import retrying
from store.models import NoticeRow, table_of
from store.recipients import addressed

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
_ANSWER = TypeAdapter(Answer)
_NOTICES = table_of(NoticeRow)


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
        """Create the notice row once, with its `notice_opened` entry in the same transaction;
        returns its short code."""
        to = addressed(self._db_url, request.input.recipient)  # inbound SMS find it by phone
        return retrying(self._db_url, _open, request, to.phone, to.email,
                        attempts=evidence.APPEND_ATTEMPTS)

    @activity.defn(name="close_notice", no_thread_cancel_exception=True)
    def close_notice(self, request: NoticeClose) -> None:
        """Record the outcome on the notice row and in the evidence ledger, in one transaction."""
        retrying(self._db_url, _close, request, datetime.now(UTC),
                 attempts=evidence.APPEND_ATTEMPTS)

    @activity.defn(name="append_evidence", no_thread_cancel_exception=True)
    def append_evidence(self, event: EvidenceEvent) -> bool:
        """Append one event to the ledger; the same key twice is one entry."""
        _, created = evidence.append(self._db_url, evidence.NewEntry(
            subject_id=event.subject_id, idempotency_key=event.idempotency_key, at=event.at,
            actor=event.actor, kind=event.kind, payload=dict(event.payload)))
        return created


def _open(conn: Connection, request: NoticeOpen, phone: str | None, email: str | None) -> str:
    """The row if it is new (a longer code where a shorter one is taken), and its entry if that is
    new: a retry after either was written writes only what is missing."""
    inp = request.input
    code = conn.execute(select(_NOTICES.c.code).where(_NOTICES.c.id == request.notice_id)).scalar()
    if code is None:
        code = _free_code(conn, request.notice_id)
        conn.execute(insert(_NOTICES).values(**NoticeRow(
            id=request.notice_id, subject_id=inp.subject_id, purpose=inp.purpose, code=code,
            recipient_name=inp.recipient.name, recipient_role=inp.recipient.role, phone=phone,
            email=email, locale=inp.recipient.locale, channels=list(inp.channels),
            status="open", created_at=request.opened_at).model_dump()))
    evidence.append_in(conn, inp.subject_id, [evidence.NewEntry(
        subject_id=inp.subject_id, idempotency_key=f"{request.notice_id}:opened",
        at=request.opened_at, actor="system", kind="notice_opened",
        payload={"notice_id": request.notice_id, "purpose": inp.purpose,
                 "recipient": inp.recipient.name, "role": inp.recipient.role,
                 "channels": list(inp.channels), "code": code,
                 # what the notice says: the employee's page renders it from here
                 "template": inp.template, "data": dict(inp.data)})])
    return code


def _free_code(conn: Connection, notice_id: str) -> str:
    """The shortest of the notice's codes no other notice has (a concurrent notice that takes it
    first fails the insert on the unique code, and the retry takes the next)."""
    for length in (6, 8, 10, 12):
        code = notice_code(notice_id, length)
        if conn.execute(select(_NOTICES.c.id).where(_NOTICES.c.code == code)).first() is None:
            break
    return code


def _close(conn: Connection, request: NoticeClose, now: datetime) -> None:
    """The outcome on a row still open (the first answer stands), and its `notice_closed` entry."""
    outcome = request.outcome
    closed_at = outcome.closed_at or now
    row = conn.execute(select(_NOTICES.c.status, _NOTICES.c.answered_at)
                       .where(_NOTICES.c.id == request.notice_id)).first()
    if row is not None and row.status == "open":
        values: dict[str, Any] = {"status": outcome.result, "closed_at": closed_at}
        if outcome.answer is not None and row.answered_at is None:
            values.update(answer=_ANSWER.dump_python(outcome.answer, mode="json"),
                          answered_at=outcome.answer.at)
        conn.execute(update(_NOTICES).where(_NOTICES.c.id == request.notice_id).values(**values))
    evidence.append_in(conn, request.subject_id, [evidence.NewEntry(
        subject_id=request.subject_id, idempotency_key=f"{request.notice_id}:closed",
        at=closed_at, actor="system", kind="notice_closed",
        payload={"notice_id": request.notice_id, "result": outcome.result,
                 "proof": outcome.proof, "unreachable": outcome.unreachable,
                 "attempts": [{"attempt": a.attempt_no, "channel": a.channel,
                               "status": a.status.value, "provider_id": a.provider_id}
                              for a in outcome.attempts]})])
