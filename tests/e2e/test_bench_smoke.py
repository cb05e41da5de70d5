"""`make bench` keeps working: a small run end to end (its own dev server, API, workers and the
minimal API), checking the report's shape, never its timings (benchmarks measure, tests do not)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_bench_run_reports_every_figure():
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "onboarding_bench.py"),
         "--starts", "8", "--updates", "6", "--open", "12", "--timeout", "240"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    for ratio in ("starts_ratio", "update_p99_ratio", "rss_ratio",
                  "starts_ratio_vs_minimal_http_api"):
        assert report[ratio] > 0, ratio
    assert set(report["met"]) == {"starts_ratio", "update_p99_ratio", "rss_ratio"}
    assert set(report["starts_cpu_ms_per_start"]) == {"api", "bare", "floor"}
    assert report["rss_detail"]["onboarding_projection_rows"] == 12
    assert report["counts"] == {"starts": 8, "updates": 6, "open": 12, "concurrency": 8,
                                "update_workflows": 3}
