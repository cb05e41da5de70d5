"""The bare baseline of the benchmark: one 30-day timer and one trivial update.

Kept in its own small module on purpose: the workflow sandbox re-imports a workflow's module for
every workflow it runs, so a workflow defined in the (large) bench script would charge the bench's
own code to every bare workflow (measured: ~170 KB instead of ~60 KB per cached workflow).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow


@workflow.defn(name="BenchTimer")
class BenchTimer:
    def __init__(self) -> None:
        self._touches = 0

    @workflow.run
    async def run(self) -> None:
        await workflow.sleep(timedelta(days=30))

    @workflow.update
    def touch(self, note: str) -> int:
        self._touches += 1
        return self._touches
