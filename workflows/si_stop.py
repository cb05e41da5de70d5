"""SiStopWorkflow (减员): one per employment that ended, until the employee's SI is stopped.

HR submits the stop, a different HR manager approves it (or rejects it back), it is held while it
can still be revoked, then HR is given the task of stopping it in the bureau's portal and records
the bureau's reference and receipt: the employee's SI status turns to 停保. HR is reminded before
the region's deadline and the HR managers are told on it while the stop is not done.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contributions import ContributionActivities
    from domain.contributions.payloads import AccountEvents
    from domain.separation import messages
    from domain.separation.payloads import (
        LeaveCorrection,
        StopInput,
        StopOutcome,
        StopRecord,
        StopStatus,
        StopStep,
        StopView,
    )
    from domain.separation.rules import check_correction, check_outcome, check_step
    from domain.shared.errors import ActionRefused, RuleViolation
    from domain.shared.events import Event
    from domain.shared.people import Recipient
    from workflows._people_notices import notify_directory
    from workflows._policies import DB_ACTIVITY, OPENS_FIRST_PATCH
    from workflows._refusals import refusal
    from workflows._timers import ScaledClock


@dataclass
class _Request:
    submitted_by: str | None = None
    reviewed_by: str | None = None
    hold_until: datetime | None = None
    reference: str | None = None


@workflow.defn(name="SiStop")
class SiStopWorkflow:
    @workflow.init
    def __init__(self, inp: StopInput) -> None:
        self._in = inp
        self._clock = ScaledClock(inp.time_scale)
        self._status = StopStatus.awaiting_submission
        self._request = _Request()
        self._events: list[Event] = []
        self._flushed = 0
        self._flush_lock = asyncio.Lock()
        self._children: list[Any] = []
        self._version = 0  # bumped by every step: wakes the executor
        self._corrections = 0  # leave days corrected: each re-arms the deadline's clocks
        self._clocks: list[asyncio.Task[None]] = []
        self._opened_first = workflow.patched(OPENS_FIRST_PATCH)
        if self._opened_first:
            self._emit_opened()

    @workflow.run
    async def run(self, inp: StopInput) -> StopView:
        if not self._opened_first:
            self._emit_opened()
        await self._flush()
        self._clocks.append(asyncio.create_task(self._watch_deadline()))
        while self._status is not StopStatus.stopped:
            await self._execute_when_held()
        for clocks in self._clocks:
            clocks.cancel()
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._flush()
        await asyncio.gather(*self._children)
        return self._view()

    def _emit_opened(self) -> None:
        inp = self._in
        self._emit("stop_opened", inp.created_by, leave_date=inp.leave_date.isoformat(),
                   reason=inp.reason, due_at=inp.deadline.due_at.isoformat(),
                   deadline_source=inp.deadline.source, deadline_verified=inp.deadline.verified,
                   article=inp.deadline.article)

    # ---- HR's steps ---------------------------------------------------------------------------

    @workflow.update(name="submit_stop")
    async def submit(self, step: StopStep) -> StopView:
        self._status, self._request = StopStatus.submitted, _Request(submitted_by=step.actor.name)
        return await self._stepped("stop_submitted", step)

    @workflow.update(name="approve_stop")
    async def approve(self, step: StopStep) -> StopView:
        hold_until = self._clock.now() + self._in.hold
        self._status = StopStatus.approved
        self._request.reviewed_by, self._request.hold_until = step.actor.name, hold_until
        return await self._stepped("stop_approved", step, hold_until=hold_until.isoformat())

    @workflow.update(name="reject_stop")
    async def reject(self, step: StopStep) -> StopView:
        self._status = StopStatus.awaiting_submission
        return await self._stepped("stop_rejected", step)

    @workflow.update(name="revoke_stop")
    async def revoke(self, step: StopStep) -> StopView:
        self._status = StopStatus.awaiting_submission
        return await self._stepped("stop_revoked", step)

    @workflow.update(name="record_stop_outcome")
    async def record_outcome(self, outcome: StopOutcome) -> StopView:
        """The bureau stopped it: its reference and receipt; the employee's status turns 停保."""
        source = (f"由 {outcome.actor.name} 从社保经办平台录入，减员编号 {outcome.reference} / "
                  f"recorded by {outcome.actor.name} from the bureau's portal")
        self._emit("stop_executed", outcome.actor.name, reference=outcome.reference,
                   receipt_document=outcome.receipt_document, source=source,
                   note=outcome.note or None)
        await workflow.execute_activity_method(
            ContributionActivities.record_stopped,
            StopRecord(key=f"{workflow.info().workflow_id}:event:{self._events[-1].seq}",
                       employee_id=self._in.employee_id, effective_on=self._in.leave_date,
                       source=source), **DB_ACTIVITY)
        self._status, self._request.reference = StopStatus.stopped, outcome.reference
        await self._flush()
        return self._view()

    @workflow.update(name="correct_leave_date")
    async def correct_leave_date(self, correction: LeaveCorrection) -> StopView:
        """HR corrected the leave day: the deadline is the one counted from it, a submitted or
        approved stop goes back to submission, and the clocks are armed again for the new
        deadline. The day the stop already has changes nothing (a repeated call)."""
        before = self._in
        if correction.leave_date == before.leave_date:
            return self._view()
        self._in = replace(before, leave_date=correction.leave_date, deadline=correction.deadline)
        reopened = self._status is not StopStatus.awaiting_submission
        if reopened:
            self._status, self._request = StopStatus.awaiting_submission, _Request()
        d = correction.deadline
        self._emit("leave_date_corrected", correction.actor.name,
                   leave_date_before=before.leave_date.isoformat(),
                   leave_date=correction.leave_date.isoformat(), reason=correction.reason,
                   due_at_before=before.deadline.due_at.isoformat(), due_at=d.due_at.isoformat(),
                   deadline_source=d.source, deadline_verified=d.verified,
                   calendar_verified=d.calendar_verified,
                   returned_to_submission=reopened or None)
        self._version += 1
        self._corrections += 1
        self._clocks.append(asyncio.create_task(self._watch_deadline()))
        await self._flush()
        return self._view()

    @correct_leave_date.validator
    def _check_correction(self, correction: LeaveCorrection) -> None:
        try:
            check_correction(self._status, self._in.leave_date, correction)
        except (RuleViolation, ActionRefused) as exc:
            raise refusal(exc) from None

    @submit.validator
    def _check_submit(self, step: StopStep) -> None:
        self._check("submit_stop", step)

    @approve.validator
    def _check_approve(self, step: StopStep) -> None:
        self._check("approve_stop", step)

    @reject.validator
    def _check_reject(self, step: StopStep) -> None:
        self._check("reject_stop", step)

    @revoke.validator
    def _check_revoke(self, step: StopStep) -> None:
        self._check("revoke_stop", step)

    @record_outcome.validator
    def _check_outcome(self, outcome: StopOutcome) -> None:
        try:
            check_outcome(self._status, outcome)
        except (RuleViolation, ActionRefused) as exc:
            raise refusal(exc) from None

    @workflow.query(name="status")
    def status(self) -> StopView:
        return self._view()

    def _check(self, action: str, step: StopStep) -> None:
        try:
            check_step(action, self._status, step, self._request.submitted_by)
        except (RuleViolation, ActionRefused) as exc:
            raise refusal(exc) from None

    async def _stepped(self, kind: str, step: StopStep, **data: Any) -> StopView:
        self._emit(kind, step.actor.name, note=step.note or None, **data)
        self._version += 1
        await self._flush()
        return self._view()

    # ---- the clocks ---------------------------------------------------------------------------

    async def _execute_when_held(self) -> None:
        """Once approved and held: HR's task to stop it at the bureau (nothing else stops it)."""
        seen = self._version
        await workflow.wait_condition(lambda: self._version != seen
                                      or self._status is StopStatus.approved)
        if self._status is not StopStatus.approved or self._request.hold_until is None:
            return
        if not await self._clock.sleep_until(self._request.hold_until,
                                             wake=lambda: self._version != seen):
            # revoked (or another step) during the hold. A step that reaches the worker in the
            # same task as the hold's timer runs first: the SDK applies updates before timers.
            return
        self._status = StopStatus.executing
        self._emit("stop_task_opened", "system", due_at=self._in.deadline.due_at.isoformat())
        await self._notify("stop_task_notice", messages.task(self._in), self._hr())
        await workflow.wait_condition(lambda: self._status is not StopStatus.executing)

    async def _watch_deadline(self) -> None:
        """Remind HR before the deadline and tell the managers on it; a corrected leave day
        retires these clocks (the correction arms new ones)."""
        d, armed = self._in.deadline, self._corrections

        def over() -> bool:
            return self._done() or self._corrections != armed

        if await self._clock.sleep_until(d.reminder_at, wake=over) and not over():
            await self._notify("stop_reminder_sent", messages.reminder(self._in), self._hr())
        if await self._clock.sleep_until(d.due_at, wake=over) and not over():
            await self._notify("stop_escalated", messages.escalation(self._in),
                               (Recipient(role="hr_manager", name="HR manager"),) + self._hr())

    def _done(self) -> bool:
        return self._status is StopStatus.stopped

    def _hr(self) -> tuple[Recipient, ...]:
        return (Recipient(role="hr", name=self._in.created_by),)

    async def _notify(self, kind: str, text: tuple[str, str],
                      wanted: tuple[Recipient, ...]) -> None:
        self._emit(kind, "system", recipients=[r.role for r in wanted])
        self._children += await notify_directory(
            key=f"{workflow.info().workflow_id}:{self._events[-1].seq}", purpose=kind,
            department=self._in.department, wanted=wanted, text=text,
            time_scale=self._in.time_scale, emit=self._emit)
        await self._flush()

    # ---- the record ---------------------------------------------------------------------------

    def _emit(self, kind: str, actor: str, **data: Any) -> None:
        self._events.append(Event(seq=len(self._events) + 1, at=self._clock.now(), kind=kind,
                                  actor=actor,
                                  data={k: v for k, v in data.items() if v is not None}))

    async def _flush(self) -> None:
        async with self._flush_lock:
            pending = tuple(self._events[self._flushed:])
            if pending:
                await workflow.execute_activity_method(
                    ContributionActivities.record_events,
                    AccountEvents(workflow.info().workflow_id, pending), **DB_ACTIVITY)
                self._flushed += len(pending)

    def _view(self) -> StopView:
        now = self._clock.now()
        r = self._request
        return StopView(
            id=workflow.info().workflow_id, employee_id=self._in.employee_id,
            employment=self._in.employment, department=self._in.department,
            region=self._in.region, leave_date=self._in.leave_date, status=self._status,
            deadline=self._in.deadline,
            overdue=self._status is not StopStatus.stopped and now > self._in.deadline.due_at,
            submitted_by=r.submitted_by, reviewed_by=r.reviewed_by, hold_until=r.hold_until,
            reference=r.reference, events=tuple(self._events), now=now)
