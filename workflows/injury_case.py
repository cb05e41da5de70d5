"""InjuryCaseWorkflow (工伤): one per injury, from the accident to settlement, keeping every clock.

The rules live in domain (injury_rules checks an action, injury_actions applies it, injury_clocks
says which alarm is due); this class turns them into timers, notices and gateway calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.forms import FormActivities
    from activities.gateways.injury import InjuryGatewayActivities
    from activities.ledger import LedgerActivities
    from domain.employees.si_standing import SiStanding  # noqa: F401  (as Employee below)
    from domain.injury import actions, rules
    from domain.injury import messages as texts
    from domain.injury.calendar_update import recompute_case
    from domain.injury.clocks import (
        Alarm,
        alarms,
        case_calendar,
        due_now,
        initial_state_deadlines,
        local_date,
    )
    from domain.injury.estimate_figures import EstimateFiguresUpdate
    from domain.injury.overview import case_outcome, late_costs_event, projection, view_of
    from domain.injury.payloads import (
        ApplyDetermination,
        AuthorityDecision,
        AuthorityReceipt,
        BenefitClaim,
        BenefitClaimReceipt,
        CaseAction,
        CaseInput,
        CourierRegistration,
        DeterminationApplication,
        DiagnosisRequest,
        DiagnosisSummary,
        DocumentRef,
        FormRequest,
        OpenNegotiation,
        RecordAcceptance,
        RecordAppraisal,
        RecordCourierNotice,
        RecordDetermination,
        RecordPayment,
    )
    from domain.injury.si_consequences import covered, opened_standing
    from domain.injury.state import TERMINAL, CaseCarryOver, CaseState, CourierUpdate, Stage
    from domain.injury.views import CaseAnswer, CaseView, case_answer
    from domain.shared.calendar_update import CalendarUpdate, carried_alarms
    from domain.shared.errors import ActionRefused, RuleViolation
    from domain.shared.events import ACTION_WRITE_MAX_WAIT, ACTION_WRITE_QUIET, Event
    from domain.shared.people import (
        AssignOwner,
        Employee,  # noqa: F401  (for the sandbox: see below)
    )
    from workflows._case_notices import SUBSTANCE_PATCH, CaseNotices
    from workflows._patches import Patches
    from workflows._policies import (
        DB_ACTIVITY,
        DIRECTORY_PATCH,
        EMPLOYEE_CHANNELS_PATCH,
        GATEWAY_ACTIVITY,
        GAVE_UP,
        NOTICES_DISPATCHED_PATCH,
    )
    from workflows._refusals import refusal
    from workflows._timers import ScaledClock

# Employee and SiStanding are imported only for the SDK sandbox (the tests' runner): pydantic
# resolves CaseInput's annotations through sys.modules, which there holds only the modules
# imported above.


RETURN_DAY_PATCH = "2026-11-return-day"  # the employee is due back on the return day, not at midnight
# The clocks start before the form and the diagnosis; an activity that gives up is an HR task.
CLOCKS_FIRST_PATCH = "2026-12-clocks-first"
# Handlers only check and change state; gateway calls and notices leave through one queue.
SIDE_EFFECTS_PATCH = "2026-12-side-effect-queue"
# A long case continues as new at a quiet moment, its state carried (statutes.CASE_HISTORY_*).
CONTINUE_AS_NEW_PATCH = "2026-12-continue-as-new"
# An overdue authority is chased every interval: the clocks always know the next chase.
WEEKLY_CHASE_PATCH = "2026-12-weekly-chase"
# A change's events are written once the case is quiet for a moment: no answer waits for a write.
WRITE_BEHIND_PATCH = "2026-12-case-write-behind"
# The form and the diagnosis are asked for at once, not one after the other.
PREPARE_TOGETHER_PATCH = "2026-12-prepare-together"
# Alarms that fire are written to the ledger before their messages are routed and sent.
RECORD_FIRST_PATCH = "2026-12-record-alarms-first"
# A case started with every patch above (and its notices') asks for them as this one patch.
CASE_BASELINE_PATCH = "2026-12-case-baseline-1"
CASE_BASELINE = frozenset({
    RETURN_DAY_PATCH, CLOCKS_FIRST_PATCH, SIDE_EFFECTS_PATCH, CONTINUE_AS_NEW_PATCH,
    WEEKLY_CHASE_PATCH, WRITE_BEHIND_PATCH, PREPARE_TOGETHER_PATCH, RECORD_FIRST_PATCH,
    DIRECTORY_PATCH, EMPLOYEE_CHANNELS_PATCH, SUBSTANCE_PATCH})
# The 15-day acceptance review is kept and chased; a late application's employer-borne period is
# recorded once its end is known (issue 20 §2).
CASE_CLOCKS_PATCH = "2026-12-case-clocks"  # after the baseline: asked for on its own, at apply
# The clocks keep one timer for the next alarm while its moment stands: a state change that moves
# no alarm no longer cancels the timer and starts another (two server writes each, issue 21).
STEADY_TIMER_PATCH = "2026-12-steady-alarm-timer"
CASE_BASELINE_2_PATCH = "2026-12-case-baseline-2"
CASE_BASELINE_2 = CASE_BASELINE | {CASE_CLOCKS_PATCH, STEADY_TIMER_PATCH}
# A side effect's result (the authority's gateway, a notice) joins the write its action armed and
# no longer restarts the quiet period: one write-behind timer per action, not two (issue 21).
EFFECT_WRITES_PATCH = "2026-12-effect-results-keep-quiet"
CASE_BASELINE_3_PATCH = "2026-12-case-baseline-3"
CASE_BASELINE_3 = CASE_BASELINE_2 | {EFFECT_WRITES_PATCH}
# Reminders and escalations are routed and their notices started by one activity, and the notices
# are workflows of their own, not children (issue 21, figure 3).
CASE_BASELINE_4_PATCH = "2026-12-case-baseline-4"
CASE_BASELINE_4 = CASE_BASELINE_3 | {NOTICES_DISPATCHED_PATCH}
WRITE_RETRY = timedelta(minutes=10)  # the last write of a case, again after its activity gave up


@workflow.defn(name="InjuryCase")
class InjuryCaseWorkflow:
    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        self._in = inp
        self._patched = Patches((CASE_BASELINE_4_PATCH, CASE_BASELINE_4),
                                (CASE_BASELINE_3_PATCH, CASE_BASELINE_3),
                                (CASE_BASELINE_2_PATCH, CASE_BASELINE_2),
                                (CASE_BASELINE_PATCH, CASE_BASELINE))
        self._alarm_timer: tuple[datetime, asyncio.Task[None]] | None = None
        self._clock = ScaledClock(inp.timing.time_scale)
        self._state = CaseState(stage=Stage.reported, deadlines=initial_state_deadlines(inp),
                                return_day_rule=self._patched(RETURN_DAY_PATCH),
                                weekly_chase=self._patched(WEEKLY_CHASE_PATCH),
                                calendar=case_calendar(inp))
        self._events: list[Event] = []
        self._flushed = 0
        self._flush_lock = asyncio.Lock()
        self._background: list[asyncio.Task[None]] = []
        self._fired: set[str] = set()
        self._version = 0
        self._form_id: str | None = None
        self._effects: list[Callable[[], Awaitable[None]]] = []
        self._effect_running = False
        self._stopping = False
        self._prepared = False  # the form and the diagnosis fetched (or HR tasks instead)
        self._continuing = False  # the history is long: continue as new at the next quiet moment
        self._history_base = workflow.info().get_current_history_size()  # the input, mostly
        self._last_change_at = workflow.now()
        self._pending_write: asyncio.Task[None] | None = None
        # Asked here, in the case's first task: a patch's marker (and the search-attribute upsert
        # the SDK adds to it) then never lands on the answer path of the case's first action.
        self._write_behind = self._patched(WRITE_BEHIND_PATCH)
        self._effect_writes_join = self._patched(EFFECT_WRITES_PATCH)
        if inp.carried is not None:
            self._resume(inp.carried)
        self._notices = CaseNotices(inp, self._clock, self._state, self._emit, self._touch,
                                    self._patched)
        if inp.carried is None:
            self._emit("case_opened", inp.created_by, accident_at=inp.accident_at.isoformat(),
                       location=inp.location, injury=inp.injury, si_enrolled=inp.si_enrolled,
                       witnesses=[w.name for w in inp.witnesses] or None,
                       materials=[m.code for m in inp.materials],
                       materials_source=inp.materials_source, **opened_standing(inp))

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseView:
        await self._flush()
        effects = asyncio.create_task(self._drain_effects())
        if self._patched(CLOCKS_FIRST_PATCH):
            preparing = asyncio.create_task(self._prepare_application())
            await self._keep_clocks()
            if not preparing.done():
                preparing.cancel()  # the case ended first: no form or diagnosis is needed now
            await workflow.wait([preparing])
        else:
            await self._prepare_application()
            await self._keep_clocks()
        await workflow.wait_condition(workflow.all_handlers_finished)
        await workflow.wait_condition(lambda: not self._effects and not self._effect_running)
        self._stopping = True
        await effects
        self._emit("case_outcome", "system", **case_outcome(self._in, self._state,
                                                              self._clock.now()))
        self._notices.stop_following()
        await self._flush()
        await asyncio.gather(*self._background)
        while self._flushed < len(self._events):  # only after a write gave up (patched path)
            await workflow.sleep(WRITE_RETRY)
            await self._flush()
        return self._view()

    @workflow.query(name="status")
    def status(self, as_of: datetime | None = None) -> CaseView:
        """The case now; `as_of` (real time, from the caller) because workflow time only moves
        when the workflow runs, and a deadline may have passed since."""
        now = self._clock.now()
        if as_of is not None and as_of > workflow.now():
            now = self._clock.business_time(as_of)
        return view_of(self._in, self._state, self._events, now)

    # ---- HR actions ------------------------------------------------------------------------

    @workflow.update(name="act")
    async def act(self, action: CaseAction) -> CaseAnswer:
        """Answers with the case and the events this action recorded (not the whole log: an
        Update's result is kept in the history)."""
        first_new = len(self._events)
        if isinstance(action, ApplyDetermination):
            # Asked when it first matters (patch 2026-12-case-clocks), so a new case's start
            # keeps its one baseline marker; a case that never applies asks nothing.
            self._state.case_clocks = self._patched(CASE_CLOCKS_PATCH)
        kind, data = actions.apply_action(self._in, self._state, action, self._clock.now())
        self._emit(kind, action.actor.name, **data)
        if isinstance(action, ApplyDetermination | RecordAcceptance):
            self._record_late_costs()
        self._changed()
        if self._patched(SIDE_EFFECTS_PATCH):
            self._effects.append(lambda: self._side_effects(action))
        else:
            await self._side_effects(action)
        return case_answer(self._answer(), self._events[first_new:])

    @act.validator
    def _check(self, action: CaseAction) -> None:
        try:
            rules.check_action(self._in, self._state, action, self._clock.now())
        except (RuleViolation, ActionRefused) as exc:
            raise refusal(exc) from None

    async def _side_effects(self, action: CaseAction) -> None:
        match action:
            case ApplyDetermination():
                await self._submit_application()
            case RecordDetermination():
                await self._notices.decision("determination_decision", action.documents)
            case RecordAppraisal():
                await self._notices.decision("appraisal_conclusion", action.documents)
                await self._claim_benefits()
            case OpenNegotiation():
                await self._notices.invitation(action)
            case RecordPayment():
                await self._notices.payment(action)
            case RecordCourierNotice():
                await self._register_courier(action)

    @workflow.update(name="assign")
    async def assign(self, action: AssignOwner) -> CaseAnswer:
        """Hand the case to another HR person: reminders and HR's tasks go to them from now on."""
        first_new = len(self._events)
        previous = self._state.owner or self._in.created_by
        self._state.owner = action.owner
        self._emit("assigned", action.actor.name, owner=action.owner, previous=previous)
        return case_answer(self._answer(), self._events[first_new:])

    @assign.validator
    def _check_assign(self, action: AssignOwner) -> None:
        try:
            rules.check_assign(self._state, action)
        except (RuleViolation, ActionRefused) as exc:
            raise refusal(exc) from None

    # ---- outside events (signals) ------------------------------------------------------------

    @workflow.signal(name="authority_decision")
    async def authority_decision(self, decision: AuthorityDecision) -> None:
        """The authority's decision arrives (gateway callback); a late or stray one is recorded only."""
        if self._state.stage != Stage.determination_applied:
            self._emit("signal_ignored", decision.source, signal="authority_decision",
                       stage=self._state.stage.value, recognised=decision.recognised)
            self._answer()
            return
        kind, data = actions.decided(self._state, decision, self._clock.now())
        self._emit(kind, decision.source, **data)
        self._changed()
        if self._patched(SIDE_EFFECTS_PATCH):
            self._effects.append(lambda: self._notices.decision("determination_decision"))
        else:
            await self._notices.decision("determination_decision")
        self._answer()

    @workflow.signal(name="courier_status")
    def courier_status(self, update: CourierUpdate) -> None:
        """A tracking event of a paper notice; signed-for is proof of delivery."""
        change = actions.courier_update(self._state, update)
        if change is None:
            self._emit("signal_ignored", update.source, signal="courier_status",
                       tracking_number=update.tracking_number)
        else:
            self._emit(change[0], update.source, **change[1])
            self._changed()
        self._answer()

    @workflow.signal(name="calendar_updated")
    def calendar_updated(self, update: CalendarUpdate) -> None:
        """An official schedule was loaded: open deadlines the fallback counted for its year are
        counted again; what already went out for the old due moment does not go out again."""
        changes = recompute_case(self._state, update.year)
        for change in changes:
            self._fired |= carried_alarms(self._fired, change)
            self._emit("deadline_recomputed", update.loaded_by, **change.event_data(update))
        if changes:
            self._touch()

    @workflow.signal(name="policy_updated")
    def policy_updated(self, update: EstimateFiguresUpdate) -> None:
        """An admin's load changed figures the case's estimate uses (it pins none: the estimate
        is made on demand); the change is recorded so the bundle shows why the estimate moved."""
        if update.changes:
            self._emit("estimate_figures_changed", update.loaded_by, **update.event_data())
            self._touch()

    async def _drain_effects(self) -> None:
        """The side effects of actions and outside events (gateway calls, notices), in the order
        they were accepted, one at a time and outside every handler: a handler only checks and
        changes state, so no caller waits on a gateway's retries and no handler runs in the
        middle of another's work (patch 2026-12-side-effect-queue; earlier cases await inline)."""
        while True:
            await workflow.wait_condition(lambda: bool(self._effects) or self._stopping)
            if not self._effects:
                return
            effect = self._effects.pop(0)
            self._effect_running = True
            try:
                await effect()
            finally:
                self._effect_running = False
            if self._effect_writes_join:
                self._changed()
                self._write_later()
            else:
                self._touch()

    # ---- the clocks ------------------------------------------------------------------------

    async def _keep_clocks(self) -> None:
        """Fire every alarm the open deadlines call for, until the case is closed or withdrawn."""
        while self._state.stage not in TERMINAL:
            now = self._clock.now()
            pending = [a for a in alarms(self._in, self._state, now) if a.key not in self._fired]
            firing = due_now(pending, now)
            if firing:
                self._fired.update(a.key for a in pending if a.at <= now)
                if self._patched(RECORD_FIRST_PATCH):
                    sends = [self._record_alarm(alarm) for alarm in firing]
                    await self._flush()
                    for send in sends:
                        await send()
                else:
                    for alarm in firing:
                        await self._record_alarm(alarm)()
                await self._flush()
                continue
            if self._continue_now():
                self._continue_as_new()
            seen = self._version

            def woken(seen: int = seen) -> bool:
                return self._version != seen or self._state.stage in TERMINAL \
                    or (self._continuing and self._quiet())

            if pending and self._patched(STEADY_TIMER_PATCH):
                await self._sleep_steadily(pending[0].at, woken)
            elif pending:
                await self._clock.sleep_until(pending[0].at, wake=woken)
            else:
                await workflow.wait_condition(woken)

    async def _sleep_steadily(self, at: datetime, woken: Callable[[], bool]) -> None:
        """Until the next alarm's moment `at` or a change of state, on the timer already set for
        `at` if there is one (patch 2026-12-steady-alarm-timer)."""
        if self._alarm_timer is None or self._alarm_timer[0] != at:
            if self._alarm_timer is not None:
                self._alarm_timer[1].cancel()
            remaining = at - self._clock.now()
            if remaining <= timedelta(0):
                self._alarm_timer = None
                return
            self._alarm_timer = (at, asyncio.create_task(
                workflow.sleep(self._clock.real_duration(remaining))))
        timer = self._alarm_timer[1]
        await workflow.wait_condition(lambda: woken() or timer.done())
        if timer.done():
            self._alarm_timer = None

    # ---- continue-as-new (patch 2026-12-continue-as-new) --------------------------------------

    def _continue_now(self) -> bool:
        """The history reached the case's limit (or the server suggests it) and nothing is under
        way that only this run could finish."""
        if not self._continuing:
            info, timing = workflow.info(), self._in.timing
            full = info.get_current_history_length() >= timing.history_events_max \
                or info.get_current_history_size() - self._history_base >= timing.history_bytes_max \
                or info.is_continue_as_new_suggested()
            # patched() only once the limit is reached: no marker in every history, and a case
            # recorded before the patch replays as it ran.
            self._continuing = full and self._patched(CONTINUE_AS_NEW_PATCH)
        return self._continuing and self._quiet()

    def _quiet(self) -> bool:
        """No handler, side effect, write or notice of this run running; every event written."""
        return (workflow.all_handlers_finished() and not self._effects
                and not self._effect_running and self._prepared
                and self._flushed == len(self._events) and not self._flush_lock.locked()
                and all(task.done() for task in self._background)
                and not self._notices.busy())

    def _continue_as_new(self) -> None:
        """A fresh history with the case as it is: state, log, fired alarms, clock origin."""
        previous = self._in.carried.run if self._in.carried is not None else 1
        workflow.logger.info("case continues as new (run %d, %d history events)", previous + 1,
                             workflow.info().get_current_history_length())
        workflow.continue_as_new(replace(self._in, carried=CaseCarryOver(
            state=self._state, events=tuple(self._events), fired=tuple(sorted(self._fired)),
            clock_origin=self._clock.origin, form_id=self._form_id, run=previous + 1)))

    def _resume(self, carried: CaseCarryOver) -> None:
        """This run goes on where the last one stopped (nothing of it is written again)."""
        self._clock = ScaledClock(self._in.timing.time_scale, carried.clock_origin)
        self._state = carried.state
        self._events = list(carried.events)
        self._flushed = len(self._events)
        self._fired = set(carried.fired)
        self._form_id = carried.form_id
        self._prepared = True

    def _record_alarm(self, alarm: Alarm) -> Callable[[], Awaitable[None]]:
        """Record what an alarm means for the case now; the messages it calls for are returned,
        to be sent once the record is written (patch 2026-12-record-alarms-first)."""
        deadline = self._state.deadlines[alarm.deadline]
        now = self._clock.now()
        if alarm.kind == "return_notice":
            return lambda: self._notices.return_to_work(deadline)
        if alarm.kind == "escalation" and alarm.deadline == "determination_application":
            actions.employer_window_missed(self._in, self._state)
        kind = {"reminder": "case_reminder_sent", "escalation": "case_escalated",
                "chase": "chase_sent"}[alarm.kind]
        subject, body = texts.deadline_message(alarm.kind, self._in, deadline, now)
        recipients = self._notices.hr() + (self._notices.managers()
                                           if alarm.kind == "escalation" else ())
        self._emit(kind, "system", deadline=deadline.name, due_at=deadline.due_at.isoformat(),
                   article=deadline.article, recipients=[r.role for r in recipients])
        return lambda: self._notices.inform(f"case_{alarm.kind}", subject, body, recipients)

    # ---- gateways --------------------------------------------------------------------------

    async def _prepare_application(self) -> None:
        """Generate the filled-in application form and fetch the diagnosis summary, both at once,
        each recorded as it comes (patch 2026-12-prepare-together; before it, one after the
        other); either one that gives up becomes an HR task (fill the form in by hand, get the
        diagnosis). Both are written in one write once both are in."""
        if self._in.carried is not None:
            return  # the case's first run did
        if self._patched(PREPARE_TOGETHER_PATCH):
            await self._both(self._prepare_form(), self._prepare_diagnosis())
        else:
            self._formed(await self._generate_form())
            self._diagnosed(await self._fetch_diagnosis())
        self._changed()
        await self._flush()
        self._prepared = True

    @staticmethod
    async def _both(*steps: Awaitable[None]) -> None:
        """Run the steps at once; a cancelled preparation (the case ended first) cancels each."""
        tasks = [asyncio.ensure_future(step) for step in steps]
        try:
            await workflow.wait(tasks)
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            raise
        for task in tasks:
            task.result()  # a step's own failure (none is expected: give-ups are HR tasks)

    async def _prepare_form(self) -> None:
        self._formed(await self._generate_form())
        self._changed()

    async def _prepare_diagnosis(self) -> None:
        self._diagnosed(await self._fetch_diagnosis())
        self._changed()

    async def _generate_form(self) -> DocumentRef | ActivityError:
        case_wf = workflow.info().workflow_id
        try:
            ref: DocumentRef = await workflow.execute_activity_method(
                FormActivities.generate_determination_form,
                FormRequest(idempotency_key=f"{case_wf}:form", case=self._in,
                            generated_at=self._clock.now(), generated_by="system"), **DB_ACTIVITY)
        except ActivityError as error:
            return error
        return ref

    async def _fetch_diagnosis(self) -> DiagnosisSummary | ActivityError:
        emp, case_wf = self._in.employee, workflow.info().workflow_id
        try:
            summary: DiagnosisSummary = await workflow.execute_activity_method(
                InjuryGatewayActivities.fetch_diagnosis,
                DiagnosisRequest(idempotency_key=f"{case_wf}:diagnosis", case_id=self._in.case_id,
                                 id_number=emp.id_number, employee_name=emp.name,
                                 accident_at=self._in.accident_at, injury=self._in.injury),
                **GATEWAY_ACTIVITY)
        except ActivityError as error:
            return error
        return summary

    def _formed(self, form: DocumentRef | ActivityError) -> None:
        if isinstance(form, ActivityError):
            self._gave_up(form, actions.FORM_BY_HAND, "form_failed")
            return
        if any(m.code == "application_form" for m in self._in.materials):
            self._state.provided += ("application_form",)
        self._emit("form_generated", "system", document_id=form.document_id,
                   sha256=form.sha256, filename=form.filename)
        self._form_id = form.document_id

    def _diagnosed(self, diagnosis: DiagnosisSummary | ActivityError) -> None:
        if isinstance(diagnosis, ActivityError):
            self._gave_up(diagnosis, actions.DIAGNOSIS_BY_HAND, "diagnosis_failed")
            return
        self._emit("diagnosis_fetched", "hospital", found=diagnosis.found,
                   hospital=diagnosis.hospital or None, diagnosis=diagnosis.diagnosis or None,
                   treatment=diagnosis.treatment or None,
                   reference=diagnosis.reference or None, source=diagnosis.source)

    def _gave_up(self, error: ActivityError, task: str, kind: str) -> None:
        """An activity gave up: an HR task with the reason and an evidence event (cases started
        before patch 2026-12-clocks-first fail as they did)."""
        if not self._patched(CLOCKS_FIRST_PATCH):
            raise error
        cause = error.cause
        error_type = cause.type if isinstance(cause, ApplicationError) and cause.type \
            else type(cause or error).__name__
        reason = cause.message if isinstance(cause, ApplicationError) else str(cause or error)
        actions.gave_up(self._state, task, reason, self._clock.now())
        self._emit(kind, "system", activity=error.activity_type, reason=reason,
                   error_type=error_type, retry_state=error.retry_state.name
                   if error.retry_state is not None else None, task=task)
        self._changed()

    async def _submit_application(self) -> None:
        emp, case_wf = self._in.employee, workflow.info().workflow_id
        det = self._state.determination
        application = DeterminationApplication(
            idempotency_key=f"{case_wf}:determination:{len(self._events)}",
            case_id=self._in.case_id, region=self._in.region, employee_name=emp.name,
            id_number=emp.id_number, accident_at=self._in.accident_at, injury=self._in.injury,
            simple_case=bool(det and det.simple_case), materials=self._state.provided,
            form_document_id=self._form_id)
        try:
            receipt: AuthorityReceipt = await workflow.execute_activity_method(
                InjuryGatewayActivities.submit_determination_application, application,
                **GATEWAY_ACTIVITY)
        except ActivityError as error:
            self._gave_up(error, actions.SUBMIT_BY_HAND, "determination_submission_failed")
            return
        if not receipt.accepted:
            actions.not_accepted(self._state, self._clock.now())
            self._emit("determination_not_accepted", "authority", reference=receipt.reference,
                       missing=list(receipt.missing), reason=receipt.reason)
            return
        now = self._clock.now()
        kind, data = actions.accepted(self._state, receipt, local_date(now), now,
                                      decision_first_wins=self._patched(SIDE_EFFECTS_PATCH))
        self._emit(kind, "authority", **data)
        self._record_late_costs()
        self._changed()

    def _record_late_costs(self) -> None:
        """A late application's employer-borne period (Reg. art. 17 ¶4), as an evidence event
        once its end is known; once per case (patch 2026-12-case-clocks: `state.case_clocks`)."""
        if not self._state.case_clocks or any(e.kind == "late_application_costs"
                                              for e in self._events):
            return
        data = late_costs_event(self._in, self._state)
        if data is not None:
            self._emit("late_application_costs", "system", **data)

    async def _claim_benefits(self) -> None:
        latest = self._state.appraisals[-1]
        if latest.grade is None:
            return
        emp, case_wf = self._in.employee, workflow.info().workflow_id
        try:
            receipt: BenefitClaimReceipt = await workflow.execute_activity_method(
                InjuryGatewayActivities.claim_injury_benefits,
                BenefitClaim(idempotency_key=f"{case_wf}:benefits:{latest.round}",
                             case_id=self._in.case_id, region=self._in.region,
                             id_number=emp.id_number, employee_name=emp.name,
                             si_enrolled=covered(self._in, self._state), grade=latest.grade,
                             accident_at=self._in.accident_at), **GATEWAY_ACTIVITY)
        except ActivityError as error:
            if self._patched(CLOCKS_FIRST_PATCH):
                self._gave_up(error, actions.BENEFITS_BY_HAND, "benefit_claim_failed")
            else:
                self._emit("benefit_claim_failed", "system", error=str(error.cause or error))
            return
        self._state.benefit_claim = receipt.reference
        self._emit("benefit_claimed", "si_bureau", accepted=receipt.accepted,
                   reference=receipt.reference or None, code=receipt.code or None,
                   reason=receipt.reason or None, grade=latest.grade)

    async def _register_courier(self, action: RecordCourierNotice) -> None:
        try:
            await workflow.execute_activity_method(
                InjuryGatewayActivities.register_courier_tracking,
                CourierRegistration(idempotency_key=f"{workflow.info().workflow_id}:courier:"
                                                    f"{action.tracking_number}",
                                    case_id=self._in.case_id, carrier=action.carrier,
                                    tracking_number=action.tracking_number,
                                    purpose=action.purpose), **GATEWAY_ACTIVITY)
        except ActivityError as error:
            self._gave_up(error, actions.TRACKING_BY_HAND, "courier_registration_failed")

    # ---- state helpers ---------------------------------------------------------------------

    def _changed(self) -> None:
        """Wake the clock keeper: the deadlines may have moved."""
        self._version += 1

    def _touch(self) -> None:
        """A change outside an action (a notice outcome): wake the clocks and write the events."""
        self._changed()
        self._answer()

    def _emit(self, kind: str, actor: str, **data: Any) -> None:
        self._events.append(Event(seq=len(self._events) + 1, at=self._clock.now(), kind=kind,
                                  actor=actor, data={k: v for k, v in data.items() if v is not None}))

    def _answer(self) -> CaseView:
        """The new state at once; its events reach the database after, in order: once the case
        is quiet for ACTION_WRITE_QUIET (patch 2026-12-case-write-behind), else right after."""
        if self._write_behind:
            self._last_change_at = workflow.now()
        self._write_later()
        return self._view()

    def _write_later(self) -> None:
        """Have the events written: by the pending write if one waits, else by a new one, which
        writes at once if the case has been quiet long enough already."""
        if not self._write_behind:
            self._background.append(asyncio.create_task(self._flush()))
        elif self._pending_write is None or self._pending_write.done():
            self._pending_write = asyncio.create_task(self._write_soon())
            self._background.append(self._pending_write)

    async def _write_soon(self) -> None:
        """Write what changes recorded once they pause (ACTION_WRITE_QUIET), at the latest
        ACTION_WRITE_MAX_WAIT after the first; a write that another one took first ends the wait.
        An action's workflow task completes with its answer alone, so no Update waits for the
        database (a local write would hold that task open until it is done)."""
        first = workflow.now()
        while self._flushed < len(self._events):
            write_at = min(self._last_change_at + ACTION_WRITE_QUIET, first + ACTION_WRITE_MAX_WAIT)
            if workflow.now() < write_at:
                try:
                    await workflow.wait_condition(self._all_written,
                                                  timeout=write_at - workflow.now())
                except TimeoutError:
                    pass
                continue
            written = self._flushed
            await self._flush()
            if self._flushed == written:
                return  # gave up: the next change, or the case's last write, takes them
            first = workflow.now()

    def _all_written(self) -> bool:
        return self._flushed == len(self._events)

    async def _flush(self) -> None:
        """Write new events and the list rows; keyed by (id, seq), so a retry writes nothing twice."""
        async with self._flush_lock:
            pending = tuple(self._events[self._flushed:])
            if not pending:
                return
            closing = any(e.kind == "case_outcome" for e in pending)
            update = projection(self._in, self._state, pending,
                                final_view=self._view() if closing else None)
            try:
                await workflow.execute_local_activity_method(
                    LedgerActivities.record_case, update, **DB_ACTIVITY)
            except GAVE_UP as error:
                if not self._patched(CLOCKS_FIRST_PATCH):
                    raise
                # The clocks go on; the next write takes these events too (keyed: none twice).
                workflow.logger.warning("case events not written yet: %s",
                                        getattr(error, "cause", None) or error)
                return
            self._flushed += len(pending)

    def _view(self) -> CaseView:
        return view_of(self._in, self._state, self._events, self._clock.now())

