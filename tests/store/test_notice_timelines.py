"""Many notices' attempts and receipts read at once (store.notices.timelines), as a case's page
and bundle show them: the same as each notice's own timeline, in a few queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from store import notices
from store.db import session_for
from store.models import NoticeAttemptRow, NoticeReceiptRow, NoticeRow

SENT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _notice(session, notice_id: str, attempts: int) -> None:  # type: ignore[no-untyped-def]
    session.add(NoticeRow(id=notice_id, subject_id="case-C1", purpose="return_to_work",
                          code=notice_id[-7:], recipient_name="张三", recipient_role="employee",
                          channels=["sms", "email"], status="open", created_at=SENT))
    for n in range(attempts, 0, -1):  # written newest first: the read puts them in order
        session.add(NoticeAttemptRow(idempotency_key=f"{notice_id}:{n}", notice_id=notice_id,
                                     attempt_no=n, channel="sms", state="sent",
                                     status="delivered", created_at=SENT, sent_at=SENT))
    session.commit()
    for attempt in session.exec(select(NoticeAttemptRow).where(
            NoticeAttemptRow.notice_id == notice_id)).all():
        for minutes, status in ((5, "read"), (1, "delivered")):
            session.add(NoticeReceiptRow(attempt_id=attempt.id, notice_id=notice_id,
                                         status=status, at=SENT + timedelta(minutes=minutes),
                                         source="twilio"))
    session.commit()


@pytest.mark.parametrize("count", [3, notices._IDS_PER_QUERY + 2])
def test_timelines_are_each_notices_timeline(db_url: str, count: int):
    ids = [f"ntc-{n:07d}" for n in range(count)]
    with session_for(db_url) as session:
        for n, notice_id in enumerate(ids):
            _notice(session, notice_id, attempts=n % 3)
    found = notices.timelines(db_url, [*ids, "ntc-unknown"])
    assert found["ntc-unknown"] == ([], [])
    for notice_id in (ids[0], ids[1], ids[2], ids[-1]):
        attempts, receipts = notices.timeline(db_url, notice_id)
        got_attempts, got_receipts = found[notice_id]
        assert [a.id for a in got_attempts] == [a.id for a in attempts]
        assert [a.attempt_no for a in got_attempts] == sorted(a.attempt_no for a in attempts)
        assert sorted(r.id for r in got_receipts) == sorted(r.id for r in receipts)
        assert [r.at for r in got_receipts] == sorted(r.at for r in receipts)  # oldest first
        assert len(got_receipts) == 2 * len(got_attempts)


def test_no_notices_read_nothing(db_url: str):
    assert notices.timelines(db_url, []) == {}
