"""Receipts and answers of notices as the webhooks and the employee page record them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import CursorResult, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from domain.notices.payloads import Answer, DeliveryStatus
from domain.notices.rules import advances
from domain.shared.tokens import LinkParams
from store import evidence
from store.db import reading, session_for
from store.models import (
    EvidenceEntry,
    NoticeAttemptRow,
    NoticeReceiptRow,
    NoticeRow,
    WebhookMessageRow,
)

_ANSWER = TypeAdapter(Answer)


@dataclass(frozen=True)
class Recorded:
    notice_id: str
    subject_id: str
    attempt_no: int
    new: bool  # False for a duplicate report: nothing was written


def attempt_by_provider_id(db_url: str, provider_id: str) -> NoticeAttemptRow | None:
    with reading(db_url) as session:
        return session.exec(select(NoticeAttemptRow).where(
            NoticeAttemptRow.provider_id == provider_id)).first()


def latest_attempt(db_url: str, notice_id: str, channel: str | None = None) -> NoticeAttemptRow | None:
    """The newest attempt of a notice, on `channel` when there is one on it."""
    with reading(db_url) as session:
        query = select(NoticeAttemptRow).where(NoticeAttemptRow.notice_id == notice_id)
        rows = session.exec(query.order_by(col(NoticeAttemptRow.attempt_no).desc())).all()
    preferred = [r for r in rows if channel is None or r.channel == channel] or list(rows)
    return preferred[0] if preferred else None


def attempt_of_link(db_url: str, notice_id: str, nonce: str) -> NoticeAttemptRow | None:
    """The attempt that carried the link with this nonce; else (a link older than the stored
    nonces) the newest email attempt, as before."""
    with reading(db_url) as session:
        row = session.exec(select(NoticeAttemptRow).where(
            NoticeAttemptRow.notice_id == notice_id, NoticeAttemptRow.link_nonce == nonce)).first()
    return row or latest_attempt(db_url, notice_id, "email")


def newest_link(db_url: str, notice_id: str) -> tuple[int, LinkParams] | None:
    """The newest attempt of a notice that carried a link, with the link's parameters."""
    with reading(db_url) as session:
        row = session.exec(select(NoticeAttemptRow).where(
            NoticeAttemptRow.notice_id == notice_id, col(NoticeAttemptRow.link_nonce).is_not(None))
            .order_by(col(NoticeAttemptRow.attempt_no).desc())).first()
    if row is None or row.link_nonce is None or row.link_expires is None:
        return None
    return row.attempt_no, LinkParams(notice_id, row.link_expires, row.link_nonce)


def record_answer(db_url: str, notice: NoticeRow, answer: Answer, actor: str) -> bool:
    """Keep the notice's first answer, with its evidence; False when it was answered already (then
    nothing is written). Only the first answer may be signalled to the notice's workflow."""
    with session_for(db_url) as session:
        claimed = cast(CursorResult[Any], session.execute(
            update(NoticeRow)
            .where(col(NoticeRow.id) == notice.id, col(NoticeRow.answered_at).is_(None))
            .values(answered_at=answer.at, answer=_ANSWER.dump_python(answer, mode="json"))
        )).rowcount
        session.commit()
    if claimed != 1:
        return False
    evidence.append(db_url, evidence.NewEntry(
        subject_id=notice.subject_id, idempotency_key=f"{notice.id}:answer", at=answer.at,
        actor=actor, kind="notice_answered",
        payload={"notice_id": notice.id, "channel": answer.channel, "choice": answer.choice,
                 "text": answer.text,
                 "return_date": answer.return_date.isoformat() if answer.return_date else None,
                 "after_window": notice.status != "open"}))
    return True


def first_delivery(db_url: str, provider: str, kind: str, key: str) -> bool:
    """Whether this provider callback is seen for the first time (it is then remembered)."""
    with session_for(db_url) as session:
        session.add(WebhookMessageRow(provider=provider, kind=kind, message_key=key,
                                      received_at=datetime.now(UTC)))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def forget_delivery(db_url: str, provider: str, kind: str, key: str) -> None:
    """Forget a callback whose handling failed, so the provider's retry is handled."""
    with session_for(db_url) as session:
        session.execute(delete(WebhookMessageRow).where(
            col(WebhookMessageRow.provider) == provider, col(WebhookMessageRow.kind) == kind,
            col(WebhookMessageRow.message_key) == key))
        session.commit()


def record_receipt(db_url: str, attempt: NoticeAttemptRow, status: DeliveryStatus, source: str,
                   at: datetime, error_code: str = "") -> Recorded:
    """Store a report once; the attempt's status only ever moves forward."""
    assert attempt.id is not None
    with session_for(db_url) as session:
        notice = session.get(NoticeRow, attempt.notice_id)
        assert notice is not None
        notice_id, subject_id = notice.id, notice.subject_id
        session.add(NoticeReceiptRow(attempt_id=attempt.id, notice_id=attempt.notice_id,
                                     status=status.value, source=source, error_code=error_code,
                                     at=at))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return Recorded(notice_id, subject_id, attempt.attempt_no, new=False)
        row = session.get(NoticeAttemptRow, attempt.id)
        if row is not None and advances(DeliveryStatus(row.status), status):
            row.status = status.value
            session.add(row)
            session.commit()
    evidence.append(db_url, evidence.NewEntry(
        subject_id=subject_id, idempotency_key=f"{notice_id}:{attempt.id}:{status}:{source}",
        at=at, actor=source, kind="notice_receipt",
        payload={"notice_id": notice_id, "attempt": attempt.attempt_no, "channel": attempt.channel,
                 "status": status.value, "provider_id": attempt.provider_id,
                 "error_code": error_code}))
    return Recorded(notice_id, subject_id, attempt.attempt_no, new=True)


def open_notice_for_phone(db_url: str, phone: str) -> NoticeRow | None:
    """The newest open notice to this phone number: where an SMS reply belongs."""
    with reading(db_url) as session:
        return session.exec(select(NoticeRow).where(NoticeRow.phone == phone,
                                                    NoticeRow.status == "open")
                            .order_by(col(NoticeRow.created_at).desc())).first()


def notice(db_url: str, notice_id: str) -> NoticeRow | None:
    with reading(db_url) as session:
        return session.get(NoticeRow, notice_id)


def timeline(db_url: str, notice_id: str) -> tuple[list[NoticeAttemptRow], list[NoticeReceiptRow]]:
    with reading(db_url) as session:
        attempts = session.exec(select(NoticeAttemptRow).where(
            NoticeAttemptRow.notice_id == notice_id).order_by(col(NoticeAttemptRow.attempt_no))).all()
        receipts = session.exec(select(NoticeReceiptRow).where(
            NoticeReceiptRow.notice_id == notice_id).order_by(col(NoticeReceiptRow.at))).all()
    return list(attempts), list(receipts)


Timeline = tuple[list[NoticeAttemptRow], list[NoticeReceiptRow]]
_IDS_PER_QUERY = 500  # well under SQLite's and PostgreSQL's limits on a statement's parameters


def timelines(db_url: str, notice_ids: Sequence[str]) -> dict[str, Timeline]:
    """`timeline` of each notice, in two queries for up to 500 notices, not two a notice: a
    14-month case's page and bundle show some 60 notices."""
    found: dict[str, Timeline] = {notice_id: ([], []) for notice_id in notice_ids}
    ids = list(found)
    with reading(db_url) as session:
        for start in range(0, len(ids), _IDS_PER_QUERY):
            some = ids[start:start + _IDS_PER_QUERY]
            for attempt in session.exec(select(NoticeAttemptRow).where(
                    col(NoticeAttemptRow.notice_id).in_(some))
                    .order_by(col(NoticeAttemptRow.attempt_no))):
                found[attempt.notice_id][0].append(attempt)
            for receipt in session.exec(select(NoticeReceiptRow).where(
                    col(NoticeReceiptRow.notice_id).in_(some))
                    .order_by(col(NoticeReceiptRow.at))):
                found[receipt.notice_id][1].append(receipt)
    return found


def notices_of(db_url: str, subject_id: str) -> list[NoticeRow]:
    with reading(db_url) as session:
        return list(session.exec(select(NoticeRow).where(NoticeRow.subject_id == subject_id)
                                 .order_by(col(NoticeRow.created_at))).all())


def attempt_by_number(db_url: str, notice_id: str, attempt_no: int) -> NoticeAttemptRow | None:
    """One attempt of a notice by its number (a WeCom card's task id names it)."""
    with reading(db_url) as session:
        return session.exec(select(NoticeAttemptRow).where(
            NoticeAttemptRow.notice_id == notice_id,
            NoticeAttemptRow.attempt_no == attempt_no)).first()


@dataclass(frozen=True)
class NoticeContent:
    template: str
    data: dict[str, Any]


def content(db_url: str, notice: NoticeRow) -> NoticeContent | None:
    """What a notice says (its template and data), as its `notice_opened` evidence recorded it;
    None for a notice opened before that was recorded, or whose entry retention redacted."""
    with reading(db_url) as session:
        entry = session.exec(select(EvidenceEntry).where(
            EvidenceEntry.subject_id == notice.subject_id,
            EvidenceEntry.idempotency_key == f"{notice.id}:opened")).first()
    payload = entry.payload if entry is not None else None
    if not isinstance(payload, dict) or not isinstance(payload.get("template"), str) \
            or not isinstance(payload.get("data"), dict):
        return None
    return NoticeContent(template=payload["template"], data=dict(payload["data"]))
