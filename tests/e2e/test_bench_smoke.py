"""`make bench` keeps working: a small run end to end (its own dev server, API, workers and the
minimal API), checking the report's shape, never its timings (benchmarks measure, tests do not)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import IN_CI, PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]


def bench_schemas() -> set[str]:
    engine = create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT schema_name FROM information_schema.schemata "
                                         "WHERE schema_name LIKE 'bench_%'")).scalars())
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    """The product's database in a bench run; PostgreSQL as the tests reach it (never skipped
    in CI)."""
    if request.param == "postgresql":
        try:
            bench_schemas()
        except Exception as exc:  # noqa: BLE001
            if IN_CI:
                pytest.fail(f"PostgreSQL is required in CI and is not reachable: {exc}")
            pytest.skip(f"PostgreSQL at {PG_ADMIN_URL} not reachable")
    return str(request.param)


def test_a_small_bench_run_reports_every_figure(database: str, tmp_path: Path):
    before = bench_schemas() if database == "postgresql" else set()
    # Each database run takes one of the two orders of records (8 starts: one per round, S0-S7).
    records_from = "first" if database == "postgresql" else "newest"
    trace = tmp_path / "trace.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "onboarding_bench.py"),
         "--starts", "8", "--records", "4", "--open", "12", "--timeout", "240",
         "--database", database, "--pg-url", PG_ADMIN_URL, "--records-from", records_from],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "BENCH_TRACE": str(trace)})
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["database"] == database
    if database == "postgresql":  # the run's schema is gone with it
        assert bench_schemas() == before
    for ratio in ("starts_ratio", "case_starts_ratio", "update_p99_ratio", "rss_ratio",
                  "starts_ratio_vs_minimal_http_api"):
        assert report[ratio] > 0, ratio
    assert set(report["met"]) == {"starts_ratio", "case_starts_ratio", "update_p99_ratio",
                                  "rss_ratio"}
    assert set(report["starts_cpu_ms_per_start"]) == {"api", "case", "bare", "floor"}
    assert set(report["sustained_starts_per_s"]) == {"api", "case", "bare", "floor"}
    rss = report["rss_detail"]
    assert (rss["open_cases"], rss["open_onboardings"], rss["open_bare"]) == (6, 6, 12)
    assert rss["onboarding_projection_rows"] == 6
    assert report["counts"] == {"starts": 8, "records": 4, "open": 12, "concurrency": 8,
                                "records_from": records_from}
    rounds = {record.split("-")[-1][1] for _, _, kind, record in json.loads(trace.read_text())
              if kind.startswith("onboarding:")}
    assert rounds == ({"0", "1", "2", "3"} if records_from == "first" else {"4", "5", "6", "7"})
    # every action kind, each on every one of its records (3 rounds of 4 + 4)
    assert {k: v["n"] for k, v in report["action_kinds_ms"].items()} == {
        "onboarding:delay_reason": 4, "onboarding:document": 4, "onboarding:enrollment": 4,
        "case:document": 4, "case:file_materials": 4, "case:apply_determination": 4}


def test_a_small_reminder_run_records_every_reminder_once():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "reminder_lateness.py"),
                          "--reminders", "20"], cwd=ROOT, capture_output=True, text=True,
                         timeout=400)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["product"]["recorded"]["rows"] == 20
    assert report["product"]["delivered"]["rows"] == 20
    assert report["product"]["escalated_twice"] == 0 and report["bare"]["rows"] == 20
    assert set(report) >= {"lateness_p99_ratio", "met", "target", "bare_meets_target"}
    assert report["bare_meets_target"] == (report["bare"]["lateness_p99_s"] <= 2.0)


def test_a_small_bundle_run_reports_build_time_and_reads_beside_it():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "bundle_bench.py"), "--months",
                          "2", "--builds", "1", "--concurrent", "2", "--rounds", "1", "--gets", "12"],
                         cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert len(report["bundle_build_s"]) == 1 and len(report["concurrent_bundles_s"]) == 2
    assert report["get_idle_p99_ms"] > 0 and report["get_loaded_count"] >= 1
    assert set(report["met"]) == {"bundle_build_s", "get_p99_loaded_ratio"}
    paths = report["get_p99_by_path_ms"]
    assert set(paths) == {"case_list", "case_page", "workspace_case_page"}
    assert report["get_p99_loaded_ratio"] == max(p["ratio"] for p in paths.values())


def test_a_small_workspace_pages_run_reports_each_page_and_reader():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "workspace_pages.py"),
                          "--records", "400", "--requests", "8", "--runs", "2"],
                         cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["records"]["onboardings"] == 200 and report["records"]["cases"] == 200
    assert set(report["p99_ranges_one_at_a_time"]) == {
        "hr:dashboard", "hr:board", "manager:dashboard", "manager:board"}
    assert len(report["per_run"]) == 2 and report["target_p99_ms"] == 300
