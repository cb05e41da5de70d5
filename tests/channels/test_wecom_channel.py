"""send_notice on WeCom against the fake WeCom server: cards, token cache, refusals, retries.

The fake answers WeCom's documented errcodes and lists every request of ours that breaks the
contract; each test asserts that list is empty and counts what members received."""

from __future__ import annotations

from dataclasses import replace

import pytest
from temporalio.exceptions import ApplicationError

from activities.notices.send import ChannelActivities, ChannelConfig
from activities.notices.wecom import WeCom
from devstack import free_port
from domain.notices import wecom
from domain.notices.payloads import DeliveryStatus, NoticeRecipient, SendRequest
from tests.channels.fakes.wecom import FakeWeCom
from tests.channels.test_send_notice import BASE, SECRET, attempt, open_notice, request, send

ZHANG = NoticeRecipient(name="张三", phone="+8613800138000", wecom_user_id="ZhangSan")


def config(fake: FakeWeCom, **changes: object) -> ChannelConfig:
    base = ChannelConfig(secret_key=SECRET, public_base_url=BASE, hr_phone="010-12345678",
                         wecom_corp_id=fake.corp_id, wecom_agent_id=fake.agent_id,
                         wecom_secret=fake.secret, wecom_api_base_url=fake.url,
                         company_name="测试公司", timeout_seconds=5)
    return replace(base, **changes)  # type: ignore[arg-type]


def wecom_request(attempt_no: int = 1, **changes: object) -> SendRequest:
    return replace(request("wecom", attempt_no), **{"recipient": ZHANG, **changes})  # type: ignore[arg-type]


async def test_a_notice_asking_an_answer_is_a_card_with_the_button(sqlite_url: str,
                                                                    fake_wecom: FakeWeCom):
    open_notice(sqlite_url)
    result = await send(ChannelActivities(config(fake_wecom), sqlite_url), wecom_request())

    assert fake_wecom.violations == []
    [received] = fake_wecom.delivered
    card = received["template_card"]
    assert received["touser"] == "ZhangSan" and card["task_id"] == "notice-1@1"
    assert card["button_list"][0]["text"] == "我已收到"
    assert card["card_action"]["url"].startswith(f"{BASE}/r/")
    assert "复工" in card["main_title"]["title"] and "http" not in card["sub_title_text"]
    assert (result.channel, result.status, result.to) == ("wecom", DeliveryStatus.delivered,
                                                          "ZhangSan")
    row = attempt(sqlite_url, "notice-1:attempt:1")
    assert (row.state, row.provider_id) == ("sent", result.provider_id) and row.link_nonce


async def test_an_informational_notice_is_a_text_card(sqlite_url: str, fake_wecom: FakeWeCom):
    open_notice(sqlite_url)
    await send(ChannelActivities(config(fake_wecom), sqlite_url),
               wecom_request(requires_answer=False))
    assert fake_wecom.violations == []
    [received] = fake_wecom.delivered
    assert received["msgtype"] == "textcard" and received["textcard"]["url"].startswith(BASE)


async def test_the_token_is_cached_and_fetched_again_when_it_expires(sqlite_url: str,
                                                                    fake_wecom: FakeWeCom):
    open_notice(sqlite_url)
    channels = ChannelActivities(config(fake_wecom), sqlite_url)
    for attempt_no in (1, 2):
        await send(channels, wecom_request(attempt_no))
    assert fake_wecom.gettoken_calls == 1
    fake_wecom.expire_tokens()  # 42001 on the next use: fetched again, once, and sent
    result = await send(channels, wecom_request(3))
    assert result.status == DeliveryStatus.delivered and fake_wecom.gettoken_calls == 2
    assert len(fake_wecom.delivered) == 3 and fake_wecom.violations == []


async def test_an_unknown_member_fails_the_attempt_at_once(sqlite_url: str,
                                                           fake_wecom: FakeWeCom):
    open_notice(sqlite_url)
    stranger = replace(ZHANG, wecom_user_id="NoSuchMember")
    result = await send(ChannelActivities(config(fake_wecom), sqlite_url),
                        wecom_request(recipient=stranger))
    assert result.status == DeliveryStatus.failed and "81013" in result.error
    assert fake_wecom.delivered == [] and fake_wecom.send_calls == 1


async def test_wrong_credentials_fail_the_attempt_at_once(sqlite_url: str, fake_wecom: FakeWeCom):
    open_notice(sqlite_url)
    result = await send(ChannelActivities(config(fake_wecom, wecom_secret="wrong"), sqlite_url),
                        wecom_request())
    assert result.status == DeliveryStatus.failed and "40001" in result.error
    assert fake_wecom.send_calls == 0


@pytest.mark.parametrize("errcode", [-1, 45009])
async def test_a_busy_wecom_is_retried_and_sends_once(sqlite_url: str, fake_wecom: FakeWeCom,
                                                      errcode: int):
    open_notice(sqlite_url)
    channels = ChannelActivities(config(fake_wecom), sqlite_url)
    fake_wecom.script = [errcode]
    with pytest.raises(ApplicationError) as raised:
        await send(channels, wecom_request())
    assert not raised.value.non_retryable and str(errcode) in str(raised.value)
    assert attempt(sqlite_url, "notice-1:attempt:1").state == "retryable"
    first = await send(channels, wecom_request())  # the activity's retry
    again = await send(channels, wecom_request())  # and a retry after it succeeded
    assert first == again and first.status == DeliveryStatus.delivered
    assert len(fake_wecom.delivered) == 1 and fake_wecom.violations == []


async def test_wecom_refuses_the_same_card_twice(fake_wecom: FakeWeCom):
    """A send that went out but whose answer was lost: the same card again is refused by its task
    id (42014), which the adapter reads as sent; the member has the card once."""
    body = wecom.message(user_id="ZhangSan", agent_id=fake_wecom.agent_id, subject="复工通知",
                         text="请返岗", link=f"{BASE}/r/t", source="测试公司", ask_answer=True,
                         task="notice-9@1")
    first = await WeCom(config(fake_wecom)).send(body)
    again = await WeCom(config(fake_wecom)).send(body)
    assert first[1] == again[1] == DeliveryStatus.delivered and again[0] == "notice-9@1"
    assert len(fake_wecom.delivered) == 1 and fake_wecom.violations == []


async def test_without_credentials_wecom_goes_to_the_outbox(sqlite_url: str):
    open_notice(sqlite_url)
    result = await send(ChannelActivities(ChannelConfig(secret_key=SECRET), sqlite_url),
                        wecom_request())
    assert result.channel == "outbox" and result.status == DeliveryStatus.sent


async def test_an_unreachable_wecom_is_retried_and_no_secret_is_told(sqlite_url: str,
                                                                     fake_wecom: FakeWeCom):
    open_notice(sqlite_url)
    closed = f"http://127.0.0.1:{free_port()}"
    channels = ChannelActivities(config(fake_wecom, wecom_api_base_url=closed), sqlite_url)
    with pytest.raises(ApplicationError) as raised:
        await send(channels, wecom_request())
    assert not raised.value.non_retryable and fake_wecom.secret not in str(raised.value)
    assert attempt(sqlite_url, "notice-1:attempt:1").state == "retryable"
    assert fake_wecom.secret not in repr(config(fake_wecom))
