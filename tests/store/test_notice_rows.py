"""A notice's row and its ledger entries: each opened and closed once, row and entry in one
transaction, a retry writing only what is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from activities.notices.store import NoticeActivities, notice_code
from domain.notices.payloads import (
    Answer,
    NoticeClose,
    NoticeInput,
    NoticeOpen,
    NoticeOutcome,
    NoticeRecipient,
)
from store.db import session_for
from store.models import EvidenceEntry, NoticeRow

AT = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SUBJECT = "case-C1001"


def opening(notice_id: str = "notice-1") -> NoticeOpen:
    return NoticeOpen(notice_id=notice_id, opened_at=AT, input=NoticeInput(
        subject_id=SUBJECT, purpose="materials_request", template="materials_request",
        data={"items": ["诊断证明"]}, channels=("sms", "email"),
        recipient=NoticeRecipient(name="张三", phone="13800138000", email="zs@example.com")))


def closing(result: Any = "acknowledged", answer_at: datetime | None = AT + timedelta(hours=1),
            notice_id: str = "notice-1") -> NoticeClose:
    answer = Answer(at=answer_at, channel="sms", choice="confirm") if answer_at else None
    return NoticeClose(notice_id=notice_id, subject_id=SUBJECT, outcome=NoticeOutcome(
        notice_id=notice_id, result=result, proof="reply", attempts=(), answer=answer,
        closed_at=AT + timedelta(hours=2)))


def stored(db_url: str) -> tuple[list[NoticeRow], list[EvidenceEntry]]:
    with session_for(db_url) as session:
        return (list(session.exec(select(NoticeRow)).all()),
                list(session.exec(select(EvidenceEntry).order_by(EvidenceEntry.seq)).all()))


def forget_entries(db_url: str) -> None:
    with session_for(db_url) as session:
        for entry in session.exec(select(EvidenceEntry)).all():
            session.delete(entry)
        session.commit()


def test_a_notice_opened_twice_is_one_row_and_one_entry(db_url: str):
    notices = NoticeActivities(db_url)
    code = notices.open_notice(opening())
    assert notices.open_notice(opening()) == code == notice_code("notice-1")
    rows, entries = stored(db_url)
    assert [(r.id, r.code, r.status, r.phone, r.channels) for r in rows] == [
        ("notice-1", code, "open", "13800138000", ["sms", "email"])]
    assert [(e.kind, e.idempotency_key, e.payload["code"]) for e in entries] == [
        ("notice_opened", "notice-1:opened", code)]


def test_a_code_another_notice_holds_gives_this_one_a_longer_code(db_url: str):
    notices = NoticeActivities(db_url)
    with session_for(db_url) as session:
        session.add(NoticeRow(id="notice-0", subject_id=SUBJECT, purpose="x",
                              code=notice_code("notice-1"), recipient_name="李四",
                              recipient_role="employee", created_at=AT))
        session.commit()
    assert notices.open_notice(opening()) == notice_code("notice-1", 8)


def test_a_row_opened_without_its_entry_gets_it_on_the_retry(db_url: str):
    notices = NoticeActivities(db_url)
    code = notices.open_notice(opening())
    forget_entries(db_url)
    assert notices.open_notice(opening()) == code
    rows, entries = stored(db_url)
    assert len(rows) == 1 and [e.kind for e in entries] == ["notice_opened"]


def test_the_close_records_the_outcome_and_its_entry_once(db_url: str):
    notices = NoticeActivities(db_url)
    notices.open_notice(opening())
    notices.close_notice(closing())
    notices.close_notice(closing("unacknowledged", answer_at=None))  # a retry, or a late one
    rows, entries = stored(db_url)
    row = rows[0]
    assert (row.status, row.closed_at, row.answered_at) == (
        "acknowledged", AT + timedelta(hours=2), AT + timedelta(hours=1))
    assert row.answer is not None and row.answer["choice"] == "confirm"
    assert [(e.kind, e.at) for e in entries] == [
        ("notice_opened", AT), ("notice_closed", AT + timedelta(hours=2))]
    assert entries[1].payload["result"] == "acknowledged"


@pytest.mark.parametrize("step", ["open", "close"])
def test_a_row_and_its_entry_are_written_together_or_not_at_all(
        db_url: str, step: str, monkeypatch: pytest.MonkeyPatch):
    notices = NoticeActivities(db_url)
    if step == "close":
        notices.open_notice(opening())
    before = stored(db_url)

    def ledger_down(*_: Any) -> int:
        raise RuntimeError("the ledger's insert failed")

    monkeypatch.setattr("store.evidence.append_in", ledger_down)
    with pytest.raises(RuntimeError):
        notices.open_notice(opening()) if step == "open" else notices.close_notice(closing())
    rows, entries = stored(db_url)
    assert ([(r.id, r.status) for r in rows], len(entries)) == (
        [(r.id, r.status) for r in before[0]], len(before[1]))
