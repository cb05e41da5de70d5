"""The production runner frees a workflow when the worker's cache evicts it, without waiting for
the cyclic garbage collector, and an evicted workflow comes back (by replay) and finishes as
before; a cached workflow keeps none of the activations it was given (workflow_runner.py)."""

from __future__ import annotations

import asyncio
import base64
import ctypes
import gc
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from temporalio import workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner

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


PAPERS_BYTES = 512 * 1024
CARRIERS = 6


@workflow.defn
class CarryingWorkflow:
    """Handed large papers by an Update, answers their length and keeps nothing of them."""

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False, timeout=timedelta(days=1))

    @workflow.update
    def carry(self, papers: str) -> int:
        return len(papers)


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                 "fordblks", "keepcost")]


def malloc_in_use() -> int:
    """Bytes the C heap has handed out and not had back (glibc): where protobuf messages live,
    out of sight of Python's own allocator."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    gc.collect()
    info = libc.mallinfo2()
    return int(info.uordblks + info.hblkhd)


def incompressible_papers() -> str:
    return base64.b64encode(os.urandom(PAPERS_BYTES * 3 // 4)).decode()


@asynccontextmanager
async def carrying_worker(runner: WorkflowRunner, env: Any) -> AsyncIterator[str]:
    """A worker with `runner` that caches every CarryingWorkflow; yields its task queue."""
    task_queue = f"carrying-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=task_queue, workflows=[CarryingWorkflow],
                      workflow_runner=runner, max_cached_workflows=CARRIERS * 2):
        yield task_queue


async def start_carriers(env: Any, task_queue: str, memos: list[dict[str, Any] | None]
                         ) -> list[WorkflowHandle[Any, Any]]:
    """One CarryingWorkflow a memo, each having run its first task and a small Update."""
    handles = [await env.client.start_workflow(CarryingWorkflow.run, id=f"carrying-{uuid.uuid4()}",
                                               task_queue=task_queue, memo=memo,
                                               execution_timeout=timedelta(hours=1))
               for memo in memos]
    for handle in handles:
        assert await handle.execute_update(CarryingWorkflow.carry, "warm") == 4
    return handles


async def kept_per_update(runner: WorkflowRunner, env: Any) -> float:
    """C-heap bytes still in use per cached workflow after each handled one Update of PAPERS_BYTES
    (the papers themselves exist before and after: not counted)."""
    papers = [incompressible_papers() for _ in range(CARRIERS)]
    async with carrying_worker(runner, env) as task_queue:
        handles = await start_carriers(env, task_queue, [None] * CARRIERS)
        before = malloc_in_use()
        for handle, each in zip(handles, papers, strict=True):
            assert await handle.execute_update(CarryingWorkflow.carry, each) == PAPERS_BYTES
        return (malloc_in_use() - before) / CARRIERS


async def kept_per_start(runner: WorkflowRunner, env: Any) -> float:
    """C-heap bytes still in use per cached workflow started with a memo of PAPERS_BYTES, once it
    has handled a later activation too (so only what was kept of its start counts)."""
    memos: list[dict[str, Any] | None] = [{"papers": incompressible_papers()} for _ in range(CARRIERS)]
    async with carrying_worker(runner, env) as task_queue:
        before = malloc_in_use()
        await start_carriers(env, task_queue, memos)
        return (malloc_in_use() - before) / CARRIERS


async def test_a_cached_workflow_keeps_nothing_of_its_activations(time_skipping_env: Any) -> None:
    kept_by_sdk = await kept_per_update(UnsandboxedWorkflowRunner(), time_skipping_env)
    kept = await kept_per_update(ReleasingWorkflowRunner(), time_skipping_env)

    # The SDK's own runner keeps the latest activation, papers and all (the reason for the runner;
    # when this fails, the SDK has stopped doing so and detach() can go).
    assert kept_by_sdk > PAPERS_BYTES, f"the SDK's runner kept {kept_by_sdk / 1024:.0f} KB a workflow"
    # Its activation let go, a workflow keeps at least the papers less (something in Rust, the
    # SDK's Core or the gRPC buffers, still holds 283 KB a workflow here with this runner).
    assert kept_by_sdk - kept > PAPERS_BYTES, \
        f"kept {kept / 1024:.0f} KB a workflow, the SDK's runner {kept_by_sdk / 1024:.0f} KB"


async def test_a_cached_workflow_keeps_nothing_of_its_start_but_copies(time_skipping_env: Any) -> None:
    kept_by_sdk = await kept_per_start(UnsandboxedWorkflowRunner(), time_skipping_env)
    kept = await kept_per_start(ReleasingWorkflowRunner(), time_skipping_env)

    # The SDK keeps the start activation (its memo sealed and opened, with the rest); this runner
    # a copy of the opened memo (Info.raw_memo), so about the papers less.
    assert kept_by_sdk - kept > PAPERS_BYTES / 2, \
        f"kept {kept / 1024:.0f} KB a workflow, the SDK's runner {kept_by_sdk / 1024:.0f} KB"
