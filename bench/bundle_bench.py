"""The evidence bundle of a 14-month injury case: how long it takes to build, and whether building
ten of them starves the API's ordinary reads.

    .venv/bin/python bench/bundle_bench.py [--months 14] [--builds 5] [--concurrent 10]

The case is the real thing: InjuryCase on the time-skipping test server, run by the production
worker in a process of its own (bench_worker.py onboarding; a SQLite file), driven 14 months down a long path
(recognised, 24 months of suspension, a dispute, an appraisal the committee never concludes, so the
case chases it every week, each chase a notice). HR's scans are uploaded through the API. The API
is the production app under uvicorn in a process of its own, connected to that test server.

Figures: `bundle_build_s` (each of `--builds` sequential `GET …/bundle`, as the user waits for
it: request to last byte), and the p99 of ordinary GETs (the API's case list and case page, and
the HR workspace's case page as a signed-in person opens it, in turn, one at a time) when idle and
while `--concurrent` bundles build at once (`--rounds` times over); target: build ≤ 2 s, and each
kind of read's loaded p99 ≤ 2× its idle p99 (`get_p99_loaded_ratio` is the worst of the three).
One JSON object on stdout; progress on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# ruff: noqa: E402  (the imports below need ROOT on sys.path)
from bench.case_history_growth import act, quiet_runtime, recognised, status, until
from bench.onboarding_bench import (
    Stack,
    percentile,
    run_bench,
    say,
    start_bench_worker,
    start_uvicorn,
    wait_for_api,
)
from devstack import temporal_test_server
from store.db import migrate
from temporal_client import dev_data_converter

API_KEY = "bench-bundle-key"
ADMIN_KEY = "bench-bundle-admin-key"
WEB_PASSWORD = "bench workspace reader"
MONTH = timedelta(days=30)
SCANS = 8  # HR's scans of the case (diagnosis, invoices, the decision), ~300 KB each
SCAN_BYTES = 300_000
TARGETS = {"bundle_build_s": "<= 2", "get_p99_loaded_ratio": "<= 2"}


def scan(n: int) -> bytes:
    """A PDF-signed file of SCAN_BYTES incompressible bytes: a scan, as far as the ZIP is concerned."""
    return b"%PDF-1.4\n" + os.urandom(SCAN_BYTES) + f"\n%scan {n}\n%%EOF\n".encode()


async def long_case(env: WorkflowEnvironment, queue: str, months: int) -> str:
    """The case `months` after its accident; returns its workflow id."""
    handle = await recognised(env, queue, "BUNDLE1")
    accident = (await status(env, handle)).accident_at
    await act(handle, "start_suspension", months=12)
    await act(handle, "extend_suspension", months=12, reference="鉴定委员会确认001")
    await act(handle, "record_dispute", event="arose", forum="劳动争议仲裁委员会",
              note="the employee disputes the wage paid during the suspension")
    await act(handle, "apply_appraisal")
    for month in range(1, months + 1):
        await until(env, accident + month * MONTH)
        await act(handle, "record_contact", note=f"第{month}个月回访：治疗继续")
    return handle.id


async def upload_scans(http: httpx.AsyncClient, case_id: str) -> None:
    for n in range(SCANS):
        answer = await http.post(f"/api/v1/cases/{case_id}/documents",
                                 data={"kind": "diagnosis", "note": f"scan {n}"},
                                 files={"file": (f"scan-{n}.pdf", scan(n), "application/pdf")})
        answer.raise_for_status()


async def timed_get(http: httpx.AsyncClient, path: str) -> float:
    started = time.perf_counter()
    answer = await http.get(path)
    answer.raise_for_status()
    return time.perf_counter() - started


# What the ordinary reads are, in turn: the API's case list and case page, and the case page of
# the HR workspace that a signed-in person opens in a browser.
PATHS = ("case_list", "case_page", "workspace_case_page")


async def ordinary_gets(reader: Readers, case_id: str, count: int | None = None,
                        until_done: asyncio.Future[Any] | None = None) -> list[float]:
    """Ordinary reads one at a time, in the turn of PATHS: `count` of them, or as many as fit
    until `until_done` is done. Milliseconds each."""
    gets = ((reader.api, "/api/v1/cases?limit=50"), (reader.api, f"/api/v1/cases/{case_id}"),
            (reader.browser, f"/hr/cases/{case_id}"))
    samples: list[float] = []
    while (count is not None and len(samples) < count) or \
            (until_done is not None and not until_done.done()):
        samples.append(1000 * await timed_get(*gets[len(samples) % len(gets)]))
    return samples


@dataclass(frozen=True)
class Readers:
    """The API client (an HR key) and a browser signed in to the workspace as an HR person."""

    api: httpx.AsyncClient
    browser: httpx.AsyncClient


@asynccontextmanager
async def signed_in_browser(api: httpx.AsyncClient,
                            api_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of an HR person the admin gave a password, signed in through the form."""
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    person = await api.post("/api/v1/people", headers=admin, json={
        "name": "bench-hr-web", "roles": ["hr"], "email": "bench-hr-web@example.com"})
    person.raise_for_status()
    (await api.post(f"/api/v1/people/{person.json()['id']}/password", headers=admin,
                    json={"password": WEB_PASSWORD})).raise_for_status()
    async with httpx.AsyncClient(base_url=api_url, timeout=120, trust_env=False) as browser:
        form = await browser.get("/hr/login")
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text)
        assert csrf, "the sign-in form has no CSRF token"
        signed = await browser.post("/hr/login", data={
            "email": "bench-hr-web@example.com", "password": WEB_PASSWORD,
            "csrf": csrf.group(1)})
        if signed.status_code != 303:
            raise RuntimeError(f"the workspace sign-in failed: {signed.status_code}")
        yield browser


# The users who download the bundles are other browsers: their downloads (26 MB for ten) run in a
# process of their own, so they do not delay the event loop that times the ordinary GETs.
DOWNLOADER = """
import asyncio, json, sys, time
import httpx

async def main(url, path, n, rounds, key):
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"},
                                 timeout=300, trust_env=False) as http:
        print("ready", flush=True)
        sys.stdin.readline()

        async def one():
            started = time.perf_counter()
            (await http.get(path)).raise_for_status()
            return round(time.perf_counter() - started, 3)

        took = []
        for _ in range(rounds):
            took += await asyncio.gather(*(one() for _ in range(n)))
        print(json.dumps(took), flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]))
"""


async def bundles_elsewhere(api_url: str, path: str, count: int,
                            rounds: int) -> asyncio.subprocess.Process:
    """A downloader process, ready to fetch `count` bundles at once, `rounds` times one after
    another, when told (a line on stdin); it prints "ready", then each download's seconds as a
    JSON list."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DOWNLOADER, api_url, path, str(count), str(rounds), API_KEY,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    ready = await process.stdout.readline()
    if ready.strip() != b"ready":
        raise RuntimeError(f"bundle downloader did not start: {ready!r}")
    return process


async def measure(api_url: str, case_id: str, args: argparse.Namespace) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with httpx.AsyncClient(base_url=api_url, headers=headers, timeout=120,
                                 trust_env=False) as http, \
            signed_in_browser(http, api_url) as browser:
        reader = Readers(http, browser)
        await upload_scans(http, case_id)
        await ordinary_gets(reader, case_id, count=30)  # warm-up
        bundle = f"/api/v1/cases/{case_id}/bundle"
        first = await timed_get(http, bundle)
        size = len((await http.get(bundle)).content)
        builds = [await timed_get(http, bundle) for _ in range(args.builds)]
        say(f"bundle: first {first:.2f} s, then {', '.join(f'{b:.2f}' for b in builds)} s "
            f"({size / 1e6:.1f} MB)")
        idle = await ordinary_gets(reader, case_id, count=args.gets)
        say(f"idle GETs: p50 {percentile(idle, 50):.1f} ms, p99 {percentile(idle, 99):.1f} ms")
        downloads = await bundles_elsewhere(api_url, bundle, args.concurrent, args.rounds)
        started = time.perf_counter()
        many = asyncio.ensure_future(downloads.communicate(b"go\n"))
        loaded = await ordinary_gets(reader, case_id, until_done=many)
        concurrent = json.loads((await many)[0])
        wall = time.perf_counter() - started
        say(f"{args.concurrent} bundles at once, {args.rounds} times: all built in {wall:.1f} s; "
            f"GETs meanwhile "
            f"({len(loaded)}): p50 {percentile(loaded, 50):.1f} ms, "
            f"p99 {percentile(loaded, 99):.1f} ms")
    idle_p99, loaded_p99 = percentile(idle, 99), percentile(loaded, 99)
    turn = len(PATHS)
    by_path = {name: {"idle_p50_ms": round(percentile(idle[i::turn], 50), 1),
                      "loaded_p50_ms": round(percentile(loaded[i::turn], 50), 1),
                      "idle_p99_ms": round(percentile(idle[i::turn], 99), 1),
                      "loaded_p99_ms": round(percentile(loaded[i::turn], 99), 1),
                      "ratio": round(percentile(loaded[i::turn], 99)
                                     / percentile(idle[i::turn], 99), 3)}
               for i, name in enumerate(PATHS)}
    # Each kind of read against its own idle p99, the worst of them: over the mix, the slowest
    # page's idle tail would stand for every read's.
    ratio = max(p["ratio"] for p in by_path.values())
    return {
        "bundle_first_s": round(first, 3), "bundle_build_s": [round(b, 3) for b in builds],
        "bundle_build_median_s": round(statistics.median(builds), 3),
        "bundle_build_max_s": round(max(builds), 3), "bundle_bytes": size,
        "get_idle_p50_ms": round(percentile(idle, 50), 1), "get_idle_p99_ms": round(idle_p99, 1),
        "get_loaded_p50_ms": round(percentile(loaded, 50), 1),
        "get_loaded_p99_ms": round(loaded_p99, 1), "get_loaded_count": len(loaded),
        "get_p99_by_path_ms": by_path,
        "concurrent_bundles_s": [round(c, 3) for c in concurrent],
        "concurrent_wall_s": round(wall, 3), "get_p99_loaded_ratio": ratio,
        "targets": TARGETS,
        "met": {"bundle_build_s": max(builds) <= 2.0, "get_p99_loaded_ratio": ratio <= 2.0},
    }


def api_env(tmp: Path, address: str, db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGUARD_")}
    env.update({
        "CASEGUARD_ENV": "dev", "CASEGUARD_VAR_DIR": str(tmp), "CASEGUARD_DATABASE_URL": db_url,
        "CASEGUARD_TEMPORAL_ADDRESS": address, "CASEGUARD_TASK_QUEUE": "bench-bundle",
        "CASEGUARD_API_KEYS": json.dumps({API_KEY: {"name": "bench-hr", "role": "hr"},
                                          ADMIN_KEY: {"name": "bench-admin", "role": "admin"}}),
    })
    return env


async def bench(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    db_url = f"sqlite:///{stack.tmp / 'caseguard.db'}"
    migrate(db_url)
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=dev_data_converter(), test_server_existing_path=str(temporal_test_server()),
        runtime=quiet_runtime())
    async with env:
        queue = f"bench-bundle-{uuid.uuid4().hex[:6]}"
        address = env.client.service_client.config.target_host
        settings = api_env(stack.tmp, address, db_url)
        # The production worker in a process of its own, as in production: the event loop that
        # times the GETs does not also answer the case page's queries.
        start_bench_worker(stack, "worker", "onboarding", address, queue, 1000, db_url, settings)
        started = time.perf_counter()
        case_id = await long_case(env, queue, args.months)
        view = await status(env, env.client.get_workflow_handle(case_id))
        say(f"case {case_id}: {len(view.events)} events after {args.months} months "
            f"(simulated in {time.perf_counter() - started:.0f} s); starting the API …")
        api_url = start_uvicorn(stack, "api", "api.main:app", settings)
        await wait_for_api(api_url, stack)
        result = await measure(api_url, case_id, args)
        result["case_events"] = len(view.events)
        result["months"] = args.months
        return result


def main(args: argparse.Namespace) -> int:
    return run_bench("caseguard-bundle-bench-", lambda stack: bench(args, stack))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=14)
    parser.add_argument("--builds", type=int, default=5, help="sequential bundle builds timed")
    parser.add_argument("--concurrent", type=int, default=10, help="bundles built at once")
    parser.add_argument("--gets", type=int, default=1000, help="idle GETs timed")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times the concurrent bundles are asked for, one after another, "
                             "while the loaded GETs are timed (default 3)")
    exit_code = main(parser.parse_args())
    sys.stdout.flush()
    os._exit(exit_code)  # sdk-python#300: the interpreter may crash while finalising
