"""send_notice against loopback providers: Prism (Twilio's contract), aiosmtpd, the outbox.

Every test counts what the servers received: a retried activity must never send twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notices.send import ChannelActivities, ChannelConfig
from devstack import free_port
from domain.notices.payloads import Channel, DeliveryStatus, NoticeRecipient, SendRequest, SendResult
from domain.notices.text import LINK_WITHHELD
from domain.shared.tokens import LinkParams, read_link, token_for
from store.db import session_for
from store.models import NoticeAttemptRow, NoticeRow, OutboxMessage
from tests.channels.conftest import PrismServer, ScriptedTwilio, SmtpServer

SECRET = "test-secret-test-secret-test-secret"
BASE = "https://caseguard.example.com"
ACCOUNT = "AC" + "0123456789abcdef" * 2
CN_PHONE = "+8613800138000"
US_PHONE = "+14155550100"
HR = "人事部 <hr@caseguard.example.com>"


def config(*, twilio: str | None = None, smtp: SmtpServer | None = None,
           smtp_port: int | None = None, timeout: float = 5) -> ChannelConfig:
    return ChannelConfig(
        secret_key=SECRET, public_base_url=BASE, link_days=30, hr_phone="010-12345678",
        twilio_account_sid=ACCOUNT if twilio else "", twilio_auth_token="token" if twilio else "",
        twilio_from_number="+15005550006" if twilio else "", twilio_api_base_url=twilio or "",
        smtp_host="127.0.0.1" if (smtp or smtp_port) else "",
        smtp_port=smtp_port or (smtp.port if smtp else 25), smtp_from=HR, timeout_seconds=timeout)


def open_notice(db_url: str, notice_id: str = "notice-1", code: str = "K7M2QX",
                phone: str | None = CN_PHONE, email: str | None = "zhangsan@example.com") -> None:
    """The row NoticeActivities.open_notice writes before any send."""
    with session_for(db_url) as session:
        session.add(NoticeRow(id=notice_id, subject_id="case-1", purpose="return_to_work",
                              code=code, recipient_name="张三", recipient_role="employee",
                              phone=phone, email=email, channels=["sms", "email"],
                              created_at=datetime.now(UTC)))
        session.commit()


def request(channel: Channel, attempt_no: int = 1, *, notice_id: str = "notice-1",
            phone: str | None = CN_PHONE, email: str | None = "zhangsan@example.com",
            locale: Any = "zh-CN", **changes: Any) -> SendRequest:
    base = SendRequest(
        idempotency_key=f"{notice_id}:attempt:{attempt_no}", notice_id=notice_id,
        subject_id="case-1", attempt_no=attempt_no, channel=channel,
        recipient=NoticeRecipient(name="张三", phone=phone, email=email, locale=locale),
        purpose="return_to_work", template="return_to_work",
        data={"return_date": "2026-12-01", "reason": "医生证明已可复工"})
    return replace(base, **changes)


async def send(activities: ChannelActivities, req: SendRequest) -> SendResult:
    result: SendResult = await ActivityEnvironment().run(activities.send_notice, req)
    return result


def attempt(db_url: str, key: str) -> NoticeAttemptRow:
    with session_for(db_url) as session:
        row = session.exec(select(NoticeAttemptRow).where(
            NoticeAttemptRow.idempotency_key == key)).one()
    return row


async def test_sms_through_prism_records_the_sid_and_first_status(
        sqlite_url: str, prism: str, prism_server: PrismServer,
        prism_messages: Callable[[], int]):
    open_notice(sqlite_url, phone=US_PHONE)
    channels = ChannelActivities(config(twilio=prism), sqlite_url)
    result = await send(channels, request("sms", phone=US_PHONE, locale="en"))

    assert prism_messages() == 1 and prism_server.violations() == []
    assert result.channel == "sms" and result.status == DeliveryStatus.queued
    assert result.provider_id is not None and result.provider_id.startswith("SM")
    row = attempt(sqlite_url, "notice-1:attempt:1")
    assert (row.state, row.status, row.provider_id, row.to_address) == (
        "sent", "queued", result.provider_id, US_PHONE)
    assert row.sent_at is not None and row.segments == result.segments >= 1
    assert LINK_WITHHELD in row.body and "K7M2QX" in row.body  # links allowed outside +86
    assert "/r/" not in row.body and row.link_nonce and row.link_expires  # kept as parameters


async def test_the_sms_request_carries_the_status_callback(sqlite_url: str,
                                                           scripted_twilio: ScriptedTwilio):
    open_notice(sqlite_url, phone=US_PHONE)
    channels = ChannelActivities(config(twilio=scripted_twilio.url), sqlite_url)
    result = await send(channels, request("sms", phone=US_PHONE))
    [posted] = scripted_twilio.posts
    assert posted["StatusCallback"] == f"{BASE}/webhooks/twilio/status"
    assert (posted["To"], posted["From"]) == (US_PHONE, "+15005550006")
    row = attempt(sqlite_url, "notice-1:attempt:1")
    assert row.link_nonce is not None and row.link_expires is not None
    link = f"{BASE}/r/" + token_for(SECRET, LinkParams("notice-1", row.link_expires, row.link_nonce))
    assert link in posted["Body"]  # the SMS carries the link; the row keeps its parameters
    assert posted["Body"].replace(link, LINK_WITHHELD) == row.body
    assert result.provider_id == "SM" + f"{1:032x}"


async def test_an_sms_to_china_carries_the_code_and_no_url(
        sqlite_url: str, prism: str, prism_messages: Callable[[], int]):
    open_notice(sqlite_url)
    channels = ChannelActivities(config(twilio=prism), sqlite_url)
    result = await send(channels, request("sms"))
    body = attempt(sqlite_url, "notice-1:attempt:1").body
    assert prism_messages() == 1 and result.status == DeliveryStatus.queued
    assert "K7M2QX" in body and "010-12345678" in body and "请于2026-12-01返岗" in body
    assert "邮件" not in body  # an email on file may not have gone out (issue 17)
    assert "http" not in body and "/r/" not in body and "回复本短信" not in body  # no two-way


async def test_email_through_aiosmtpd_has_both_parts_a_receipt_request_and_the_pixel(
        sqlite_url: str, smtp_server: SmtpServer):
    open_notice(sqlite_url)
    channels = ChannelActivities(config(smtp=smtp_server), sqlite_url)
    result = await send(channels, request("email"))

    [received] = smtp_server.messages
    message = received.message
    assert received.rcpt_tos == ["zhangsan@example.com"]
    assert received.mail_from == "hr@caseguard.example.com"
    assert result.status == DeliveryStatus.sent and result.channel == "email"
    assert message["Message-ID"] == result.provider_id
    assert attempt(sqlite_url, "notice-1:attempt:1").provider_id == message["Message-ID"]
    assert message["Disposition-Notification-To"] == HR
    assert message["Subject"] == "复工通知：请于 2026-12-01 返岗"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    text_part, html_part = text.get_content(), html.get_content()
    link = next(w for w in text_part.split() if w.startswith(f"{BASE}/r/"))
    params = read_link(SECRET, link.rsplit("/", 1)[1], datetime.now(UTC))
    assert params.notice_id == "notice-1"
    assert f'href="{link}"' in html_part and f'src="{link}/o.gif"' in html_part
    row = attempt(sqlite_url, "notice-1:attempt:1")
    assert (row.link_expires, row.link_nonce) == (params.expires, params.nonce)
    assert "/r/" not in row.body and LINK_WITHHELD in row.body
    assert "K7M2QX" in text_part and "医生证明已可复工" in html_part


@pytest.mark.parametrize("channel", ["sms", "email"])
async def test_a_retried_activity_sends_nothing_twice(
        db_url: str, channel: Channel, prism: str, prism_messages: Callable[[], int],
        smtp_server: SmtpServer):
    open_notice(db_url, phone=US_PHONE)
    channels = ChannelActivities(config(twilio=prism, smtp=smtp_server), db_url)
    req = request(channel, phone=US_PHONE)
    first = await send(channels, req)
    again = await send(channels, req)
    assert first == again and first.status in (DeliveryStatus.queued, DeliveryStatus.sent)
    assert (prism_messages(), len(smtp_server.messages)) == ((1, 0) if channel == "sms" else (0, 1))


async def test_a_try_that_died_while_sending_is_unknown_and_not_sent_again(
        db_url: str, prism: str, prism_messages: Callable[[], int]):
    open_notice(db_url)
    with session_for(db_url) as session:  # what a worker crash mid-send leaves behind
        session.add(NoticeAttemptRow(idempotency_key="notice-1:attempt:1", notice_id="notice-1",
                                     attempt_no=1, channel="sms", to_address=CN_PHONE,
                                     state="sending", created_at=datetime.now(UTC)))
        session.commit()
    channels = ChannelActivities(config(twilio=prism), db_url)
    result = await send(channels, request("sms"))
    assert result.status == DeliveryStatus.unknown and "not sent again" in result.error
    assert await send(channels, request("sms")) == result
    assert prism_messages() == 0
    assert attempt(db_url, "notice-1:attempt:1").state == "unknown"


async def test_an_identical_sms_to_one_number_waits_24_hours(
        db_url: str, prism: str, prism_messages: Callable[[], int]):
    open_notice(db_url)
    channels = ChannelActivities(config(twilio=prism), db_url)
    assert (await send(channels, request("sms", 1))).status == DeliveryStatus.queued
    second = await send(channels, request("sms", 2))
    assert second.status == DeliveryStatus.failed and second.error.startswith("suppressed:")
    assert attempt(db_url, "notice-1:attempt:2").state == "suppressed"
    assert prism_messages() == 1
    different = await send(channels, request("sms", 3, reminder=True))  # another text
    assert different.status == DeliveryStatus.queued and prism_messages() == 2

    with session_for(db_url) as session:  # a day and an hour later
        for row in session.exec(select(NoticeAttemptRow)).all():
            row.created_at -= timedelta(hours=25)
            row.sent_at = row.sent_at - timedelta(hours=25) if row.sent_at else None
            session.add(row)
        session.commit()
    assert (await send(channels, request("sms", 4))).status == DeliveryStatus.queued
    assert prism_messages() == 3


async def test_texts_that_differ_only_in_their_links_are_not_identical(
        sqlite_url: str, prism: str, prism_messages: Callable[[], int]):
    open_notice(sqlite_url, phone=US_PHONE)
    channels = ChannelActivities(config(twilio=prism), sqlite_url)
    for attempt_no in (1, 2):  # stored alike (links withheld), sent with two different links
        sent = await send(channels, request("sms", attempt_no, phone=US_PHONE))
        assert sent.status == DeliveryStatus.queued
    assert prism_messages() == 2
    assert attempt(sqlite_url, "notice-1:attempt:1").body == \
        attempt(sqlite_url, "notice-1:attempt:2").body


async def test_without_credentials_the_outbox_stands_in_once_per_key(db_url: str):
    open_notice(db_url)
    channels = ChannelActivities(config(), db_url)
    sms = await send(channels, request("sms", 1))
    email = await send(channels, request("email", 2))
    assert await send(channels, request("sms", 1)) == sms
    assert (sms.channel, sms.status, sms.to) == ("outbox", DeliveryStatus.sent, CN_PHONE)
    assert (email.channel, email.to) == ("outbox", "zhangsan@example.com")
    with session_for(db_url) as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.idempotency_key for r in rows] == ["notice-1:attempt:1", "notice-1:attempt:2"]
    assert rows[0].subject.startswith("[SMS] ") and "http" not in rows[0].body
    assert "/r/" not in rows[1].body and LINK_WITHHELD in rows[1].body  # no usable link
    assert sms.provider_id == f"outbox:{rows[0].id}"


async def test_a_missing_address_fails_the_attempt_without_sending(
        sqlite_url: str, smtp_server: SmtpServer):
    open_notice(sqlite_url, email=None)
    channels = ChannelActivities(config(smtp=smtp_server), sqlite_url)
    result = await send(channels, request("email", email=None))
    assert result.status == DeliveryStatus.failed and "no email address" in result.error
    assert smtp_server.messages == []


async def test_an_smtp_refusal_is_a_failed_result(sqlite_url: str, smtp_server: SmtpServer):
    open_notice(sqlite_url)
    smtp_server.handler.refuse["zhangsan@example.com"] = "550 5.1.1 no such user"
    channels = ChannelActivities(config(smtp=smtp_server), sqlite_url)
    result = await send(channels, request("email"))
    assert result.status == DeliveryStatus.failed and "550" in result.error
    assert attempt(sqlite_url, "notice-1:attempt:1").state == "failed"
    assert smtp_server.messages == []


async def test_an_unreachable_smtp_server_is_retried_and_then_sends_once(
        db_url: str, smtp_server: SmtpServer):
    open_notice(db_url)
    down = ChannelActivities(config(smtp_port=free_port()), db_url)  # nothing listens there
    with pytest.raises(ApplicationError) as raised:
        await send(down, request("email"))
    assert raised.value.type == "ChannelUnavailable" and not raised.value.non_retryable
    assert attempt(db_url, "notice-1:attempt:1").state == "retryable"
    up = ChannelActivities(config(smtp=smtp_server), db_url)
    assert (await send(up, request("email"))).status == DeliveryStatus.sent
    assert (await send(up, request("email"))).status == DeliveryStatus.sent
    assert len(smtp_server.messages) == 1


async def test_twilio_refusals_fail_and_outages_retry(sqlite_url: str,
                                                      scripted_twilio: ScriptedTwilio):
    open_notice(sqlite_url, phone=US_PHONE)
    channels = ChannelActivities(config(twilio=scripted_twilio.url), sqlite_url)
    scripted_twilio.answers.append((400, {"code": 21211, "status": 400, "message":
                                          "The 'To' number is not a valid phone number."}))
    refused = await send(channels, request("sms", 1, phone=US_PHONE))
    assert refused.status == DeliveryStatus.failed and "21211" in refused.error

    scripted_twilio.answers.append((503, {"code": 20503, "status": 503,
                                          "message": "Service unavailable"}))
    with pytest.raises(ApplicationError):
        await send(channels, request("sms", 2, phone=US_PHONE))
    assert attempt(sqlite_url, "notice-1:attempt:2").state == "retryable"
    retried = await send(channels, request("sms", 2, phone=US_PHONE))
    assert retried.status == DeliveryStatus.queued and len(scripted_twilio.posts) == 3


async def test_an_answer_lost_after_the_request_left_is_unknown_and_never_resent(
        sqlite_url: str, scripted_twilio: ScriptedTwilio):
    open_notice(sqlite_url, phone=US_PHONE)
    channels = ChannelActivities(config(twilio=scripted_twilio.url, timeout=0.5), sqlite_url)
    scripted_twilio.answers.append((0, {"hang_seconds": 1}))
    result = await send(channels, request("sms", phone=US_PHONE))
    assert result.status == DeliveryStatus.unknown and "not sent again" in result.error
    assert await send(channels, request("sms", phone=US_PHONE)) == result
    assert len(scripted_twilio.posts) == 1


async def test_a_template_without_its_data_fails_loudly(sqlite_url: str):
    open_notice(sqlite_url)
    channels = ChannelActivities(config(), sqlite_url)
    with pytest.raises(ApplicationError) as raised:
        await send(channels, request("email", data={"reason": "no date"}))
    assert raised.value.non_retryable and "return_date" in str(raised.value)
    assert attempt(sqlite_url, "notice-1:attempt:1").state == "failed"


async def test_the_send_log_masks_the_address(sqlite_url: str, caplog: pytest.LogCaptureFixture):
    open_notice(sqlite_url)
    channels = ChannelActivities(config(), sqlite_url)
    with caplog.at_level(logging.INFO, logger="caseguard.channels"):
        await send(channels, request("sms", 1))
        await send(channels, request("email", 2))
    assert "+86138****8000" in caplog.text and "z***@example.com" in caplog.text
    assert "13800138000" not in caplog.text and "zhangsan@" not in caplog.text
