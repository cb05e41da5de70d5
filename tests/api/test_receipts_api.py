"""Receipts: signed Twilio webhooks, duplicate-proof; the employee's link page and pixel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import select
from twilio.request_validator import RequestValidator

from domain.shared.tokens import make_token
from store.db import session_for
from store.models import EvidenceEntry, NoticeAttemptRow, NoticeReceiptRow, NoticeRow
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


def attempt_status(db_url: str) -> str:
    with session_for(db_url) as session:
        return session.exec(select(NoticeAttemptRow)).one().status


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
        form = {"From": "+8613800138000", "Body": body, "MessageSid": "SMr"}
        response = await api.post(path, data=form, headers=signed(path, form))
        assert response.status_code == 200 and expected in response.text
    form = {"From": "+8613800138000", "Body": "hi", "MessageSid": "SMr"}
    assert (await api.post(path, data=form, headers={"X-Twilio-Signature": "x"})).status_code == 403


async def test_the_link_page_records_read_and_the_answer(make_api: AppFactory, db_url: str):
    api = await make_api(secret_key=SECRET)
    seed_notice(db_url, channel="email", provider_id="<m1@caseguard>")
    token = make_token(SECRET, "notice-1", datetime.now(UTC) + timedelta(days=3))

    page = await api.get(f"/r/{token}")
    assert page.status_code == 200 and "复工通知" in page.text and "请于 2026-12-01 返岗" in page.text
    assert 'name="viewport"' in page.text.replace("'", '"')
    pixel = await api.get(f"/r/{token}/o.gif")
    assert pixel.headers["content-type"] == "image/gif"
    assert sorted(receipts(db_url)) == ["opened", "read"]

    answered = await api.post(f"/r/{token}", data={"choice": "answer", "text": "我将于12月1日返岗",
                                                    "return_date": "2026-12-01"})
    assert answered.status_code == 200 and "已记录" in answered.text
    with session_for(db_url) as session:
        entry = session.exec(select(EvidenceEntry).where(
            EvidenceEntry.kind == "notice_answered")).one()
    assert entry.actor == "张三" and entry.payload["return_date"] == "2026-12-01"


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
