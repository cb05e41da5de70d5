"""Process start-up helpers shared by the worker and the API."""

from __future__ import annotations

import ctypes
import gc


def freeze_startup_heap() -> None:
    """Take what start-up built (modules, clients, the worker or app: ~130,000 objects) out of the
    cyclic garbage collector's sight, once start-up is done. A full collection otherwise rescans
    them all and stalls the process for 70-110 ms on this machine, which showed as the slowest
    HR actions; after the freeze it scans only what the running process allocates."""
    gc.collect()
    gc.freeze()


M_ARENA_MAX = -8  # glibc's <malloc.h> parameter number for mallopt
WORKER_MALLOC_ARENAS = 2


def limit_malloc_arenas(arenas: int = WORKER_MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas (as MALLOC_ARENA_MAX would), before the process starts threads.
    glibc gives threads that allocate at the same time arenas of their own, up to 8 per core; the
    worker's Core SDK (Rust, Tokio threads) and its activity threads each fill one, and an arena
    returns freed memory to the system only from its top, so a worker's RSS grew with its threads
    rather than with what it holds (docs/benchmarks.md, session 12). Answers whether it applied:
    not on a C library other than glibc, where the call does not exist."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))
