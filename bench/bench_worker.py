"""A worker process for the benchmark: the bare timer workflow (SDK defaults), or the product's
production worker (worker.serve, as worker.py runs it: same workflows, activities, runner, data
converter and start-up), with a chosen workflow cache size (worker.py keeps the SDK default).

    python bench/bench_worker.py bare|onboarding|burst --address HOST:PORT --task-queue Q
                                 --max-cached N [--db-url URL]

The onboarding worker reads the rest of its settings from the CASEGUARD_* environment, as worker.py
does. Its identity is '<pid>@bench-<kind>' so the bench can see when it polls. Stops on
SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bare_timer import BenchTimer  # noqa: E402  (needs ROOT on sys.path)


async def serve_bare(args: argparse.Namespace) -> None:
    client = await Client.connect(args.address, data_converter=pydantic_data_converter)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Worker(client, task_queue=args.task_queue, workflows=[BenchTimer],
                      max_cached_workflows=args.max_cached,
                      identity=f"{os.getpid()}@bench-bare"):
        await stop.wait()


async def serve_burst(args: argparse.Namespace) -> None:
    """The month-end burst's bare side: BurstTimer and its one activity, in threads."""
    from concurrent.futures import ThreadPoolExecutor

    from bench.bare_burst import BurstTimer, record_due

    client = await Client.connect(args.address, data_converter=pydantic_data_converter)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor(max_workers=32) as executor:
        async with Worker(client, task_queue=args.task_queue, workflows=[BurstTimer],
                          activities=[record_due], activity_executor=executor,
                          max_cached_workflows=args.max_cached,
                          identity=f"{os.getpid()}@bench-burst"):
            await stop.wait()


async def serve_onboarding(args: argparse.Namespace) -> None:
    # Only the onboarding worker loads the product, so the bare worker's RSS stays the SDK's floor.
    from settings import Settings
    from store.db import migrate
    from worker import serve

    settings = Settings(temporal_address=args.address, task_queue=args.task_queue,
                        database_url=args.db_url)
    migrate(settings.db_url)  # as worker.py starts: what a migration leaves behind is its cost too
    await serve(settings, max_cached_workflows=args.max_cached,
                identity=f"{os.getpid()}@bench-onboarding")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("bare", "onboarding", "burst"))
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--max-cached", type=int, required=True)
    parser.add_argument("--db-url", default="")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args(sys.argv[1:])
    serve = {"bare": serve_bare, "onboarding": serve_onboarding, "burst": serve_burst}
    asyncio.run(serve[arguments.kind](arguments))
    os._exit(0)  # sdk-python#300: the interpreter may crash while finalising
