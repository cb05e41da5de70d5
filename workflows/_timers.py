"""Deterministic time helpers shared by workflows: a clock that a dev time scale can speed up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow


class ScaledClock:
    """Business time for a workflow: real time, or real time sped up by `scale` (dev demos).

    With scale 86400 a statutory day passes in one real second. The scale travels in the
    workflow input, so replay computes the same timers.
    """

    def __init__(self, scale: float = 1.0, origin: datetime | None = None) -> None:
        self._scale = scale
        # Business time runs from here; a workflow that continued as new passes its first run's.
        self.origin = origin or workflow.info().workflow_start_time

    def now(self) -> datetime:
        """The business time now: equal to workflow.now() when the scale is 1."""
        real = workflow.now()
        if self._scale == 1:
            return real
        return self.origin + (real - self.origin) * self._scale

    def business_time(self, real: datetime) -> datetime:
        """The business time at real time `real` (a query may ask about a moment after the last task)."""
        if self._scale == 1:
            return real
        return self.origin + (real - self.origin) * self._scale

    def real_duration(self, business: timedelta) -> timedelta:
        return business / self._scale

    async def sleep_until(self, at: datetime, wake: Callable[[], bool] | None = None) -> bool:
        """Sleep until business time `at`; returns early (False) as soon as `wake()` is true."""
        remaining = at - self.now()
        if remaining <= timedelta(0):
            return True
        try:
            await workflow.wait_condition(
                wake or (lambda: False), timeout=self.real_duration(remaining)
            )
        except TimeoutError:
            return True
        return False
