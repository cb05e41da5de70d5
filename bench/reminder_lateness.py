"""Reminders on time: N injury cases whose reminders fall due at the same moment, in real time
(time scale 1), against N bare Temporal timers due at one moment.

    .venv/bin/python bench/reminder_lateness.py [--reminders 2000]

The product side is the real thing: the production worker (bench/bench_worker.py onboarding, i.e.
worker.serve) runs N InjuryCase workflows, all reported at the same moment T0 with the materials
target (CASEGUARD_CASE_MATERIALS_SLA_HOURS) set so that it passes at the same moment for all of
them, after every case has run its first tasks (form, diagnosis). When it passes, each case
escalates to HR: it records `case_escalated` in its evidence ledger, asks the directory whom to
reach, and starts an informational notice for each. The cases are started with the Temporal client
(their starts are not what this measures); that target is the only clock of a case that a setting
brings within minutes without scaling time, which the issue rules out. The baseline: N BurstTimer
workflows (bench/bare_burst.py) due at one moment, each recording one row with one activity.

Both sides are read alike (bench/month_end_burst.watch): rows counted every 20 ms, a row's
lateness is when it was first seen minus the due moment. Product figures: `recorded` (the
`case_escalated` evidence row) and `delivered` (the case's first escalation notice handed to its
channel, the outbox here). Target: p99 lateness of `recorded` ≤ 2 s. One JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# ruff: noqa: E402  (the imports below need ROOT on sys.path)
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.month_end_burst import count_query, watch
from bench.onboarding_bench import (
    API_TASK_QUEUE,
    Stack,
    bounded,
    caseguard_env,
    prepare_db,
    run_bench,
    say,
    settle_all,
    start_bench_worker,
    start_temporal,
    wait_for_poller,
)
from domain.injury.intake import CaseSettings, build_case_input
from store.people import bootstrap
from temporal_client import dev_data_converter
from tests.factories import case_report

BARE_QUEUE = "bench-burst"
TARGET_S = 2.0


def case_inputs(count: int, reported_at: datetime, sla: timedelta, prefix: str) -> list[Any]:
    settings = CaseSettings(materials_sla=sla, time_scale=1.0)
    accident = reported_at - timedelta(hours=2)
    return [build_case_input(case_report(accident, employee_id=f"{prefix}{n:05d}",
                                         case_id=f"{prefix}{n:05d}"),
                             created_by="bench-hr", now=reported_at, process=settings)
            for n in range(count)]


async def start_cases(client: Client, inputs: list[Any], concurrency: int) -> list[str]:
    ids = [f"case-{inp.case_id}" for inp in inputs]

    async def start(pair: tuple[str, Any]) -> None:
        await client.start_workflow("InjuryCase", pair[1], id=pair[0], task_queue=API_TASK_QUEUE)

    await bounded(list(zip(ids, inputs, strict=True)), concurrency, start)
    return ids


async def product(stack: Stack, address: str, count: int, concurrency: int) -> dict[str, Any]:
    db_url, db_path = prepare_db(stack.tmp)
    bootstrap(db_url, {"bench-hr-key": ("bench-hr", "hr"),
                       "bench-manager-key": ("bench-hr-manager", "hr_manager")}, datetime.now(UTC))
    pid = start_bench_worker(stack, "product-worker", "onboarding", address, API_TASK_QUEUE,
                             1000, db_url, caseguard_env(stack.tmp, address, db_url))
    client = await Client.connect(address, data_converter=dev_data_converter())
    await wait_for_poller(client, API_TASK_QUEUE, pid, stack)
    # A warm-up learns how fast cases start and run their first tasks here.
    far, warm_count = timedelta(days=1), max(5, min(40, count // 10))
    started = time.perf_counter()
    warm = await start_cases(client, case_inputs(warm_count, datetime.now(UTC), far, "W"),
                             concurrency)
    await settle_all(client, warm, concurrency)
    per_case = (time.perf_counter() - started) / warm_count
    reported_at = datetime.now(UTC)
    due = reported_at + timedelta(seconds=count * per_case / 0.7 + 20)
    say(f"product: {per_case * 1000:.0f} ms a case to start and settle; {count} cases, "
        f"their materials target passing in {(due - reported_at).total_seconds():.0f} s")
    ids = await start_cases(client, case_inputs(count, reported_at, due - reported_at, "R"),
                            concurrency)
    await settle_all(client, ids, concurrency)
    margin = (due - datetime.now(UTC)).total_seconds()
    say(f"product: {count} cases started and settled, {margin:.0f} s before the target passes")
    if margin < 2:
        raise RuntimeError("the cases were not all settled before their reminders fell due")
    recorded = count_query(db_path, "SELECT count(*) FROM evidence_entries "
                                    "WHERE kind = 'case_escalated' AND subject_id LIKE 'case-R%'")
    delivered = count_query(db_path, "SELECT count(DISTINCT n.subject_id) FROM notices n JOIN "
                                     "notice_attempts a ON a.notice_id = n.id WHERE "
                                     "n.purpose = 'case_escalation' AND n.subject_id LIKE 'case-R%'")
    results = await asyncio.gather(watch(recorded, count, due.timestamp(), timeout=900),
                                   watch(delivered, count, due.timestamp(), timeout=900))
    twice = count_query(db_path, "SELECT count(*) - count(DISTINCT subject_id) FROM "
                                 "evidence_entries WHERE kind = 'case_escalated'")()
    stack.stop("product-worker")
    return {"recorded": results[0], "delivered": results[1], "escalated_twice": twice}


async def bare(stack: Stack, address: str, count: int, concurrency: int) -> dict[str, Any]:
    db_path = stack.tmp / "burst.db"
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode=wal")
        conn.execute("CREATE TABLE IF NOT EXISTS burst (key TEXT PRIMARY KEY, "
                     "recorded_at REAL NOT NULL)")
    env = {**caseguard_env(stack.tmp, address, ""), "BENCH_BURST_DB": str(db_path)}
    pid = start_bench_worker(stack, "burst-worker", "burst", address, BARE_QUEUE, 1000, "", env)
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    await wait_for_poller(client, BARE_QUEUE, pid, stack)
    due = time.time() + count / 50 + 20  # starts run at 100-200 a second here

    async def start(n: int) -> None:
        await client.start_workflow("BurstTimer", due, id=f"burst-{n:05d}", task_queue=BARE_QUEUE)

    await bounded(range(count), concurrency, start)
    say(f"bare: {count} timers started, {due - time.time():.0f} s before they are due")
    result = await watch(count_query(db_path, "SELECT count(*) FROM burst"), count, due,
                         timeout=900)
    stack.stop("burst-worker")
    return result


async def bench(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    begun = time.perf_counter()
    address = start_temporal(stack)
    mine = await product(stack, address, args.reminders, args.concurrency)
    say(f"product: {json.dumps(mine)}")
    baseline = await bare(stack, address, args.reminders, args.concurrency)
    say(f"bare: {json.dumps(baseline)}")
    p99 = mine["recorded"]["lateness_p99_s"]
    exact = mine["escalated_twice"] == 0
    return {"reminders": args.reminders, "product": mine, "bare": baseline,
            "lateness_p99_ratio": round(max(p99, 0.001) / max(baseline["lateness_p99_s"], 0.001), 3),
            "target": f"recorded p99 <= {TARGET_S} s, none twice",
            "met": exact and p99 <= TARGET_S,
            # Whether bare Temporal's own timers meet the absolute target on this machine: where
            # they do not, no product can, and the ratio is the part the product owns.
            "bare_meets_target": baseline["lateness_p99_s"] <= TARGET_S,
            "duration_s": round(time.perf_counter() - begun, 1)}


def main(args: argparse.Namespace) -> int:
    return run_bench("caseguard-reminders-", lambda stack: bench(args, stack))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    exit_code = main(parser.parse_args())
    sys.stdout.flush()
    os._exit(exit_code)  # sdk-python#300: the interpreter may crash while finalising
