"""How big a long injury case's history gets: when must a case continue-as-new?

Runs InjuryCase on the time-skipping test server with the production workflow list and the real
activities (a SQLite file; the directory holds the case's HR owner, an HR manager and the line
manager, as a deployment's does), through a long, realistic path, and reports the history's event
count and size (JSON as `fetch_history().to_json()`, and protobuf, what the server counts) against
Temporal's limits:

(a) recognised, 12 months of paid suspension extended by 12 (24 in all), an arbitration dispute
    recorded (its one-year claim window reminds once), and an appraisal the committee never
    concludes: the appraisal_conclusion period (60 days) ends and the case chases the committee
    every week (domain/injury/clocks.py `_chase`, patch 2026-12-weekly-chase; the only deadlines
    that chase after they pass are determination_decision, appraisal_conclusion and
    reappraisal_conclusion). At the end of the
    suspension the return notice goes out, the employee does not answer (escalated), and the
    suspension's own escalation follows. Snapshots at 1, 2 and 5 years after the accident.
(b) what one chase and one HR action of each kind add to the history, on a second case started
    today on a test server of its own.

Event counts are deterministic; times (simulation, fetch, replay) are taken over `--runs` runs.

    .venv/bin/python bench/case_history_growth.py [--runs 3] [--years 1 2 5]

Prints a table per section and one JSON object (the last line) on stdout; progress on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# ruff: noqa: E402  (the imports below need ROOT on sys.path)
from devstack import temporal_test_server
from domain.injury.payloads import ACTION_TYPES, AuthorityDecision
from domain.injury.views import CaseAnswer, CaseView
from domain.shared.people import Actor
from store.db import migrate
from temporal_client import DATA_CONVERTER, dev_data_converter
from tests.factories import case_input
from tests.histories.record import seed_directory
from worker import WORKFLOW_RUNNER, WORKFLOWS, Workers, activities_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
HR = Actor("hr-alice", "hr")
YEAR = timedelta(days=365)
# Temporal server defaults (dynamicconfig): suggest continue-as-new, warn, fail the workflow.
LIMITS = {"suggest": (4 * 1024, 4 * 1024 * 1024), "warn": (10 * 1024, 10 * 1024 * 1024),
          "error": (50 * 1024, 50 * 1024 * 1024)}


@dataclass
class Snapshot:
    label: str
    events: int
    json_bytes: int
    proto_bytes: int
    kinds: dict[str, int]  # the case's own evidence events, by kind
    log_bytes: int  # the evidence log as a payload: what a continue-as-new would carry as `_events`
    fetch_s: float
    replay_s: float


@dataclass
class Run:
    simulate_s: float = 0.0
    snapshots: list[Snapshot] = field(default_factory=list)
    per_step: dict[str, int] = field(default_factory=dict)  # history events per chase / action
    per_step_bytes: dict[str, int] = field(default_factory=dict)  # protobuf bytes of those


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def act(handle: WorkflowHandle[Any, CaseView], action: str, **fields: Any) -> CaseView:
    answer: CaseAnswer = await handle.execute_update(
        "act", ACTION_TYPES[action](actor=HR, **fields), result_type=CaseAnswer)
    return answer.view


async def status(env: WorkflowEnvironment, handle: WorkflowHandle[Any, CaseView]) -> CaseView:
    view: CaseView = await handle.query("status", await env.get_current_time(), result_type=CaseView)
    return view


async def until(env: WorkflowEnvironment, at: datetime) -> None:
    await env.sleep(max(at - await env.get_current_time(), timedelta(0)))


async def history_of(handle: WorkflowHandle[Any, CaseView]) -> tuple[WorkflowHistory, float]:
    started = time.perf_counter()
    history = await handle.fetch_history()
    return history, time.perf_counter() - started


async def replay_seconds(history: WorkflowHistory) -> float:
    """What a worker pays to rebuild the case from its history (not cached: a restart, an
    eviction): the production runner, as worker.py."""
    replayer = Replayer(workflows=list(WORKFLOWS), workflow_runner=WORKFLOW_RUNNER,
                        data_converter=dev_data_converter())
    started = time.perf_counter()
    await replayer.replay_workflow(history)
    return time.perf_counter() - started


async def snapshot(env: WorkflowEnvironment, handle: WorkflowHandle[Any, CaseView], label: str) -> Snapshot:
    history, fetch_s = await history_of(handle)
    view = await status(env, handle)
    return Snapshot(label=label, events=len(history.events), json_bytes=len(history.to_json()),
                    proto_bytes=sum(e.ByteSize() for e in history.events),
                    kinds=dict(Counter(e.kind for e in view.events)),
                    log_bytes=DATA_CONVERTER.payload_converter.to_payloads([view.events])[0]
                    .ByteSize(), fetch_s=fetch_s,
                    replay_s=await replay_seconds(history))


async def recognised(env: WorkflowEnvironment, queue: str,
                     employee_id: str) -> WorkflowHandle[Any, CaseView]:
    """A case a day after the accident, materials filed, applied for, recognised 20 days later."""
    now = await env.get_current_time()
    inp = case_input(now - timedelta(days=1), now=now, employee_id=employee_id)
    handle = await env.client.start_workflow("InjuryCase", inp, id=f"case-{inp.case_id}",
                                             task_queue=queue, result_type=CaseView)
    await env.sleep(timedelta(seconds=1))
    await act(handle, "file_materials", materials=(await status(env, handle)).missing_materials)
    await act(handle, "apply_determination")
    await env.sleep(timedelta(days=20))
    today = (await env.get_current_time()).astimezone(SHANGHAI).date()
    await handle.signal("authority_decision", AuthorityDecision(
        recognised=True, decided_on=today, reference="京人社工伤认字001"))
    await env.sleep(timedelta(seconds=1))
    return handle


async def long_case(env: WorkflowEnvironment, queue: str, years: list[int], run: Run) -> None:
    """(a): the long path, a snapshot at each horizon (years after the accident)."""
    handle = await recognised(env, queue, "L1")
    accident = (await status(env, handle)).accident_at
    await act(handle, "start_suspension", months=12)
    await act(handle, "extend_suspension", months=12, reference="鉴定委员会确认001")
    await act(handle, "record_dispute", event="arose", forum="劳动争议仲裁委员会",
              note="the employee disputes the wage paid during the suspension")
    await act(handle, "apply_appraisal")
    for n in years:
        await until(env, accident + n * YEAR)
        run.snapshots.append(await snapshot(env, handle, f"{n} y"))
        last = run.snapshots[-1]
        log(f"  {last.label}: {last.events} events, {last.json_bytes / 1e6:.2f} MB JSON")
    await act(handle, "withdraw", reason="benchmark over")
    await handle.result()


async def step_costs(env: WorkflowEnvironment, queue: str, run: Run) -> None:
    """(b): what one chase and one HR action of each kind add, on a case in the weekly chase.
    Each step is measured from a quiet moment (no notice open) until its writes and notices are
    done, so the counts are exact, not averages over other work."""
    handle = await recognised(env, queue, "L2")
    await act(handle, "start_suspension", months=12)
    view = await act(handle, "apply_appraisal")
    due = next(d.due_at for d in view.deadlines if d.name == "appraisal_conclusion")
    interval = timedelta(days=7)

    async def measure(name: str, step: Callable[[], Awaitable[Any]], settle: timedelta,
                      times: int = 1) -> None:
        before = await handle.fetch_history()
        await step()
        await env.sleep(settle)
        after = await handle.fetch_history()
        run.per_step[name] = (len(after.events) - len(before.events)) // times
        run.per_step_bytes[name] = (sum(e.ByteSize() for e in after.events)
                                    - sum(e.ByteSize() for e in before.events)) // times

    await until(env, due - timedelta(days=5))
    new_last_day = (due - timedelta(seconds=1)).astimezone(SHANGHAI).date() + timedelta(days=20)
    await measure("grant_extension (moves a deadline)", lambda: act(
        handle, "grant_extension", deadline="appraisal_conclusion", until=new_last_day,
        reference="鉴定委员会延期001"), timedelta(hours=12))
    view = await status(env, handle)
    due = next(d.due_at for d in view.deadlines if d.name == "appraisal_conclusion")
    await until(env, due + timedelta(days=3))  # the first chase and its notice are done
    chases = sum(1 for e in (await status(env, handle)).events if e.kind == "chase_sent")
    await measure("chase (a timer, 1 notice to HR, a write)", lambda: env.sleep(4 * interval),
                  timedelta(0), times=4)
    view = await status(env, handle)
    assert sum(1 for e in view.events if e.kind == "chase_sent") == chases + 4, "weekly chase"
    settle = timedelta(hours=12)  # three of these fit between two chases
    await measure("record_contact (state only)", lambda: act(
        handle, "record_contact", note="called the employee; treatment goes on"), settle)
    await measure("record_dispute (state only)", lambda: act(
        handle, "record_dispute", event="arose", note="the wage base is disputed"), settle)
    await measure("record_courier_notice (+ courier activity)", lambda: act(
        handle, "record_courier_notice", carrier="EMS", tracking_number="EMS1234567890CN",
        purpose="other"), settle)
    await measure("record_appraisal (+ benefit claim, notice followed 3 days)", lambda: act(
        handle, "record_appraisal", grade=9, reference="京劳鉴001"),
        interval + timedelta(days=1))  # the chase stops; the notice closes unanswered
    await act(handle, "withdraw", reason="benchmark over")
    await handle.result()


def quiet_runtime() -> Runtime:
    """The SDK core logs warnings to stdout (the test server's missing capabilities): errors only,
    so stdout stays the tables and the JSON."""
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(
        filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))))


async def one_run(years: list[int], runtime: Runtime) -> Run:
    """One long case, then the step costs, each on a fresh test server and database: (b) starts
    today, not five years on, and nothing (a) left behind holds the test server's clock (after
    the long case closed, its next sleep waited 30 s for a clock that did not move, then failed)."""
    run = Run()

    async def long_path(env: WorkflowEnvironment, queue: str) -> None:
        started = time.perf_counter()
        await long_case(env, queue, years, run)
        run.simulate_s = time.perf_counter() - started

    await on_fresh_server(runtime, long_path)
    await on_fresh_server(runtime, lambda env, queue: step_costs(env, queue, run))
    return run


async def on_fresh_server(runtime: Runtime,
                          section: Callable[[WorkflowEnvironment, str], Awaitable[None]]) -> None:
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(8) as executor:
        db_url = f"sqlite:///{tmp}/bench.db"
        migrate(db_url)
        seed_directory(db_url)  # the case's HR owner, an HR manager and the line manager: reachable
        env = await WorkflowEnvironment.start_time_skipping(
            data_converter=dev_data_converter(), test_server_existing_path=str(temporal_test_server()),
            runtime=runtime)
        async with env:
            queue = f"growth-{uuid.uuid4().hex[:6]}"
            async with Workers(env.client, task_queue=queue, workflows=list(WORKFLOWS),
                               workflow_runner=WORKFLOW_RUNNER,
                               activities=activities_for(db_url,
                                                        documents_root=Path(tmp) / "documents"),
                               activity_executor=executor):
                await section(env, queue)


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}" if len(values) > 1 else f"{values[0]:.2f}"


def report(variant: str, runs: list[Run]) -> dict[str, Any]:
    first = runs[0]
    counts = [[s.events for s in r.snapshots] for r in runs]
    if any(c != counts[0] for c in counts):  # deterministic, expected; say so if not
        log(f"note: {variant}: event counts differ between runs: {counts}")
    rows = []
    print(f"\n(a) {variant}: recognised, 24-month suspension, dispute, appraisal never concluded")
    print(f"{'horizon':>8} {'events':>7} {'JSON MB':>8} {'proto MB':>9} {'chases':>7} "
          f"{'%warn':>6} {'%limit':>7} {'log KB':>7} {'fetch s':>10} {'replay s':>10}")
    for i, s in enumerate(first.snapshots):
        row = {"horizon": s.label, "events": s.events,
               "events_range": [min(c[i] for c in counts), max(c[i] for c in counts)],
               "json_bytes": s.json_bytes, "proto_bytes": s.proto_bytes,
               "case_events": sum(s.kinds.values()), "log_bytes": s.log_bytes,
               "chases": s.kinds.get("chase_sent", 0),
               "events_pct_of_warn": round(100 * s.events / LIMITS["warn"][0], 1),
               "events_pct_of_limit": round(100 * s.events / LIMITS["error"][0], 1),
               "fetch_s": spread([r.snapshots[i].fetch_s for r in runs]),
               "replay_s": spread([r.snapshots[i].replay_s for r in runs]), "kinds": s.kinds}
        rows.append(row)
        print(f"{s.label:>8} {s.events:>7} {s.json_bytes / 1e6:>8.2f} {s.proto_bytes / 1e6:>9.3f} "
              f"{row['chases']:>7} {row['events_pct_of_warn']:>6} {row['events_pct_of_limit']:>7} "
              f"{s.log_bytes / 1e3:>7.0f} "
              f"{row['fetch_s']:>10} {row['replay_s']:>10}")
    simulate = spread([r.simulate_s for r in runs])
    print(f"simulating {first.snapshots[-1].label}: {simulate} s over {len(runs)} run(s)")
    result: dict[str, Any] = {"long_case": rows, "simulate_s": simulate}
    if first.per_step:
        print("\n(b) history events one step adds (steady state, weekly chase running)")
        for name, count in first.per_step.items():
            print(f"  {count:>4} events {first.per_step_bytes[name]:>6} B  {name}")
        result["per_step"] = first.per_step
        result["per_step_proto_bytes"] = first.per_step_bytes
    return result


async def main(runs: int, years: list[int]) -> None:
    results: dict[str, Any] = {"runs": runs, "limits": LIMITS}
    runtime = quiet_runtime()
    # Before patch 2026-12-weekly-chase this script also ran a what-if of the weekly chase beside
    # the code as it was (which chased only when woken); the code now chases weekly.
    variant = "as the code is (weekly chase)"
    done = []
    for n in range(runs):
        log(f"{variant}: run {n + 1}/{runs}")
        done.append(await one_run(years, runtime))
    results[variant] = report(variant, done)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--years", type=int, nargs="+", default=[1, 2, 5])
    args = parser.parse_args()
    asyncio.run(main(args.runs, sorted(args.years)))
