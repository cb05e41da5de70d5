"""Caseguard benchmark: the onboarding product vs bare Temporal, on one private dev server.

Measures, in one run: workflow starts per second (API vs bare start_workflow), HR action latency
(API update vs bare execute_update) and worker RSS with many open workflows (injury cases and
onboardings vs bare timer workflows). Prints one JSON object to stdout; progress goes to stderr.

    .venv/bin/python bench/onboarding_bench.py [--quick] [--starts N] [--records N] [--open N]

Every process it starts (dev server, API, workers) is stopped on exit, error, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import create_engine, text
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# ruff: noqa: E402  (the imports below need ROOT on sys.path)
from bench import spread_actions
from bench.bare_timer import BenchTimer
from bench.http_load import Answer, Connection, close_lanes, encode_post, open_lanes
from devstack import free_port, stop_process, temporal_cli, wait_for_port
from devstack.pg_schema import ScratchSchema
from store.db import migrate
from tests.factories import case_body, registration
from worker import connect_when_ready

API_KEY = "bench-hr-key"
MANAGER_KEY = "bench-hr-manager-key"
API_TASK_QUEUE = "caseguard-bench"
BARE_TASK_QUEUE = "bench-bare"
BARE_RSS_TASK_QUEUE = "bench-bare-rss"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START_ROUNDS = 8  # the starts alternate API and bare in this many rounds
DEFAULTS = {"starts": 600, "records": 200, "open": 10000}
QUICK = {"starts": 30, "records": 12, "open": 100}
TARGETS = {"starts_ratio": ">= 0.8", "case_starts_ratio": ">= 0.8",
           "update_p99_ratio": "<= 1.5", "rss_ratio": "<= 1.5"}
DEFAULT_MAX_CACHED = inspect.signature(Worker.__init__).parameters["max_cached_workflows"].default
_T0 = time.monotonic()


def say(message: str) -> None:
    print(f"[bench {time.monotonic() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


# ---- processes ----------------------------------------------------------------------------------


@dataclass
class Stack:
    """The processes this run started, each logging to a file in the run's temp dir."""

    tmp: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)  # run after the processes

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> int:
        with open(self.tmp / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc.pid

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}")

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.tmp / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, name: str) -> None:
        stop_process(self.procs.pop(name))

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)
        while self.cleanups:
            self.cleanups.pop()()


def start_temporal(stack: Stack) -> str:
    port = free_port()
    stack.spawn("temporal", [
        str(temporal_cli()), "server", "start-dev", "--headless", "--ip", "127.0.0.1",
        "--port", str(port), "--db-filename", str(stack.tmp / "temporal.db"),
        "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
        "--log-level", "warn",
    ])
    wait_for_port("127.0.0.1", port)
    return f"127.0.0.1:{port}"


def caseguard_env(tmp: Path, address: str, db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGUARD_")}
    env.update({
        "CASEGUARD_ENV": "dev",
        "CASEGUARD_VAR_DIR": str(tmp),
        "CASEGUARD_DATABASE_URL": db_url,
        "CASEGUARD_TEMPORAL_ADDRESS": address,
        "CASEGUARD_TASK_QUEUE": API_TASK_QUEUE,
        "CASEGUARD_TIME_SCALE": "1",
        "CASEGUARD_API_KEYS": json.dumps({API_KEY: {"name": "bench-hr", "role": "hr"},
                                          MANAGER_KEY: {"name": "bench-hr-manager",
                                                        "role": "hr_manager"}}),
    })
    return env


def start_uvicorn(stack: Stack, name: str, factory: str, env: dict[str, str]) -> str:
    """An ASGI app factory under uvicorn on a free loopback port; returns its base URL."""
    port = free_port()
    stack.spawn(name, [sys.executable, "-m", "uvicorn", "--factory", factory,
                       "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                       "--no-access-log"], env)
    return f"http://127.0.0.1:{port}"


def start_api(stack: Stack, env: dict[str, str]) -> str:
    return start_uvicorn(stack, "api", "api.main:app", env)


def start_minimal_api(stack: Stack, address: str) -> str:
    env = {**os.environ, "BENCH_TEMPORAL_ADDRESS": address, "BENCH_TASK_QUEUE": BARE_TASK_QUEUE}
    return start_uvicorn(stack, "minimal-api", "bench.minimal_api:app", env)


def start_bench_worker(stack: Stack, name: str, kind: str, address: str, task_queue: str,
                       max_cached: int, db_url: str = "", env: dict[str, str] | None = None) -> int:
    return stack.spawn(name, [sys.executable, str(ROOT / "bench" / "bench_worker.py"), kind,
                              "--address", address, "--task-queue", task_queue,
                              "--max-cached", str(max_cached), "--db-url", db_url], env)


def prepare_db(tmp: Path) -> tuple[str, Path]:
    path = tmp / "caseguard.db"
    url = f"sqlite:///{path}"
    migrate(url)
    return url, path


def prepare_postgres(stack: Stack, admin_url: str) -> str:
    """A fresh, migrated schema of that PostgreSQL database (its URL selects the schema), dropped
    when the run's processes have stopped."""
    schema = ScratchSchema.create(admin_url, "bench")
    stack.cleanups.append(schema.drop)
    migrate(schema.url)
    return schema.url


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU time (user + system) so far of every process the run started, with its children (the
    worker's form renderers), and of the bench."""
    procs = {name: psutil.Process(p.pid) for name, p in stack.procs.items()}
    procs["bench"] = psutil.Process()
    return {name: sum(sum(each.cpu_times()[:2]) for each in _family(proc))
            for name, proc in procs.items()}


def _family(proc: psutil.Process) -> list[psutil.Process]:
    """The process and its children now (a child that has already ended is left out)."""
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return [proc]


def _rss_bytes(proc: psutil.Process) -> int:
    total = 0
    for each in _family(proc):
        try:
            total += each.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


async def steady_rss_mb(pid: int, samples: int = 3) -> float:
    """The process's RSS with its children's (a worker's form renderers are part of its cost)."""
    values = []
    for _ in range(samples):
        await asyncio.sleep(0.5)
        values.append(_rss_bytes(psutil.Process(pid)) / 2**20)
    return statistics.median(values)


# ---- readiness and settling ---------------------------------------------------------------------


async def wait_for_poller(client: Client, task_queue: str, pid: int, stack: Stack) -> None:
    """Until the worker process `pid` polls `task_queue` (worker identities start '<pid>@')."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stack.check_alive()
        response = await client.workflow_service.describe_task_queue(request)
        if any(p.identity.startswith(f"{pid}@") for p in response.pollers):
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"no worker {pid} polls {task_queue}")


async def wait_for_api(url: str, stack: Stack, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=url, trust_env=False) as http:
        while time.monotonic() < deadline:
            stack.check_alive()
            try:
                if (await http.get(path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"the API at {url} does not answer")


async def settled(client: Client, workflow_id: str) -> None:
    """Until the workflow has run its tasks: no workflow task and no activity pending."""
    handle = client.get_workflow_handle(workflow_id)
    while True:
        raw = (await handle.describe()).raw_description
        if (raw.workflow_execution_info.history_length > 2 and not raw.pending_activities
                and not raw.HasField("pending_workflow_task")):
            return
        await asyncio.sleep(0.2)


async def bounded(items: Iterable[Any], concurrency: int,
                  call: Callable[[Any], Awaitable[None]]) -> float:
    """Run `call` on every item, `concurrency` at a time; returns the wall time in seconds."""
    todo = iter(items)

    async def lane() -> None:
        for item in todo:
            await call(item)

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return time.perf_counter() - started


async def settle_all(client: Client, ids: list[str], concurrency: int) -> float:
    return await bounded(ids, concurrency, lambda i: settled(client, i))


def projection_rows(db_url: str, prefix: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM onboardings WHERE id LIKE :p"),
                                    {"p": f"{prefix}%"}).scalar_one())
    finally:
        engine.dispose()


# ---- the two ways to start and to act -----------------------------------------------------------


def onboarding_ids(prefix: str, count: int) -> list[str]:
    return [f"onboarding-{prefix}{i:05d}" for i in range(count)]


def bare_ids(prefix: str, count: int) -> list[str]:
    return [f"bare-{prefix}{i:05d}" for i in range(count)]


def case_ids(prefix: str, count: int) -> list[str]:
    return [f"case-K{prefix}{i:05d}" for i in range(count)]


@dataclass(frozen=True)
class HttpTarget:
    """An HTTP API under load: its URL and one keep-alive connection per concurrent lane."""

    url: str
    lanes: list[Connection]
    headers: dict[str, str] = field(default_factory=dict)

    def post(self, path: str, body: Any = None) -> bytes:
        return encode_post(self.url.removeprefix("http://"), path, body, self.headers)


def expect(answer: Answer, status: int, request: bytes) -> None:
    if answer.status != status:
        line = request.split(b"\r\n", 1)[0].decode()
        raise RuntimeError(f"{line} answered {answer.status}, not {status}: "
                           f"{answer.body[:500].decode(errors='replace')}")


async def over_lanes(requests: list[bytes], target: HttpTarget, status: int) -> float:
    """Send every request, one in flight per lane; returns the wall time in seconds."""
    todo = iter(requests)

    async def lane(connection: Connection) -> None:
        for request in todo:
            expect(await connection.send(request), status, request)

    started = time.perf_counter()
    await asyncio.gather(*(lane(c) for c in target.lanes))
    return time.perf_counter() - started


def api_start(api: HttpTarget, workflow_id: str) -> bytes:
    return api.post("/api/v1/onboardings", registration(workflow_id.removeprefix("onboarding-")))


def case_start(api: HttpTarget, workflow_id: str) -> bytes:
    """An injury report with its own case id (so the bench knows the workflow id)."""
    case_id = workflow_id.removeprefix("case-")
    return api.post("/api/v1/cases", case_body(case_id, case_id=case_id))


def floor_start(floor: HttpTarget, workflow_id: str) -> bytes:
    return floor.post(f"/start/{workflow_id}")


async def bare_start(client: Client, workflow_id: str, task_queue: str) -> None:
    await client.start_workflow(BenchTimer.run, id=workflow_id, task_queue=task_queue,
                                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                                id_conflict_policy=WorkflowIDConflictPolicy.FAIL)


async def bare_update(client: Client, workflow_id: str) -> None:
    await client.get_workflow_handle(workflow_id).execute_update(BenchTimer.touch, "bench")


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


# ---- the three measurements ---------------------------------------------------------------------


@dataclass
class Run:
    args: argparse.Namespace
    stack: Stack
    client: Client
    api: HttpTarget
    address: str
    db_url: str
    env: dict[str, str]  # the CASEGUARD_* environment of worker.py, for the RSS onboarding worker
    floor: HttpTarget  # the minimal HTTP API (bench/minimal_api.py)
    figures: dict[str, Any] = field(default_factory=dict)
    started: dict[str, list[str]] = field(default_factory=dict)  # ids of the starts phase, by kind
    durations: dict[str, float] = field(default_factory=dict)


async def start_batch(run: Run, phase: str, kind: str, count: int, task_queue: str) -> float:
    """Start `count` workflows, `concurrency` at a time, then wait until the worker ran them all
    (so the next measurement does not share the CPU with this batch). Returns the start time."""
    c, prefix = run.args.concurrency, phase[0].upper() + "".join(filter(str.isdigit, phase))
    if kind == "api":
        ids = onboarding_ids(prefix, count)
        start_s = await over_lanes([api_start(run.api, i) for i in ids], run.api, 201)
    elif kind == "case":
        ids = case_ids(prefix, count)
        start_s = await over_lanes([case_start(run.api, i) for i in ids], run.api, 201)
    elif kind == "floor":
        ids = bare_ids(f"F{prefix}", count)
        start_s = await over_lanes([floor_start(run.floor, i) for i in ids], run.floor, 201)
    else:
        ids = bare_ids(prefix, count)
        start_s = await bounded(ids, c, lambda i: bare_start(run.client, i, task_queue))
    settle_s = await settle_all(run.client, ids, c)
    if phase.startswith("starts"):
        run.started.setdefault(kind, []).extend(ids)
    run.durations[f"{phase}_{kind}_start_s"] = round(start_s, 3)
    run.durations[f"{phase}_{kind}_settle_s"] = round(settle_s, 3)
    say(f"{phase} {kind}: {count} started in {start_s:.1f} s ({count / start_s:.1f}/s), all ran their "
        f"first tasks {settle_s:.1f} s later")
    return start_s


async def measure_starts(run: Run) -> None:
    """`--starts` of each kind in START_ROUNDS alternating rounds (product first, then bare first,
    …), so that a slow spell of this shared machine, or a trend over the run, falls on all sides.
    Kinds: onboardings (`api`) and injury cases (`case`) through the API, bare starts, and starts
    through the minimal HTTP API (`floor`)."""
    n, rounds = run.args.starts, min(START_ROUNDS, run.args.starts)
    warm = min(run.args.concurrency, n)
    for kind in ("api", "case", "bare"):
        await start_batch(run, "warmup", kind, warm, BARE_TASK_QUEUE if kind == "bare"
                          else API_TASK_QUEUE)
    say(f"starts: {n} onboardings and {n} cases through the API, {n} bare, {n} through the "
        f"minimal API, in {rounds} alternating rounds, at concurrency {run.args.concurrency} …")
    seconds = {"api": 0.0, "case": 0.0, "bare": 0.0, "floor": 0.0}
    cpu_s: dict[str, dict[str, float]] = {kind: {} for kind in seconds}
    for r in range(rounds):
        size = n // rounds + (1 if r < n % rounds else 0)
        order = ("api", "case", "bare", "floor") if r % 2 == 0 else ("floor", "bare", "case", "api")
        for kind in order:
            queue = BARE_TASK_QUEUE if kind in ("bare", "floor") else API_TASK_QUEUE
            before = cpu_seconds(run.stack)
            seconds[kind] += await start_batch(run, f"starts{r}", kind, size, queue)
            for name, used in cpu_seconds(run.stack).items():
                cpu_s[kind][name] = cpu_s[kind].get(name, 0.0) + used - before.get(name, 0.0)
    # Where the CPU of a start goes (its batch and the wait until its workflows ran), per process.
    run.figures["starts_cpu_ms_per_start"] = {
        kind: {name: round(used * 1000 / n, 2) for name, used in by_process.items() if used > 0.001}
        for kind, by_process in cpu_s.items()}
    # Not a target: starts per second until the workflows had also run their first tasks (the
    # form and diagnosis of a case, its first write), what a machine sustains hour after hour.
    run.figures["sustained_starts_per_s"] = {
        kind: round(n / (seconds[kind] + sum(run.durations[f"starts{r}_{kind}_settle_s"]
                                            for r in range(rounds))), 1) for kind in seconds}
    run.figures.update(api_starts_per_s=round(n / seconds["api"], 1),
                       case_starts_per_s=round(n / seconds["case"], 1),
                       bare_starts_per_s=round(n / seconds["bare"], 1),
                       minimal_http_api_starts_per_s=round(n / seconds["floor"], 1))


async def measure_actions(run: Run) -> None:
    """HR actions, each on a different record (bench/spread_actions.py), against bare
    execute_update on as many different bare workflows, rounds alternating."""
    k = run.args.records
    # The first started by default: most are out of the workers' caches, as HR's records are.
    started = {kind: ids[::-1] if run.args.records_from == "newest" else ids
               for kind, ids in run.started.items()}
    onboardings, cases = started["api"][:k], started["case"][:k]
    bare = started["bare"][:2 * k]
    if len(onboardings) < k or len(cases) < k or len(bare) < 2 * k:
        raise ValueError(f"--records {k} needs --starts >= {2 * k}")
    materials = await missing_materials(run, cases[0])
    rounds = spread_actions.plan(onboardings, cases, materials, run.api.post,
                                 run.api.url.removeprefix("http://"), run.api.headers)
    bare_rounds = spread_actions.bare_plan(bare, len(rounds))
    say(f"actions: {sum(map(len, rounds))} HR actions over {k} onboardings and {k} cases, "
        f"{sum(map(len, bare_rounds))} bare updates over {len(bare)} workflows, "
        f"{len(rounds)} alternating rounds …")
    lane = run.api.lanes[0]
    samples: dict[str, list[float]] = {"api": [], "bare": []}
    by_kind: dict[str, list[float]] = {}

    trace: list[tuple[float, float, str, str]] = []  # wall clock, ms, kind, record

    async def act(step: spread_actions.Step) -> None:
        started = time.perf_counter()
        spread_actions.check(await lane.send(step.request), step)
        taken = (time.perf_counter() - started) * 1000
        by_kind.setdefault(step.kind, []).append(taken)
        trace.append((time.time(), taken, step.kind, step.record))

    by_round: dict[str, list[dict[str, float]]] = {"api": [], "bare": []}
    cpu_before = cpu_seconds(run.stack)
    for r, (steps, bare_order) in enumerate(zip(rounds, bare_rounds, strict=True)):
        sides = [("api", steps), ("bare", bare_order)]
        for side, items in sides if r % 2 == 0 else reversed(sides):
            call = act if side == "api" else (lambda i: bare_update(run.client, i))
            taken = await spread_actions.timed(items, call)
            samples[side] += taken
            by_round[side].append({"p50": round(percentile(taken, 50), 1),
                                   "p99": round(percentile(taken, 99), 1)})
    # CPU of each process over the whole phase, per HR action (the bare side's share is its own
    # worker's and part of the server's): steadier across runs than a p99 on a drifting machine.
    cpu_after = cpu_seconds(run.stack)
    run.figures["actions_cpu_ms_per_action"] = {
        name: round((used - cpu_before.get(name, 0.0)) * 1000 / len(samples["api"]), 2)
        for name, used in cpu_after.items()}
    # A record the worker's cache let go replays at its first workflow task: round 1 for an
    # onboarding, round 2 for a case (its round-1 upload runs none).
    run.figures["actions_by_round_ms"] = by_round
    if os.environ.get("BENCH_TRACE"):  # each action with its wall clock, to line up with logs
        Path(os.environ["BENCH_TRACE"]).write_text(json.dumps(trace))
    for name, values in samples.items():
        run.figures[f"{name}_update_p50_ms"] = round(percentile(values, 50), 1)
        run.figures[f"{name}_update_p90_ms"] = round(percentile(values, 90), 1)
        run.figures[f"{name}_update_p99_ms"] = round(percentile(values, 99), 1)
        run.figures[f"{name}_update_max_ms"] = round(max(values), 1)
    run.figures["action_kinds_ms"] = {
        kind: {"n": len(v), "p50": round(percentile(v, 50), 1), "p90": round(percentile(v, 90), 1),
               "p99": round(percentile(v, 99), 1)} for kind, v in sorted(by_kind.items())}
    say(f"actions: API p50 {run.figures['api_update_p50_ms']} ms p99 "
        f"{run.figures['api_update_p99_ms']} ms; bare p50 {run.figures['bare_update_p50_ms']} ms "
        f"p99 {run.figures['bare_update_p99_ms']} ms")


async def missing_materials(run: Run, case_id: str) -> list[str]:
    """The checklist items a freshly reported case still lacks (the same for every bench case)."""
    request = f"GET /api/v1/cases/{case_id} HTTP/1.1\r\nHost: {run.api.url[7:]}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in run.api.headers.items()) + "\r\n"
    answer = await run.api.lanes[0].send(request.encode())
    if answer.status != 200:
        raise RuntimeError(f"GET {case_id} answered {answer.status}")
    return list(answer.json()["missing_materials"])


async def start_rss_workers(run: Run, cache: int) -> tuple[int, int]:
    """Fresh onboarding and bare workers with the same cache size (the first replaces worker.py)."""
    run.stack.stop("worker")
    run.stack.stop("bare-worker")
    onb = start_bench_worker(run.stack, "rss-onboarding-worker", "onboarding", run.address,
                             API_TASK_QUEUE, cache, run.db_url, run.env)
    bare = start_bench_worker(run.stack, "rss-bare-worker", "bare", run.address,
                              BARE_RSS_TASK_QUEUE, cache)
    await wait_for_poller(run.client, API_TASK_QUEUE, onb, run.stack)
    await wait_for_poller(run.client, BARE_RSS_TASK_QUEUE, bare, run.stack)
    return onb, bare


async def measure_rss(run: Run) -> None:
    """RSS of each worker once `--open` of its workflows ran their first tasks, at the SDK's
    default cache unless `--rss-cache`: the product's are half injury cases, half onboardings,
    started through the API (issue 21, figure 4); the bare worker's, as many bare timers."""
    n = run.args.open
    cache = run.args.rss_cache or DEFAULT_MAX_CACHED
    onb, bare = await start_rss_workers(run, cache)
    idle_onb, idle_bare = await steady_rss_mb(onb), await steady_rss_mb(bare)
    cases, onboardings = n // 2, n - n // 2
    say(f"rss: idle workers {idle_onb:.0f} MB (product), {idle_bare:.0f} MB (bare); opening "
        f"{cases} cases and {onboardings} onboardings through the API, then {n} bare, cache "
        f"{cache} …")
    await start_batch(run, "open", "case", cases, API_TASK_QUEUE)
    await start_batch(run, "open", "api", onboardings, API_TASK_QUEUE)
    await start_batch(run, "open", "bare", n, BARE_RSS_TASK_QUEUE)
    onb_mb, bare_mb = await steady_rss_mb(onb), await steady_rss_mb(bare)
    run.figures.update(onboarding_worker_rss_mb=round(onb_mb, 1),
                       bare_worker_rss_mb=round(bare_mb, 1))
    cached = min(n, cache)
    run.figures["rss_detail"] = {
        "product_idle_mb": round(idle_onb, 1), "bare_idle_mb": round(idle_bare, 1),
        "open_cases": cases, "open_onboardings": onboardings, "open_bare": n,
        "max_cached_workflows": cache, "default_max_cached_workflows": DEFAULT_MAX_CACHED,
        "product_kb_per_cached_workflow": round((onb_mb - idle_onb) * 1024 / cached, 1),
        "bare_kb_per_cached_workflow": round((bare_mb - idle_bare) * 1024 / cached, 1),
        "onboarding_projection_rows": projection_rows(run.db_url, "onboarding-O"),
    }
    say(f"rss: product worker {onb_mb:.0f} MB, bare worker {bare_mb:.0f} MB")


# ---- orchestration ------------------------------------------------------------------------------


async def set_up(args: argparse.Namespace, stack: Stack) -> Run:
    say(f"temp dir {stack.tmp}; starting the dev server …")
    address = start_temporal(stack)
    client = await connect_when_ready(address, "default", pydantic_data_converter)
    if args.database == "postgresql":
        db_url = prepare_postgres(stack, args.pg_url)
    else:
        db_url, _ = prepare_db(stack.tmp)
    env = caseguard_env(stack.tmp, address, db_url)
    api_url = start_api(stack, env)
    worker_pid = stack.spawn("worker", [sys.executable, str(ROOT / "worker.py")], env)
    bare_pid = start_bench_worker(stack, "bare-worker", "bare", address, BARE_TASK_QUEUE,
                                  DEFAULT_MAX_CACHED)
    floor_url = start_minimal_api(stack, address)
    await wait_for_api(api_url, stack)
    await wait_for_api(floor_url, stack, "/docs")
    await wait_for_poller(client, API_TASK_QUEUE, worker_pid, stack)
    await wait_for_poller(client, BARE_TASK_QUEUE, bare_pid, stack)
    api = HttpTarget(api_url, await open_lanes(api_url, args.concurrency),
                     {"Authorization": f"Bearer {API_KEY}"})
    floor = HttpTarget(floor_url, await open_lanes(floor_url, args.concurrency))
    say(f"dev server {address}, API {api_url}, worker pid {worker_pid}, bare worker pid {bare_pid}")
    return Run(args, stack, client, api, address, db_url, env, floor)


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("inf")


def report(run: Run, total_s: float) -> dict[str, Any]:
    f, a = run.figures, run.args
    ratios = {
        "starts_ratio": ratio(f["api_starts_per_s"], f["bare_starts_per_s"]),
        "case_starts_ratio": ratio(f["case_starts_per_s"], f["bare_starts_per_s"]),
        "update_p99_ratio": ratio(f["api_update_p99_ms"], f["bare_update_p99_ms"]),
        "rss_ratio": ratio(f["onboarding_worker_rss_mb"], f["bare_worker_rss_mb"]),
    }
    # Not a target: how close the product's API comes to the cheapest HTTP hop possible here.
    f["starts_ratio_vs_minimal_http_api"] = ratio(f["api_starts_per_s"],
                                                  f["minimal_http_api_starts_per_s"])
    met = {
        "starts_ratio": ratios["starts_ratio"] >= 0.8,
        "case_starts_ratio": ratios["case_starts_ratio"] >= 0.8,
        "update_p99_ratio": ratios["update_p99_ratio"] <= 1.5,
        "rss_ratio": ratios["rss_ratio"] <= 1.5,
    }
    return {
        **f, **ratios, "targets": TARGETS, "met": met, "all_met": all(met.values()),
        "database": a.database,
        "counts": {"starts": a.starts, "records": a.records, "open": a.open,
                   "concurrency": a.concurrency, "records_from": a.records_from},
        "durations": {**run.durations, "total_s": round(total_s, 1)},
        "environment": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                        "temporal": temporal_version()},
    }


def temporal_version() -> str:
    out = subprocess.run([str(temporal_cli()), "--version"], capture_output=True, text=True)
    return out.stdout.strip()


async def bench(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    started = time.monotonic()
    run = await set_up(args, stack)
    try:
        await measure_starts(run)
        await measure_actions(run)
        await measure_rss(run)
    finally:
        await close_lanes(run.api.lanes + run.floor.lanes)
    return report(run, time.monotonic() - started)


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def run_bench(prefix: str, bench: Callable[[Stack], Awaitable[dict[str, Any]]]) -> int:
    """Run one benchmark in a fresh temp dir and print its JSON; every process it started is
    stopped and the dir removed on exit, error, Ctrl-C or SIGTERM (the logs' tails on error)."""
    signal.signal(signal.SIGTERM, _interrupt)
    stack = Stack(Path(tempfile.mkdtemp(prefix=prefix)))
    code = 1
    try:
        print(json.dumps(asyncio.run(bench(stack)), indent=2))
        code = 0
    except KeyboardInterrupt:
        say("interrupted")
        code = 130
    except Exception as exc:  # report with the logs, then clean up
        say(f"failed: {type(exc).__name__}: {exc}")
        for name in stack.procs:
            say(f"--- {name} log (tail) ---\n{stack.log_tail(name)}")
    finally:
        say("stopping every process this run started …")
        stack.stop_all()
        shutil.rmtree(stack.tmp, ignore_errors=True)
    return code


def main(args: argparse.Namespace) -> int:
    return run_bench("caseguard-bench-",
                     lambda stack: asyncio.wait_for(bench(args, stack), timeout=args.timeout))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: {starts} starts, {records} records, {open} open".format(**QUICK))
    parser.add_argument("--starts", type=int, help=f"workflow starts (default {DEFAULTS['starts']})")
    parser.add_argument("--records", type=int, help="onboardings and cases (each) that HR acts "
                        f"on, 3 actions each (default {DEFAULTS['records']})")
    parser.add_argument("--open", type=int,
                        help="open workflows per worker for RSS, the product's half cases and half "
                        f"onboardings (default {DEFAULTS['open']})")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent starts (default 8)")
    parser.add_argument("--rss-cache", type=int, default=0,
                        help="max_cached_workflows of the RSS workers (default: the SDK's, "
                        f"{DEFAULT_MAX_CACHED})")
    parser.add_argument("--records-from", choices=("first", "newest"), default="first",
                        help="act on the records started first (the figure: most replay their "
                        "history) or the newest (a diagnostic: all still cached)")
    parser.add_argument("--timeout", type=float, default=3600, help="give up after this many s")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="the product's database: a SQLite file (make run's) or a fresh "
                        "schema of --pg-url (default sqlite)")
    parser.add_argument("--pg-url", default=os.environ.get("CASEGUARD_BENCH_PG_URL", PG_URL),
                        help=f"PostgreSQL for --database postgresql (default {PG_URL})")
    args = parser.parse_args(argv)
    for name, default in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, QUICK[name] if args.quick else default)
    return args


if __name__ == "__main__":
    exit_code = main(parse_args(sys.argv[1:]))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)  # sdk-python#300: the interpreter may crash while finalising
