"""SMS to mainland numbers through the fake Aliyun SMS endpoint (RPC-signed SendSms, the
delivery report pulled with QuerySendDetails); Twilio keeps the numbers outside China."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notices.pull import ReceiptActivities
from activities.notices.send import ChannelActivities, ChannelConfig
from domain.notices.payloads import DeliveryStatus, PullRequest, PullResult, SendResult
from tests.channels.conftest import ScriptedTwilio
from tests.channels.fakes.aliyun import FakeAliyunSms
from tests.channels.test_send_notice import (
    ACCOUNT,
    BASE,
    SECRET,
    US_PHONE,
    attempt,
    open_notice,
    request,
    send,
)


def config(fake: FakeAliyunSms, twilio: str = "", **changes: object) -> ChannelConfig:
    base = ChannelConfig(
        secret_key=SECRET, public_base_url=BASE, hr_phone="010-12345678",
        aliyun_sms_access_key_id=fake.access_key_id,
        aliyun_sms_access_key_secret=fake.access_key_secret, aliyun_sms_sign_name="测试公司",
        aliyun_sms_template_codes=(("*", "SMS_470001"),), aliyun_sms_endpoint=fake.url,
        twilio_account_sid=ACCOUNT if twilio else "", twilio_auth_token="token" if twilio else "",
        twilio_from_number="+15005550006" if twilio else "", twilio_api_base_url=twilio,
        timeout_seconds=5)
    return replace(base, **changes)  # type: ignore[arg-type]


async def pull(cfg: ChannelConfig, db_url: str, sent: SendResult) -> PullResult:
    result: PullResult = await ActivityEnvironment().run(
        ReceiptActivities(cfg, db_url).pull_receipts,
        PullRequest("notice-1", 1, "sms", sent.provider_id or "", sent.to))
    return result


async def test_a_mainland_number_gets_the_template_and_its_report_is_pulled(
        sqlite_url: str, fake_aliyun: FakeAliyunSms, scripted_twilio: ScriptedTwilio):
    open_notice(sqlite_url)
    cfg = config(fake_aliyun, twilio=scripted_twilio.url)
    sent = await send(ChannelActivities(cfg, sqlite_url), request("sms"))

    assert fake_aliyun.violations == [] and scripted_twilio.posts == []
    [sms] = fake_aliyun.sent
    assert sms["PhoneNum"] == "13800138000" and sms["OutId"] == "notice-1:attempt:1"
    assert "张三" in sms["Content"] and "K7M2QX" in sms["Content"] and "http" not in sms["Content"]
    assert (sent.status, sent.pull, sent.provider_id) == (DeliveryStatus.queued, True,
                                                          sms["BizId"])
    row = attempt(sqlite_url, "notice-1:attempt:1")
    assert "SMS_470001" in row.body and json.loads(row.body.split("] ", 1)[1])["code"] == "K7M2QX"

    assert (await pull(cfg, sqlite_url, sent)) == PullResult((), False)  # no receipt yet
    fake_aliyun.report(sms["BizId"], delivered=True)
    delivered = await pull(cfg, sqlite_url, sent)
    assert [r.status for r in delivered.receipts] == [DeliveryStatus.delivered] and delivered.final
    assert attempt(sqlite_url, "notice-1:attempt:1").status == "delivered"
    assert fake_aliyun.violations == []


async def test_numbers_outside_china_stay_with_twilio(sqlite_url: str, fake_aliyun: FakeAliyunSms,
                                                      scripted_twilio: ScriptedTwilio):
    open_notice(sqlite_url, phone=US_PHONE)
    cfg = config(fake_aliyun, twilio=scripted_twilio.url)
    sent = await send(ChannelActivities(cfg, sqlite_url), request("sms", phone=US_PHONE))
    assert len(scripted_twilio.posts) == 1 and fake_aliyun.sent == [] and not sent.pull


@pytest.mark.parametrize(("changes", "code"), [
    ({"aliyun_sms_template_codes": (("*", "SMS_999"),)}, "isv.SMS_TEMPLATE_ILLEGAL"),
    ({"aliyun_sms_sign_name": "别的公司"}, "isv.SMS_SIGNATURE_ILLEGAL"),
    ({"aliyun_sms_access_key_secret": "wrong"}, "SignatureDoesNotMatch"),
    ({"aliyun_sms_access_key_id": "LTAIunknown"}, "InvalidAccessKeyId.NotFound")])
async def test_errors_that_never_heal_fail_the_attempt_at_once(
        sqlite_url: str, fake_aliyun: FakeAliyunSms, changes: dict[str, object], code: str):
    open_notice(sqlite_url)
    result = await send(ChannelActivities(config(fake_aliyun, **changes), sqlite_url),
                        request("sms"))
    assert result.status == DeliveryStatus.failed and code in result.error
    assert fake_aliyun.sent == []
    fake_aliyun.violations.clear()  # the wrong secret is the test's own doing


async def test_flow_control_is_retried_and_sends_once(sqlite_url: str,
                                                      fake_aliyun: FakeAliyunSms):
    open_notice(sqlite_url)
    channels = ChannelActivities(config(fake_aliyun), sqlite_url)
    fake_aliyun.script = ["isv.BUSINESS_LIMIT_CONTROL"]
    with pytest.raises(ApplicationError) as raised:
        await send(channels, request("sms"))
    assert not raised.value.non_retryable
    first, again = await send(channels, request("sms")), await send(channels, request("sms"))
    assert first == again and len(fake_aliyun.sent) == 1 and fake_aliyun.violations == []


async def test_a_failed_delivery_report_fails_the_attempt(sqlite_url: str,
                                                          fake_aliyun: FakeAliyunSms):
    open_notice(sqlite_url)
    cfg = config(fake_aliyun)
    sent = await send(ChannelActivities(cfg, sqlite_url), request("sms"))
    fake_aliyun.report(sent.provider_id or "", delivered=False, err_code="MK:0004")
    result = await pull(cfg, sqlite_url, sent)
    assert [(r.status, r.error_code) for r in result.receipts] == [
        (DeliveryStatus.failed, "MK:0004")] and result.final
