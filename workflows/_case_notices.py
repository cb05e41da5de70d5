"""The notices of an injury case, each a NoticeWorkflow: those to the employee are children whose
outcomes this follows; informational ones (reminders, escalations) are started by one activity
and report nothing back (patch 2026-12-notices-dispatched).

Deterministic helper composed by InjuryCaseWorkflow (runs in the workflow sandbox).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ChildWorkflowError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.directory import DirectoryActivities
    from domain.injury import messages as texts
    from domain.injury.actions import gave_up
    from domain.injury.clocks import return_date
    from domain.injury.payloads import CaseInput, OpenNegotiation, RecordPayment
    from domain.injury.state import TERMINAL, CaseDeadline, CaseState, NoticeRef
    from domain.notices.payloads import (
        CHANNELS,
        Channel,
        NoticeInput,
        NoticeRecipient,
        NoticeSummary,
    )
    from domain.notices.rules import informational_notice, outcome_of
    from domain.shared.calendar import SHANGHAI
    from domain.shared.people import Recipient, RecipientQuery, managers_of
    from workflows._people_notices import dispatch
    from workflows._policies import (
        DB_ACTIVITY,
        DIRECTORY_PATCH,
        EMPLOYEE_CHANNELS_PATCH,
        NOTICES_DISPATCHED_PATCH,
    )
    from workflows._timers import ScaledClock

Emit = Callable[..., None]
NOTICE_FALLBACK_DEFAULT = timedelta(hours=24)  # NoticeInput's own default, for cases before the setting

# Each notice to the employee has its own template, fed the facts it states (the return day and
# where to report; the decision, its authority, date and document; the appraisal grade), instead
# of the generic template's title and body.
SUBSTANCE_PATCH = "2026-12-notice-substance"


class CaseNotices:
    def __init__(self, inp: CaseInput, clock: ScaledClock, state: CaseState, emit: Emit,
                 changed: Callable[[], None], patched: Callable[[str], bool]) -> None:
        self._in, self._clock, self._state = inp, clock, state
        self._patched = patched
        self._emit, self._changed = emit, changed
        self._followers: list[asyncio.Task[None]] = []
        self._children: list[Any] = []  # every notice this run started as its child

    def hr(self) -> tuple[Recipient, ...]:
        return (Recipient(role="hr", name=self._state.owner or self._in.created_by),)

    def managers(self) -> tuple[Recipient, ...]:
        return managers_of(self._in.hr_manager, self._in.employee.manager)

    async def inform(self, purpose: str, subject: str, body: str,
                     recipients: tuple[Recipient, ...], template: str = "generic",
                     data: dict[str, Any] | None = None) -> None:
        """Informational notices to HR and managers: tracked to delivery, no answer needed."""
        data = data or {"title": subject, "body": body}
        routed = self._patched(DIRECTORY_PATCH)
        if routed and self._patched(NOTICES_DISPATCHED_PATCH):
            await self._dispatch(purpose, recipients, template, data)
            return
        if routed:
            recipients = await self._route(purpose, recipients)
        for to in recipients:
            await self._start(informational_notice(
                workflow.info().workflow_id, purpose, to, data,
                self._in.timing.time_scale, template, quiet_hours=self._in.timing.quiet_hours))

    async def _dispatch(self, purpose: str, wanted: tuple[Recipient, ...], template: str,
                        data: dict[str, Any]) -> None:
        case_id, uid = workflow.info().workflow_id, workflow.uuid4()
        query = RecipientQuery(subject_id=case_id, key=f"{case_id}:{purpose}:{uid}",
                               purpose=purpose, department=self._in.employee.department,
                               wanted=wanted)
        routing = await dispatch(query, f"notice-{uid}", data, template=template,
                                 time_scale=self._in.timing.time_scale,
                                 quiet_hours=self._in.timing.quiet_hours)
        self._missing(purpose, routing.missing)

    def _missing(self, purpose: str, roles: tuple[str, ...]) -> None:
        if roles:
            self._emit("recipients_missing", "system", purpose=purpose, roles=list(roles))
            self._changed()

    async def _route(self, purpose: str,
                     wanted: tuple[Recipient, ...]) -> tuple[Recipient, ...]:
        """The people of the directory this message reaches; a role nobody reachable holds is
        recorded (and is an admin task), and its message goes to the outbox."""
        case_id = workflow.info().workflow_id
        routing = await workflow.execute_activity_method(
            DirectoryActivities.route_recipients,
            RecipientQuery(subject_id=case_id, key=f"{case_id}:{purpose}:{workflow.uuid4()}",
                           purpose=purpose, department=self._in.employee.department,
                           wanted=wanted),
            **DB_ACTIVITY)
        self._missing(purpose, routing.missing)
        return routing.recipients

    async def return_to_work(self, suspension_end: CaseDeadline) -> None:
        """The return-to-work notice to the employee; no answer in time → escalate (product rule)."""
        back_on = return_date(suspension_end, self._state.calendar)
        data: dict[str, Any] = {"return_date": back_on.isoformat()}
        if self._in.company:
            data["company"] = self._in.company
        if self._patched(SUBSTANCE_PATCH):
            data = texts.return_data(self._in, back_on, suspension_end)
        handle, ref = await self._to_employee("return_to_work", "return_to_work", data)
        self._emit("return_notice_sent", "system", notice_id=ref.notice_id,
                   return_date=back_on.isoformat(),
                   suspension_ends_at=suspension_end.raw_due_at.isoformat(),
                   answer_within_hours=self._in.timing.notice_response.total_seconds() / 3600)
        self._follow(handle, ref, self._return_answered)

    async def decision(self, purpose: str, documents: tuple[str, ...] = ()) -> None:
        """A determination or appraisal conclusion, sent to the employee with a receipt asked for;
        `documents`: the decision's own (the page shows them)."""
        substance = self._patched(SUBSTANCE_PATCH)
        data: dict[str, Any]
        if purpose == "determination_decision":
            assert self._state.determination is not None
            data = texts.determination_data(self._in, self._state.determination, documents) \
                if substance else texts.determination_notice(self._in, self._state.determination)
        else:
            appraisal = self._state.appraisals[-1]
            data = texts.appraisal_data(self._in, appraisal, documents) if substance \
                else texts.appraisal_notice(self._in, appraisal)
        handle, ref = await self._to_employee(purpose, purpose if substance else "generic", data)
        self._emit("decision_notice_sent", "system", notice_id=ref.notice_id, purpose=purpose)
        self._follow(handle, ref, self._decision_answered)

    async def invitation(self, action: OpenNegotiation) -> None:
        """The invitation to negotiate (协商邀请), when HR gave a time and a place."""
        if action.meeting_at is None or not self._patched(SUBSTANCE_PATCH):
            return
        data = texts.invitation_data(self._in, action.meeting_at, action.place, action.bring)
        handle, ref = await self._to_employee("negotiation_invitation", "negotiation_invitation",
                                              data)
        self._emit("invitation_sent", "system", notice_id=ref.notice_id,
                   meeting_at=action.meeting_at.isoformat(), place=action.place)
        self._follow(handle, ref, self._invitation_answered)

    async def payment(self, action: RecordPayment) -> None:
        """The payment notice: what was paid, when, and what remains of the agreement."""
        settlement = self._state.settlement
        if settlement is None or action.amount is None or not self._patched(SUBSTANCE_PATCH):
            return
        paid_on = action.on or self._clock.now().astimezone(SHANGHAI).date()
        data = texts.payment_data(self._in, settlement, action.amount, paid_on, action.reference,
                                  action.documents)
        handle, ref = await self._to_employee("settlement_payment", "settlement_payment", data)
        self._emit("payment_notice_sent", "system", notice_id=ref.notice_id,
                   amount=str(action.amount))
        self._follow(handle, ref, self._receipt_closed)

    def stop_following(self) -> None:
        for task in self._followers:
            task.cancel()

    def busy(self) -> bool:
        """A notice this run started is still running, or its outcome is still being handled: it
        reports to this run, so the case does not continue as new now (an informational one runs a
        day or two at most; waiting for it keeps every child's end in the history that started it,
        and the time-skipping test server loses its clock when a child outlives its parent run)."""
        return any(not task.done() for task in (*self._followers, *self._children))

    # ---- internals ---------------------------------------------------------------------------

    async def _to_employee(self, purpose: str, template: str,
                           data: dict[str, Any]) -> tuple[Any, NoticeRef]:
        emp = self._in.employee
        channels: tuple[Channel, ...] = ("sms", "email") if emp.email else ("sms",)
        recipient = NoticeRecipient(name=emp.name, role="employee", phone=emp.phone,
                                    email=emp.email)
        if self._patched(EMPLOYEE_CHANNELS_PATCH):
            route = await workflow.execute_activity_method(
                DirectoryActivities.employee_route, emp.employee_id, **DB_ACTIVITY)
            if route.on_file and route.channels:
                # The employee record's channels, in its order; the addresses stay there.
                channels = tuple(c for c in CHANNELS if c in route.channels)
                channels = tuple(sorted(channels, key=route.channels.index))
                recipient = NoticeRecipient(name=emp.name, role="employee",
                                            employee_id=emp.employee_id)
        handle = await self._start(NoticeInput(
            subject_id=workflow.info().workflow_id, purpose=purpose, template=template, data=data,
            recipient=recipient,
            channels=channels, response_window=self._in.timing.notice_response,
            requires_answer=True, time_scale=self._in.timing.time_scale,
            quiet_hours=self._in.timing.quiet_hours, pair_link=True,
            fallback_delay=self._in.timing.notice_fallback or NOTICE_FALLBACK_DEFAULT,
            local_writes=True))
        ref = NoticeRef(notice_id=handle.id, purpose=purpose, sent_at=self._clock.now())
        self._state.notices += (ref,)
        return handle, ref

    async def _start(self, inp: NoticeInput) -> Any:
        handle = await workflow.start_child_workflow(
            # The outcome is read as plain JSON: a dataclass result type fails to build its pydantic
            # adapter inside the sandbox here ("not fully defined"); see outcome_of.
            "Notice", inp, id=f"notice-{workflow.uuid4()}", result_type=dict,
            parent_close_policy=ParentClosePolicy.ABANDON)
        self._children.append(handle)
        return handle

    def _follow(self, handle: Any, ref: NoticeRef,
                then: Callable[[NoticeRef, NoticeSummary], Any]) -> None:
        async def follow() -> None:
            # Shielded: stop_following() stops this task, not the notice (ABANDON: it runs on).
            try:
                outcome = outcome_of(await asyncio.shield(handle))
            except ChildWorkflowError as error:
                self._failed(ref, error)
                return
            answer = outcome.answer
            done = replace(ref, result=outcome.result, proof=outcome.proof,
                           answer_text=answer.text if answer else "",
                           answer_choice=answer.choice if answer else "")
            self._state.notices = tuple(done if n.notice_id == ref.notice_id else n
                                        for n in self._state.notices)
            await then(done, outcome)
            self._changed()
        self._followers.append(asyncio.create_task(follow()))

    def _failed(self, ref: NoticeRef, error: ChildWorkflowError) -> None:
        """The notice workflow itself gave up (its database writes did): nobody may be told, so HR
        reaches the person by hand, with the reason, and the ledger says so."""
        root: BaseException = error
        while root.__cause__ is not None or getattr(root, "cause", None) is not None:
            root = getattr(root, "cause", None) or root.__cause__  # type: ignore[assignment]
        reason = str(root)
        flags = ("courier_notice", "contact_employee") if ref.purpose == "return_to_work" \
            else ("courier_decision",)
        for flag in flags:
            gave_up(self._state, flag, f"the {ref.purpose} notice failed: {reason}",
                    self._clock.now())
        self._state.notices = tuple(replace(n, result="failed") if n.notice_id == ref.notice_id
                                    else n for n in self._state.notices)
        self._emit("notice_failed", "system", notice_id=ref.notice_id, purpose=ref.purpose,
                   reason=reason, tasks=list(flags))
        self._changed()

    async def _return_answered(self, ref: NoticeRef, outcome: NoticeSummary) -> None:
        suspension = self._state.suspension
        still_away = suspension is not None and suspension.ended_on is None \
            and self._state.stage not in TERMINAL
        if outcome.answer is not None:
            if outcome.answer.choice == "answer":
                self._state.flags["review_answer"] = self._clock.now()
            self._emit("return_notice_answered", "employee", notice_id=ref.notice_id,
                       choice=outcome.answer.choice, text=outcome.answer.text or None,
                       proof=outcome.proof)
            return
        if not still_away:
            self._emit("return_notice_closed", "system", notice_id=ref.notice_id,
                       result=outcome.result, proof=outcome.proof)
            return
        now = self._clock.now()
        self._state.flags["courier_notice"] = now
        self._state.flags["contact_employee"] = now
        recipients = self.managers() + self.hr()
        self._emit("return_notice_unanswered", "system", notice_id=ref.notice_id,
                   proof=outcome.proof, unreachable=outcome.unreachable,
                   escalated_to=[r.role for r in recipients],
                   emergency_contact=self._in.employee.emergency_contact.name
                   if self._in.employee.emergency_contact else None)
        subject, body = texts.return_unanswered(self._in, ref.sent_at, now)
        await self.inform("notice_escalation", subject, body, recipients,
                          template="notice_escalation",
                          data=texts.escalation_data(self._in, ref, outcome.history,
                                                     outcome.unreachable))
        contact = self._in.employee.emergency_contact
        if self._in.notify_emergency_contact and contact is not None:
            await self.inform("emergency_contact", *texts.to_emergency_contact(self._in, contact),
                              (Recipient(role="emergency_contact", name=contact.name,
                                         phone=contact.phone),))

    async def _invitation_answered(self, ref: NoticeRef, outcome: NoticeSummary) -> None:
        if outcome.answer is not None and outcome.answer.choice == "answer":
            self._state.flags["review_answer"] = self._clock.now()  # another time: HR answers
        await self._receipt_closed(ref, outcome)

    async def _receipt_closed(self, ref: NoticeRef, outcome: NoticeSummary) -> None:
        answer = outcome.answer
        self._emit("employee_notice_closed", "system", notice_id=ref.notice_id,
                   purpose=ref.purpose, result=outcome.result, proof=outcome.proof,
                   choice=answer.choice if answer else None, text=(answer.text or None) if answer else None)

    async def _decision_answered(self, ref: NoticeRef, outcome: NoticeSummary) -> None:
        if outcome.answer is None and self._state.stage not in TERMINAL:
            self._state.flags["courier_decision"] = self._clock.now()
        self._emit("decision_notice_closed", "system", notice_id=ref.notice_id,
                   purpose=ref.purpose, result=outcome.result, proof=outcome.proof)
