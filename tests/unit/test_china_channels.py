"""The pure rules of the Chinese channels: WeCom's callback crypto and cards, DingTalk's read
status, Aliyun's RPC signature, and which errors heal. Vectors from the providers' own samples."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.notices import aliyun_sms, dingtalk, wecom
from domain.notices.payloads import DeliveryStatus
from domain.notices.pulls import pull_wait

# WeCom's sample (WXBizMsgCrypt Sample, 加解密方案说明): token, key, CorpID and a message.
TOKEN, KEY, CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
SAMPLE = ("RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUp"
          "j911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4X"
          "gpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r"
          "+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Nc"
          "x4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2u"
          "yPIGHBZZIs2pDBS8R07+qN+E7Q==")


def test_wecom_sample_message_verifies_and_decrypts():
    assert wecom.signature(TOKEN, "1409659813", "1372623149", SAMPLE) == \
        "477715d11cdb4164915debcba66cb864d751f3e6"
    fields = wecom.xml_fields(wecom.decrypt(KEY, SAMPLE, CORP))
    assert (fields["FromUserName"], fields["Content"]) == ("mycreate", "hello")


def test_wecom_sample_url_check_echo():
    echo = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
    assert wecom.signature(TOKEN, "1409659589", "263014780", echo) == \
        "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
    assert wecom.decrypt(KEY, echo, CORP) == b"1616140317555161061"


def test_wecom_refuses_another_corp_and_tampering():
    with pytest.raises(wecom.CryptoError):
        wecom.decrypt(KEY, SAMPLE, "ww-someone-else")
    tampered = SAMPLE[:40] + ("A" if SAMPLE[40] != "A" else "B") + SAMPLE[41:]
    with pytest.raises(wecom.CryptoError):
        wecom.decrypt(KEY, tampered, CORP)
    with pytest.raises(wecom.CryptoError):
        wecom.xml_fields('<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>')


@given(message=st.binary(max_size=600), receiver=st.from_regex(r"[a-z0-9]{1,20}", fullmatch=True),
       random16=st.binary(min_size=16, max_size=16))
def test_wecom_encrypt_then_decrypt_is_the_message(message: bytes, receiver: str,
                                                   random16: bytes):
    encrypted = wecom.encrypt(KEY, message, receiver, random16)
    assert wecom.decrypt(KEY, encrypted, receiver) == message


@given(notice=st.from_regex(r"notice-[a-z0-9-]{1,60}", fullmatch=True),
       attempt=st.integers(min_value=1, max_value=99))
def test_a_card_task_id_names_its_attempt(notice: str, attempt: int):
    assert wecom.attempt_of_task(wecom.task_id(notice, attempt)) == (notice, attempt)


def test_wecom_cards_ask_with_a_button_or_inform_with_a_text_card():
    asked = wecom.message(user_id="ZhangSan", agent_id=1, subject="复工通知", text="请于12月1日返岗",
                          link="https://x/r/t", source="测试公司", ask_answer=True, task="n@1")
    card = asked["template_card"]
    assert asked["msgtype"] == "template_card" and card["card_type"] == "button_interaction"
    assert card["button_list"] == [{"text": "我已收到", "style": 1, "key": "confirm"}]
    assert card["task_id"] == "n@1" and card["card_action"] == {"type": 1, "url": "https://x/r/t"}
    told = wecom.message(user_id="ZhangSan", agent_id=1, subject="通知", text="长" * 400,
                         link="https://x/r/t", source="", ask_answer=False, task="n@2")
    assert told["msgtype"] == "textcard"
    assert len(told["textcard"]["description"].encode()) <= 512


def test_a_card_drops_the_link_line_and_its_lead_in():
    text = "张三您好：\n请于 12 月 1 日返岗。\n请点击以下链接答复：\nhttps://x/r/t\n人事部"
    assert wecom.card_text(text, "https://x/r/t") == "张三您好：\n请于 12 月 1 日返岗。\n人事部"


@pytest.mark.parametrize(("code", "kind"), [
    (0, "ok"), (40014, "token"), (42001, "token"), (-1, "transient"), (45009, "transient"),
    (42014, "duplicate"), (81013, "permanent"), (40001, "permanent"), (40056, "permanent")])
def test_wecom_errors_that_heal_and_those_that_do_not(code: int, kind: str):
    assert wecom.classify(code) == kind


@pytest.mark.parametrize(("code", "kind"), [
    (0, "ok"), (42001, "token"), (143103, "transient"), (1430003, "transient"),
    (40089, "permanent"), (1430000, "permanent"), (143105, "permanent")])
def test_dingtalk_errors_that_heal_and_those_that_do_not(code: int, kind: str):
    assert dingtalk.classify(code) == kind


def test_dingtalk_read_status_from_the_send_result():
    result = {"read_user_id_list": ["a"], "unread_user_id_list": ["b"],
              "invalid_user_id_list": ["c"], "forbidden_user_id_list": ["d"],
              "forbidden_list": [{"code": "143106", "count": 1, "userid": "d"}]}
    assert dingtalk.send_status(result, "a") == (DeliveryStatus.read, "")
    assert dingtalk.send_status(result, "b") == (DeliveryStatus.delivered, "")
    assert dingtalk.send_status(result, "c") == (DeliveryStatus.failed, "invalid_user")
    assert dingtalk.send_status(result, "d") == (DeliveryStatus.failed, "forbidden:143106")
    assert dingtalk.send_status(result, "e") is None


@given(text=st.text(max_size=3000))
def test_a_dingtalk_message_stays_within_2048_bytes(text: str):
    msg = dingtalk.message(subject="复工通知", text=text, link="https://x/r/" + "t" * 120)
    assert len(json.dumps(msg, ensure_ascii=False).encode()) <= dingtalk.MSG_MAX_BYTES
    assert msg["action_card"]["single_url"].endswith("t" * 120)


def test_aliyun_signature_of_the_documented_example():
    """Alibaba Cloud's SMS signature example (AccessKeySecret testSecret)."""
    params = {"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
              "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou",
              "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
              "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
              "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25"}
    assert aliyun_sms.sign("GET", params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


@given(st.text(max_size=50))
def test_aliyun_percent_encoding_keeps_only_unreserved(value: str):
    encoded = aliyun_sms.percent_encode(value)
    assert all(c.isascii() and (c.isalnum() or c in "-_.~%") for c in encoded)
    assert "+" not in encoded and "*" not in encoded


def test_aliyun_request_carries_the_signature_and_the_template():
    params = aliyun_sms.signed("POST", "SendSms", aliyun_sms.send_params(
        phone="+8613800138000", sign_name="测试公司", template_code="SMS_1",
        template_param={"name": "张三", "code": "K7M2QX"}, out_id="notice-1:attempt:1"),
        access_key_id="id", secret="s", nonce="n1", now=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    assert params["PhoneNumbers"] == "13800138000" and params["Timestamp"] == "2026-12-02T08:00:00Z"
    assert json.loads(params["TemplateParam"]) == {"name": "张三", "code": "K7M2QX"}
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    assert params["Signature"] == aliyun_sms.sign("POST", unsigned, "s")


@pytest.mark.parametrize(("code", "kind"), [
    ("OK", "ok"), ("isv.BUSINESS_LIMIT_CONTROL", "transient"), ("isp.SYSTEM_ERROR", "transient"),
    ("isv.SMS_TEMPLATE_ILLEGAL", "permanent"), ("isv.MOBILE_NUMBER_ILLEGAL", "permanent"),
    ("SignatureDoesNotMatch", "permanent"), ("InvalidAccessKeyId.NotFound", "permanent")])
def test_aliyun_errors_that_heal_and_those_that_do_not(code: str, kind: str):
    assert aliyun_sms.classify(code) == kind


def test_only_mainland_numbers_go_to_aliyun():
    assert aliyun_sms.is_mainland("+8613800138000")
    assert not aliyun_sms.is_mainland("+85291234567") and not aliyun_sms.is_mainland("+14155550100")


def test_pulls_slow_down_to_hourly():
    waits = [pull_wait(n) for n in range(12)]
    assert waits[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert waits == sorted(waits) and waits[-1] == timedelta(hours=1)


def test_the_channel_secrets_stay_out_of_the_settings_repr():
    from settings import Settings
    settings = Settings(wecom_secret="wecom-s3cret", dingtalk_app_secret="ding-s3cret",
                        aliyun_sms_access_key_secret="ali-s3cret", wecom_token="tok-s3cret",
                        wecom_aes_key=KEY)
    text = repr(settings) + str(settings.model_dump())
    assert not any(s in text for s in ("wecom-s3cret", "ding-s3cret", "ali-s3cret", "tok-s3cret",
                                       KEY))
    with pytest.raises(ValueError, match="EncodingAESKey"):
        Settings(wecom_aes_key="too-short")
