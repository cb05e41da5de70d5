"""A worker process for the benchmark: the bare timer workflow, or the product's onboarding
workflows and activities, with a chosen workflow cache size (worker.py keeps the SDK default).

    python bench/bench_worker.py bare|onboarding --address HOST:PORT --task-queue Q
                                 --max-cached N [--db-url URL]

Its identity is '<pid>@bench-<kind>' so the bench can see when it polls. Stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bare_timer import BenchTimer  # noqa: E402  (needs ROOT on sys.path)


def build(args: argparse.Namespace, client: Client, executor: ThreadPoolExecutor) -> Worker:
    common: dict[str, Any] = {"task_queue": args.task_queue, "max_cached_workflows": args.max_cached,
                              "identity": f"{os.getpid()}@bench-{args.kind}"}
    if args.kind == "bare":
        return Worker(client, workflows=[BenchTimer], **common)
    # Only the onboarding worker loads the product, so the bare worker's RSS stays the SDK's floor.
    from worker import WORKFLOWS, activities_for

    return Worker(client, workflows=list(WORKFLOWS), activities=activities_for(args.db_url),
                  activity_executor=executor, **common)


async def serve(args: argparse.Namespace) -> None:
    client = await Client.connect(args.address, data_converter=pydantic_data_converter)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor(max_workers=16) as executor:  # as worker.py
        async with build(args, client, executor):
            await stop.wait()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("bare", "onboarding"))
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--max-cached", type=int, required=True)
    parser.add_argument("--db-url", default="")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(serve(parse_args(sys.argv[1:])))
    os._exit(0)  # sdk-python#300: the interpreter may crash while finalising
