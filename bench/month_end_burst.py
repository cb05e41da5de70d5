"""Month-end burst: N insured employees of one region whose month passes its payment deadline with
nothing paid, against N bare Temporal timers due at the same moment.

    .venv/bin/python bench/month_end_burst.py [--employees 50000] [--quick]

The product side is the real thing: the production worker (bench/bench_worker.py onboarding, i.e.
worker.serve) runs one SiAccount workflow for the region; N employees are seeded into the employee
record as enrolled; the account's deadline is brought ~30 s ahead with the workflow's time scale.
On the deadline it turns every one of them to 中断 (one fan-out over the roster). The baseline is
what "one workflow per employee" costs at its floor: N BurstTimer workflows, each sleeping until the
same moment and then running one activity that records one row.

Both sides are read the same way: the bench polls the rows every 20 ms; a row's lateness is when it
became visible minus the due moment. Figures: time until the last row is recorded, p50/p99/max
lateness, rows recorded (exactly N, none twice), and the product/bare ratios (target ≤ 1.5).
One JSON object on stdout; progress on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# ruff: noqa: E402  (the imports below need ROOT on sys.path)
from sqlalchemy import insert
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.onboarding_bench import (
    API_TASK_QUEUE,
    Stack,
    bounded,
    caseguard_env,
    prepare_db,
    say,
    start_bench_worker,
    start_temporal,
    wait_for_poller,
)
from domain.contributions.payloads import AccountInput, PaymentDeadlineRule
from domain.contributions.rules import month_deadline, next_period, period_of
from domain.shared.calendar import SHANGHAI
from domain.shared.calendar_sources import official_calendar
from store.db import engine_for
from store.models import EmployeeRecordRow, EmploymentRow, SiStatusChangeRow, table_of
from temporal_client import dev_data_converter

REGION = "beijing"
BURST_QUEUE = "bench-burst"
LEAD_REAL = timedelta(seconds=30)  # the product's deadline, this far ahead in real time
POLL_S = 0.02
TARGET = 1.5


# ---- seeding --------------------------------------------------------------------------------------


def seed_employees(db_url: str, count: int) -> None:
    """`count` people employed in REGION, each enrolled: the roster a month's end fans out over."""
    now = datetime.now(UTC)
    hired = date(2026, 1, 5)
    with engine_for(db_url).begin() as conn:
        for start in range(0, count, 5000):
            ids = [f"B{n:06d}" for n in range(start, min(count, start + 5000))]
            conn.execute(insert(table_of(EmployeeRecordRow)), [
                {"employee_id": e, "name": f"员工{e}", "id_number": None, "birth_date": None,
                 "phone": None, "email": None, "department": "生产部", "contacts": {},
                 "created_at": now, "updated_at": now} for e in ids])
            conn.execute(insert(table_of(EmploymentRow)), [
                {"employee_id": e, "seq": 1, "onboarding_id": None, "department": "生产部",
                 "region": REGION, "hire_date": hired, "leave_date": None, "leave_reason": "",
                 "contract_start": None, "contract_end": None, "created_at": now,
                 "updated_at": now} for e in ids])
            conn.execute(insert(table_of(SiStatusChangeRow)), [
                {"employee_id": e, "status": "enrolled", "effective_on": hired, "recorded_at": now,
                 "source": "bench seed", "evidence_key": f"seed:{e}"} for e in ids])


# ---- watching rows appear -------------------------------------------------------------------------


async def watch(count_rows: Callable[[], int], expected: int, due: float,
                timeout: float) -> dict[str, Any]:
    """Poll until `expected` rows are visible; each row's lateness is when it was first seen minus
    `due` (epoch seconds)."""
    seen, lateness = 0, []
    give_up = due + timeout
    while seen < expected and time.time() < give_up:
        now = time.time()
        rows = count_rows()
        if rows > seen:
            lateness.extend([now - due] * (rows - seen))
            seen = rows
        await asyncio.sleep(POLL_S)
    if seen < expected:
        raise TimeoutError(f"{seen} of {expected} rows recorded {timeout:.0f} s after the due "
                           "moment")
    ordered = sorted(lateness)
    return {"rows": seen, "time_to_last_s": round(ordered[-1], 3),
            "lateness_p50_s": round(_rank(ordered, 0.50), 3),
            "lateness_p99_s": round(_rank(ordered, 0.99), 3),
            "lateness_max_s": round(ordered[-1], 3)}


def _rank(ordered: list[float], q: float) -> float:
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def count_query(db_path: Path, sql: str) -> Callable[[], int]:
    conn = sqlite3.connect(db_path, timeout=60)

    def count() -> int:
        return int(conn.execute(sql).fetchone()[0])
    return count


# ---- the two sides --------------------------------------------------------------------------------


async def product(stack: Stack, address: str, employees: int) -> dict[str, Any]:
    db_url, db_path = prepare_db(stack.tmp)
    started = time.perf_counter()
    seed_employees(db_url, employees)
    say(f"seeded {employees} insured employees in {time.perf_counter() - started:.1f} s")
    pid = start_bench_worker(stack, "product-worker", "onboarding", address, API_TASK_QUEUE,
                             1000, db_url, caseguard_env(stack.tmp, address, db_url))
    client = await Client.connect(address, data_converter=dev_data_converter())
    await wait_for_poller(client, API_TASK_QUEUE, pid, stack)
    calendar = official_calendar()
    rule = PaymentDeadlineRule(region=REGION, day_of_month=15, source="bench", verified=False)
    now = datetime.now(UTC)
    period = period_of(now.astimezone(SHANGHAI).date())
    if month_deadline(period, rule, calendar).due_at <= now + timedelta(days=4):
        period = next_period(period)
    due_at = month_deadline(period, rule, calendar).due_at
    scale = (due_at - now) / LEAD_REAL
    handle = await client.start_workflow(
        "SiAccount", AccountInput(region=REGION, period=period, rule=rule, calendar=calendar,
                                  time_scale=scale, opened_by="bench"),
        id=f"si-account-{REGION}", task_queue=API_TASK_QUEUE)
    origin = (await handle.describe()).start_time
    assert origin is not None
    real_due = origin + (due_at - origin) / scale
    say(f"product: account due {due_at.isoformat()} (business), {real_due.isoformat()} (real)")
    count = count_query(db_path, "SELECT count(*) FROM si_status_changes "
                                 "WHERE status = 'interrupted'")
    result = await watch(count, employees, real_due.timestamp(), timeout=900)
    distinct = count_query(db_path, "SELECT count(DISTINCT employee_id) FROM si_status_changes "
                                    "WHERE status = 'interrupted'")()
    result["distinct_employees"] = distinct
    stack.stop("product-worker")
    return result


async def bare(stack: Stack, address: str, employees: int, concurrency: int) -> dict[str, Any]:
    db_path = stack.tmp / "burst.db"
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode=wal")
        conn.execute("CREATE TABLE IF NOT EXISTS burst (key TEXT PRIMARY KEY, "
                     "recorded_at REAL NOT NULL)")
    env = {**caseguard_env(stack.tmp, address, ""), "BENCH_BURST_DB": str(db_path)}
    pid = start_bench_worker(stack, "burst-worker", "burst", address, BURST_QUEUE, 1000, "", env)
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    await wait_for_poller(client, BURST_QUEUE, pid, stack)
    warm = 300
    far = (datetime.now(UTC) + timedelta(days=1)).timestamp()
    seconds = await bounded(range(warm), concurrency, lambda i: _start(client, f"warm-{i}", far))
    rate = warm / seconds
    due = time.time() + employees / (0.7 * rate) + 20
    say(f"bare: {rate:.0f} starts/s in the warm-up; {employees} timers due in "
        f"{due - time.time():.0f} s")
    took = await bounded(range(employees), concurrency,
                         lambda i: _start(client, f"burst-{i:06d}", due))
    margin = due - time.time()
    say(f"bare: started {employees} in {took:.0f} s, {margin:.0f} s before they are due")
    if margin < 2:
        raise RuntimeError("the bare timers were not all started before they fell due")
    count = count_query(db_path, "SELECT count(*) FROM burst WHERE key LIKE 'burst-%'")
    result = await watch(count, employees, due, timeout=1800)
    result["start_rate_per_s"] = round(employees / took, 1)
    stack.stop("burst-worker")
    return result


async def _start(client: Client, workflow_id: str, due: float) -> None:
    await client.start_workflow("BurstTimer", due, id=workflow_id, task_queue=BURST_QUEUE)


# ---- the run ----------------------------------------------------------------------------------


async def bench(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    begun = time.perf_counter()
    address = start_temporal(stack)
    say(f"Temporal dev server on {address}; {args.employees} employees")
    mine = await product(stack, address, args.employees)
    say(f"product: {json.dumps(mine)}")
    if args.product_only:
        return {"employees": args.employees, "product": mine, "bare": None, "met": None,
                "duration_s": round(time.perf_counter() - begun, 1)}
    baseline = await bare(stack, address, args.employees, args.concurrency)
    say(f"bare: {json.dumps(baseline)}")
    ratios = {"time_to_last_ratio": _ratio(mine["time_to_last_s"], baseline["time_to_last_s"]),
              "lateness_p99_ratio": _ratio(mine["lateness_p99_s"], baseline["lateness_p99_s"])}
    exact = mine["rows"] == mine["distinct_employees"] == args.employees
    return {"employees": args.employees, "product": mine, "bare": baseline, **ratios,
            "nothing_lost_or_twice": exact,
            "target": f"<= {TARGET} on both ratios",
            "met": exact and all(r <= TARGET for r in ratios.values()),
            "duration_s": round(time.perf_counter() - begun, 1)}


def _ratio(product_s: float, bare_s: float) -> float:
    return round(max(product_s, 0.001) / max(bare_s, 0.001), 3)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="2,000 employees")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent bare starts")
    parser.add_argument("--product-only", action="store_true",
                        help="measure the product side only (no ratio: not a result)")
    args = parser.parse_args(argv)
    if args.quick:
        args.employees = 2_000
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    stack = Stack(Path(tempfile.mkdtemp(prefix="caseguard-burst-")))
    try:
        print(json.dumps(asyncio.run(bench(args, stack)), indent=2))
        return 0
    except Exception as exc:
        say(f"failed: {type(exc).__name__}: {exc}")
        for name in stack.procs:
            say(f"--- {name} log (tail) ---\n{stack.log_tail(name)}")
        return 1
    finally:
        stack.stop_all()
        shutil.rmtree(stack.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
