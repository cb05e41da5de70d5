"""Notice channels behind one activity: Twilio SMS, SMTP email and the outbox (`make run` default).

A send is claimed in the database before anything leaves: one idempotency key is one attempt row,
so a retried activity never sends twice. The row's `state` guards the send:
  sending → sent | failed | suppressed | unknown   (final: a retry returns the stored result)
  sending → retryable → sending                   (a transient failure before the provider accepted)
A row still `sending` when a retry arrives means an earlier try died mid-send: it becomes `unknown`
and nothing is sent again (the workflow falls back to its next channel).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.notices import china
from activities.notices.providers import ChannelConfig, NotSent, Refused, Unsure, send_email, send_sms
from domain.notices.payloads import Channel, DeliveryStatus, SendRequest, SendResult
from domain.notices.text import Rendered, render, sms_count, sms_rule_for, withhold_link
from domain.shared.identity import mask_address
from domain.shared.tokens import LinkParams, new_link, token_for
from store.db import reading, session_for
from store.models import NoticeAttemptRow, NoticeRow, OutboxMessage
from store.recipients import addressed

log = logging.getLogger("caseguard.channels")

DUPLICATE_WINDOW = timedelta(hours=24)
FINAL_STATES = frozenset({"sent", "failed", "suppressed", "unknown"})


class _Content(NamedTuple):
    subject: str
    body: str  # as stored: the personal link withheld
    segments: int
    link: LinkParams | None


class _Composed(NamedTuple):
    rendered: Rendered  # as sent
    link: LinkParams
    url: str
    code: str = ""  # the notice's code (Aliyun SMS templates carry it)

    @property
    def stored_text(self) -> str:
        return withhold_link(self.rendered.text, self.url)


class ChannelActivities:
    """Sends notice attempts; wired with the channel config and the database."""

    def __init__(self, config: ChannelConfig, db_url: str) -> None:
        self._config = config
        self._db_url = db_url

    @activity.defn(name="send_notice", no_thread_cancel_exception=True)
    async def send_notice(self, request: SendRequest) -> SendResult:
        """Send one attempt at most once per idempotency key; a refusal is a failed result."""
        if request.recipient.person_id is not None or request.recipient.employee_id is not None:
            request = await asyncio.to_thread(self._addressed, request)
        channel = self._effective_channel(request.channel, request.recipient.phone)
        to = _address(request, channel)
        claimed = await asyncio.to_thread(self._claim, request, channel, to)
        if isinstance(claimed, SendResult):
            return china.pulls(self._config, claimed)
        attempt_id = claimed
        if not to:
            return await self._finish(attempt_id, "failed", DeliveryStatus.failed, None,
                                      error=f"no {_ADDRESS_NAME[request.channel]} for the "
                                            f"{request.channel} channel")
        try:
            composed = await asyncio.to_thread(self._compose, request, channel, to)
            rendered = composed.rendered
            # A text with a link is unique (its nonce); only a text without one can repeat.
            earlier = await asyncio.to_thread(self._identical_sms, attempt_id, to, rendered.text) \
                if channel == "sms" and composed.url not in rendered.text else None
        except ValueError as exc:  # a template or data bug: loud, never retried
            await self._finish(attempt_id, "failed", DeliveryStatus.failed, None, error=str(exc))
            raise ApplicationError(str(exc), type="InvalidInput", non_retryable=True) from exc
        except Exception as exc:  # nothing left yet: let the retry send
            await asyncio.to_thread(self._release, attempt_id, f"failed before sending: {exc!r}")
            raise
        segments = sms_count(rendered.text).segments if request.channel == "sms" else 0
        content = _Content(rendered.subject, composed.stored_text, segments, composed.link)
        if channel == "sms" and china.aliyun_carries(self._config, to):  # a template, no link
            content = _Content(rendered.subject, china.aliyun_stored_text(
                self._config, request, composed.code), segments, None)
        if earlier is not None:
            return await self._finish(
                attempt_id, "suppressed", DeliveryStatus.failed, content,
                error=f"suppressed: the identical text went to {to} at "
                      f"{earlier.isoformat(timespec='seconds')}; carriers filter repeats "
                      f"within {DUPLICATE_WINDOW.total_seconds() / 3600:g} h")
        try:
            provider_id, status = await self._deliver(channel, request, to, composed)
        except Refused as exc:
            return await self._finish(attempt_id, "failed", DeliveryStatus.failed, content,
                                      error=str(exc))
        except Unsure as exc:
            return await self._finish(attempt_id, "unknown", DeliveryStatus.unknown, content,
                                      error=f"not sent again, delivery unknown: {exc}")
        except NotSent as exc:
            await asyncio.to_thread(self._release, attempt_id, str(exc))
            raise ApplicationError(f"{channel} not reachable, will retry: {exc}",
                                   type="ChannelUnavailable") from exc
        log.info("notice %s attempt %s sent by %s to %s as %s", request.notice_id,
                 request.attempt_no, channel, mask_address(to), provider_id)
        return china.pulls(self._config, await self._finish(attempt_id, "sent", status, content,
                                                            provider_id=provider_id))

    def _addressed(self, request: SendRequest) -> SendRequest:
        """The recipient's addresses as the directory or the employee record holds them now."""
        return replace(request, recipient=addressed(self._db_url, request.recipient))

    def _effective_channel(self, channel: Channel, phone: str | None = None) -> Channel:
        """Without credentials for a channel, its messages go to the outbox (`make run`)."""
        if channel == "sms" and not self._config.twilio_configured \
                and not china.aliyun_carries(self._config, phone):
            return "outbox"
        if (channel == "wecom" and not self._config.wecom_configured) or \
                (channel == "dingtalk" and not self._config.dingtalk_configured):
            return "outbox"
        if channel == "email" and not self._config.smtp_configured:
            return "outbox"
        return channel

    async def _deliver(self, channel: Channel, request: SendRequest, to: str,
                       composed: _Composed) -> tuple[str, DeliveryStatus]:
        if channel in ("wecom", "dingtalk") or (
                channel == "sms" and china.aliyun_carries(self._config, to)):
            return await china.deliver(self._config, request, to, composed.rendered,
                                       composed.url, composed.code)
        if channel == "sms":
            return await send_sms(self._config, to, composed.rendered.text)
        if channel == "email":
            return await send_email(self._config, request, to, composed.rendered)
        try:  # the outbox is no delivery to the person: it shows the text, never the link
            return await asyncio.to_thread(self._write_outbox, request, to,
                                           composed.rendered.subject, composed.stored_text)
        except SQLAlchemyError as exc:  # idempotent by key: safe to retry
            raise NotSent(f"outbox not writable: {exc!r}") from exc

    # -- the claim ------------------------------------------------------------------------------

    def _claim(self, request: SendRequest, channel: Channel, to: str) -> int | SendResult:
        """The attempt's row id when this call may send, else the stored result."""
        key = request.idempotency_key
        with session_for(self._db_url) as session:
            row = session.exec(select(NoticeAttemptRow).where(
                NoticeAttemptRow.idempotency_key == key)).first()
            if row is None:
                row = NoticeAttemptRow(
                    idempotency_key=key, notice_id=request.notice_id,
                    attempt_no=request.attempt_no, channel=channel, to_address=to,
                    reminder=request.reminder, state="sending", status=DeliveryStatus.pending.value,
                    created_at=datetime.now(UTC))
                session.add(row)
                try:
                    session.commit()
                    assert row.id is not None
                    return row.id
                except IntegrityError:
                    session.rollback()
                    row = session.exec(select(NoticeAttemptRow).where(
                        NoticeAttemptRow.idempotency_key == key)).first()
                    if row is None:  # (notice_id, attempt_no) taken under another key
                        raise
            if row.state in FINAL_STATES:
                return _result(row)
            if row.state == "sending":
                row.state, row.status = "unknown", DeliveryStatus.unknown.value
                row.error = "an earlier try stopped while sending: not sent again, delivery unknown"
                session.add(row)
                session.commit()
                return _result(row)
            taken = cast(CursorResult[Any], session.execute(  # retryable → sending, once
                update(NoticeAttemptRow)
                .where(col(NoticeAttemptRow.id) == row.id, col(NoticeAttemptRow.state) == "retryable")
                .values(state="sending"))).rowcount
            session.commit()
        if taken != 1:
            return self._claim(request, channel, to)
        assert row.id is not None
        return row.id

    def _release(self, attempt_id: int, error: str) -> None:
        with session_for(self._db_url) as session:
            row = session.get(NoticeAttemptRow, attempt_id)
            assert row is not None
            row.state, row.error = "retryable", error
            session.add(row)
            session.commit()

    async def _finish(self, attempt_id: int, state: str, status: DeliveryStatus,
                      content: _Content | None, *, provider_id: str | None = None,
                      error: str = "") -> SendResult:
        def write() -> SendResult:
            with session_for(self._db_url) as session:
                row = session.get(NoticeAttemptRow, attempt_id)
                assert row is not None
                row.state, row.status, row.provider_id, row.error = state, status.value, \
                    provider_id, error
                if content is not None:
                    row.subject, row.body, row.segments = content.subject, content.body, \
                        content.segments
                    if content.link is not None:
                        row.link_expires, row.link_nonce = content.link.expires, content.link.nonce
                if state in ("sent", "unknown"):
                    row.sent_at = datetime.now(UTC)
                session.add(row)
                session.commit()
                return _result(row)
        return await asyncio.to_thread(write)

    # -- the message ------------------------------------------------------------------------------

    def _compose(self, request: SendRequest, channel: Channel, to: str) -> _Composed:
        """The text of this attempt with a fresh personal link (the SMS form for +86 has none)."""
        with reading(self._db_url) as session:
            notice = session.get(NoticeRow, request.notice_id)
        if notice is None:
            raise ValueError(f"notice {request.notice_id} has no row: open_notice runs before sends")
        cfg = self._config
        params = new_link(request.notice_id, datetime.now(UTC) + timedelta(days=cfg.link_days))
        link = f"{cfg.base_url}/r/{token_for(cfg.secret_key, params)}"
        form = "sms" if request.channel == "sms" else "email"  # the outbox shows what would go
        return _Composed(render(
            request.template, request.recipient.locale, request.data, link=link, code=notice.code,
            pixel_url=f"{link}/o.gif" if channel == "email" else "", channel=form,
            name=request.recipient.name, reminder=request.reminder,
            hr_phone=str(request.data.get("hr_phone") or cfg.hr_phone),
            email_on_file=bool(request.recipient.email), companion=request.companion,
            sms_rule=sms_rule_for(to) if form == "sms" else None), params, link, notice.code)

    def _identical_sms(self, attempt_id: int, to: str, body: str) -> datetime | None:
        """When the same text last went to this number within the window, if it did."""
        since = datetime.now(UTC) - DUPLICATE_WINDOW
        with reading(self._db_url) as session:
            earlier = session.exec(select(NoticeAttemptRow).where(
                NoticeAttemptRow.channel == "sms", NoticeAttemptRow.to_address == to,
                NoticeAttemptRow.body == body, col(NoticeAttemptRow.id) != attempt_id,
                col(NoticeAttemptRow.state).in_(("sent", "unknown")),
                col(NoticeAttemptRow.created_at) >= since)).first()
        return (earlier.sent_at or earlier.created_at) if earlier else None

    def _write_outbox(self, request: SendRequest, to: str, subject: str,
                      body: str) -> tuple[str, DeliveryStatus]:
        """One outbox row per key and recipient; the SMS form is marked as such."""
        label = "[SMS] " if request.channel == "sms" else ""
        recipient = request.recipient
        key, role = request.idempotency_key, recipient.role

        def existing() -> OutboxMessage | None:
            with reading(self._db_url) as session:
                return session.exec(select(OutboxMessage).where(
                    OutboxMessage.idempotency_key == key,
                    OutboxMessage.recipient_role == role)).first()

        row = existing()
        if row is None:
            with session_for(self._db_url) as session:
                row = OutboxMessage(
                    idempotency_key=key, subject_id=request.subject_id, purpose=request.purpose,
                    recipient_role=role, recipient_name=recipient.name, phone=recipient.phone,
                    email=recipient.email, subject=label + subject, body=body,
                    created_at=datetime.now(UTC))
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    row = existing()
        assert row is not None and row.id is not None
        return f"outbox:{row.id}", DeliveryStatus.sent


_ADDRESS_NAME = {"sms": "phone number", "email": "email address", "outbox": "address",
                 "wecom": "WeCom user id", "dingtalk": "DingTalk user id"}


def _address(request: SendRequest, channel: Channel) -> str:
    """The address of the requested channel (the outbox keeps the one it stands in for)."""
    recipient = request.recipient
    if request.channel == "sms":
        return recipient.phone or ""
    if request.channel == "email":
        return recipient.email or ""
    if request.channel in ("wecom", "dingtalk"):
        return (recipient.wecom_user_id if request.channel == "wecom"
                else recipient.dingtalk_user_id) or ""
    return recipient.email or recipient.phone or recipient.name


def _result(row: NoticeAttemptRow) -> SendResult:
    return SendResult(channel=row.channel,  # type: ignore[arg-type]  # stored from a Channel
                      status=DeliveryStatus(row.status), provider_id=row.provider_id,
                      to=row.to_address, segments=row.segments, error=row.error)
