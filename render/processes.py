"""Processes that render PDFs beside a server process, at a lower CPU priority.

Rendering a PDF is pure-Python CPU (ReportLab) that holds the interpreter lock. In a thread of the
API it held up every request; in a thread of the worker, the workflow tasks and the local
activities that write their events, so a burst of case starts, each with its application form,
slowed every workflow on that worker (docs/benchmarks.md, session 27). Two kinds of process render
instead, each at the niceness it is given: where the machine's cores are all busy, the processes
that answer HR's clicks run first and a document takes longer.

- `pool`: the API's evidence-bundle builders (api/bundles.py), a ProcessPoolExecutor started with
  multiprocessing's `spawn`.
- `Renderers`: the worker's form renderers (activities/forms.py), each `python -m
  render.processes`. `spawn` imports the parent's main module again in each child: for `python
  worker.py` the whole worker (Temporal's SDK, every workflow and activity), several times what a
  child started this way holds (docs/benchmarks.md, session 27). (`python -m uvicorn` is left out
  by multiprocessing itself, so the API's builders do not pay it.)

Neither forks: the parent runs threads of the Temporal Core SDK or of the API, which a fork would
copy half-made. A child ends with the process that started it, however that one ends
(PR_SET_PDEATHSIG). This module imports nothing of the web framework or Temporal: children start
from it.
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing
import os
import pickle
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from pathlib import Path
from typing import IO, Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
_pools: dict[tuple[int, int], ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()
PR_SET_PDEATHSIG = 1  # <sys/prctl.h>: the signal a process gets when its parent ends
IDLE_S = 60.0  # a form renderer with no job for this long ends (Renderers)


def pool(processes: int, niceness: int) -> ProcessPoolExecutor:
    """One pool per size and niceness, started with its first job and kept for the process's life
    (a child's start costs about a second of imports; the executor stops it at exit)."""
    with _pools_lock:
        if (processes, niceness) not in _pools:
            _pools[processes, niceness] = ProcessPoolExecutor(
                max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_child, initargs=(os.getpid(), niceness))
        return _pools[processes, niceness]


def start(processes: int, niceness: int) -> None:
    """Start the pool's processes now, not with the first job (which would wait for their
    imports): for a server process. They import in the background."""
    for _ in range(processes):
        pool(processes, niceness).submit(ready)


def ready() -> None:
    """Nothing: run in a child, it is there and has imported this module."""


def _start_child(parent_pid: int, niceness: int) -> None:
    """In a new child: yield the CPU to the processes that answer, and end with the parent."""
    os.nice(niceness)
    _end_with_the_parent(parent_pid)


def _end_with_the_parent(parent_pid: int) -> None:
    """End when the parent process ends, however it ends. A child waits on a queue whose writing
    end it holds itself, so it never sees the parent go: an API stopped by SIGKILL (or a crash)
    left its bundle builders running, ~140 MB each. Linux only (elsewhere the executor's own
    shutdown at a clean exit is all there is)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent ended before the line above took effect
        os._exit(0)


# ---- Renderers: processes that do not import the parent's main module -------------------------

class RendererDied(BrokenExecutor):
    """The rendering process ended before it answered (killed, out of memory): try again."""


class Renderers:
    """`size` processes of `python -m render.processes`, started when first needed, that run one
    job at a time each: a module-level function and its pickled arguments, answered with its
    pickled result or exception. A process that dies or does not answer in time is ended and
    replaced for the next job; one that has had no job for `idle_s` seconds is ended, and the next
    job starts another (forms come in bursts, with new cases: ReportLab and the font hold tens of
    MB that the rest of the time would keep for nothing). PR_SET_PDEATHSIG follows the thread
    that started a process: the worker's activity threads live as long as the worker (were one to
    end, its process would end with it, and the next job would start another)."""

    def __init__(self, size: int, niceness: int, idle_s: float = IDLE_S) -> None:
        self._size, self._niceness, self._idle_s = size, niceness, idle_s
        self._free: queue.Queue[_Renderer | None] = queue.Queue()
        for _ in range(size):
            self._free.put(None)  # a place for a process not started yet
        self._reaper: threading.Thread | None = None
        self._reaper_lock = threading.Lock()

    def call(self, function: Callable[..., T] | str, *args: object, timeout: float) -> T:
        """`function(*args)` in a rendering process; TimeoutError when no process took it and
        answered within `timeout` seconds, RendererDied when its process ended first. A function
        named "module:name" is imported by the process alone (the worker need not load ReportLab
        to hand its forms on)."""
        deadline = time.monotonic() + timeout
        try:
            renderer = self._free.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no rendering process was free within {timeout:.0f} s") from None
        try:
            if renderer is None or renderer.ended():
                renderer = _Renderer(self._niceness)
                self._keep_reaping()
            return renderer.call(function, args, deadline)
        except (RendererDied, TimeoutError):
            if renderer is not None:
                renderer.end()
            renderer = None
            raise
        finally:
            self._free.put(renderer)

    def _keep_reaping(self) -> None:
        with self._reaper_lock:
            if self._reaper is None:
                self._reaper = threading.Thread(target=self._reap, name="renderer-reaper",
                                                daemon=True)
                self._reaper.start()

    def _reap(self) -> None:
        """End the free processes idle for longer than idle_s, every quarter of it. A process
        taken from the free queue is this thread's alone, so no job can be sent to one it ends."""
        while True:
            time.sleep(self._idle_s / 4)
            for _ in range(self._size):
                try:
                    renderer = self._free.get_nowait()
                except queue.Empty:
                    break
                if renderer is not None and renderer.idle_for() > self._idle_s:
                    renderer.end()
                    renderer = None
                self._free.put(renderer)


class _Renderer:
    def __init__(self, niceness: int) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "render.processes", str(os.getpid()), str(niceness)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
        self._last_used = time.monotonic()

    def ended(self) -> bool:
        return self._process.poll() is not None

    def idle_for(self) -> float:
        return time.monotonic() - self._last_used

    def end(self) -> None:
        self._process.kill()
        self._process.wait()

    def call(self, function: Callable[..., T] | str, args: tuple[object, ...],
             deadline: float) -> T:
        assert self._process.stdin is not None and self._process.stdout is not None
        try:
            _write(self._process.stdin, (function, args))
        except (BrokenPipeError, OSError) as error:
            raise RendererDied(f"the rendering process had ended: {error}") from None
        try:
            outcome, value = _read(self._process.stdout.fileno(), deadline)
        except TimeoutError:  # an OSError too, but this one is the caller's to see
            raise
        except OSError as error:
            raise RendererDied(f"the rendering process's answer was lost: {error}") from None
        self._last_used = time.monotonic()
        if outcome == "error":
            raise value
        result: T = value
        return result


def _write(pipe: IO[bytes], message: object) -> None:
    data = pickle.dumps(message)
    pipe.write(len(data).to_bytes(8, "big") + data)
    pipe.flush()


def _read(fd: int, deadline: float) -> Any:
    size = int.from_bytes(_read_exactly(fd, 8, deadline), "big")
    return pickle.loads(_read_exactly(fd, size, deadline))


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:
    # poll, not select: a busy worker holds more than select's 1,024 descriptors
    waiting = select.poll()
    waiting.register(fd, select.POLLIN)
    chunks, left = [], size
    while left:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not waiting.poll(remaining * 1000):
            raise TimeoutError("the rendering process did not answer in time")
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise RendererDied("the rendering process ended before it answered")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _named(function: Callable[..., object] | str) -> Callable[..., object]:
    if not isinstance(function, str):
        return function
    module, _, name = function.partition(":")
    found: Callable[..., object] = getattr(importlib.import_module(module), name)
    return found


def _serve(parent_pid: int, niceness: int) -> None:
    """A rendering process: jobs from stdin, answers on stdout, until the parent goes."""
    _start_child(parent_pid, niceness)
    jobs, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a job's print must not corrupt the answers
    while header := jobs.read(8):
        function, args = pickle.loads(jobs.read(int.from_bytes(header, "big")))
        try:
            answer: tuple[str, object] = ("ok", _named(function)(*args))
        except Exception as error:  # noqa: BLE001 - the caller gets it, as a call in-process would
            answer = ("error", error)
        try:
            _write(answers, answer)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            _write(answers, ("error", RuntimeError(f"{answer[1]!r} (not picklable: {error})")))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]))
