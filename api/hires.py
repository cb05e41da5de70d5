"""Registering a hire, one (POST /api/v1/onboardings) or many (POST /api/v1/employees/import):
the checks of domain.onboarding.intake, then the employee record (store/employees.py: the person
on file with this ID number, a re-hire's new employment), then the onboarding's workflow."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import State
from temporalio.client import Client

from api import load_signals, registration, temporal_calls
from api.errors import ApiError
from api.schemas import OnboardingCreate
from domain.onboarding.intake import build_input
from domain.onboarding.payloads import OnboardingInput
from domain.onboarding.state import OnboardingView, Status, view_of
from domain.shared.calendar import HolidayCalendar
from domain.shared.calendar_sources import official_calendar
from domain.shared.people import Actor
from settings import Settings
from store import calendar as stored_calendar
from store import employees, policy_loads, workflow_events
from store.db import point_read

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Hire:
    """A registration checked and resolved: its workflow input, for now."""

    body: OnboardingCreate
    input: OnboardingInput
    now: datetime
    figures: registration.PinnedFigures


async def pinned_calendar(settings: Settings) -> HolidayCalendar:
    """The official schedules known now (an admin's loaded years first)."""
    return official_calendar(await stored_calendar.years_to_pin(settings.db_url))


def checked(body: OnboardingCreate, actor: Actor, state: State, calendar: HolidayCalendar,
            now: datetime) -> Hire:
    """The domain's checks of one registration (RuleViolation names the field)."""
    inp = build_input(
        employee=body.employee.to_domain(), hire_date=body.hire_date, region=body.region,
        contribution_base=body.contribution_base, contract_start=body.contract_start,
        created_by=actor.name, policy=state.policy, today=today(now), process=state.process,
        calendar=calendar)
    return Hire(body=body, input=registration.recorded_by_api(inp, now), now=now,
                figures=registration.PinnedFigures(state.policy, state.policy_load_id))


def today(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


async def register(hire: Hire, client: Client, settings: Settings, state: State) -> OnboardingView:
    """The person and employment on the record, then the onboarding started and its registration
    written. 409: the ID number on file for someone else (employee.identity_conflict,
    employee.id_taken), or this employment's onboarding registered already (onboarding.exists).
    A registration that finds loads newer than its figures has them delivered, and this process
    takes the figures in force for the registrations after it."""
    body, inp = hire.body, hire.input
    found = await asyncio.to_thread(
        employees.upsert_from_registration, settings.db_url, inp.employee,
        hire_date=inp.hire_date, region=inp.region, contract_start=body.contract_start,
        contract_end=body.contract_end, at=hire.now)
    if found.employee_id != inp.employee.employee_id:
        # The ID number is on file: the person keeps their employee id.
        inp = replace(inp, employee=replace(inp.employee, employee_id=found.employee_id))
    workflow_id = found.onboarding_id
    if await point_read(settings.db_url, workflow_events.onboarding_recorded, workflow_id):
        raise exists(workflow_id)
    handle = await temporal_calls.start(client, "Onboarding", inp, workflow_id=workflow_id,
                                        task_queue=settings.task_queue,
                                        exists=exists(workflow_id))

    async def told(recorded: registration.Recorded) -> None:
        for load_key in recorded.missed_loads:
            await load_signals.start_delivery(client, settings.task_queue, load_key)
        if recorded.newest_load > state.policy_load_id:
            state.policy, state.compensation_tables, state.policy_load_id = \
                await asyncio.to_thread(policy_loads.in_force, settings.db_url,
                                        settings.policy_file)

    recorded = await registration.record_onboarding(settings.db_url, handle, inp, hire.now,
                                                    hire.figures, later=told)
    await told(recorded)
    return view_of(workflow_id, inp, status=Status.awaiting_enrollment, now=hire.now,
                   events=(recorded.event,))


def exists(workflow_id: str) -> ApiError:
    """409 for an id that is taken: by an onboarding in the records (workflow_events.
    onboarding_recorded), or by a workflow Temporal holds that the records do not list yet."""
    return ApiError(409, "onboarding.exists", f"{workflow_id} already exists",
                    "employee.employee_id", {"id": workflow_id})


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_body(data: dict[str, Any]) -> OnboardingCreate:
    """A registration's JSON as the single route validates it (pydantic's 422 rules)."""
    return OnboardingCreate.model_validate(data)
