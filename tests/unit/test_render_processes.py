"""A rendering process (render/processes.py: the API's bundle builders, the worker's form
renderers) ends with the process that started it, however that one ends (an API stopped by
SIGKILL used to leave its builders running, ~140 MB each), and it runs at the lower CPU priority it
is given (CASEGUARD_BUNDLE_NICENESS, CASEGUARD_FORM_NICENESS)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A parent that starts one child, prints its pid and waits: the API's bundle builders' pool, and
# the worker's form renderers.
PARENTS = {
    "pool": "from render import processes\n"
            "print(processes.pool(1, 10).submit(os.getpid).result(timeout=60), flush=True)",
    "renderers": "from render.processes import Renderers\n"
                 "print(Renderers(1, 10).call(os.getpid, timeout=60), flush=True)",
}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone for our purpose
        return stat.read().split(") ", 1)[1][0] != "Z"


@pytest.mark.parametrize("kind", sorted(PARENTS))
def test_a_child_ends_when_its_parent_is_killed(kind: str):
    script = f"import os, sys\nsys.path.insert(0, sys.argv[1])\n{PARENTS[kind]}\nsys.stdin.readline()"
    parent = subprocess.Popen([sys.executable, "-c", script, str(ROOT)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert child != parent.pid and alive(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child)
    finally:
        parent.kill()


def test_a_renderer_runs_at_the_configured_lower_priority():
    from render import processes

    pool = processes.pool(1, 7)
    try:
        assert pool.submit(os.nice, 0).result(timeout=60) == min(os.nice(0) + 7, 19)
    finally:
        pool.shutdown()
        processes._pools.pop((1, 7))


# ---- Renderers: `python -m render.processes`, for the worker's forms ----------------------------

def loaded(module: str) -> bool:
    return module in sys.modules


def main_module() -> str:
    return sys.modules["__main__"].__spec__.name


def test_a_rendering_process_runs_at_its_niceness_and_imports_no_main_module():
    from render.processes import Renderers

    renderers = Renderers(1, 7)
    assert renderers.call(os.nice, 0, timeout=60) == min(os.nice(0) + 7, 19)
    assert not renderers.call(loaded, "worker", timeout=60)
    assert not renderers.call(loaded, "temporalio", timeout=60)
    assert renderers.call(main_module, timeout=60) == "render.processes"


def test_a_job_answers_with_its_result_or_its_own_exception():
    from render.processes import Renderers

    renderers = Renderers(1, 10)
    assert renderers.call(divmod, 7, 2, timeout=60) == (3, 1)
    with pytest.raises(ZeroDivisionError):
        renderers.call(divmod, 1, 0, timeout=60)
    assert renderers.call("operator:mul", 6, 7, timeout=60) == 42  # imported there alone
    with pytest.raises(RuntimeError, match="not picklable"):
        renderers.call(threading.Lock, timeout=60)  # an answer that cannot travel back
    first = renderers.call(os.getpid, timeout=60)
    assert renderers.call(os.getpid, timeout=60) == first  # the process serves job after job


def test_a_process_that_dies_or_hangs_fails_its_job_and_the_next_job_gets_a_new_one():
    from render.processes import RendererDied, Renderers

    renderers = Renderers(1, 10)
    first = renderers.call(os.getpid, timeout=60)
    with pytest.raises(RendererDied):
        renderers.call(os._exit, 3, timeout=60)
    second = renderers.call(os.getpid, timeout=60)
    assert second != first
    with pytest.raises(TimeoutError):
        renderers.call(time.sleep, 30, timeout=0.5)
    assert not alive(second)  # ended, not left to finish the job
    assert renderers.call(os.getpid, timeout=60) not in (first, second)


def test_jobs_beyond_the_processes_wait_their_turn():
    from concurrent.futures import ThreadPoolExecutor

    from render.processes import Renderers

    renderers = Renderers(2, 10)
    with ThreadPoolExecutor(6) as threads:
        pids = list(threads.map(lambda _: renderers.call(os.getpid, timeout=60), range(12)))
    assert len(set(pids)) <= 2 and os.getpid() not in pids


def test_the_worker_renders_forms_in_such_processes_unless_set_to_none():
    from render.processes import Renderers
    from settings import Settings
    from worker import form_renderers

    assert isinstance(form_renderers(Settings()), Renderers)
    assert form_renderers(Settings(form_processes=0)) is None


def test_a_process_idle_for_longer_than_its_allowance_ends_and_the_next_job_starts_one():
    from render.processes import Renderers

    renderers = Renderers(1, 10, idle_s=0.4)
    first = renderers.call(os.getpid, timeout=60)
    assert renderers.call(os.getpid, timeout=60) == first  # used again within the allowance
    deadline = time.monotonic() + 10
    while alive(first) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(first)
    assert renderers.call(os.getpid, timeout=60) not in (first, os.getpid())


def test_a_parent_holding_over_a_thousand_descriptors_gets_its_answers():
    from render.processes import Renderers

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this machine allows {hard} open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert Renderers(1, 10).call(divmod, 9, 4, timeout=60) == (2, 1)
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
