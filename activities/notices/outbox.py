"""Notification channels. For now one channel: the outbox table (listed at GET /api/v1/outbox)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from temporalio import activity

from domain.onboarding.payloads import Notification
from store.db import session_for
from store.models import OutboxMessage


class NotifyActivities:
    """Sends notifications; the SMS and email channels will sit behind this same interface."""

    def __init__(self, db_url: str) -> None:
        self._db_url = db_url

    @activity.defn(name="notify", no_thread_cancel_exception=True)
    def notify(self, notification: Notification) -> int:
        """Write one outbox message per recipient, once per idempotency key; returns rows written."""
        try:
            return self._write(notification)
        except IntegrityError:
            return self._write(notification)

    def _write(self, n: Notification) -> int:
        with session_for(self._db_url) as session:
            done = set(session.exec(
                select(OutboxMessage.recipient_role).where(
                    OutboxMessage.idempotency_key == n.idempotency_key)
            ).all())
            fresh = [r for r in n.recipients if r.role not in done]
            now = datetime.now(UTC)
            for r in fresh:
                session.add(OutboxMessage(
                    idempotency_key=n.idempotency_key, subject_id=n.subject_id, purpose=n.purpose,
                    recipient_role=r.role, recipient_name=r.name, phone=r.phone, email=r.email,
                    subject=n.subject, body=n.body, created_at=now))
            session.commit()
            return len(fresh)
