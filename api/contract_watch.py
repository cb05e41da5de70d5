"""Record a contract on the employee record and start its contract/SI mismatch watch."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from temporalio.client import Client

from api import temporal_calls
from api.errors import ApiError
from domain.employees.contract_watch import (
    ENROLLED_ONCE,
    ContractWatchInput,
    mismatch_due,
    watch_id,
)
from domain.shared.calendar_sources import official_calendar
from domain.shared.errors import RuleViolation
from settings import Settings
from store import calendar as stored_calendar
from store import employees


async def record_contract(client: Client, settings: Settings, employee_id: str, start: date,
                          end: date | None, recorded_by: str) -> dict[str, Any]:
    """Set the open employment's contract; a new contract start is watched 30 days on
    (ContractSiWatch) unless the employee is enrolled already."""
    if end is not None and end < start:
        raise RuleViolation("contract_end", "contract_end.before_start",
                            f"contract_end ({end}) is before contract_start ({start})")
    now = await asyncio.to_thread(employees.current, settings.db_url, employee_id)
    if now is None:
        raise ApiError(404, "employee.not_found", f"no employee with id {employee_id}",
                       "employee_id")
    employment = now.employment
    if employment is None:
        raise ApiError(409, "employment.none", f"{employee_id} has no open employment: register "
                       "the hire first", "employee_id")
    await asyncio.to_thread(employees.record_contract, settings.db_url, employee_id, start, end,
                            datetime.now(UTC))
    answer: dict[str, Any] = {
        "employee_id": employee_id, "employment": employment.seq,
        "onboarding_id": employment.onboarding_id, "contract_start": start,
        "contract_end": end, "watch": None}
    enrolled = now.si_status is not None and now.si_status in ENROLLED_ONCE
    if start == employment.contract_start or enrolled or employment.onboarding_id is None:
        return answer
    calendar = official_calendar(await stored_calendar.years_to_pin(settings.db_url))
    inp = ContractWatchInput(
        employee_id=employee_id, employee_name=now.name, department=now.department,
        onboarding_id=employment.onboarding_id, contract_start=start,
        due=mismatch_due(start, calendar.since(start.year - 1)), recorded_by=recorded_by,
        time_scale=settings.time_scale)
    workflow_id = watch_id(employee_id, employment.seq, start)
    try:
        await temporal_calls.start(client, "ContractSiWatch", inp, workflow_id=workflow_id,
                                   task_queue=settings.task_queue,
                                   exists=ApiError(409, "watch.exists", workflow_id))
    except ApiError as exc:
        if exc.code != "watch.exists":
            raise  # the same contract start recorded again: its watch runs already
    answer["watch"] = {"id": workflow_id, "due_at": inp.due.due_at, "article": inp.due.article}
    return answer
