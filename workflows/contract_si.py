"""ContractSiWatchWorkflow (合同与社保不一致): a contract recorded after registration, watched.

Started by PUT /api/v1/employees/{employee_id}/contract; sleeps until 30 days after the
contract's start (SIL art. 58; LCL art. 10), then asks the employee record whether the employee
was enrolled by that day. If not, HR and the HR manager are alerted and the alert is recorded in
the employment's onboarding ledger. The onboarding workflow is not changed: it still watches the
contract its registration named.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contract_watch import ContractWatchActivities
    from domain.employees.contract_watch import (
        ARTICLE,
        ContractWatchInput,
        StatusQuery,
        WatchEvents,
        is_mismatch,
        last_day,
        mismatch_message,
    )
    from domain.onboarding.payloads import Deadline  # noqa: F401  (for the SDK sandbox: below)
    from domain.shared.events import Event
    from domain.shared.people import Recipient
    from workflows._people_notices import notify_directory
    from workflows._policies import DB_ACTIVITY
    from workflows._timers import ScaledClock

# Deadline is imported only for the SDK sandbox (the tests' runner): pydantic resolves
# ContractWatchInput's annotations through sys.modules, which there holds only the modules above.

HR_TEAM = Recipient(role="hr_team", name="HR")
HR_MANAGER = Recipient(role="hr_manager", name="HR manager")


@workflow.defn(name="ContractSiWatch")
class ContractSiWatchWorkflow:
    @workflow.init
    def __init__(self, inp: ContractWatchInput) -> None:
        self._in = inp
        self._clock = ScaledClock(inp.time_scale)
        self._events: list[Event] = []
        self._children: list[Any] = []

    @workflow.run
    async def run(self, inp: ContractWatchInput) -> str:
        await self._clock.sleep_until(inp.due.due_at)
        day = last_day(inp.due)
        status: str | None = await workflow.execute_activity_method(
            ContractWatchActivities.si_status, StatusQuery(inp.employee_id, day), **DB_ACTIVITY)
        if not is_mismatch(status):
            return "enrolled"
        self._emit("contract_si_mismatch", contract_start=inp.contract_start.isoformat(),
                   due_at=inp.due.due_at.isoformat(), si_status=status, article=ARTICLE,
                   source="员工档案 employee record", recipients=["hr_team", "hr_manager"])
        await self._record()
        await self._notify(mismatch_message(inp, status), (HR_TEAM, HR_MANAGER))
        await asyncio.gather(*self._children)
        return "mismatch"

    async def _notify(self, text: tuple[str, str], wanted: tuple[Recipient, ...]) -> None:
        self._children += await notify_directory(
            key=f"{workflow.info().workflow_id}:1", purpose="contract_si_mismatch",
            department=self._in.department, wanted=wanted, text=text,
            time_scale=self._in.time_scale, emit=None, subject_id=self._in.onboarding_id)

    def _emit(self, kind: str, **data: Any) -> None:
        self._events.append(Event(seq=len(self._events) + 1, at=self._clock.now(), kind=kind,
                                  actor="system",
                                  data={k: v for k, v in data.items() if v is not None}))

    async def _record(self) -> None:
        await workflow.execute_activity_method(
            ContractWatchActivities.record_events,
            WatchEvents(workflow.info().workflow_id, self._in.onboarding_id, tuple(self._events)),
            **DB_ACTIVITY)
