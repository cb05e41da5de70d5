"""NoticeWorkflow pulls the reports a provider keeps (DingTalk read status, Aliyun delivery)
on a schedule until they are final, the employee answers or the notice closes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.notices.store import NoticeActivities
from domain.notices.payloads import (
    Answer,
    DeliveryStatus,
    NoticeInput,
    NoticeOutcome,
    NoticeRecipient,
    PullRequest,
    PullResult,
    Receipt,
    SendRequest,
    SendResult,
)
from workflows.notice import NoticeWorkflow

LI = NoticeRecipient(name="李四", phone="+8613900139000", dingtalk_user_id="manager4220")


@dataclass
class FakeProvider:
    """DingTalk as the workflow sees it: sends are queued, pulls answer what the test scripts."""

    reports: list[list[DeliveryStatus]] = field(default_factory=list)  # one list per pull
    pulls: list[tuple[datetime, PullRequest]] = field(default_factory=list)
    sent: list[SendRequest] = field(default_factory=list)

    @activity.defn(name="send_notice")
    async def send_notice(self, request: SendRequest) -> SendResult:
        self.sent.append(request)
        if request.channel == "dingtalk":
            return SendResult(channel="dingtalk", status=DeliveryStatus.queued,
                              provider_id=str(256000000 + request.attempt_no),
                              to="manager4220", pull=True)
        return SendResult(channel=request.channel, status=DeliveryStatus.sent, to="x")

    @activity.defn(name="pull_receipts")
    async def pull_receipts(self, request: PullRequest) -> PullResult:
        self.pulls.append((activity.info().current_attempt_scheduled_time, request))
        statuses = self.reports.pop(0) if self.reports else []
        now = activity.info().current_attempt_scheduled_time
        return PullResult(tuple(Receipt(s, now, request.attempt_no, "dingtalk") for s in statuses),
                          final=DeliveryStatus.read in statuses)


@dataclass
class Harness:
    env: WorkflowEnvironment
    provider: FakeProvider
    queue: str

    async def start(self, channels: tuple[str, ...] = ("dingtalk", "email"),
                    **overrides: object) -> WorkflowHandle:
        inp = NoticeInput(subject_id="case-1", purpose="return_to_work", template="return_to_work",
                          data={"return_date": "2026-12-01"}, recipient=LI,
                          channels=channels, reminder_before=None, **overrides)  # type: ignore[arg-type]
        return await self.env.client.start_workflow(
            NoticeWorkflow.run, inp, id=f"notice-{uuid.uuid4()}", task_queue=self.queue)


async def markers(handle: WorkflowHandle) -> int:
    """Patch markers in the history (their patch ids are encrypted with the payloads)."""
    history = await handle.fetch_history()
    return sum(1 for e in history.events if e.HasField("marker_recorded_event_attributes"))


@pytest.fixture
async def ph(time_skipping_env: WorkflowEnvironment, sqlite_url: str) -> AsyncIterator[Harness]:
    provider, queue = FakeProvider(), f"pull-{uuid.uuid4().hex[:6]}"
    notices = NoticeActivities(sqlite_url)
    with ThreadPoolExecutor(4) as executor:
        async with Worker(time_skipping_env.client, task_queue=queue, workflows=[NoticeWorkflow],
                          activities=[provider.send_notice, provider.pull_receipts,
                                      notices.open_notice, notices.close_notice,
                                      notices.append_evidence],
                          activity_executor=executor):
            yield Harness(time_skipping_env, provider, queue)


async def test_a_dingtalk_notice_is_pulled_until_read(ph: Harness):
    ph.provider.reports = [[], [DeliveryStatus.delivered], [], [DeliveryStatus.read]]
    handle = await ph.start()
    result: NoticeOutcome = await handle.result()

    assert [a.channel for a in result.attempts] == ["dingtalk"]  # reached: no fallback to email
    attempt = result.attempts[0]
    assert attempt.status == DeliveryStatus.read and result.proof == "read"
    assert [r.status for r in attempt.receipts] == [DeliveryStatus.delivered, DeliveryStatus.read]
    assert len(ph.provider.pulls) == 4  # final after the read: no more pulls
    times = [t for t, _ in ph.provider.pulls]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert [round(g.total_seconds() / 60) for g in gaps] == [2, 4, 8]
    assert ph.provider.pulls[0][1].provider_id == "256000001"
    assert await markers(handle) == 1  # the PULL_PATCH marker


async def test_pulls_stop_when_the_employee_answers(ph: Harness):
    handle = await ph.start()
    await ph.env.sleep(timedelta(minutes=10))
    pulls = len(ph.provider.pulls)
    await handle.signal("answer", Answer(await ph.env.get_current_time(), "link", "confirm"))
    result: NoticeOutcome = await handle.result()
    assert result.result == "acknowledged" and 1 <= pulls == len(ph.provider.pulls)


async def test_an_unread_notice_is_pulled_hourly_and_falls_back_after_the_delay(ph: Harness):
    handle = await ph.start(fallback_delay=timedelta(hours=6))
    result: NoticeOutcome = await handle.result()
    assert [a.channel for a in result.attempts] == ["dingtalk", "email"]
    # 1+2+4+8+16+32 minutes, then hourly, for the three days the notice stays open.
    assert 70 <= len(ph.provider.pulls) <= 80


async def test_channels_without_pull_are_never_pulled(ph: Harness):
    handle = await ph.start(channels=("email",))
    await handle.result()
    assert ph.provider.pulls == []
    assert await markers(handle) == 0
