"""send_notice and pull_receipts on DingTalk against the fake DingTalk server: the work
notification, its read status pulled from the send result, refusals and retries."""

from __future__ import annotations

from dataclasses import replace

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notices.dingtalk import DingTalk
from activities.notices.pull import ReceiptActivities
from activities.notices.send import ChannelActivities, ChannelConfig
from domain.notices import dingtalk
from domain.notices.payloads import (
    DeliveryStatus,
    NoticeRecipient,
    PullRequest,
    PullResult,
    SendRequest,
    SendResult,
)
from tests.channels.fakes.dingtalk import FakeDingTalk
from tests.channels.test_send_notice import BASE, SECRET, attempt, open_notice, request, send

LI = NoticeRecipient(name="李四", phone="+8613900139000", dingtalk_user_id="manager4220")


def config(fake: FakeDingTalk, **changes: object) -> ChannelConfig:
    base = ChannelConfig(secret_key=SECRET, public_base_url=BASE, dingtalk_app_key=fake.app_key,
                         dingtalk_app_secret=fake.app_secret, dingtalk_agent_id=fake.agent_id,
                         dingtalk_api_base_url=fake.url, timeout_seconds=5)
    return replace(base, **changes)  # type: ignore[arg-type]


def ding_request(attempt_no: int = 1, **changes: object) -> SendRequest:
    return replace(request("dingtalk", attempt_no), **{"recipient": LI, **changes})  # type: ignore[arg-type]


async def pull(cfg: ChannelConfig, db_url: str, sent: SendResult, attempt_no: int = 1) -> PullResult:
    result: PullResult = await ActivityEnvironment().run(
        ReceiptActivities(cfg, db_url).pull_receipts,
        PullRequest("notice-1", attempt_no, "dingtalk", sent.provider_id or "", sent.to))
    return result


async def test_a_work_notification_is_queued_then_read_by_pull(sqlite_url: str,
                                                               fake_dingtalk: FakeDingTalk):
    open_notice(sqlite_url)
    cfg = config(fake_dingtalk)
    sent = await send(ChannelActivities(cfg, sqlite_url), ding_request())

    assert fake_dingtalk.violations == []
    [message] = fake_dingtalk.sent
    card = message["msg"]["action_card"]
    assert message["userid"] == "manager4220" and card["single_url"].startswith(f"{BASE}/r/")
    assert (sent.status, sent.pull, sent.to) == (DeliveryStatus.queued, True, "manager4220")

    unread = await pull(cfg, sqlite_url, sent)
    assert [r.status for r in unread.receipts] == [DeliveryStatus.delivered] and not unread.final
    fake_dingtalk.read(int(sent.provider_id or 0), "manager4220")
    read = await pull(cfg, sqlite_url, sent)
    assert [r.status for r in read.receipts] == [DeliveryStatus.read] and read.final
    assert (await pull(cfg, sqlite_url, sent)).receipts == ()  # recorded once
    assert attempt(sqlite_url, "notice-1:attempt:1").status == "read"
    assert fake_dingtalk.gettoken_calls == 1 and fake_dingtalk.violations == []


async def test_an_unknown_user_fails_on_the_send_result(sqlite_url: str,
                                                        fake_dingtalk: FakeDingTalk):
    open_notice(sqlite_url)
    cfg = config(fake_dingtalk)
    stranger = replace(LI, dingtalk_user_id="nobody01")
    sent = await send(ChannelActivities(cfg, sqlite_url), ding_request(recipient=stranger))
    result = await pull(cfg, sqlite_url, sent)
    assert [(r.status, r.error_code) for r in result.receipts] == [
        (DeliveryStatus.failed, "invalid_user")] and result.final


async def test_the_same_content_twice_a_day_is_forbidden(fake_dingtalk: FakeDingTalk):
    """DingTalk takes an identical message to one user once a day; the second send succeeds but
    its send result lists the user as forbidden (143106), which fails that attempt."""
    talk = DingTalk(config(fake_dingtalk))
    msg = dingtalk.message(subject="复工通知", text="请返岗", link=f"{BASE}/r/t")
    first, _ = await talk.send("manager4220", msg)
    second, _ = await talk.send("manager4220", msg)
    assert dingtalk.send_status(await talk.send_result(first), "manager4220") == (
        DeliveryStatus.delivered, "")
    assert dingtalk.send_status(await talk.send_result(second), "manager4220") == (
        DeliveryStatus.failed, "forbidden:143106")
    assert len(fake_dingtalk.sent) == 1 and fake_dingtalk.violations == []


async def test_wrong_credentials_fail_the_attempt_at_once(sqlite_url: str,
                                                          fake_dingtalk: FakeDingTalk):
    open_notice(sqlite_url)
    result = await send(ChannelActivities(config(fake_dingtalk, dingtalk_app_secret="x"),
                                          sqlite_url), ding_request())
    assert result.status == DeliveryStatus.failed and "40089" in result.error
    assert fake_dingtalk.send_calls == 0


async def test_flow_control_is_retried_and_sends_once(sqlite_url: str,
                                                      fake_dingtalk: FakeDingTalk):
    open_notice(sqlite_url)
    channels = ChannelActivities(config(fake_dingtalk), sqlite_url)
    fake_dingtalk.script = [143103]
    with pytest.raises(ApplicationError) as raised:
        await send(channels, ding_request())
    assert not raised.value.non_retryable
    first, again = await send(channels, ding_request()), await send(channels, ding_request())
    assert first == again and len(fake_dingtalk.sent) == 1


async def test_an_expired_token_is_fetched_again_for_the_pull(sqlite_url: str,
                                                              fake_dingtalk: FakeDingTalk):
    open_notice(sqlite_url)
    cfg = config(fake_dingtalk)
    sent = await send(ChannelActivities(cfg, sqlite_url), ding_request())
    fake_dingtalk.expire_tokens()
    result = await pull(cfg, sqlite_url, sent)
    assert [r.status for r in result.receipts] == [DeliveryStatus.delivered]
    assert fake_dingtalk.gettoken_calls == 2 and fake_dingtalk.violations == []
