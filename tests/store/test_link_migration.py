"""Migration 0010 withholds the links stored before it and keeps each attempt's own parameters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text

from domain.notices.text import LINK_WITHHELD
from domain.shared.tokens import make_token, read_link
from store.db import alembic_config, engine_for, session_for
from store.models import NoticeAttemptRow, OutboxMessage

SECRET = "s" * 40


def test_stored_links_are_withheld_and_their_parameters_kept(db_url: str):
    config = alembic_config(db_url)
    command.downgrade(config, "0009")
    token = make_token(SECRET, "notice-1", datetime.now(UTC) + timedelta(days=30))
    link = f"https://caseguard.example.com/r/{token}"
    body = f"张三您好：\n请打开以下链接确认或答复：\n{link}\n通知编号：K7M2QX"
    now = datetime.now(UTC)
    with engine_for(db_url).begin() as conn:
        conn.execute(text(
            "INSERT INTO notice_attempts (idempotency_key, notice_id, attempt_no, channel, "
            "to_address, reminder, state, status, segments, error, subject, body, created_at) "
            "VALUES ('notice-1:attempt:1', 'notice-1', 1, 'email', 'zs@example.com', false, "
            "'sent', 'sent', 0, '', '复工通知', :body, :now)"), {"body": body, "now": now})
        conn.execute(text(
            "INSERT INTO outbox (idempotency_key, subject_id, purpose, recipient_role, "
            "recipient_name, subject, body, created_at) VALUES ('notice-1:attempt:1', 'case-1', "
            "'return_to_work', 'employee', '张三', '复工通知', :body, :now)"),
            {"body": body, "now": now})
    command.upgrade(config, "head")

    with session_for(db_url) as session:
        attempt = session.get(NoticeAttemptRow, 1)
        outbox = session.get(OutboxMessage, 1)
    assert attempt is not None and outbox is not None
    for stored in (attempt.body, outbox.body):
        assert token not in stored and LINK_WITHHELD in stored and "K7M2QX" in stored
    params = read_link(SECRET, token, datetime.now(UTC))
    assert (attempt.link_expires, attempt.link_nonce) == (params.expires, params.nonce)
