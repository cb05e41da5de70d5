"""OnboardingWorkflow (社保增员): watches the SI registration window and runs maker-checker enrolment."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    FailureError,
    WorkflowAlreadyStartedError,
)
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.directory import DirectoryActivities
    from activities.gateways.si_bureau import GatewayActivities
    from activities.ledger import LedgerActivities
    from activities.notices.outbox import NotifyActivities
    from domain.employees import written_contract_watch as written_contract
    from domain.employees.leave_delivery import LeaveCorrected
    from domain.employees.written_contract_watch import (
        EmploymentEnded,
        OpenWatch,
        WrittenContractView,
    )
    from domain.notices.rules import informational_notice
    from domain.onboarding import messages, rules
    from domain.onboarding.calendar_update import recompute_onboarding
    from domain.onboarding.payloads import (
        BureauAnswer,
        BureauEnrollment,
        BureauOutcome,
        CancelOnboarding,
        DelayReason,
        Notification,
        OnboardingInput,
        ReviewDecision,
        SubmitEnrollment,
        WithdrawalAction,
        registered_event,
    )
    from domain.onboarding.policy import BaseLimits  # noqa: F401  (for the sandbox, below)
    from domain.onboarding.policy_update import PolicyUpdate, recompute_figures, recompute_window
    from domain.onboarding.state import (
        OPEN_REQUEST,
        ActionAnswer,
        EnrollmentRequest,
        FiguresRecomputed,
        OnboardingView,
        RequestStatus,
        Status,
        answer_of,
        projection_of,
        view_of,
    )
    from domain.shared.calendar import LEGACY_CALENDAR, SHANGHAI
    from domain.shared.calendar_update import CalendarUpdate
    from domain.shared.errors import ActionRefused, RuleViolation
    from domain.shared.events import ACTION_WRITE_MAX_WAIT, ACTION_WRITE_QUIET, Event
    from domain.shared.people import Actor, AssignOwner, Recipient, RecipientQuery, managers_of
    from workflows._patches import Patches
    from workflows._people_notices import dispatch
    from workflows._policies import (
        DB_ACTIVITY,
        DIRECTORY_PATCH,
        GATEWAY_ACTIVITY,
        GAVE_UP,
        NOTICES_DISPATCHED_PATCH,
        NOTIFY_ACTIVITY,
    )
    from workflows._refusals import refusal
    from workflows._timers import ScaledClock

# BaseLimits is imported only for the SDK sandbox: pydantic resolves PolicyUpdate's rows through
# sys.modules, which there holds only the modules imported above.

WITHDRAWAL_REMINDER_LEAD = timedelta(hours=24)
NOTICES_PATCH = "2026-11-notices"  # reminders and escalations became tracked NoticeWorkflows
ANSWER_FIRST_PATCH = "2026-11-answer-first"  # an HR action answers before its events are written
LOCAL_FLUSH_PATCH = "2026-11-local-flush"  # events are written by a local activity
WRITE_BEHIND_PATCH = "2026-11-write-behind"  # an HR action's events are written after it answers
GIVE_UP_PATCH = "2026-12-give-up"  # a submission or a write that gives up no longer stalls
MONTHLY_LATE_FEE_PATCH = "2026-12-monthly-late-fee"  # back payment: a late fee per month (SIL 86)
WRITTEN_CONTRACT_PATCH = "2026-12-written-contract"  # the employment's written contract, watched
LAZY_WATCH_PATCH = "2026-12-lazy-contract-watch"  # the watch starts at its reminder, not at once
# An onboarding started with every patch above asks for them as this one patch (workflows/_patches).
ONBOARDING_BASELINE_PATCH = "2026-12-onboarding-baseline-1"
ONBOARDING_BASELINE = frozenset({
    NOTICES_PATCH, ANSWER_FIRST_PATCH, LOCAL_FLUSH_PATCH, WRITE_BEHIND_PATCH, GIVE_UP_PATCH,
    MONTHLY_LATE_FEE_PATCH, LAZY_WATCH_PATCH, DIRECTORY_PATCH})
LEAVE_ENDS_WATCH_PATCH = "2026-12-leave-ends-watch"  # a recorded leave ends the contract watch
# The write after HR's actions pause is a local activity on the quiet timer's task, as a case's.
LOCAL_WRITE_BEHIND_PATCH = "2026-12-local-write-behind"
ONBOARDING_BASELINE_2_PATCH = "2026-12-onboarding-baseline-2"
ONBOARDING_BASELINE_2 = ONBOARDING_BASELINE | {LEAVE_ENDS_WATCH_PATCH, LOCAL_WRITE_BEHIND_PATCH}
ONBOARDING_BASELINE_3_PATCH = "2026-12-onboarding-baseline-3"
ONBOARDING_BASELINE_3 = ONBOARDING_BASELINE_2 | {NOTICES_DISPATCHED_PATCH}
WRITE_RETRY = timedelta(minutes=10)  # the last write, again after its activity gave up


@workflow.defn(name="Onboarding")
class OnboardingWorkflow:
    @workflow.init
    def __init__(self, inp: OnboardingInput) -> None:
        self._patched = Patches((ONBOARDING_BASELINE_3_PATCH, ONBOARDING_BASELINE_3),
                                (ONBOARDING_BASELINE_2_PATCH, ONBOARDING_BASELINE_2),
                                (ONBOARDING_BASELINE_PATCH, ONBOARDING_BASELINE))
        # The input, its deadlines as recomputed since (signal calendar_updated).
        self._in = inp
        self._calendar = inp.calendar or LEGACY_CALENDAR
        self._clock = ScaledClock(inp.timing.time_scale)
        self._status = Status.awaiting_enrollment
        self._requests: list[EnrollmentRequest] = []
        self._events: list[Event] = []
        self._flushed = 0
        self._flush_lock = asyncio.Lock()
        self._enrolled_at: datetime | None = None
        self._window_closed_for = 0
        self._cancel_reason: str | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._background: list[asyncio.Task[None]] = []  # flushes; the final flush waits for them
        self._pending_write: asyncio.Task[None] | None = None  # HR actions' events, soon
        self._last_action_at = workflow.now()
        self._bureau_outcome: BureauAnswer | None = None  # recorded by hand (si_bureau manual)
        self._owner: str | None = None  # assigned away from created_by (Update assign)
        self._figures: list[FiguresRecomputed] = []  # limits taken from a load (policy_updated)
        # Asked once, in the first task, so the validator (which may not ask) and the handler agree.
        self._late_fee_by_month = self._patched(MONTHLY_LATE_FEE_PATCH)
        # The written-contract watch starts when it has something to do (its reminder), when HR
        # acts on the contract first, or at the onboarding's end: not with the registration.
        self._lazy_watch = self._patched(LAZY_WATCH_PATCH)
        self._watch_opening: asyncio.Task[None] | None = None
        self._cancelled_on: date | None = None
        self._left: EmploymentEnded | None = None  # the leave HR recorded (signal employment_left)
        self._leave_corrections = 0  # the corrections of its day taken (signal leave_date_corrected)
        # Emitted here, not in run: an Update delivered with the start runs before run does.
        self._events.append(registered_event(inp, inp.registered_at or self._clock.now()))

    @workflow.run
    async def run(self, inp: OnboardingInput) -> OnboardingView:
        if not inp.registration_recorded:
            await self._flush()
        watching_contract = not self._lazy_watch and self._patched(WRITTEN_CONTRACT_PATCH)
        if watching_contract:
            await self._start_written_contract_watch()
        watchers = [self._watch_si_window(), self._watch_contract_window(),
                    self._execute_approved_requests()]
        if self._lazy_watch:
            watchers.append(self._open_watch_at_reminder())
        for watcher in watchers:
            self._tasks.append(asyncio.create_task(watcher))
        await workflow.wait_condition(self._finished)
        for task in self._tasks:
            task.cancel()
        if self._lazy_watch and self._status != Status.cancelled:
            await self._open_written_contract_watch()  # ended before the reminder's moment
        elif (watching_contract or self._watch_opening is not None) \
                and self._status == Status.cancelled:
            if self._watch_opening is not None:
                await asyncio.shield(self._watch_opening)
            await self._end_written_contract_watch()
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._emit("completed", "system", status=self._status.value)
        await self._flush()  # after a write in progress, if any; the rest, with the actions' events
        if self._pending_write is not None:
            self._pending_write.cancel()
        while self._flushed < len(self._events):  # only after a write gave up (patched path)
            await workflow.sleep(WRITE_RETRY)
            await self._flush()
        return self._view()

    async def _start_written_contract_watch(self) -> None:
        """The employment's written contract (LCL arts. 10, 82), watched by a child that outlives
        the onboarding (workflows/written_contract.py)."""
        onboarding = workflow.info().workflow_id
        try:
            await workflow.start_child_workflow(
                "WrittenContract", written_contract.watch_input(self._in, onboarding),
                id=written_contract.watch_id(self._in.employee.employee_id, self._in.hire_date),
                parent_close_policy=ParentClosePolicy.ABANDON)
        except WorkflowAlreadyStartedError:
            pass  # a re-run of this employment's onboarding: its watch runs already

    def _watch_input(self) -> written_contract.WrittenContractInput:
        return written_contract.watch_input(self._in, workflow.info().workflow_id)

    async def _open_watch_at_reminder(self) -> None:
        await self._clock.sleep_until(written_contract.opens_at(self._watch_input()))
        await self._open_written_contract_watch()

    async def _open_written_contract_watch(self) -> None:
        """Start the watch once, whoever asks first (the reminder's moment, HR's action, the
        end); shielded: the reminder's task is cancelled when the onboarding finishes."""
        if self._watch_opening is None:
            if self._left is not None:
                return  # the employee left first: no contract exposure to watch
            self._watch_opening = asyncio.create_task(self._start_written_contract_watch())
        await asyncio.shield(self._watch_opening)

    async def _end_written_contract_watch(self, ended: EmploymentEnded | None = None) -> None:
        """A cancelled onboarding, or a recorded leave (`ended`), stops its written-contract
        watch."""
        handle = workflow.get_external_workflow_handle(
            written_contract.watch_id(self._in.employee.employee_id, self._in.hire_date))
        try:
            await handle.signal("employment_ended", ended or EmploymentEnded(
                on=self._clock.now().astimezone(SHANGHAI).date(), reason=self._cancel_reason or ""))
        except FailureError:
            pass  # the watch ended already (the contract was recorded), or never started

    # ---- queries -------------------------------------------------------------------------

    @workflow.query(name="status")
    def status(self) -> OnboardingView:
        return self._view()

    @workflow.query(name="written_contract")
    def pending_written_contract(self) -> WrittenContractView | None:
        """The employment's written contract while its watch has not started (None once it
        has, or when this onboarding predates the lazy watch: the watch answers then)."""
        if not self._lazy_watch or self._watch_opening is not None:
            return None
        inp = self._watch_input()
        ended = [d for d in (self._cancelled_on, self._left.on if self._left else None) if d]
        return written_contract.pending_view(
            inp, written_contract.watch_id(inp.employee_id, inp.start), self._clock.now(),
            min(ended) if ended else None)

    @workflow.update(name="open_written_contract_watch")
    async def open_written_contract_watch(self, action: OpenWatch) -> str:
        """HR records the contract (or the wage) before the reminder's moment: the watch starts
        now and takes the action (the API sends it there next)."""
        await self._open_written_contract_watch()
        return written_contract.watch_id(self._in.employee.employee_id, self._in.hire_date)

    @open_written_contract_watch.validator
    def _check_open_watch(self, action: OpenWatch) -> None:
        try:
            if action.action not in written_contract.ROLES:
                raise RuleViolation("action", "written_contract.action",
                                    f"unknown action {action.action!r}")
            written_contract.check_role(action.action, action.actor)
            if not self._lazy_watch:
                raise ActionRefused("written_contract.not_watched",
                                    "this employment was registered before written contracts "
                                    "were watched", "employee_id")
            ended = [d for d in (self._cancelled_on, self._left.on if self._left else None) if d]
            if ended and self._watch_opening is None:
                ended_on = min(ended)
                raise ActionRefused("written_contract.ended",
                                    f"the employment ended on {ended_on}: there is "
                                    "no contract to record", "signed_on")
        except (RuleViolation, ActionRefused) as exc:
            raise refusal(exc) from None

    @workflow.signal(name="employment_left")
    async def employment_left(self, left: EmploymentEnded) -> None:
        """HR recorded the employee's leave (离职, POST …/employees/{id}/leave): the written
        contract's exposure ends on the leave day (LCL art. 82). A watch not started yet is never
        started (the pending view shows it ended); one started is told `employment_ended`."""
        if self._left is not None or not self._patched(LEAVE_ENDS_WATCH_PATCH):
            return
        self._left = left
        self._emit("employment_left", "system", leave_date=left.on.isoformat())
        self.write_now()
        if self._watch_opening is not None:
            await asyncio.shield(self._watch_opening)
        elif self._lazy_watch:
            return  # not started: _open_written_contract_watch will not start it now
        await self._end_written_contract_watch(left)

    @workflow.signal(name="leave_date_corrected")
    def leave_date_corrected(self, corrected: LeaveCorrected) -> None:
        """HR corrected the leave day on record: the employment ended on the corrected day, and
        this record says so beside the day it was first told. A leave it was never told of, or a
        correction older than one it took, changes nothing."""
        if self._left is None or corrected.number <= self._leave_corrections:
            return
        self._leave_corrections = corrected.number
        if corrected.on == self._left.on:
            return
        before, self._left = self._left.on, replace(self._left, on=corrected.on)
        self._emit("leave_date_corrected", corrected.actor, leave_date_before=before.isoformat(),
                   leave_date=corrected.on.isoformat(), reason=corrected.reason)
        self.write_now()

    @workflow.signal(name="write_now")
    def write_now(self) -> None:
        """Write what is not written yet, now (the API asks when its registration write failed)."""
        self._background.append(asyncio.create_task(self._flush()))

    @workflow.signal(name="calendar_updated")
    def calendar_updated(self, update: CalendarUpdate) -> None:
        """An official schedule was loaded: the SI deadlines the fallback counted for its year are
        counted again (the sleeping clocks wake to the new ones); none once enrolment met them."""
        current = {d.name: d for d in (self._in.si_registration, self._in.contract_si) if d}
        self._calendar, deadlines, changes = recompute_onboarding(
            self._calendar, current, update.year, met=self._si_satisfied())
        if not changes:
            return
        si, contract = self._in.si_registration, self._in.contract_si
        self._in = replace(self._in, si_registration=deadlines[si.name],
                           contract_si=deadlines[contract.name] if contract else None)
        for change in changes:
            self._emit("deadline_recomputed", update.loaded_by, **change.event_data(update))
        self.write_now()

    @workflow.signal(name="policy_updated")
    async def policy_updated(self, update: PolicyUpdate) -> None:
        """An admin loaded base limits, contribution rates or withdrawal windows: provisional or
        unverified ones pinned at registration are taken from the row for the region and hire
        date (a window for the executions still to come); HR is told
        when a held enrolment request's base is now outside them, or a held back-payment request
        was priced at the old rates. (Rates arrive only in signals sent since they are loaded
        too: an earlier history replays as before.)"""
        window = recompute_window(self._in.timing, self._in.region, update)
        if window is not None and self._status != Status.cancelled:
            self._in = replace(self._in, timing=window[0])
            self._emit("withdrawal_window_recomputed", update.loaded_by, **window[1].event_data())
        change = recompute_figures(self._in, self._requests, update, self._clock.now())
        if change is None or self._status == Status.cancelled:
            return
        self._in = replace(self._in, base_limits=change.new_limits,
                           rates=change.new_rates or self._in.rates)
        self._figures.append(change)
        self._emit("policy_recomputed", update.loaded_by, **change.event_data())
        if change.requests_outside or change.requests_repriced:
            await self._notify("figures_notice_sent",
                               messages.figures_changed(self._in, change), self._hr(),
                               requests=sorted({*change.requests_outside,
                                                *change.requests_repriced}))
        else:
            self.write_now()

    # ---- HR actions (updates) --------------------------------------------------------------

    @workflow.update(name="submit_enrollment")
    async def submit_enrollment(self, action: SubmitEnrollment) -> ActionAnswer:
        estimate = (
            rules.back_payment_cost(self._in, action.contribution_base, self._clock.now().date(),
                                    self._late_fee_by_month)
            if action.type == "back_payment" else None
        )
        number = len(self._requests) + 1
        self._requests.append(EnrollmentRequest(
            number=number, type=action.type, contribution_base=action.contribution_base,
            status=RequestStatus.submitted, submitted_by=action.actor.name,
            submitted_at=self._clock.now(), cost_estimate=estimate, reason=action.note,
        ))
        self._status = Status.enrollment_submitted
        self._emit("enrollment_submitted", action.actor.name, request=number, type=action.type,
                   contribution_base=str(action.contribution_base),
                   cost_estimate=str(estimate.total) if estimate else None)
        return await self._answer()

    @submit_enrollment.validator
    def _check_submit(self, action: SubmitEnrollment) -> None:
        self._check("submit_enrollment", action.actor, lambda: rules.check_submission(
            self._in, action, self._clock.now().date(), self._late_fee_by_month))

    @workflow.update(name="approve_enrollment")
    async def approve_enrollment(self, action: ReviewDecision) -> ActionAnswer:
        hold_until = self._clock.now() + self._in.timing.enrollment_hold
        self._set_open_request(status=RequestStatus.approved, reviewed_by=action.actor.name,
                               reviewed_at=self._clock.now(), hold_until=hold_until)
        self._status = Status.enrollment_approved
        self._emit("enrollment_approved", action.actor.name, request=self._open().number,
                   hold_until=hold_until.isoformat(), note=action.reason)
        return await self._answer()

    @approve_enrollment.validator
    def _check_approve(self, action: ReviewDecision) -> None:
        self._check("approve_enrollment", action.actor,
                    lambda: rules.check_four_eyes(action.actor, self._open()))

    @workflow.update(name="reject_enrollment")
    async def reject_enrollment(self, action: ReviewDecision) -> ActionAnswer:
        number = self._open().number
        self._set_open_request(status=RequestStatus.rejected, reviewed_by=action.actor.name,
                               reviewed_at=self._clock.now(), reason=action.reason)
        self._status = Status.awaiting_enrollment
        self._emit("enrollment_rejected", action.actor.name, request=number, reason=action.reason)
        return await self._answer()

    @reject_enrollment.validator
    def _check_reject(self, action: ReviewDecision) -> None:
        def four_eyes_and_reason() -> None:
            rules.check_four_eyes(action.actor, self._open())
            rules.require_text(action.reason, "reason")
        self._check("reject_enrollment", action.actor, four_eyes_and_reason)

    @workflow.update(name="revoke_enrollment")
    async def revoke_enrollment(self, action: ReviewDecision) -> ActionAnswer:
        number = self._open().number
        self._set_open_request(status=RequestStatus.revoked, reason=action.reason)
        self._status = Status.awaiting_enrollment
        self._emit("enrollment_revoked", action.actor.name, request=number, reason=action.reason)
        return await self._answer()

    @revoke_enrollment.validator
    def _check_revoke(self, action: ReviewDecision) -> None:
        self._check("revoke_enrollment", action.actor,
                    lambda: rules.require_text(action.reason, "reason"))

    @workflow.update(name="request_withdrawal")
    async def request_withdrawal(self, action: WithdrawalAction) -> ActionAnswer:
        request = self._executed()
        document = messages.withdrawal_application(self._in, request, action.reason,
                                                   self._clock.now())
        self._replace_request(request, withdrawal_application=document)
        self._status = Status.withdrawal_requested
        self._emit("withdrawal_requested", action.actor.name, request=request.number,
                   reason=action.reason,
                   withdrawal_window_ends=_iso(request.withdrawal_window_ends))
        return await self._answer()

    @request_withdrawal.validator
    def _check_withdrawal(self, action: WithdrawalAction) -> None:
        def window_and_reason() -> None:
            rules.check_withdrawal_window(self._clock.now(), self._executed())
            rules.require_text(action.reason, "reason")
        self._check("request_withdrawal", action.actor, window_and_reason)

    @workflow.update(name="record_withdrawal_answer")
    async def record_withdrawal_answer(self, action: WithdrawalAction) -> ActionAnswer:
        request = self._executed()
        if action.bureau_answer == "accepted":
            self._replace_request(request, status=RequestStatus.withdrawn)
            self._status = Status.awaiting_enrollment
            self._enrolled_at = None
        else:
            self._status = Status.enrolled
        self._emit("withdrawal_answered", action.actor.name, request=request.number,
                   bureau_answer=action.bureau_answer, note=action.reason)
        return await self._answer()

    @record_withdrawal_answer.validator
    def _check_withdrawal_answer(self, action: WithdrawalAction) -> None:
        self._check("record_withdrawal_answer", action.actor,
                    lambda: rules.require_choice(action.bureau_answer, "bureau_answer",
                                                 ("accepted", "refused")))

    @workflow.update(name="record_bureau_outcome")
    async def record_bureau_outcome(self, action: BureauOutcome) -> ActionAnswer:
        """HR entered the enrolment in the bureau's portal by hand and records its answer."""
        request = self._open()
        source = rules.recorded_by_hand(action.actor)
        self._bureau_outcome = BureauAnswer(
            accepted=action.outcome == "accepted", reference=action.reference or None,
            reason=action.reason, code="" if action.outcome == "accepted" else "rejected_by_bureau",
            source=source)
        if action.receipt_document:
            self._replace_request(request, receipt_document=action.receipt_document)
        self._emit("bureau_outcome_recorded", action.actor.name, request=request.number,
                   outcome=action.outcome, reference=action.reference,
                   receipt_document=action.receipt_document, reason=action.reason,
                   note=action.note, source=source)
        await workflow.wait_condition(lambda: self._status != Status.enrollment_executing)
        return await self._answer()

    @record_bureau_outcome.validator
    def _check_bureau_outcome(self, action: BureauOutcome) -> None:
        def by_hand_and_once() -> None:
            rules.check_bureau_outcome(self._open(), action)
            if self._bureau_outcome is not None:
                raise ActionRefused("bureau_outcome.recorded", "the bureau's answer to this "
                                    "enrolment is already recorded", "outcome")
        self._check("record_bureau_outcome", action.actor, by_hand_and_once)

    @workflow.update(name="record_delay_reason")
    async def record_delay_reason(self, action: DelayReason) -> ActionAnswer:
        self._emit("delay_reason_recorded", action.actor.name, reason=action.reason,
                   note=action.note, documents=list(action.documents))
        return await self._answer()

    @record_delay_reason.validator
    def _check_delay_reason(self, action: DelayReason) -> None:
        self._check("record_delay_reason", action.actor,
                    lambda: rules.require_text(action.reason, "reason"))

    @workflow.update(name="cancel")
    async def cancel(self, action: CancelOnboarding) -> ActionAnswer:
        open_request = self._open_or_none()
        if open_request is not None:
            self._set_open_request(status=RequestStatus.revoked, reason="onboarding cancelled")
        self._status = Status.cancelled
        self._cancel_reason = action.reason
        self._cancelled_on = self._clock.now().astimezone(SHANGHAI).date()
        self._emit("cancelled", action.actor.name, reason=action.reason)
        return await self._answer()

    @cancel.validator
    def _check_cancel(self, action: CancelOnboarding) -> None:
        self._check("cancel", action.actor, lambda: rules.require_text(action.reason, "reason"))

    @workflow.update(name="assign")
    async def assign(self, action: AssignOwner) -> ActionAnswer:
        """Hand the onboarding to another HR person: HR's reminders go to them from now on."""
        previous = self._owner or self._in.created_by
        self._owner = action.owner
        self._emit("assigned", action.actor.name, owner=action.owner, previous=previous)
        return await self._answer()

    @assign.validator
    def _check_assign(self, action: AssignOwner) -> None:
        self._check("assign", action.actor, lambda: rules.require_text(action.owner, "owner"))

    # ---- the clocks ----------------------------------------------------------------------

    async def _watch_si_window(self) -> None:
        """Remind HR before the SI window closes; escalate at the deadline and every interval after.
        A recomputed deadline wakes each sleep: the reminder goes out once, and the escalations
        start at the new deadline (or go on, none before it)."""
        lead = self._in.timing.reminder_lead
        due = self._in.si_registration.due_at
        while not await self._clock.sleep_until(due - lead, wake=self._moved_from(due)):
            due = self._in.si_registration.due_at
        if not self._si_satisfied():
            await self._notify("reminder_sent", messages.si_reminder(self._in), self._hr())
        next_at = self._in.si_registration.due_at
        while True:
            due = self._in.si_registration.due_at
            if not await self._clock.sleep_until(next_at, wake=self._moved_from(due)):
                moved_to = self._in.si_registration.due_at
                escalated = any(e.kind == "escalated" for e in self._events)
                next_at = max(next_at, moved_to) if escalated else moved_to
                continue
            await workflow.wait_condition(lambda: not self._si_satisfied())
            escalation = sum(1 for e in self._events if e.kind == "escalated") + 1
            await self._notify("escalated", messages.si_escalation(self._in, escalation,
                                                                    self._clock.now()),
                               self._hr() + self._managers(), escalation=escalation)
            next_at = self._clock.now() + self._in.timing.escalation_interval

    def _moved_from(self, due: datetime, contract: bool = False) -> Callable[[], bool]:
        """Whether the SI (or the contract) deadline moved from `due` (signal calendar_updated)."""
        def moved() -> bool:
            deadline = self._in.contract_si if contract else self._in.si_registration
            return deadline is not None and deadline.due_at != due
        return moved

    async def _watch_contract_window(self) -> None:
        """A contract signed 30 days ago with no SI enrolment is a distinct mismatch alert."""
        if self._in.contract_si is None:
            return
        due = self._in.contract_si.due_at
        while not await self._clock.sleep_until(due, wake=self._moved_from(due, contract=True)):
            due = self._in.contract_si.due_at
        if not self._si_satisfied():
            await self._notify("contract_si_mismatch", messages.contract_mismatch(self._in),
                               self._hr() + self._managers()[:1])

    async def _execute_approved_requests(self) -> None:
        """After the hold window (revocable), send each approved request to the SI bureau."""
        while True:
            await workflow.wait_condition(lambda: self._status == Status.enrollment_approved)
            request = self._open()
            assert request.hold_until is not None
            await self._clock.sleep_until(
                request.hold_until, wake=lambda: self._status != Status.enrollment_approved)
            if self._status == Status.enrollment_approved:
                await self._execute(request)

    async def _execute(self, request: EnrollmentRequest) -> None:
        self._set_open_request(status=RequestStatus.executing)
        self._status = Status.enrollment_executing
        if self._in.si_bureau == "manual":
            answer = await self._by_hand(self._open())
            await self._answered(self._open(), answer)
            return
        emp = self._in.employee
        try:
            answer = await workflow.execute_activity_method(
                GatewayActivities.submit_si_enrollment,
                BureauEnrollment(
                    idempotency_key=f"{workflow.info().workflow_id}:enrollment:{request.number}",
                    onboarding_id=workflow.info().workflow_id, employee_id=emp.employee_id,
                    name=emp.name, id_number=emp.id_number, region=self._in.region,
                    hire_date=self._in.hire_date, type=request.type,
                    contribution_base=request.contribution_base),
                **GATEWAY_ACTIVITY,
            )
        except ActivityError as error:
            if not self._patched(GIVE_UP_PATCH):
                raise
            await self._submission_failed(request, error)
            return
        await self._answered(request, answer)

    async def _by_hand(self, request: EnrollmentRequest) -> BureauAnswer:
        """No gateway: HR is asked to enter the enrolment in the bureau's portal, and the
        onboarding waits for the answer HR records (the SI window's escalations go on)."""
        self._set_open_request(bureau_task_opened_at=self._clock.now())
        await self._notify("bureau_task_opened", messages.bureau_task(self._in, request),
                           self._hr(), request=request.number,
                           due_at=self._in.si_registration.due_at.isoformat())
        await workflow.wait_condition(lambda: self._bureau_outcome is not None)
        answer, self._bureau_outcome = self._bureau_outcome, None
        assert answer is not None
        return answer

    async def _answered(self, request: EnrollmentRequest, answer: BureauAnswer) -> None:
        if answer.accepted:
            await self._enrolled(request, answer.reference, answer.source)
            return
        self._set_open_request(status=RequestStatus.bureau_rejected, reason=answer.reason,
                               answer_source=answer.source)
        self._status = Status.awaiting_enrollment
        await self._notify("enrollment_failed", messages.bureau_rejection(self._in, answer),
                           self._hr(), request=request.number, code=answer.code,
                           reason=answer.reason)

    async def _submission_failed(self, request: EnrollmentRequest, error: ActivityError) -> None:
        """The submission gave up: the request goes back to HR (submit again, or at the counter)
        with the reason, HR is told, and the SI window's escalations go on."""
        cause = error.cause
        reason = cause.message if isinstance(cause, ApplicationError) else str(cause or error)
        code = cause.type if isinstance(cause, ApplicationError) and cause.type \
            else type(cause or error).__name__
        self._set_open_request(status=RequestStatus.bureau_rejected,
                               reason=f"not submitted: {reason}")
        self._status = Status.awaiting_enrollment
        await self._notify("enrollment_failed", messages.bureau_unreachable(self._in, reason),
                           self._hr(), request=request.number, code=code, reason=reason,
                           submitted=False, retry_state=error.retry_state.name
                           if error.retry_state is not None else None)

    async def _enrolled(self, request: EnrollmentRequest, reference: str | None,
                        source: str = "") -> None:
        now = self._clock.now()
        window_ends = now + self._in.timing.withdrawal_window
        self._set_open_request(status=RequestStatus.executed, bureau_reference=reference,
                               executed_at=now, withdrawal_window_ends=window_ends,
                               answer_source=source)
        self._status = Status.enrolled
        self._enrolled_at = now
        sourced = {"source": source} if source else {}  # histories before sources carry none
        self._emit("enrollment_executed", "system", request=request.number,
                   bureau_reference=reference, withdrawal_window_ends=window_ends.isoformat(),
                   **sourced)
        await self._flush()
        self._tasks.append(asyncio.create_task(self._watch_withdrawal_window(request.number,
                                                                            window_ends)))

    async def _watch_withdrawal_window(self, number: int, window_ends: datetime) -> None:
        """Remind HR of an unanswered withdrawal before the bureau's window closes, then close it."""
        await self._clock.sleep_until(window_ends - WITHDRAWAL_REMINDER_LEAD)
        if self._status == Status.withdrawal_requested:
            await self._notify("withdrawal_reminder_sent",
                               messages.withdrawal_reminder(self._in, window_ends), self._hr(),
                               request=number)
        await self._clock.sleep_until(window_ends)
        self._window_closed_for = number

    # ---- state helpers -------------------------------------------------------------------

    def _check(self, action: str, actor: Actor, extra: Any) -> None:
        try:
            rules.check_role(action, actor)
            rules.check_status(action, self._status)
            extra()
        except (RuleViolation, ActionRefused) as exc:
            raise refusal(exc) from None

    def _finished(self) -> bool:
        if self._status == Status.cancelled:
            return True
        if self._status != Status.enrolled:
            return False
        return self._window_closed_for == self._executed().number

    def _si_satisfied(self) -> bool:
        return self._status in (Status.enrolled, Status.withdrawal_requested, Status.cancelled)

    def _open_or_none(self) -> EnrollmentRequest | None:
        return next((r for r in reversed(self._requests) if r.status in OPEN_REQUEST), None)

    def _open(self) -> EnrollmentRequest:
        request = self._open_or_none()
        assert request is not None, "status says a request is open"
        return request

    def _executed(self) -> EnrollmentRequest:
        return next(r for r in reversed(self._requests) if r.status == RequestStatus.executed)

    def _set_open_request(self, **changes: Any) -> None:
        self._replace_request(self._open(), **changes)

    def _replace_request(self, request: EnrollmentRequest, **changes: Any) -> None:
        self._requests[request.number - 1] = replace(request, **changes)

    def _emit(self, kind: str, actor: str, **data: Any) -> None:
        self._events.append(Event(seq=len(self._events) + 1, at=self._clock.now(), kind=kind,
                                  actor=actor, data={k: v for k, v in data.items() if v is not None}))

    def _hr(self) -> tuple[Recipient, ...]:
        return (Recipient(role="hr", name=self._owner or self._in.created_by),)

    def _managers(self) -> tuple[Recipient, ...]:
        return managers_of(self._in.hr_manager, self._in.employee.manager)

    async def _notify(self, kind: str, text: tuple[str, str],
                      recipients: tuple[Recipient, ...], **data: Any) -> None:
        self._emit(kind, "system", recipients=[r.role for r in recipients], **data)
        seq = self._events[-1].seq
        subject, body = text
        if self._patched(NOTICES_PATCH):
            routed = self._patched(DIRECTORY_PATCH)
            if routed and self._patched(NOTICES_DISPATCHED_PATCH):
                await self._dispatch(kind, seq, subject, body, recipients)
            else:
                await self._start_notices(kind, subject, body, recipients, routed, seq)
        else:
            await workflow.execute_activity_method(
                NotifyActivities.notify,
                Notification(idempotency_key=f"{workflow.info().workflow_id}:{seq}",
                             subject_id=workflow.info().workflow_id, purpose=kind,
                             subject=subject, body=body, recipients=recipients),
                **NOTIFY_ACTIVITY,
            )
        await self._flush()

    async def _dispatch(self, kind: str, seq: int, subject: str, body: str,
                        wanted: tuple[Recipient, ...]) -> None:
        """Route the message and start its notices by one activity; they are not children."""
        routing = await dispatch(self._recipient_query(kind, seq, wanted),
                                 f"notice-{workflow.uuid4()}", {"title": subject, "body": body},
                                 time_scale=self._in.timing.time_scale,
                                 quiet_hours=self._in.timing.quiet_hours)
        self._missing(kind, routing.missing)

    def _recipient_query(self, kind: str, seq: int,
                         wanted: tuple[Recipient, ...]) -> RecipientQuery:
        onboarding_id = workflow.info().workflow_id
        return RecipientQuery(subject_id=onboarding_id, key=f"{onboarding_id}:{seq}", purpose=kind,
                              department=self._in.employee.department, wanted=wanted)

    def _missing(self, kind: str, roles: tuple[str, ...]) -> None:
        if roles:
            self._emit("recipients_missing", "system", purpose=kind, roles=list(roles))

    async def _route(self, kind: str, seq: int,
                     wanted: tuple[Recipient, ...]) -> tuple[Recipient, ...]:
        """The people of the directory this message reaches; a role nobody reachable holds is
        recorded (and is an admin task), and its message goes to the outbox."""
        routing = await workflow.execute_activity_method(
            DirectoryActivities.route_recipients, self._recipient_query(kind, seq, wanted),
            **DB_ACTIVITY)
        self._missing(kind, routing.missing)
        return routing.recipients

    async def _start_notices(self, kind: str, subject: str, body: str,
                             recipients: tuple[Recipient, ...], routed: bool, seq: int) -> None:
        """Before 2026-12-notices-dispatched: routed by an activity (if `routed`), then a child
        per recipient."""
        if routed:
            recipients = await self._route(kind, seq, recipients)
        for recipient in recipients:
            await self._start_notice(kind, subject, body, recipient)

    async def _start_notice(self, kind: str, subject: str, body: str, to: Recipient) -> None:
        """An informational notice to HR or a manager: tracked to delivery, no answer needed."""
        await workflow.start_child_workflow(
            "Notice",
            informational_notice(workflow.info().workflow_id, kind, to,
                                 {"title": subject, "body": body}, self._in.timing.time_scale,
                                 quiet_hours=self._in.timing.quiet_hours),
            id=f"notice-{workflow.uuid4()}", parent_close_policy=ParentClosePolicy.ABANDON)

    async def _answer(self) -> ActionAnswer:
        """The new state at once, with the event the action recorded (every action records one,
        just before it answers); the event is written after."""
        recorded = self._events[-1]
        if self._patched(WRITE_BEHIND_PATCH):
            self._last_action_at = workflow.now()
            if self._pending_write is None or self._pending_write.done():
                self._pending_write = asyncio.create_task(self._write_soon())
        elif self._patched(ANSWER_FIRST_PATCH):
            self._background.append(asyncio.create_task(self._flush()))
        else:
            await self._flush()
        return answer_of(self._view(), (recorded,))

    async def _write_soon(self) -> None:
        """Write what HR actions recorded once they pause (ACTION_WRITE_QUIET), at the latest
        ACTION_WRITE_MAX_WAIT after the first: no action's answer includes a write, and actions in
        a row are one write. The write is a local activity on the timer's task (no activity task
        at the server per action); an action on this onboarding in those milliseconds waits
        for it."""
        first = workflow.now()
        while True:
            write_at = min(self._last_action_at + ACTION_WRITE_QUIET, first + ACTION_WRITE_MAX_WAIT)
            if workflow.now() < write_at:
                await workflow.sleep(write_at - workflow.now())
                continue
            await self._flush(local=self._patched(LOCAL_WRITE_BEHIND_PATCH))
            if self._flushed == len(self._events):
                return
            first = workflow.now()  # actions came during the write

    async def _flush(self, local: bool = True) -> None:
        """Write new events and the list row; keyed by (id, seq), so a retry writes nothing twice.
        A local activity holds the workflow task open until it is done (an Update that arrives
        meanwhile waits); a regular one (`local=False`) does not, for writes nobody waits for."""
        async with self._flush_lock:
            pending = tuple(self._events[self._flushed:])
            if not pending:
                return
            closing = any(e.kind == "completed" for e in pending)
            update = projection_of(workflow.info().workflow_id, self._in, self._status, pending,
                                   final_view=self._view() if closing else None,
                                   owner=self._owner)
            try:
                if local and self._patched(LOCAL_FLUSH_PATCH):
                    # A local activity: the write rides on the current workflow task, no round trip.
                    await workflow.execute_local_activity_method(
                        LedgerActivities.record_onboarding, update, **DB_ACTIVITY)
                else:
                    await workflow.execute_activity_method(
                        LedgerActivities.record_onboarding, update, **DB_ACTIVITY)
            except GAVE_UP as error:
                if not self._patched(GIVE_UP_PATCH):
                    raise
                # The clocks go on; the next write takes these events too (keyed: none twice).
                workflow.logger.warning("onboarding events not written yet: %s",
                                        getattr(error, "cause", None) or error)
                return
            self._flushed += len(pending)

    def _view(self) -> OnboardingView:
        return view_of(workflow.info().workflow_id, self._in, status=self._status,
                       events=self._events, requests=self._requests,
                       enrolled_at=self._enrolled_at, cancel_reason=self._cancel_reason,
                       now=self._clock.now(), si_satisfied=self._si_satisfied(),
                       owner=self._owner, figures_recomputed=self._figures)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
