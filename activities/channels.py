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
import base64
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any, NamedTuple, cast

import aiohttp
import aiosmtplib
from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client as TwilioClient

from domain.notice_text import Rendered, render, sms_count, sms_rule_for
from domain.notices import Channel, DeliveryStatus, SendRequest, SendResult
from domain.tokens import make_token
from settings import Settings
from store.db import session_for
from store.models import NoticeAttemptRow, NoticeRow, OutboxMessage

log = logging.getLogger("caseguard.channels")

DUPLICATE_WINDOW = timedelta(hours=24)
FINAL_STATES = frozenset({"sent", "failed", "suppressed", "unknown"})
# The first status in Twilio's API response (no callback is ever sent for it).
TWILIO_FIRST_STATUS = {
    "accepted": DeliveryStatus.queued, "queued": DeliveryStatus.queued,
    "scheduled": DeliveryStatus.queued, "sending": DeliveryStatus.sent,
    "sent": DeliveryStatus.sent, "delivered": DeliveryStatus.delivered,
    "undelivered": DeliveryStatus.undelivered, "failed": DeliveryStatus.failed,
}
_EMAIL_MIME = policy.SMTP.clone(cte_type="7bit")  # 7-bit clean: no 8BITMIME needed from the server


@dataclass(frozen=True)
class ChannelConfig:
    """What the channels need from Settings; secrets are kept out of repr."""

    secret_key: str = field(repr=False)
    public_base_url: str = "http://127.0.0.1:8000"
    link_days: int = 30
    hr_phone: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = field(default="", repr=False)
    twilio_from_number: str = ""
    twilio_api_base_url: str = ""  # tests point this at Prism; empty = Twilio itself
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = "Caseguard <caseguard@localhost>"
    smtp_starttls: bool = False
    timeout_seconds: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ChannelConfig:
        """The channel part of the settings."""
        return cls(
            secret_key=settings.secret_key, public_base_url=settings.public_base_url,
            link_days=settings.link_days, hr_phone=settings.hr_phone,
            twilio_account_sid=settings.twilio_account_sid,
            twilio_auth_token=settings.twilio_auth_token,
            twilio_from_number=settings.twilio_from_number,
            twilio_api_base_url=settings.twilio_api_base_url, smtp_host=settings.smtp_host,
            smtp_port=settings.smtp_port, smtp_username=settings.smtp_username,
            smtp_password=settings.smtp_password, smtp_from=settings.smtp_from,
            smtp_starttls=settings.smtp_starttls)

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    @property
    def base_url(self) -> str:
        return self.public_base_url.rstrip("/")


class _Content(NamedTuple):
    subject: str
    body: str
    segments: int


class _Refused(Exception):
    """The provider refused for good (invalid number, 5xx SMTP reply): a failed result."""


class _NotSent(Exception):
    """A transient failure before the provider accepted anything: the retry may send."""


class _Unsure(Exception):
    """The request may have been accepted (connection lost mid-way): never send it again."""


class ChannelActivities:
    """Sends notice attempts; wired with the channel config and the database."""

    def __init__(self, config: ChannelConfig, db_url: str) -> None:
        self._config = config
        self._db_url = db_url

    @activity.defn(name="send_notice")
    async def send_notice(self, request: SendRequest) -> SendResult:
        """Send one attempt at most once per idempotency key; a refusal is a failed result."""
        channel = self._effective_channel(request.channel)
        to = _address(request, channel)
        claimed = await asyncio.to_thread(self._claim, request, channel, to)
        if isinstance(claimed, SendResult):
            return claimed
        attempt_id = claimed
        if not to:
            return await self._finish(attempt_id, "failed", DeliveryStatus.failed, None,
                                      error=f"no {_ADDRESS_NAME[request.channel]} for the "
                                            f"{request.channel} channel")
        try:
            rendered = await asyncio.to_thread(self._compose, request, channel, to)
            earlier = await asyncio.to_thread(self._identical_sms, attempt_id, to, rendered.text) \
                if channel == "sms" else None
        except ValueError as exc:  # a template or data bug: loud, never retried
            await self._finish(attempt_id, "failed", DeliveryStatus.failed, None, error=str(exc))
            raise ApplicationError(str(exc), type="InvalidInput", non_retryable=True) from exc
        except Exception as exc:  # nothing left yet: let the retry send
            await asyncio.to_thread(self._release, attempt_id, f"failed before sending: {exc!r}")
            raise
        segments = sms_count(rendered.text).segments if request.channel == "sms" else 0
        content = _Content(rendered.subject, rendered.text, segments)
        if earlier is not None:
            return await self._finish(
                attempt_id, "suppressed", DeliveryStatus.failed, content,
                error=f"suppressed: the identical text went to {to} at "
                      f"{earlier.isoformat(timespec='seconds')}; carriers filter repeats "
                      f"within {DUPLICATE_WINDOW.total_seconds() / 3600:g} h")
        try:
            provider_id, status = await self._deliver(channel, request, to, rendered)
        except _Refused as exc:
            return await self._finish(attempt_id, "failed", DeliveryStatus.failed, content,
                                      error=str(exc))
        except _Unsure as exc:
            return await self._finish(attempt_id, "unknown", DeliveryStatus.unknown, content,
                                      error=f"not sent again, delivery unknown: {exc}")
        except _NotSent as exc:
            await asyncio.to_thread(self._release, attempt_id, str(exc))
            raise ApplicationError(f"{channel} not reachable, will retry: {exc}",
                                   type="ChannelUnavailable") from exc
        log.info("notice %s attempt %s sent by %s to %s as %s", request.notice_id,
                 request.attempt_no, channel, to, provider_id)
        return await self._finish(attempt_id, "sent", status, content, provider_id=provider_id)

    def _effective_channel(self, channel: Channel) -> Channel:
        """Without credentials for a channel, its messages go to the outbox (`make run`)."""
        if channel == "sms" and not self._config.twilio_configured:
            return "outbox"
        if channel == "email" and not self._config.smtp_configured:
            return "outbox"
        return channel

    async def _deliver(self, channel: Channel, request: SendRequest, to: str,
                       rendered: Rendered) -> tuple[str, DeliveryStatus]:
        if channel == "sms":
            return await self._send_sms(to, rendered.text)
        if channel == "email":
            return await self._send_email(request, to, rendered)
        try:
            return await asyncio.to_thread(self._write_outbox, request, to, rendered)
        except SQLAlchemyError as exc:  # idempotent by key: safe to retry
            raise _NotSent(f"outbox not writable: {exc!r}") from exc

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
                    row.subject, row.body, row.segments = content
                if state in ("sent", "unknown"):
                    row.sent_at = datetime.now(UTC)
                session.add(row)
                session.commit()
                return _result(row)
        return await asyncio.to_thread(write)

    # -- the message ------------------------------------------------------------------------------

    def _compose(self, request: SendRequest, channel: Channel, to: str) -> Rendered:
        """The text of this attempt with a fresh personal link (the SMS form for +86 has none)."""
        with session_for(self._db_url) as session:
            notice = session.get(NoticeRow, request.notice_id)
        if notice is None:
            raise ValueError(f"notice {request.notice_id} has no row: open_notice runs before sends")
        cfg = self._config
        expires = datetime.now(UTC) + timedelta(days=cfg.link_days)
        link = f"{cfg.base_url}/r/{make_token(cfg.secret_key, request.notice_id, expires)}"
        form = "sms" if request.channel == "sms" else "email"  # the outbox shows what would go
        return render(
            request.template, request.recipient.locale, request.data, link=link, code=notice.code,
            pixel_url=f"{link}/o.gif" if channel == "email" else "", channel=form,
            name=request.recipient.name, reminder=request.reminder,
            hr_phone=str(request.data.get("hr_phone") or cfg.hr_phone),
            email_on_file=bool(request.recipient.email),
            sms_rule=sms_rule_for(to) if form == "sms" else None)

    def _identical_sms(self, attempt_id: int, to: str, body: str) -> datetime | None:
        """When the same text last went to this number within the window, if it did."""
        since = datetime.now(UTC) - DUPLICATE_WINDOW
        with session_for(self._db_url) as session:
            earlier = session.exec(select(NoticeAttemptRow).where(
                NoticeAttemptRow.channel == "sms", NoticeAttemptRow.to_address == to,
                NoticeAttemptRow.body == body, col(NoticeAttemptRow.id) != attempt_id,
                col(NoticeAttemptRow.state).in_(("sent", "unknown")),
                col(NoticeAttemptRow.created_at) >= since)).first()
        return (earlier.sent_at or earlier.created_at) if earlier else None

    # -- the providers ------------------------------------------------------------------------------

    async def _send_sms(self, to: str, body: str) -> tuple[str, DeliveryStatus]:
        cfg = self._config
        http = _TwilioHttp(cfg.timeout_seconds)
        try:
            client = TwilioClient(cfg.twilio_account_sid, cfg.twilio_auth_token, http_client=http)
            if cfg.twilio_api_base_url:
                client.api.base_url = cfg.twilio_api_base_url.rstrip("/")
            message = await client.messages.create_async(
                to=to, from_=cfg.twilio_from_number, body=body,
                status_callback=f"{cfg.base_url}/webhooks/twilio/status")
        except TwilioRestException as exc:
            reason = f"Twilio answered {exc.status} (error {exc.code}): {exc.msg}"
            if exc.status == 429 or exc.status >= 500:
                raise _NotSent(reason) from exc
            raise _Refused(reason) from exc
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise _NotSent(f"cannot connect to Twilio: {exc}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _Unsure(f"the Twilio request was cut off: {exc!r}") from exc
        finally:
            await http.close()
        status = TWILIO_FIRST_STATUS.get(str(message.status), DeliveryStatus.queued)
        if not message.sid:
            raise _Unsure("Twilio accepted the message without a SID")
        return message.sid, status

    async def _send_email(self, request: SendRequest, to: str,
                          rendered: Rendered) -> tuple[str, DeliveryStatus]:
        cfg = self._config
        message_id = _message_id(request.idempotency_key, cfg.smtp_from)
        raw = _email(cfg.smtp_from, request.recipient.name, to, rendered, message_id)
        smtp = aiosmtplib.SMTP(hostname=cfg.smtp_host, port=cfg.smtp_port,
                               username=cfg.smtp_username or None,
                               password=cfg.smtp_password or None,
                               start_tls=cfg.smtp_starttls, timeout=cfg.timeout_seconds)
        try:
            try:  # nothing is accepted before DATA completes: any failure here may be retried
                await smtp.connect()
                await smtp.mail(parseaddr(cfg.smtp_from)[1])
                await smtp.rcpt(to)
            except aiosmtplib.SMTPResponseException as exc:
                raise _smtp_refusal(exc) from exc
            except (aiosmtplib.SMTPException, OSError) as exc:
                raise _NotSent(f"SMTP server not reachable: {exc!r}") from exc
            try:
                await smtp.data(raw)
            except aiosmtplib.SMTPResponseException as exc:
                raise _smtp_refusal(exc) from exc
            except (aiosmtplib.SMTPException, OSError) as exc:
                raise _Unsure(f"the SMTP connection broke during DATA: {exc!r}") from exc
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                pass  # accepted already
        finally:
            smtp.close()
        return message_id, DeliveryStatus.sent

    def _write_outbox(self, request: SendRequest, to: str,
                      rendered: Rendered) -> tuple[str, DeliveryStatus]:
        """One outbox row per key and recipient; the SMS form is marked as such."""
        label = "[SMS] " if request.channel == "sms" else ""
        recipient = request.recipient
        key, role = request.idempotency_key, recipient.role

        def existing() -> OutboxMessage | None:
            with session_for(self._db_url) as session:
                return session.exec(select(OutboxMessage).where(
                    OutboxMessage.idempotency_key == key,
                    OutboxMessage.recipient_role == role)).first()

        row = existing()
        if row is None:
            with session_for(self._db_url) as session:
                row = OutboxMessage(
                    idempotency_key=key, subject_id=request.subject_id, purpose=request.purpose,
                    recipient_role=role, recipient_name=recipient.name, phone=recipient.phone,
                    email=recipient.email, subject=label + rendered.subject, body=rendered.text,
                    created_at=datetime.now(UTC))
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    row = existing()
        assert row is not None and row.id is not None
        return f"outbox:{row.id}", DeliveryStatus.sent


_ADDRESS_NAME = {"sms": "phone number", "email": "email address", "outbox": "address"}


def _address(request: SendRequest, channel: Channel) -> str:
    """The address of the requested channel (the outbox keeps the one it stands in for)."""
    recipient = request.recipient
    if request.channel == "sms":
        return recipient.phone or ""
    if request.channel == "email":
        return recipient.email or ""
    return recipient.email or recipient.phone or recipient.name


def _result(row: NoticeAttemptRow) -> SendResult:
    return SendResult(channel=row.channel,  # type: ignore[arg-type]
                      status=DeliveryStatus(row.status), provider_id=row.provider_id,
                      to=row.to_address, segments=row.segments, error=row.error)


def _message_id(idempotency_key: str, sender: str) -> str:
    """One Message-ID per attempt, derived from its key (a resend would carry the same id)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "caseguard.invalid"
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}.notice@{domain}>"


def _email(sender: str, name: str, to: str, rendered: Rendered, message_id: str) -> bytes:
    """A text + HTML message asking for a read receipt (MDN) to the sender (HR)."""
    message = EmailMessage(policy=_EMAIL_MIME)
    message["From"] = sender
    message["To"] = formataddr((name, to))
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    message["Disposition-Notification-To"] = sender
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message.as_bytes()


def _smtp_refusal(exc: aiosmtplib.SMTPResponseException) -> Exception:
    reason = f"SMTP server answered {exc.code}: {exc.message}"
    return _NotSent(reason) if 400 <= exc.code < 500 else _Refused(reason)


class _TwilioHttp(AsyncTwilioHttpClient):  # type: ignore[misc]
    """Twilio's async HTTP client with connect and total timeouts."""

    def __init__(self, timeout: float) -> None:
        super().__init__(pool_connections=False)
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout, connect=min(10.0, timeout)))

    async def request(self, method: str, url: str, params: dict[str, object] | None = None,
                      data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
                      auth: tuple[str, str] | None = None, timeout: float | None = None,
                      allow_redirects: bool = False) -> Response:
        if auth is not None:  # aiohttp deprecates BasicAuth objects: send the header ourselves
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers = {**(headers or {}), "Authorization": f"Basic {token}"}
        return await super().request(method, url, params, data, headers, None, timeout,
                                     allow_redirects)
