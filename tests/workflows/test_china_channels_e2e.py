"""A Notice workflow with the real channel and pull activities against the fake DingTalk and
Aliyun servers: sent once, its reports pulled until final, the outcome carries them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.notices.providers import ChannelConfig
from domain.notices.payloads import DeliveryStatus, NoticeInput, NoticeOutcome, NoticeRecipient
from tests.channels.fakes.aliyun import FakeAliyunSms
from tests.channels.fakes.dingtalk import FakeDingTalk
from worker import WORKFLOW_RUNNER, WORKFLOWS, Workers, activities_for

EMPLOYEE = NoticeRecipient(name="李四", phone="+8613900139000", dingtalk_user_id="manager4220")


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeDingTalk, FakeAliyunSms]]:
    ding, aliyun = FakeDingTalk(read_after=3), FakeAliyunSms(deliver_after=2)
    await ding.start()
    await aliyun.start()
    try:
        yield ding, aliyun
    finally:
        await ding.stop()
        await aliyun.stop()


async def run_notice(env: WorkflowEnvironment, db_url: str, tmp_path: Path, cfg: ChannelConfig,
                     channel: str, **overrides: object) -> NoticeOutcome:
    queue = f"china-{uuid.uuid4().hex[:6]}"
    inp = NoticeInput(subject_id="case-1", purpose="return_to_work", template="return_to_work",
                      data={"return_date": "2026-12-01"}, recipient=EMPLOYEE,
                      channels=(channel, "email"), reminder_before=None,  # type: ignore[arg-type]
                      **overrides)  # type: ignore[arg-type]
    with ThreadPoolExecutor(4) as executor:
        async with Workers(env.client, task_queue=queue, workflows=list(WORKFLOWS),
                           workflow_runner=WORKFLOW_RUNNER, activity_executor=executor,
                           activities=activities_for(db_url, cfg, tmp_path / "documents")):
            outcome: NoticeOutcome = await env.client.execute_workflow(
                "Notice", inp, id=f"notice-{uuid.uuid4()}", task_queue=queue,
                result_type=NoticeOutcome)
    return outcome


async def test_a_dingtalk_notice_is_read_on_dingtalk(
        time_skipping_env: WorkflowEnvironment, sqlite_url: str, tmp_path: Path,
        fakes: tuple[FakeDingTalk, FakeAliyunSms]):
    ding, _ = fakes
    cfg = ChannelConfig(secret_key="s" * 32, dingtalk_app_key=ding.app_key,
                        dingtalk_app_secret=ding.app_secret, dingtalk_agent_id=ding.agent_id,
                        dingtalk_api_base_url=ding.url, timeout_seconds=5)
    outcome = await run_notice(time_skipping_env, sqlite_url, tmp_path, cfg, "dingtalk",
                               requires_answer=False)
    assert [(a.channel, a.status) for a in outcome.attempts] == [("dingtalk",
                                                                  DeliveryStatus.delivered)]
    assert len(ding.sent) == 1 and ding.violations == []
    assert outcome.result == "sent" and outcome.proof == "delivered"


async def test_a_dingtalk_notice_open_for_an_answer_is_pulled_until_read(
        time_skipping_env: WorkflowEnvironment, sqlite_url: str, tmp_path: Path,
        fakes: tuple[FakeDingTalk, FakeAliyunSms]):
    ding, _ = fakes
    cfg = ChannelConfig(secret_key="s" * 32, dingtalk_app_key=ding.app_key,
                        dingtalk_app_secret=ding.app_secret, dingtalk_agent_id=ding.agent_id,
                        dingtalk_api_base_url=ding.url, timeout_seconds=5)
    outcome = await run_notice(time_skipping_env, sqlite_url, tmp_path, cfg, "dingtalk")
    [attempt] = outcome.attempts
    assert attempt.status == DeliveryStatus.read and outcome.proof == "read"
    assert [r.status for r in attempt.receipts] == [DeliveryStatus.delivered, DeliveryStatus.read]
    assert ding.result_calls == 3 and len(ding.sent) == 1 and ding.violations == []


async def test_an_sms_to_a_mainland_number_is_delivered_through_aliyun(
        time_skipping_env: WorkflowEnvironment, sqlite_url: str, tmp_path: Path,
        fakes: tuple[FakeDingTalk, FakeAliyunSms]):
    _, aliyun = fakes
    cfg = ChannelConfig(secret_key="s" * 32, aliyun_sms_access_key_id=aliyun.access_key_id,
                        aliyun_sms_access_key_secret=aliyun.access_key_secret,
                        aliyun_sms_sign_name="测试公司",
                        aliyun_sms_template_codes=(("*", "SMS_470001"),),
                        aliyun_sms_endpoint=aliyun.url, timeout_seconds=5)
    outcome = await run_notice(time_skipping_env, sqlite_url, tmp_path, cfg, "sms",
                               requires_answer=False)
    [attempt] = outcome.attempts
    assert (attempt.channel, attempt.status) == ("sms", DeliveryStatus.delivered)
    assert len(aliyun.sent) == 1 and aliyun.violations == []
