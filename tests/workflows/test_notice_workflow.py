"""NoticeWorkflow under time skipping, with a fake channel registered under the real name."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlmodel import select
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
    Receipt,
    SendRequest,
    SendResult,
)
from store.db import session_for
from store.models import EvidenceEntry, NoticeRow
from workflows.notice import NoticeWorkflow

EMPLOYEE = NoticeRecipient(name="张三", phone="+8613800138000", email="zs@example.com")


@dataclass
class FakeChannels:
    """Answers each send with the status configured for its channel, and records the call."""

    status: dict[str, DeliveryStatus] = field(default_factory=dict)
    sent: list[SendRequest] = field(default_factory=list)

    @activity.defn(name="send_notice")
    async def send_notice(self, request: SendRequest) -> SendResult:
        self.sent.append(request)
        status = self.status.get(request.channel, DeliveryStatus.sent)
        return SendResult(channel=request.channel, status=status,
                          provider_id=f"{request.channel}-{request.attempt_no}",
                          to=request.recipient.phone or "")


@dataclass
class NoticeHarness:
    env: WorkflowEnvironment
    channels: FakeChannels
    queue: str
    db_url: str
    local_writes: bool

    async def start(self, channels=("sms", "email"), **overrides) -> WorkflowHandle:
        inp = NoticeInput(subject_id="case-1", purpose="return_to_work", template="return_to_work",
                          data={"return_date": "2026-12-01"}, recipient=EMPLOYEE,
                          channels=tuple(channels), local_writes=self.local_writes, **overrides)
        return await self.env.client.start_workflow(
            NoticeWorkflow.run, inp, id=f"notice-{uuid.uuid4()}", task_queue=self.queue)


@pytest.fixture(params=[False, True], ids=["activity-writes", "local-writes"])
async def nh(request: pytest.FixtureRequest, time_skipping_env: WorkflowEnvironment,
             sqlite_url: str) -> AsyncIterator[NoticeHarness]:
    channels, queue = FakeChannels(), f"notice-{uuid.uuid4().hex[:6]}"
    notices = NoticeActivities(sqlite_url)
    with ThreadPoolExecutor(4) as executor:
        async with Worker(time_skipping_env.client, task_queue=queue, workflows=[NoticeWorkflow],
                          activities=[channels.send_notice, notices.open_notice,
                                      notices.close_notice, notices.append_evidence],
                          activity_executor=executor):
            yield NoticeHarness(time_skipping_env, channels, queue, sqlite_url, request.param)


async def outcome(handle: WorkflowHandle) -> NoticeOutcome:
    return await handle.query("outcome", result_type=NoticeOutcome)


async def test_no_answer_gets_one_reminder_then_unacknowledged_with_the_receipts(nh):
    handle = await nh.start()
    await nh.env.sleep(timedelta(hours=1))
    await handle.signal("receipt", Receipt(DeliveryStatus.delivered, await nh.env.get_current_time(),
                                           1, "twilio"))
    result: NoticeOutcome = await handle.result()
    assert result.result == "unacknowledged" and result.proof == "delivered"
    assert [(a.channel, a.reminder) for a in result.attempts] == [("sms", False), ("sms", True)]
    assert result.attempts[0].receipts[0].status == DeliveryStatus.delivered
    assert not result.unreachable
    with session_for(nh.db_url) as session:
        row = session.get(NoticeRow, handle.id)
        kinds = session.exec(select(EvidenceEntry.kind)).all()
    assert row is not None and row.status == "unacknowledged"
    assert kinds.count("notice_attempt") == 2 and "notice_closed" in kinds


async def test_an_answer_on_day_two_acknowledges_and_stops_the_reminder(nh):
    handle = await nh.start(reminder_before=timedelta(hours=12))
    await nh.env.sleep(timedelta(days=2))
    await handle.signal("answer", Answer(await nh.env.get_current_time(), "link", "confirm"))
    result: NoticeOutcome = await handle.result()
    assert result.result == "acknowledged" and result.proof == "acknowledged"
    assert not any(a.reminder for a in result.attempts)


async def test_a_failed_sms_falls_back_to_email_at_once(nh):
    nh.channels.status = {"sms": DeliveryStatus.failed}
    handle = await nh.start()
    await nh.env.sleep(timedelta(minutes=5))
    attempts = (await outcome(handle)).attempts
    assert [(a.channel, a.status) for a in attempts] == [("sms", "failed"), ("email", "sent")]


async def test_an_sms_never_delivered_falls_back_after_the_fallback_delay(nh):
    handle = await nh.start(fallback_delay=timedelta(hours=24))
    await nh.env.sleep(timedelta(hours=23))
    assert len((await outcome(handle)).attempts) == 1
    await nh.env.sleep(timedelta(hours=2))
    assert [a.channel for a in (await outcome(handle)).attempts] == ["sms", "email"]


async def test_duplicate_and_late_receipts_never_move_a_status_backwards(nh):
    handle = await nh.start()
    await nh.env.sleep(timedelta(minutes=1))
    now = await nh.env.get_current_time()
    for status in (DeliveryStatus.delivered, DeliveryStatus.delivered, DeliveryStatus.sent,
                   DeliveryStatus.failed):
        await handle.signal("receipt", Receipt(status, now, 1, "twilio"))
    assert (await outcome(handle)).attempts[0].status == DeliveryStatus.delivered


async def scheduled_activities(handle: WorkflowHandle) -> list[str]:
    history = await handle.fetch_history()
    return [e.activity_task_scheduled_event_attributes.activity_type.name for e in history.events
            if e.HasField("activity_task_scheduled_event_attributes")]


async def test_a_notice_with_local_writes_asks_the_server_only_for_its_sends(nh):
    """Its row, each attempt's evidence and its outcome are written once each, on the workflow
    tasks that asked for them: the only activity tasks are the sends (issue 21)."""
    handle = await nh.start(reminder_before=timedelta(hours=12))
    result: NoticeOutcome = await handle.result()
    sends = len(result.attempts)
    assert sends == len(nh.channels.sent) == 3  # the SMS, the email after the fallback, a reminder
    with session_for(nh.db_url) as session:
        kinds = session.exec(select(EvidenceEntry.kind)).all()
        row = session.get(NoticeRow, handle.id)
    assert row is not None and row.status == "unacknowledged"
    assert sorted(kinds) == ["notice_attempt"] * sends + ["notice_closed", "notice_opened"]
    scheduled = await scheduled_activities(handle)
    if nh.local_writes:
        assert scheduled == ["send_notice"] * sends
    else:
        assert scheduled.count("append_evidence") == sends and "open_notice" in scheduled
