"""Provider callbacks: Twilio status reports and SMS replies, verified by their signature and
handled once each: an SMS by its MessageSid, a status report by its MessageSid and MessageStatus
(webhook_messages). A signed request replayed later answers 200 and records nothing."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import Response
from temporalio.client import Client
from temporalio.service import RPCError
from twilio.request_validator import RequestValidator

from api.deps import SettingsDep, TemporalDep
from api.errors import ApiError
from domain.notices.payloads import Answer, DeliveryStatus, Receipt
from domain.shared.identity import mask_phone
from domain.shared.input_rules import without_controls
from settings import Settings
from store import evidence
from store import notices as store

router = APIRouter(prefix="/webhooks/twilio", tags=["webhooks"])
log = logging.getLogger("caseguard.webhooks")

TWILIO_STATUS = {
    "accepted": DeliveryStatus.queued, "queued": DeliveryStatus.queued,
    "sending": DeliveryStatus.sent, "sent": DeliveryStatus.sent,
    "delivered": DeliveryStatus.delivered, "undelivered": DeliveryStatus.undelivered,
    "failed": DeliveryStatus.failed, "read": DeliveryStatus.read,
}
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "退订", "TD"}
HELP_WORDS = {"HELP", "INFO", "帮助"}


async def verified_form(request: Request, settings: Settings) -> dict[str, str]:
    """The form Twilio posted, or 403 when X-Twilio-Signature does not match it."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    url = settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.twilio_auth_token
    if not token or not RequestValidator(token).validate(url, form, signature):
        raise ApiError(403, "webhook.bad_signature",
                       "X-Twilio-Signature does not match this request", "X-Twilio-Signature")
    return form


@router.post("/status", response_class=Response, responses={
    200: {"description": "Empty: the report is taken (a duplicate or stale one changes nothing)"}})
async def twilio_status(request: Request, settings: SettingsDep, client: TemporalDep) -> Response:
    """MessageStatus callbacks; duplicates, replays and stale statuses change nothing."""
    form = await verified_form(request, settings)
    sid, raw = form.get("MessageSid", ""), form.get("MessageStatus", "").lower()
    async with _once(settings, "status", f"{sid}:{raw}" if sid else "") as first:
        if first:
            await _status(settings, client, form, sid, raw)
    return Response(status_code=200)


async def _status(settings: Settings, client: Client, form: dict[str, str], sid: str,
                  raw: str) -> None:
    status = TWILIO_STATUS.get(raw)
    attempt = await asyncio.to_thread(store.attempt_by_provider_id, settings.db_url, sid)
    if attempt is None or status is None:
        log.warning("ignored Twilio status %r for unknown message %r", raw, sid)
        return
    at = datetime.now(UTC)
    recorded = await asyncio.to_thread(store.record_receipt, settings.db_url, attempt, status,
                                       "twilio", at, form.get("ErrorCode", ""))
    if recorded.new:
        await _signal(client, recorded.notice_id, "receipt",
                      Receipt(status, at, recorded.attempt_no, "twilio", form.get("ErrorCode", "")))


@router.post("/inbound", response_class=Response, responses={
    200: {"description": "TwiML: the SMS answer, if any", "content": {"application/xml": {}}}})
async def twilio_inbound(request: Request, settings: SettingsDep, client: TemporalDep) -> Response:
    """An SMS reply: STOP/HELP honoured, anything else answers the open notice to that number
    (its first answer only). Each SMS is handled once, by its MessageSid."""
    form = await verified_form(request, settings)
    async with _once(settings, "inbound", form.get("MessageSid") or form.get("SmsSid", "")) \
            as first:
        return await _inbound(settings, client, form) if first else _twiml("")


async def _inbound(settings: Settings, client: Client, form: dict[str, str]) -> Response:
    phone, body = form.get("From", ""), without_controls(form.get("Body", "")).strip()
    keyword = body.upper()
    notice = await asyncio.to_thread(store.open_notice_for_phone, settings.db_url, phone)
    if keyword in HELP_WORDS:
        return _twiml(f"Caseguard 通知。如需帮助请联系人事：{settings.hr_phone or '—'}。回复 STOP 退订。")
    if keyword in STOP_WORDS:
        if notice is not None:
            await asyncio.to_thread(_opt_out_evidence, settings, notice.subject_id, phone, body)
        return _twiml("您已退订短信通知。人事将通过其他方式与您联系。")
    if notice is None:
        log.warning("SMS reply from %s matches no open notice", mask_phone(phone))
        return _twiml("")
    answer = Answer(at=datetime.now(UTC), channel="sms", choice="answer", text=body)
    if not await asyncio.to_thread(store.record_answer, settings.db_url, notice, answer,
                                   notice.recipient_name):
        return _twiml("此通知已答复，以首次答复为准。如需补充请联系人事。")
    await _signal(client, notice.id, "answer", answer)
    return _twiml("已收到您的回复，谢谢。")


@asynccontextmanager
async def _once(settings: Settings, kind: str, key: str) -> AsyncIterator[bool]:
    """Whether this callback is new; handling that fails forgets it, so Twilio's retry is handled.
    A signed callback without a message id cannot be told from its replay: it is not handled."""
    if not key:
        log.warning("signed Twilio %s callback without a message id: ignored", kind)
        yield False
        return
    first = await asyncio.to_thread(store.first_delivery, settings.db_url, "twilio", kind, key)
    if not first:
        log.info("Twilio %s callback %s seen before: nothing recorded", kind, key)
    try:
        yield first
    except BaseException:
        if first:
            await asyncio.to_thread(store.forget_delivery, settings.db_url, "twilio", kind, key)
        raise


def _opt_out_evidence(settings: Settings, subject_id: str, phone: str, body: str) -> None:
    """The opt-out as evidence. The number is in the payload only, which retention can redact
    (store/retention.py): the actor and the key are hashed into the chain or kept in plain, so
    they name the employee's reply, not the number."""
    digest = hashlib.sha256(phone.encode()).hexdigest()[:16]
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id=subject_id, idempotency_key=f"sms-opt-out:{digest}:{datetime.now(UTC).date()}",
        at=datetime.now(UTC), actor="employee (SMS reply)", kind="sms_opt_out",
        payload={"phone": phone, "body": body}))


async def _signal(client: Client, notice_id: str, name: str, arg: Any) -> None:
    try:
        await client.get_workflow_handle(notice_id).signal(name, arg)
    except RPCError as exc:  # the notice has closed: the receipt is stored, the outcome stands
        log.info("notice %s takes no more %s: %s", notice_id, name, exc.message)


def _twiml(message: str) -> Response:
    body = f"<Message>{escape(message)}</Message>" if message else ""
    return Response(f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>',
                    media_type="application/xml")
