"""NoticeWorkflow (通知): send on the channels in order, fall back, remind once, report the outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.notices.pull import ReceiptActivities
    from activities.notices.send import ChannelActivities
    from activities.notices.store import NoticeActivities
    from domain.notices.payloads import (
        Answer,
        AttemptView,
        Channel,
        DeliveryStatus,
        EvidenceEvent,
        NoticeClose,
        NoticeInput,
        NoticeOpen,
        NoticeOutcome,
        PullRequest,
        PullResult,
        Receipt,
        SendRequest,
        SendResult,
    )
    from domain.notices.pulls import pull_wait
    from domain.notices.rules import (
        FAILED,
        REACHED,
        advances,
        holds_for_quiet,
        proof_grade,
        quiet_until,
        send_steps,
    )
    from workflows._policies import DB_ACTIVITY, PULL_ACTIVITY, SEND_ACTIVITY
    from workflows._timers import ScaledClock


# Reports that must be pulled (SendResult.pull: DingTalk, Aliyun SMS) are pulled on a schedule.
PULL_PATCH = "2026-12-pull-receipts"


@workflow.defn(name="Notice")
class NoticeWorkflow:
    @workflow.init
    def __init__(self, inp: NoticeInput) -> None:
        self._in = inp
        self._clock = ScaledClock(inp.time_scale)
        self._attempts: list[AttemptView] = []
        self._answer: Answer | None = None
        self._send_lock = asyncio.Lock()
        self._early: dict[int, list[Receipt]] = {}  # receipts that overtook their send's result
        self._pulls: list[asyncio.Task[None]] = []  # attempts whose reports are pulled

    @workflow.run
    async def run(self, inp: NoticeInput) -> NoticeOutcome:
        opened_at = self._clock.now()
        await self._write(NoticeActivities.open_notice,
                          NoticeOpen(workflow.info().workflow_id, inp, opened_at))
        closes_at = opened_at + inp.response_window
        reminder = asyncio.create_task(self._remind_before(closes_at))
        await self._send_with_fallback(closes_at)
        if inp.requires_answer:
            await self._clock.sleep_until(closes_at, wake=lambda: self._answer is not None)
        reminder.cancel()
        for pull in self._pulls:
            pull.cancel()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return await self._close()

    @workflow.signal(name="receipt")
    def receipt(self, receipt: Receipt) -> None:
        """A delivery, open or read report for one attempt; stale or duplicate ones change nothing."""
        index = receipt.attempt_no - 1
        if index >= len(self._attempts):
            self._early.setdefault(receipt.attempt_no, []).append(receipt)
            return
        if index < 0:
            return
        attempt = self._attempts[index]
        receipts = attempt.receipts + (receipt,)
        status = receipt.status if advances(attempt.status, receipt.status) else attempt.status
        self._attempts[index] = replace(attempt, status=status, receipts=receipts)

    @workflow.signal(name="answer")
    def answered(self, answer: Answer) -> None:
        """The employee's explicit answer (link page, SMS reply): the only acknowledgement."""
        if self._answer is None:
            self._answer = answer

    @workflow.query(name="outcome")
    def outcome(self) -> NoticeOutcome:
        return self._outcome("acknowledged" if self._answer else "unacknowledged")

    async def _send_with_fallback(self, closes_at: datetime) -> None:
        """Each step in turn until one is reached (or answered); a failure moves on at once. A
        step is one channel, or an SMS with the channel carrying its link (`pair_link`)."""
        for step in send_steps(self._in.channels, self._in.pair_link):
            attempts = []
            for channel in step:
                await self._wait_out_quiet_hours(channel)
                if self._answer is not None:
                    return
                companion = step[0] if len(step) == 2 and channel == "sms" else ""
                attempts.append(await self._send(channel, reminder=False, companion=companion))
            deadline = min(closes_at, self._clock.now() + self._in.fallback_delay)
            # Notices before the channel policy woke on their one attempt's own rule: kept, so
            # their timers replay as they ran.
            settled = partial(self._step_settled, attempts) if self._in.pair_link \
                else partial(self._settled, attempts[0])
            await self._clock.sleep_until(deadline, wake=settled)
            if self._answer is not None or any(self._reached(a) for a in attempts):
                return

    async def _wait_out_quiet_hours(self, channel: Channel) -> None:
        """With the channel policy, an SMS or a call to action waits until 08:00 Beijing time
        when it would go out between 22:00 and 08:00, unless the notice is urgent."""
        if not self._in.quiet_hours or self._in.urgent or \
                not holds_for_quiet(channel, self._in.requires_answer):
            return
        until = quiet_until(self._clock.now())
        if until is not None:
            await self._clock.sleep_until(until, wake=lambda: self._answer is not None)

    async def _remind_before(self, closes_at: datetime) -> None:
        before = self._in.reminder_before
        if before is None or not self._in.requires_answer:
            return
        await self._clock.sleep_until(closes_at - before, wake=lambda: self._answer is not None)
        if self._answer is None:
            channel = self._best_channel()
            await self._wait_out_quiet_hours(channel)
            if self._answer is None:
                await self._send(channel, reminder=True)

    async def _send(self, channel: Channel, reminder: bool, companion: str = "") -> int:
        async with self._send_lock:
            attempt_no = len(self._attempts) + 1
            try:
                result: SendResult = await self._send_activity(channel, attempt_no, reminder,
                                                               companion)
            except ActivityError as error:
                result = SendResult(channel=channel, status=DeliveryStatus.failed,
                                    error=f"send failed: {error.cause or error}")
            self._attempts.append(AttemptView(
                attempt_no=attempt_no, channel=result.channel, to=result.to, status=result.status,
                provider_id=result.provider_id, reminder=reminder, sent_at=self._clock.now(),
                error=result.error))
            for early in self._early.pop(attempt_no, []):
                self.receipt(early)
            if result.pull and result.provider_id and workflow.patched(PULL_PATCH):
                self._pulls.append(asyncio.create_task(self._pull(attempt_no, result)))
            await self._evidence("notice_attempt", f"attempt:{attempt_no}", attempt=attempt_no,
                                 channel=result.channel, to=result.to, status=result.status.value,
                                 provider_id=result.provider_id, reminder=reminder,
                                 error=result.error, purpose=self._in.purpose)
            return attempt_no

    async def _send_activity(self, channel: Channel, attempt_no: int, reminder: bool,
                             companion: str = "") -> SendResult:
        notice_id = workflow.info().workflow_id
        return await workflow.execute_activity_method(
            ChannelActivities.send_notice,
            SendRequest(idempotency_key=f"{notice_id}:attempt:{attempt_no}", notice_id=notice_id,
                        subject_id=self._in.subject_id, attempt_no=attempt_no, channel=channel,
                        recipient=self._in.recipient, purpose=self._in.purpose,
                        template=self._in.template, data=self._in.data, reminder=reminder,
                        requires_answer=self._in.requires_answer, companion=companion),
            **SEND_ACTIVITY)

    async def _pull(self, attempt_no: int, sent: SendResult) -> None:
        """Ask the provider for this attempt's reports (DingTalk read status, Aliyun delivery) on
        a schedule until they are final, the employee answers or the notice closes."""
        request = PullRequest(notice_id=workflow.info().workflow_id, attempt_no=attempt_no,
                              channel=sent.channel, provider_id=sent.provider_id or "", to=sent.to)
        pulls = 0
        while self._answer is None:
            await self._clock.sleep_until(self._clock.now() + pull_wait(pulls),
                                          wake=lambda: self._answer is not None)
            pulls += 1
            if self._answer is not None:
                return
            try:
                result: PullResult = await workflow.execute_activity_method(
                    ReceiptActivities.pull_receipts, request, **PULL_ACTIVITY)
            except ActivityError:
                continue  # the provider is down for now: the next pull asks again
            for receipt in result.receipts:
                self.receipt(receipt)
            if result.final:
                return

    async def _evidence(self, kind: str, key: str, **payload: Any) -> None:
        notice_id = workflow.info().workflow_id
        await self._write(
            NoticeActivities.append_evidence,
            EvidenceEvent(subject_id=self._in.subject_id, idempotency_key=f"{notice_id}:{key}",
                          at=self._clock.now(), actor="system", kind=kind,
                          payload={"notice_id": notice_id, **payload}))

    def _step_settled(self, attempts: list[int]) -> bool:
        """Answered, or one attempt of the step reached, or every one of them settled."""
        return self._answer is not None or any(self._reached(a) for a in attempts) \
            or all(self._settled(a) for a in attempts)

    def _settled(self, attempt_no: int) -> bool:
        status = self._attempts[attempt_no - 1].status
        return self._answer is not None or status in FAILED or status in REACHED or \
            status == DeliveryStatus.unknown

    def _reached(self, attempt_no: int) -> bool:
        attempt = self._attempts[attempt_no - 1]
        if attempt.status in REACHED:
            return True
        # SMTP acceptance and the outbox give no later delivery report: acceptance is the receipt.
        return attempt.channel in ("email", "outbox") and attempt.status == DeliveryStatus.sent

    def _best_channel(self) -> Channel:
        reached = [a.channel for a in self._attempts if self._reached(a.attempt_no)]
        return reached[-1] if reached else self._in.channels[0]

    def _outcome(self, result: Any) -> NoticeOutcome:
        attempts = tuple(self._attempts)
        return NoticeOutcome(
            notice_id=workflow.info().workflow_id, result=result,
            proof=proof_grade(attempts, self._answer), attempts=attempts, answer=self._answer,
            unreachable=not any(self._reached(a.attempt_no) for a in attempts))

    async def _close(self) -> NoticeOutcome:
        result = "acknowledged" if self._answer else "unacknowledged"
        if not self._in.requires_answer:
            result = "sent"
        outcome = replace(self._outcome(result), closed_at=self._clock.now())
        await self._write(NoticeActivities.close_notice,
                          NoticeClose(workflow.info().workflow_id, self._in.subject_id, outcome))
        return outcome

    async def _write(self, method: Callable[[Any, Any], Any], request: Any) -> Any:
        """One of the notice's own database writes, each idempotent by its key (a local retry
        writes nothing twice): a local activity for notices started with `local_writes`, so the
        write rides on the workflow task that asked for it."""
        if self._in.local_writes:
            return await workflow.execute_local_activity_method(method, request, **DB_ACTIVITY)
        return await workflow.execute_activity_method(method, request, **DB_ACTIVITY)
