"""The HR workspace's first pages at scale (issue 19 §4): with 100,000 onboardings and cases in
PostgreSQL, how long the dashboard (今日待办) and the case board take to answer, as HR and as a
department manager open them, signed in through the sign-in form like a person.

The records are written straight into the list tables the pages read (onboardings, cases,
case_deadlines, notices), as the workflows' projections leave them after years of use: most
onboardings enrolled and most cases closed, the open ones with deadlines around today, over 20
departments. The API runs under uvicorn as in production (against a Temporal dev server it does
not use for these pages); each page is asked for in turn, one request at a time, then by four
readers at once. Times are measured at the client over loopback: an upper bound of server time.

    .venv/bin/python bench/workspace_pages.py [--records 100000] [--requests 200] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.onboarding_bench import (  # noqa: E402
    Stack,
    percentile,
    run_bench,
    say,
    start_temporal,
    start_uvicorn,
    wait_for_api,
)
from domain.injury.state import TERMINAL, Stage  # noqa: E402
from domain.onboarding.state import Status  # noqa: E402
from store import people  # noqa: E402
from store.db import migrate  # noqa: E402
from store.models import CaseDeadlineEntry, CaseRow, NoticeRow, OnboardingRow  # noqa: E402

PG_ADMIN_URL = os.environ.get("CASEGUARD_TEST_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DEPARTMENTS = tuple(f"部门{n:02d}" for n in range(1, 21))
OPEN_SHARE = 0.2  # of onboardings not yet enrolled, of cases not yet closed
BATCH = 5000
PAGES = {"dashboard": "/hr/", "board": "/hr/cases"}


# ---- the records --------------------------------------------------------------------------------


def seed(url: str, records: int, now: datetime) -> dict[str, int]:
    """`records` rows, half onboardings and half cases, with their deadlines and notices."""
    rng = random.Random(19)
    engine = create_engine(url)
    counts = {"onboardings": 0, "cases": 0, "case_deadlines": 0, "notices": 0}
    with engine.begin() as conn:
        for chunk in _chunks([_onboarding(rng, n, now) for n in range(records // 2)]):
            conn.execute(insert(OnboardingRow), chunk)
            counts["onboardings"] += len(chunk)
        cases = [_case(rng, n, now) for n in range(records - records // 2)]
        for chunk in _chunks([row for row, _ in cases]):
            conn.execute(insert(CaseRow), chunk)
            counts["cases"] += len(chunk)
        for chunk in _chunks([d for _, deadlines in cases for d in deadlines]):
            conn.execute(insert(CaseDeadlineEntry), chunk)
            counts["case_deadlines"] += len(chunk)
        notices = [_notice(rng, n, row["id"], now) for n, (row, _) in enumerate(cases)
                   if n % 10 == 0]
        for chunk in _chunks(notices):
            conn.execute(insert(NoticeRow), chunk)
            counts["notices"] += len(chunk)
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return counts


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i:i + BATCH] for i in range(0, len(rows), BATCH)]


def _onboarding(rng: random.Random, n: int, now: datetime) -> dict[str, Any]:
    still_open = rng.random() < OPEN_SHARE
    hired = now.date() - timedelta(days=rng.randint(0, 45) if still_open else
                                   rng.randint(46, 3 * 365))
    status = rng.choice([s.value for s in (Status.awaiting_enrollment,
                                           Status.enrollment_submitted)]) if still_open \
        else Status.enrolled.value
    created = datetime.combine(hired, datetime.min.time(), UTC) + timedelta(hours=2)
    return {"id": f"onboarding-B{n:06d}", "employee_id": f"B{n:06d}",
            "employee_name": f"员工{n:06d}", "department": rng.choice(DEPARTMENTS),
            "region": "beijing", "hire_date": hired, "status": status,
            "si_due_at": created + timedelta(days=30), "created_by": "hr-bench",
            "owner": "hr-bench", "created_at": created, "updated_at": created, "last_seq": 3}


def _case(rng: random.Random, n: int, now: datetime) -> tuple[dict[str, Any],
                                                              list[dict[str, Any]]]:
    still_open = rng.random() < OPEN_SHARE
    accident = now - timedelta(days=rng.uniform(0, 60) if still_open else
                               rng.uniform(61, 3 * 365))
    stages = [s.value for s in Stage if s not in TERMINAL] if still_open else \
        [Stage.closed.value, Stage.withdrawn.value]
    case_id = f"case-C{n:06d}-{accident.strftime('%Y%m%d')}"
    row = {"id": case_id, "employee_id": f"C{n:06d}", "employee_name": f"职工{n:06d}",
           "department": rng.choice(DEPARTMENTS), "region": "beijing", "accident_at": accident,
           "stage": rng.choice(stages), "created_by": "hr-bench", "owner": "hr-bench",
           "created_at": accident, "updated_at": accident, "last_seq": 12}
    deadlines = [
        {"case_id": case_id, "name": "materials_filed", "due_at": accident + timedelta(days=1),
         "met_at": accident + timedelta(hours=20), "kind": "target",
         "article": "product rule", "active": True},
        {"case_id": case_id, "name": "determination_application",
         "due_at": accident + timedelta(days=30),
         "met_at": None if still_open and rng.random() < 0.5 else accident + timedelta(days=9),
         "kind": "duty", "article": "Regulations art. 17 ¶1", "active": True},
        {"case_id": case_id, "name": "employee_application",
         "due_at": accident + timedelta(days=365), "met_at": None, "kind": "right",
         "article": "Regulations art. 17 ¶2", "active": True},
    ]
    # A closed or withdrawn case retires its unmet deadlines (domain/injury/clocks.retire_open).
    deadlines = [{**d, "active": still_open or d["met_at"] is not None} for d in deadlines]
    row["next_due_at"] = min((d["due_at"] for d in deadlines
                              if d["active"] and d["met_at"] is None), default=None)
    return row, deadlines


def _notice(rng: random.Random, n: int, subject_id: str, now: datetime) -> dict[str, Any]:
    answered = rng.random() > 0.1
    created = now - timedelta(days=rng.uniform(0, 400))
    return {"id": f"ntc-{n:07d}", "subject_id": subject_id, "purpose": "return_to_work",
            "code": f"{n:07d}", "recipient_name": f"职工{n:06d}", "recipient_role": "employee",
            "phone": None, "email": None, "locale": "zh-CN", "channels": ["outbox"],
            "status": "acknowledged" if answered else "open", "answer": None,
            "created_at": created, "closed_at": created if answered else None,
            "answered_at": created + timedelta(hours=5) if answered else None}


# ---- the readers --------------------------------------------------------------------------------


async def signed_in(base: str, email: str, password: str) -> httpx.AsyncClient:
    """A browser-like client signed in through the form (cookies kept)."""
    client = httpx.AsyncClient(base_url=base, trust_env=False, timeout=60)
    form = await client.get("/hr/login")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text)
    assert csrf, form.text[:500]
    answer = await client.post("/hr/login", data={"email": email, "password": password,
                                                  "csrf": csrf.group(1)})
    assert answer.status_code == 303, answer.text[:500]
    return client


async def timed(client: httpx.AsyncClient, path: str) -> float:
    started = time.perf_counter()
    answer = await client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:300]}"
    return elapsed


async def one_at_a_time(readers: dict[str, httpx.AsyncClient], requests: int,
                        ) -> dict[str, list[float]]:
    """Each reader's pages in turn, `requests` times each."""
    samples: dict[str, list[float]] = {}
    for _ in range(requests):
        for who, client in readers.items():
            for page, path in PAGES.items():
                samples.setdefault(f"{who}:{page}", []).append(await timed(client, path))
    return samples


async def four_at_once(readers: dict[str, httpx.AsyncClient], requests: int) -> list[float]:
    """Four HR readers asking for the dashboard and the board at once, `requests` rounds."""
    hr = readers["hr"]
    samples: list[float] = []
    for _ in range(requests // 4):
        samples += await asyncio.gather(*(timed(hr, path) for path in
                                          (PAGES["dashboard"], PAGES["board"]) * 2))
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    return {"n": len(samples), "p50_ms": round(statistics.median(samples), 1),
            "p99_ms": round(percentile(samples, 99), 1), "max_ms": round(max(samples), 1)}


# ---- the run ------------------------------------------------------------------------------------


def schema_url() -> tuple[str, str]:
    schema = f"bench_pages_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return schema, f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def manager_of(url: str, name: str, department: str) -> None:
    _, managers = people.listing(url, active=None, role="manager", limit=500, offset=0)
    person = next(p for p in managers if p.name == name)
    assert person.id is not None
    people.change(url, person.id, {"departments": (department,)}, "bench", people.now())


async def bench(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    schema, url = schema_url()
    try:
        return await _measure(args, stack, url)
    finally:
        stack.stop_all()
        drop_schema(schema)


async def _measure(args: argparse.Namespace, stack: Stack, url: str) -> dict[str, Any]:
    migrate(url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    counts = seed(url, args.records, now)
    say(f"seeded {counts} in {time.perf_counter() - started:.1f} s")
    address = start_temporal(stack)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGUARD_")}
    env.update({"CASEGUARD_ENV": "dev", "CASEGUARD_VAR_DIR": str(stack.tmp),
                "CASEGUARD_DATABASE_URL": url, "CASEGUARD_TEMPORAL_ADDRESS": address})
    base = start_uvicorn(stack, "api", "api.main:app", env)
    await wait_for_api(base, stack)
    logins = json.loads((stack.tmp / "dev-logins.json").read_text())
    manager_of(url, logins["manager"]["name"], DEPARTMENTS[0])
    readers = {who: await signed_in(base, logins[role]["email"], logins[role]["password"])
               for who, role in (("hr", "hr"), ("manager", "manager"))}
    try:
        for client in readers.values():  # warm: imports, templates, pools
            for path in PAGES.values():
                for _ in range(5):
                    await timed(client, path)
        runs = []
        for n in range(args.runs):
            sequential = await one_at_a_time(readers, args.requests)
            concurrent = await four_at_once(readers, args.requests)
            runs.append({"one_at_a_time": {k: summary(v) for k, v in sequential.items()},
                         "hr_four_at_once": summary(concurrent)})
            say(f"run {n + 1}: " + json.dumps(runs[-1]["one_at_a_time"], ensure_ascii=False))
    finally:
        for client in readers.values():
            await client.aclose()
    return report(args, counts, runs)


def report(args: argparse.Namespace, counts: dict[str, int],
           runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = list(runs[0]["one_at_a_time"])
    ranges = {k: {"p99_ms": [min(r["one_at_a_time"][k]["p99_ms"] for r in runs),
                             max(r["one_at_a_time"][k]["p99_ms"] for r in runs)],
                  "p50_ms": [min(r["one_at_a_time"][k]["p50_ms"] for r in runs),
                             max(r["one_at_a_time"][k]["p50_ms"] for r in runs)]}
              for k in keys}
    concurrent = [r["hr_four_at_once"]["p99_ms"] for r in runs]
    worst = max(v["p99_ms"][1] for v in ranges.values())
    return {"benchmark": "workspace_pages", "date": date.today().isoformat(),
            "records": counts, "requests_per_page_per_run": args.requests, "runs": args.runs,
            "p99_ranges_one_at_a_time": ranges,
            "p99_range_hr_four_at_once_ms": [min(concurrent), max(concurrent)],
            "target_p99_ms": 300, "holds": worst <= 300, "per_run": runs}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000,
                        help="onboardings and cases together (default 100000)")
    parser.add_argument("--requests", type=int, default=200,
                        help="requests per page and reader in each run (default 200)")
    parser.add_argument("--runs", type=int, default=3, help="runs (default 3)")
    parser.add_argument("--timeout", type=float, default=3600)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    return run_bench("caseguard-pages-", lambda stack: asyncio.wait_for(
        bench(args, stack), timeout=args.timeout))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
