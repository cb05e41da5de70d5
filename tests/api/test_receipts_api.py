"""Receipts: signed Twilio webhooks, duplicate-proof; the employee's link page and pixel."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator

from domain.shared.tokens import make_token, new_link, token_for
from store.db import session_for
from store.models import (
    EvidenceEntry,
    NoticeAttemptRow,
    NoticeReceiptRow,
    NoticeRow,
    WebhookMessageRow,
)
from tests.api.conftest import AppFactory

TOKEN = "twilio-test-auth-token"
BASE = "http://caseguard.test"
SECRET = "test-secret-" + "x" * 30


def seed_notice(db_url: str, channel: str = "sms", provider_id: str = "SM0001") -> None:
    now = datetime.now(UTC)
    with session_for(db_url) as session:
        session.add(NoticeRow(id="notice-1", subject_id="case-1", purpose="return_to_work",
                              code="ABC234", recipient_name="张三", recipient_role="employee",
                              phone="+8613800138000", email="zs@example.com", channels=[channel],
                              created_at=now))
        session.add(NoticeAttemptRow(idempotency_key="notice-1:attempt:1", notice_id="notice-1",
                                     attempt_no=1, channel=channel, to_address="+8613800138000",
                                     state="sent", status="queued", provider_id=provider_id,
                                     body="请于 2026-12-01 返岗。", created_at=now, sent_at=now))
        session.commit()


def signed(path: str, form: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(BASE + path, form)}


def receipts(db_url: str) -> list[str]:
    with session_for(db_url) as session:
        return [r.status for r in session.exec(select(NoticeReceiptRow)).all()]


def receipt_sources(db_url: str) -> list[tuple[str, str]]:
    with session_for(db_url) as session:
        return sorted((r.status, r.source) for r in session.exec(select(NoticeReceiptRow)).all())


def attempt_status(db_url: str) -> str:
    with session_for(db_url) as session:
        return session.exec(select(NoticeAttemptRow)).one().status


def ledger(db_url: str) -> list[tuple[str, str]]:
    with session_for(db_url) as session:
        return [(e.kind, e.idempotency_key) for e in session.exec(
            select(EvidenceEntry).order_by(EvidenceEntry.id)).all()]


def notice_row(db_url: str, notice_id: str = "notice-1") -> NoticeRow:
    with session_for(db_url) as session:
        row = session.get(NoticeRow, notice_id)
    assert row is not None
    return row


async def test_status_webhook_verifies_dedupes_and_never_goes_backwards(make_api: AppFactory,
                                                                        db_url: str):
    api = await make_api(twilio_auth_token=TOKEN, public_base_url=BASE)
    seed_notice(db_url)
    path = "/webhooks/twilio/status"

    async def post(status: str, sign: bool = True) -> httpx.Response:
        form = {"MessageSid": "SM0001", "MessageStatus": status, "AccountSid": "AC1"}
        headers = signed(path, form) if sign else {"X-Twilio-Signature": "forged"}
        return await api.post(path, data=form, headers=headers)

    forged = await post("delivered", sign=False)
    assert forged.status_code == 403 and receipts(db_url) == []
    assert (await post("delivered")).status_code == 200
    assert (await post("delivered")).status_code == 200
    assert (await post("sent")).status_code == 200
    assert (await post("undelivered")).status_code == 200
    assert sorted(receipts(db_url)) == ["delivered", "sent", "undelivered"]
    assert attempt_status(db_url) == "delivered"
    with session_for(db_url) as session:
        kinds = session.exec(select(EvidenceEntry.kind).where(
            EvidenceEntry.subject_id == "case-1")).all()
    assert list(kinds).count("notice_receipt") == 3

    form = {"MessageSid": "SM-unknown", "MessageStatus": "delivered"}
    unknown = await api.post(path, data=form, headers=signed(path, form))
    assert unknown.status_code == 200


async def test_sms_reply_help_and_stop(make_api: AppFactory, db_url: str):
    api = await make_api(twilio_auth_token=TOKEN, public_base_url=BASE, hr_phone="010-12345678")
    seed_notice(db_url)
    path = "/webhooks/twilio/inbound"
    for body, expected in (("HELP", "010-12345678"), ("STOP", "退订")):
        form = {"From": "+8613800138000", "Body": body, "MessageSid": f"SMr-{body}"}
        response = await api.post(path, data=form, headers=signed(path, form))
        assert response.status_code == 200 and expected in response.text
    form = {"From": "+8613800138000", "Body": "hi", "MessageSid": "SMr"}
    assert (await api.post(path, data=form, headers={"X-Twilio-Signature": "x"})).status_code == 403


async def test_opening_records_opened_and_only_the_answer_records_read(make_api: AppFactory,
                                                                      db_url: str):
    api = await make_api(secret_key=SECRET)
    seed_notice(db_url, channel="email", provider_id="<m1@caseguard>")
    token = make_token(SECRET, "notice-1", datetime.now(UTC) + timedelta(days=3))

    page = await api.get(f"/r/{token}")
    assert page.status_code == 200 and "复工通知" in page.text and "请于 2026-12-01 返岗" in page.text
    assert 'name="viewport"' in page.text.replace("'", '"')
    pixel = await api.get(f"/r/{token}/o.gif")
    assert pixel.headers["content-type"] == "image/gif"
    assert sorted(receipt_sources(db_url)) == [("opened", "link"), ("opened", "pixel")]
    assert attempt_status(db_url) == "opened"  # a scanner's prefetch proves no reading

    answered = await api.post(f"/r/{token}", data={"choice": "answer", "text": "我将于12月1日返岗",
                                                    "return_date": "2026-12-01"})
    assert answered.status_code == 200 and "已记录" in answered.text
    assert ("read", "link") in receipt_sources(db_url) and attempt_status(db_url) == "read"
    with session_for(db_url) as session:
        entry = session.exec(select(EvidenceEntry).where(
            EvidenceEntry.kind == "notice_answered")).one()
    assert entry.actor == "张三" and entry.payload["return_date"] == "2026-12-01"
    assert entry.payload["channel"] == "link"


async def test_a_link_answers_once(make_api: AppFactory, db_url: str):
    api = await make_api(secret_key=SECRET)
    seed_notice(db_url, channel="email")
    token = make_token(SECRET, "notice-1", datetime.now(UTC) + timedelta(days=3))
    first = await api.post(f"/r/{token}", data={"choice": "answer", "text": "下周一返岗"})
    assert first.status_code == 200 and "已记录" in first.text
    before = (receipt_sources(db_url), ledger(db_url), notice_row(db_url).answer)

    again = await api.post(f"/r/{token}", data={"choice": "confirm"})
    assert again.status_code == 200 and "以首次答复为准" in again.text
    assert "下周一返岗" in again.text and "本次提交未记录" in again.text
    other_link = make_token(SECRET, "notice-1", datetime.now(UTC) + timedelta(days=3))
    assert "下周一返岗" in (await api.post(f"/r/{other_link}", data={"choice": "confirm"})).text
    after = (receipt_sources(db_url), ledger(db_url), notice_row(db_url).answer)
    assert after == before and before[2]["choice"] == "answer"  # nothing recorded, nothing changed
    shown = await api.get(f"/r/{token}")  # the page shows the answer on record, no form
    assert "下周一返岗" in shown.text and "<form" not in shown.text


async def test_a_link_reports_on_the_attempt_that_carried_it(make_api: AppFactory, db_url: str):
    api = await make_api(secret_key=SECRET)
    seed_notice(db_url, channel="sms")  # attempt 1, SMS; attempt 2, email, each with its link
    now = datetime.now(UTC)
    sms_link, email_link = new_link("notice-1", now + timedelta(days=3)), \
        new_link("notice-1", now + timedelta(days=3))
    with session_for(db_url) as session:
        sms = session.exec(select(NoticeAttemptRow)).one()
        sms.link_expires, sms.link_nonce = sms_link.expires, sms_link.nonce
        session.add(sms)
        session.add(NoticeAttemptRow(
            idempotency_key="notice-1:attempt:2", notice_id="notice-1", attempt_no=2,
            channel="email", to_address="zs@example.com", state="sent", status="sent",
            provider_id="<m2@caseguard>", body="请于 2026-12-01 返岗。", created_at=now, sent_at=now,
            link_expires=email_link.expires, link_nonce=email_link.nonce))
        session.commit()
    await api.get(f"/r/{token_for(SECRET, sms_link)}")
    with session_for(db_url) as session:
        opened = session.exec(select(NoticeReceiptRow)).one()
        attempt = session.get(NoticeAttemptRow, opened.attempt_id)
    assert attempt is not None and attempt.attempt_no == 1 and opened.status == "opened"


async def test_bad_and_expired_links_get_a_clear_page(make_api: AppFactory, db_url: str):
    api = await make_api(secret_key=SECRET)
    seed_notice(db_url, channel="email")
    bad = await api.get("/r/not-a-token")
    assert bad.status_code == 404 and "链接无效" in bad.text
    expired = make_token(SECRET, "notice-1", datetime.now(UTC) - timedelta(seconds=1))
    late = await api.get(f"/r/{expired}")
    assert late.status_code == 410 and "已过期" in late.text
    forged = make_token("another-secret-" + "y" * 30, "notice-1", datetime.now(UTC) + timedelta(1))
    assert (await api.get(f"/r/{forged}")).status_code == 404
    assert (await api.get("/r/not-a-token/o.gif")).status_code == 200
    assert receipts(db_url) == []


async def test_a_replayed_sms_records_nothing_and_answers_no_other_notice(make_api: AppFactory,
                                                                         db_url: str):
    api = await make_api(twilio_auth_token=TOKEN, public_base_url=BASE)
    seed_notice(db_url)
    path = "/webhooks/twilio/inbound"
    form = {"From": "+8613800138000", "Body": "我下周一返岗", "MessageSid": "SMreply1",
            "SmsSid": "SMreply1", "AccountSid": "AC1"}
    first = await api.post(path, data=form, headers=signed(path, form))
    assert first.status_code == 200 and "已收到" in first.text
    answered = notice_row(db_url)
    assert answered.answered_at is not None and answered.answer["text"] == "我下周一返岗"

    # notice-1 closes; a new notice to the same number opens; the old SMS, signed, comes again
    with session_for(db_url) as session:
        answered.status = "acknowledged"
        session.add(answered)
        session.add(NoticeRow(id="notice-2", subject_id="case-1", purpose="return_to_work",
                              code="XYZ789", recipient_name="张三", recipient_role="employee",
                              phone="+8613800138000", channels=["sms"],
                              created_at=datetime.now(UTC) + timedelta(seconds=1)))
        session.commit()
    before = ledger(db_url)
    replayed = await api.post(path, data=form, headers=signed(path, form))
    assert replayed.status_code == 200 and "<Message>" not in replayed.text
    assert notice_row(db_url, "notice-2").answered_at is None and ledger(db_url) == before

    fresh = {**form, "MessageSid": "SMreply2", "SmsSid": "SMreply2", "Body": "收到"}
    assert (await api.post(path, data=fresh, headers=signed(path, fresh))).status_code == 200
    assert notice_row(db_url, "notice-2").answer["text"] == "收到"
    late = {**form, "MessageSid": "SMreply3", "SmsSid": "SMreply3", "Body": "改成周二"}
    repeat = await api.post(path, data=late, headers=signed(path, late))
    assert "以首次答复为准" in repeat.text and notice_row(db_url, "notice-2").answer["text"] == "收到"
    with session_for(db_url) as session:
        kept = session.exec(select(WebhookMessageRow.message_key)).all()
    assert sorted(kept) == ["SMreply1", "SMreply2", "SMreply3"]


async def test_a_replayed_status_report_records_nothing(make_api: AppFactory, db_url: str):
    api = await make_api(twilio_auth_token=TOKEN, public_base_url=BASE)
    seed_notice(db_url)
    path = "/webhooks/twilio/status"
    form = {"MessageSid": "SM0001", "MessageStatus": "delivered", "AccountSid": "AC1"}
    assert (await api.post(path, data=form, headers=signed(path, form))).status_code == 200
    before = (receipts(db_url), ledger(db_url))
    assert (await api.post(path, data=form, headers=signed(path, form))).status_code == 200
    assert (receipts(db_url), ledger(db_url)) == before == (["delivered"], before[1])
    with session_for(db_url) as session:
        kept = session.exec(select(WebhookMessageRow.message_key)).all()
    assert list(kept) == ["SM0001:delivered"]


async def test_webhook_logs_mask_the_phone_number(make_api: AppFactory, db_url: str,
                                                  caplog: pytest.LogCaptureFixture):
    api = await make_api(twilio_auth_token=TOKEN, public_base_url=BASE)
    path = "/webhooks/twilio/inbound"
    form = {"From": "+8613912345678", "Body": "你好", "MessageSid": "SMstranger"}
    with caplog.at_level(logging.INFO, logger="caseguard.webhooks"):
        assert (await api.post(path, data=form, headers=signed(path, form))).status_code == 200
    assert "+86139****5678" in caplog.text and "13912345678" not in caplog.text
