"""WeCom (企业微信) callbacks: the URL check and a member's click on a notice card's "我已收到".

Verified and decrypted as WeCom specifies (msg_signature over the token, timestamp, nonce and the
encrypted body; AES-256-CBC with the EncodingAESKey; the receiver must be our CorpID). A click is
the employee's confirmation of that attempt: `read` on the attempt and the notice's answer, each
recorded once. WeCom retries a callback it got no answer to; each click is handled once, by its
member, time, task and button (webhook_messages), and a replay answers 200 and records nothing.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from api.deps import SettingsDep, TemporalDep
from api.errors import ApiError
from api.routes.webhooks import _signal
from domain.notices import wecom
from domain.notices.payloads import Answer, DeliveryStatus, Receipt
from settings import Settings
from store import notices as store

router = APIRouter(prefix="/webhooks/wecom", tags=["webhooks"])
log = logging.getLogger("caseguard.webhooks")


def _keys(settings: Settings) -> tuple[str, str, str]:
    token, key = settings.wecom_token.get_secret_value(), settings.wecom_aes_key.get_secret_value()
    if not (token and key and settings.wecom_corp_id):
        raise ApiError(403, "webhook.bad_signature", "WeCom callbacks are not configured "
                       "(CASEGUARD_WECOM_TOKEN, _AES_KEY, _CORP_ID)", "msg_signature")
    return token, key, settings.wecom_corp_id


def _opened(settings: Settings, signature: str, timestamp: str, nonce: str,
            encrypted: str) -> bytes:
    """The decrypted message, or 403 when the signature or the encryption is not WeCom's."""
    token, key, corp_id = _keys(settings)
    if not secrets.compare_digest(wecom.signature(token, timestamp, nonce, encrypted), signature):
        raise ApiError(403, "webhook.bad_signature", "msg_signature does not match this request",
                       "msg_signature")
    try:
        return wecom.decrypt(key, encrypted, corp_id)
    except wecom.CryptoError as exc:
        raise ApiError(403, "webhook.bad_signature", f"not decryptable: {exc}", "Encrypt") from exc


@router.get("", response_class=PlainTextResponse)
async def wecom_verify_url(settings: SettingsDep, msg_signature: str = Query(...),
                           timestamp: str = Query(...), nonce: str = Query(...),
                           echostr: str = Query(...)) -> PlainTextResponse:
    """WeCom's check of the callback URL: the decrypted echostr, as it is."""
    return PlainTextResponse(_opened(settings, msg_signature, timestamp, nonce, echostr).decode())


@router.post("", response_class=Response, responses={
    200: {"description": "Empty, or the encrypted update of the card's button"}})
async def wecom_callback(request: Request, settings: SettingsDep, client: TemporalDep,
                         msg_signature: str = Query(...), timestamp: str = Query(...),
                         nonce: str = Query(...)) -> Response:
    """A card click records `read` and the employee's confirmation, once; other events are
    acknowledged and ignored."""
    try:
        encrypted = wecom.xml_fields(await request.body()).get("Encrypt", "")
    except wecom.CryptoError as exc:
        raise ApiError(400, "webhook.malformed", str(exc), "Encrypt") from exc
    click = wecom.card_click(_opened(settings, msg_signature, timestamp, nonce, encrypted))
    if click is None or click.key != wecom.CONFIRM_KEY:
        return Response(status_code=200)
    key = f"{click.user_id}:{click.created}:{click.task_id}:{click.key}"
    async with _once(settings, key) as first:
        if first and await _confirmed(settings, client, click):
            return _button_reply(settings, click, nonce)
    return Response(status_code=200)


async def _confirmed(settings: Settings, client: TemporalDep, click: wecom.CardClick) -> bool:
    """Record the click on its attempt; False when the card is not one of ours for this member."""
    named = wecom.attempt_of_task(click.task_id)
    attempt = await asyncio.to_thread(store.attempt_by_number, settings.db_url, *named) \
        if named else None
    if attempt is None or attempt.channel != "wecom" or \
            attempt.to_address.lower() != click.user_id.lower():
        log.warning("WeCom click on task %r matches no WeCom attempt of that member", click.task_id)
        return False
    at = datetime.now(UTC)
    recorded = await asyncio.to_thread(store.record_receipt, settings.db_url, attempt,
                                       DeliveryStatus.read, "wecom", at)
    if recorded.new:
        await _signal(client, attempt.notice_id, "receipt",
                      Receipt(DeliveryStatus.read, at, attempt.attempt_no, "wecom"))
    notice = await asyncio.to_thread(store.notice, settings.db_url, attempt.notice_id)
    answer = Answer(at=at, channel="wecom", choice="confirm")
    if notice is not None and await asyncio.to_thread(store.record_answer, settings.db_url,
                                                      notice, answer, notice.recipient_name):
        await _signal(client, notice.id, "answer", answer)
    return True


def _button_reply(settings: Settings, click: wecom.CardClick, nonce: str) -> Response:
    """The passive reply that turns the button into "已确认收到" (encrypted, signed)."""
    token, key, corp_id = _keys(settings)
    now = str(int(time.time()))
    plain = wecom.button_update(click.user_id, corp_id, int(now), "已确认收到")
    encrypted = wecom.encrypt(key, plain, corp_id, secrets.token_bytes(16))
    body = wecom.reply_xml(encrypted, wecom.signature(token, now, nonce, encrypted), now, nonce)
    return Response(body, media_type="application/xml")


@asynccontextmanager
async def _once(settings: Settings, key: str) -> AsyncIterator[bool]:
    """Whether this click is new; handling that fails forgets it, so WeCom's retry is handled."""
    first = await asyncio.to_thread(store.first_delivery, settings.db_url, "wecom", "card", key)
    if not first:
        log.info("WeCom card click %s seen before: nothing recorded", key)
    try:
        yield first
    except BaseException:
        if first:
            await asyncio.to_thread(store.forget_delivery, settings.db_url, "wecom", "card", key)
        raise
