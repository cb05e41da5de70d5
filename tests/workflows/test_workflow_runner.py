"""The production runner frees a workflow when the worker's cache evicts it, without waiting for
the cyclic garbage collector, and an evicted workflow comes back (by replay) and finishes as
before (workflow_runner.py)."""

from __future__ import annotations

import asyncio
import gc
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker, WorkflowRunner

from worker import WORKFLOW_RUNNER
from workflow_runner import ReleasingWorkflowRunner

CACHE = 2
WORKFLOWS = 8


@workflow.defn
class HeldWorkflow:
    """Waits for a signal (or a day); refers to itself (a handler kept, a condition), as every
    workflow does."""

    def __init__(self) -> None:
        self._released = False
        self._handlers = {"release": self.release}
        self._steps: list[str] = []

    @workflow.run
    async def run(self) -> list[str]:
        self._steps.append("started")
        await workflow.wait_condition(lambda: self._released, timeout=timedelta(days=1))
        self._steps.append("released")
        return self._steps

    @workflow.signal
    def release(self) -> None:
        self._released = True

    @workflow.query
    def steps(self) -> list[str]:
        return list(self._steps)


def held_in_memory() -> int:
    return sum(1 for each in gc.get_objects() if isinstance(each, HeldWorkflow))


@pytest.fixture
def no_cyclic_gc() -> Iterator[list[Any]]:
    """The cyclic collector off (only reference counting frees), and what the interpreter could
    not raise while freeing (`Exception ignored in ...`) collected."""
    ignored: list[Any] = []
    hook, sys.unraisablehook = sys.unraisablehook, ignored.append
    gc.collect()
    gc.disable()
    try:
        yield ignored
    finally:
        gc.enable()
        sys.unraisablehook = hook
        gc.collect()


def test_the_worker_runs_workflows_with_the_releasing_runner() -> None:
    assert isinstance(WORKFLOW_RUNNER, ReleasingWorkflowRunner)


async def start_all(client: Client, task_queue: str) -> list[WorkflowHandle[Any, Any]]:
    """Start the workflows one after another, each run once (its query answered), so a worker
    caching CACHE of them evicts the others as it goes."""
    handles = []
    for _ in range(WORKFLOWS):
        handle = await client.start_workflow(HeldWorkflow.run, id=f"held-{uuid.uuid4()}",
                                             task_queue=task_queue,
                                             execution_timeout=timedelta(hours=1))
        assert await handle.query(HeldWorkflow.steps) == ["started"]
        handles.append(handle)
    return handles


async def settles_at_most(count: int, seconds: float = 10.0) -> int:
    """How many workflow objects are alive once no more than `count` are (or time is up)."""
    held = held_in_memory()
    for _ in range(int(seconds / 0.1)):
        if held <= count:
            break
        await asyncio.sleep(0.1)
        held = held_in_memory()
    return held


async def run_with(runner: WorkflowRunner, env: Any) -> tuple[int, list[list[str]]]:
    task_queue = f"held-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=task_queue, workflows=[HeldWorkflow],
                      workflow_runner=runner, max_cached_workflows=CACHE):
        handles = await start_all(env.client, task_queue)
        held = await settles_at_most(CACHE)
        for handle in handles:
            await handle.signal(HeldWorkflow.release)
        results = [await handle.result() for handle in handles]
    return held, results


async def test_an_evicted_workflow_is_freed_at_once_and_comes_back(
        time_skipping_env: Any, no_cyclic_gc: list[Any]) -> None:
    held, results = await run_with(ReleasingWorkflowRunner(), time_skipping_env)

    assert held <= CACHE, f"{held} workflows in memory with a cache of {CACHE}"
    assert results == [["started", "released"]] * WORKFLOWS
    assert no_cyclic_gc == [], [str(each.exc_value) for each in no_cyclic_gc]
