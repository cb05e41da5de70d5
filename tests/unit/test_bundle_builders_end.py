"""A bundle builder ends with the API process that started it, however the API ends (an API
stopped by SIGKILL used to leave its builders running, ~140 MB each), and it runs at a lower
CPU priority than the API (CASEGUARD_BUNDLE_NICENESS)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
API = """
import os, sys
sys.path.insert(0, sys.argv[1])
from api import bundles
pool = bundles._pool(1, 10)
print(pool.submit(os.getpid).result(timeout=60), flush=True)
sys.stdin.readline()
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone for our purpose
        return stat.read().split(") ", 1)[1][0] != "Z"


def test_a_builder_ends_when_its_api_is_killed():
    api = subprocess.Popen([sys.executable, "-c", API, str(ROOT)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    try:
        builder = int(api.stdout.readline())
        assert builder != api.pid and alive(builder)
        os.kill(api.pid, signal.SIGKILL)
        api.wait(timeout=10)
        deadline = time.monotonic() + 10
        while alive(builder) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(builder)
    finally:
        api.kill()


def test_a_builder_runs_at_the_configured_lower_priority():
    from api import bundles

    pool = bundles._pool(1, 7)
    try:
        assert pool.submit(os.nice, 0).result(timeout=60) == min(os.nice(0) + 7, 19)
    finally:
        pool.shutdown()
        bundles._pools.pop((1, 7))
