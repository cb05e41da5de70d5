"""WrittenContractWorkflow (书面劳动合同): one employment's written contract, watched for a year.

Started by the onboarding (patch 2026-12-written-contract). HR is reminded a week before the first
month ends (LCL art. 10); at its end HR and the HR manager are told that double wages accrue
(LCL art. 82); a year on without a contract, the deemed open-ended contract is flagged (LCL art.
14 ¶3) with the double-wage exposure. HR's record of the signed contract (Update
`record_written_contract`: date and document) meets the deadline, or stops the exposure. The
events go to the watch's own ledger (subject: the watch's id, derived from the onboarding's).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contract_watch import ContractWatchActivities
    from domain.employees import written_contract as wc
    from domain.employees import written_contract_watch as watch
    from domain.employees.contract_watch import WatchEvents
    from domain.employees.written_contract_watch import (
        EmploymentEnded,
        RecordMonthlyWage,
        RecordWrittenContract,
        WrittenContractInput,
        WrittenContractView,
    )
    from domain.onboarding.payloads import Deadline  # noqa: F401  (pydantic, in the sandbox)
    from domain.shared.calendar import SHANGHAI
    from domain.shared.errors import ActionRefused, RuleViolation
    from domain.shared.events import Event
    from domain.shared.people import Recipient
    from workflows._people_notices import notify_directory
    from workflows._policies import DB_ACTIVITY, OPENS_FIRST_PATCH
    from workflows._refusals import refusal
    from workflows._timers import ScaledClock

HR_TEAM = Recipient(role="hr_team", name="HR")
HR_MANAGER = Recipient(role="hr_manager", name="HR manager")


@workflow.defn(name="WrittenContract")
class WrittenContractWorkflow:
    @workflow.init
    def __init__(self, inp: WrittenContractInput) -> None:
        self._in = inp
        self._clock = ScaledClock(inp.time_scale)
        self._signed: RecordWrittenContract | None = None
        self._ended: EmploymentEnded | None = None
        self._events: list[Event] = []
        self._flushed = 0
        self._flush_lock = asyncio.Lock()
        self._children: list[Any] = []
        self._opened_first = workflow.patched(OPENS_FIRST_PATCH)
        if self._opened_first:
            self._emit_opened()

    @workflow.run
    async def run(self, inp: WrittenContractInput) -> str:
        dates = wc.contract_dates(inp.start)
        if not self._opened_first:
            self._emit_opened()
        await self._flush()
        if await self._unsigned_at(inp.due.due_at - inp.reminder_lead) \
                and self._clock.now() < inp.due.due_at:
            await self._notify("written_contract_reminder_sent", watch.reminder(inp), (HR_TEAM,))
        if await self._unsigned_at(inp.due.due_at):
            await self._notify("written_contract_escalated", watch.escalation(inp),
                               (HR_TEAM, HR_MANAGER), double_wage_from=dates.double_wage_from,
                               monthly_wage=str(inp.monthly_wage), article=wc.DOUBLE_WAGE_ARTICLE)
        year = datetime.combine(dates.year_complete, time(0), tzinfo=SHANGHAI)
        if await self._unsigned_at(year):
            exposure = self._exposure()
            await self._notify("open_ended_contract_deemed", watch.open_ended(inp, exposure),
                               (HR_TEAM, HR_MANAGER), deemed_on=dates.year_complete,
                               double_wage_total=str(exposure.total),
                               months=str(exposure.months_accrued),
                               article=wc.OPEN_ENDED_ARTICLE)
        await workflow.wait_condition(self._is_signed)  # still to be signed (补订)
        if self._ended is not None:
            self._emit("written_contract_watch_closed", "system", ended_on=self._ended.on,
                       reason=self._ended.reason, status=self._status(),
                       double_wage_total=str(self._exposure().total))
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._flush()
        await asyncio.gather(*self._children)
        return self._status()

    @workflow.update(name="record_written_contract")
    async def record_written_contract(self, action: RecordWrittenContract) -> WrittenContractView:
        """HR records the signed contract (date, document): the deadline is met if signed by the
        first month's last day; signed later, the double wage stops the day before."""
        self._signed = action
        if action.monthly_wage is not None:
            self._in = replace(self._in, monthly_wage=action.monthly_wage,
                               wage_source=RecordMonthlyWage(action.actor, action.monthly_wage,
                                                             action.note).source())
        exposure = self._exposure()
        self._emit("written_contract_signed", action.actor.name,
                   signed_on=action.signed_on, document=action.document,
                   status=self._status(),
                   monthly_wage=str(action.monthly_wage) if action.monthly_wage else None,
                   double_wage_total=str(exposure.total) if exposure.months else None,
                   months=str(exposure.months_accrued) if exposure.months else None,
                   article=wc.DOUBLE_WAGE_ARTICLE if exposure.months else wc.SIGN_ARTICLE,
                   note=action.note or None)
        await self._flush()
        return self._view()

    @record_written_contract.validator
    def _check_record(self, action: RecordWrittenContract) -> None:
        try:
            watch.check_role("record_written_contract", action.actor)
            if self._ended is not None:
                raise ActionRefused("written_contract.ended",
                                    f"the employment ended on {self._ended.on}: the watch is "
                                    "closed", "signed_on")
            if self._signed is not None:
                raise ActionRefused("written_contract.recorded",
                                    f"the written contract signed {self._signed.signed_on} is "
                                    "on record already", "signed_on")
            wc.check_signed_contract(self._in.start, action.signed_on, action.document,
                                     self._today())
            if action.monthly_wage is not None:
                wc.check_monthly_wage(action.monthly_wage)
        except (RuleViolation, ActionRefused) as exc:
            raise refusal(exc) from None

    @workflow.update(name="record_monthly_wage")
    async def record_monthly_wage(self, action: RecordMonthlyWage) -> WrittenContractView:
        """HR gives the monthly wage the double wage is counted on (LCL art. 82)."""
        self._in = replace(self._in, monthly_wage=action.monthly_wage,
                           wage_source=action.source())
        self._emit("monthly_wage_recorded", action.actor.name,
                   monthly_wage=str(action.monthly_wage), note=action.note or None)
        await self._flush()
        return self._view()

    @record_monthly_wage.validator
    def _check_wage(self, action: RecordMonthlyWage) -> None:
        try:
            watch.check_role("record_monthly_wage", action.actor)
            wc.check_monthly_wage(action.monthly_wage)
            if self._ended is not None or self._signed is not None:
                raise ActionRefused(
                    "written_contract.ended" if self._ended else "written_contract.recorded",
                    "the watch is closing (the employment ended or the contract is recorded): "
                    "give the wage with the contract's record", "monthly_wage")
        except (RuleViolation, ActionRefused) as exc:
            raise refusal(exc) from None

    @workflow.signal(name="employment_ended")
    def employment_ended(self, ended: EmploymentEnded) -> None:
        """The employment ended (its onboarding was cancelled): the watch stops."""
        if self._ended is None and self._signed is None:
            self._ended = ended

    @workflow.query(name="status")
    def status(self) -> WrittenContractView:
        return self._view()

    # ---- helpers ------------------------------------------------------------------------------

    def _emit_opened(self) -> None:
        dates = wc.contract_dates(self._in.start)
        self._emit("written_contract_watch_opened", "system", onboarding_id=self._in.onboarding_id,
                   start=self._in.start, due_at=self._in.due.due_at, sign_by=dates.sign_by,
                   double_wage_from=dates.double_wage_from, deemed_on=dates.year_complete,
                   article=self._in.due.article)

    async def _unsigned_at(self, at: datetime) -> bool:
        """Sleep until `at`: whether it came with the contract still not recorded (nor the
        employment ended); a moment already past answers at once."""
        return await self._clock.sleep_until(at, wake=self._is_signed) and not self._is_signed()

    def _is_signed(self) -> bool:
        """Nothing more to watch: signed, or the employment ended."""
        return self._signed is not None or self._ended is not None

    def _status(self) -> str:
        return watch.status_of(self._in, self._signed_on(), self._today(),
                               self._ended.on if self._ended else None)

    def _signed_on(self) -> date | None:
        return self._signed.signed_on if self._signed is not None else None

    def _today(self) -> date:
        return self._clock.now().astimezone(SHANGHAI).date()

    def _exposure(self) -> wc.DoubleWageExposure:
        as_of = self._today() if self._ended is None else min(self._today(), self._ended.on)
        return wc.double_wage_exposure(self._in.start, self._in.monthly_wage,
                                       max(as_of, self._in.start), self._signed_on())

    def _view(self) -> WrittenContractView:
        return WrittenContractView(
            id=workflow.info().workflow_id, employee_id=self._in.employee_id,
            start=self._in.start, deadline=self._in.due,
            status=self._status(), ended_on=self._ended.on if self._ended else None,
            signed_on=self._signed_on(),
            document=self._signed.document if self._signed is not None else None,
            exposure=self._exposure(), wage_source=self._in.wage_source,
            open_ended_deemed_on=wc.contract_dates(self._in.start).year_complete,
            events=tuple(self._events), now=self._clock.now())

    async def _notify(self, kind: str, text: tuple[str, str], wanted: tuple[Recipient, ...],
                      **data: Any) -> None:
        self._emit(kind, "system", recipients=[r.role for r in wanted], **data)
        self._children += await notify_directory(
            key=f"{workflow.info().workflow_id}:{self._events[-1].seq}", purpose=kind,
            department=self._in.department, wanted=wanted, text=text,
            time_scale=self._in.time_scale, emit=self._emit)
        await self._flush()

    def _emit(self, kind: str, actor: str, **data: Any) -> None:
        self._events.append(Event(
            seq=len(self._events) + 1, at=self._clock.now(), kind=kind, actor=actor,
            data={k: v.isoformat() if hasattr(v, "isoformat") else v
                  for k, v in data.items() if v is not None}))

    async def _flush(self) -> None:
        async with self._flush_lock:
            pending = tuple(self._events[self._flushed:])
            if pending:
                await workflow.execute_activity_method(
                    ContractWatchActivities.record_events,
                    WatchEvents(workflow.info().workflow_id, workflow.info().workflow_id, pending),
                    **DB_ACTIVITY)
                self._flushed += len(pending)

