"""A worker per test on the time-skipping server, with the real activities on a SQLite file.

The workflows run in the SDK's sandbox here (worker.GUARD_RUNNER), not unsandboxed as in production:
these tests are the runtime guard that workflow code stays deterministic (see worker.py)."""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.injury.payloads import ACTION_TYPES, CaseAction, CaseInput
from domain.injury.views import CaseAnswer, CaseView
from domain.onboarding.payloads import OnboardingInput
from domain.onboarding.state import OnboardingView
from domain.shared.events import ACTION_WRITE_QUIET
from domain.shared.people import Actor
from worker import GUARD_RUNNER, WORKFLOWS, Workers, activities_for, activity_name

HR = Actor("hr-alice", "hr")


def case_action(action: str, **fields) -> CaseAction:
    """An HR action on a case, by HR: the typed action its wire name stands for."""
    return ACTION_TYPES[action](actor=HR, **fields)


async def act_on_case(handle: WorkflowHandle, action: CaseAction) -> CaseView:
    """Send the action (the case's `act` Update); the case as the action left it."""
    answer = await handle.execute_update("act", action, result_type=CaseAnswer)
    return answer.view


@dataclass
class Harness:
    env: WorkflowEnvironment
    client: Client
    task_queue: str
    db_url: str

    async def today(self) -> date:
        now: datetime = await self.env.get_current_time()
        return now.astimezone(ZoneInfo("Asia/Shanghai")).date()

    async def sleep_until(self, at: datetime) -> None:
        """Skip the server's clock forward to `at` (never back)."""
        await self.env.sleep(max(at - await self.env.get_current_time(), timedelta(0)))

    async def written(self) -> None:
        """Let the records write what they recorded: an action's events reach the ledger once
        the record is quiet for ACTION_WRITE_QUIET (write-behind)."""
        await self.env.sleep(ACTION_WRITE_QUIET + timedelta(seconds=1))

    async def start_case(self, inp: CaseInput) -> WorkflowHandle:
        return await self.client.start_workflow(
            "InjuryCase", inp, id=f"case-{inp.case_id}", task_queue=self.task_queue,
            result_type=CaseView)

    async def start(self, inp: OnboardingInput) -> WorkflowHandle:
        return await self.client.start_workflow(
            "Onboarding", inp, id=f"onboarding-{inp.employee.employee_id}",
            task_queue=self.task_queue, result_type=OnboardingView)


def guarded_worker(client: Client, task_queue: str, db_url: str, documents_root: Path,
                   executor: ThreadPoolExecutor, replacing: Sequence[Callable[..., Any]] = (),
                   **options: Any) -> Workers:
    """A worker of every workflow in the SDK's sandbox, with the real activities on `db_url`;
    each activity in `replacing` stands in for the real one registered under its name."""
    fakes = {activity_name(fn) for fn in replacing}
    real = [fn for fn in activities_for(db_url, documents_root=documents_root)
            if activity_name(fn) not in fakes]
    return Workers(client, task_queue=task_queue, workflows=list(WORKFLOWS),
                   workflow_runner=GUARD_RUNNER, activities=[*real, *replacing],
                   activity_executor=executor, **options)


async def eventually(probe: Callable[[], Any], timeout: float = 10.0) -> Any:
    """`probe()`'s first truthy answer (a probe may be a coroutine function)."""
    for _ in range(int(timeout * 10)):
        result = probe()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"not true after {timeout} s")


async def notices_report_at(client: Client, handle: WorkflowHandle) -> datetime:
    """When the last notice the run started stops waiting for its channel and reports."""
    started = [e.start_child_workflow_execution_initiated_event_attributes.workflow_id
               for e in (await handle.fetch_history()).events
               if e.HasField("start_child_workflow_execution_initiated_event_attributes")]
    assert started, "the run has started its notices"
    fires = []
    for child in started:
        events = (await client.get_workflow_handle(child).fetch_history()).events
        [last] = [e for e in events if e.HasField("timer_started_event_attributes")][-1:]
        fires.append(last.event_time.ToDatetime(UTC)
                     + last.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta())
    return max(fires)


async def recorded_a_marker(handle: WorkflowHandle, patch_id: str | None = None) -> bool:
    """Whether the run's history holds a marker (a `workflow.patched()` it asked for): any, or
    `patch_id`'s."""
    history = await handle.fetch_history()
    return any(patch_id is None or patch_id in patches_of(e)
               for e in history.events if e.HasField("marker_recorded_event_attributes"))


def patches_of(event: Any) -> list[str]:
    """The patch ids a marker event records (core writes them as plain JSON, never encoded)."""
    details = event.marker_recorded_event_attributes.details
    return [json.loads(p.data)["id"] for p in details["patch-data"].payloads] \
        if "patch-data" in details else []


@asynccontextmanager
async def harness_replacing(env: WorkflowEnvironment, db_url: str, tmp_path: Path,
                            replacing: Sequence[Callable[..., Any]] = (),
                            task_queue: str | None = None) -> AsyncIterator[Harness]:
    """A harness on a task queue of its own (or `task_queue`), its worker running the real
    activities on `db_url` but those in `replacing` (see guarded_worker)."""
    task_queue = task_queue or f"tq-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with guarded_worker(env.client, task_queue, db_url, tmp_path / "documents",
                                  executor, replacing=replacing):
            yield Harness(env, env.client, task_queue, db_url)


async def accepted_in_first_task(handle: WorkflowHandle) -> bool:
    """Whether the run's first workflow task took an update (it came with the start); the latest
    run, unless `handle` names one."""
    events = (await handle.fetch_history()).events
    second_task = next((i for i, e in enumerate(events) if i > 2
                        and e.HasField("workflow_task_scheduled_event_attributes")), len(events))
    return any(e.HasField("workflow_execution_update_accepted_event_attributes")
               for e in events[:second_task])


@asynccontextmanager
async def started_with_an_update(
        env: WorkflowEnvironment, db_url: str, tmp_path: Path,
        start: Callable[[str], Awaitable[WorkflowHandle]],
        update: Callable[[WorkflowHandle], Awaitable[Any]]
) -> AsyncIterator[tuple[Harness, WorkflowHandle, Any]]:
    """A run whose first task holds its start and an update, as when HR's action reaches the
    server before the run has first run: `start(task_queue)` starts it where no worker polls,
    `update(handle)` is sent, and once the server has admitted it a worker starts. Yields the
    harness, the handle and the update's answer."""
    task_queue = f"tq-{uuid.uuid4().hex[:8]}"
    handle = await start(task_queue)
    updating = asyncio.ensure_future(update(handle))
    await asyncio.sleep(1)
    async with harness_replacing(env, db_url, tmp_path, task_queue=task_queue) as wf:
        answer = await updating
        first_run = wf.client.get_workflow_handle(handle.id, run_id=handle.first_execution_run_id)
        assert await accepted_in_first_task(first_run), "the update came with the start"
        yield wf, handle, answer


@pytest.fixture
async def wf(time_skipping_env: WorkflowEnvironment, sqlite_url: str,
             tmp_path: Path) -> AsyncIterator[Harness]:
    async with harness_replacing(time_skipping_env, sqlite_url, tmp_path) as harness:
        yield harness
