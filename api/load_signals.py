"""Telling running workflows about an admin's load: a period's policy figures (signal
policy_updated; who is told: domain/policy/targets.py) or a year's holiday schedule (signal
calendar_updated, every running onboarding and case). A few at a time, a refused signal tried
again, a failure logged by workflow id only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

log = logging.getLogger("caseguard.api")
SIGNAL_CONCURRENCY = 16  # signals in flight at once, so a load never floods the Temporal frontend
SIGNAL_ATTEMPTS = 3  # a refused signal (not a closed workflow) is tried again, then reported
SIGNAL_BACKOFF = 0.2  # seconds before the second attempt, doubled after


async def tell(client: Client, signal: str, targets: Sequence[tuple[str, Any]]) -> int:
    """Signal each workflow its payload, SIGNAL_CONCURRENCY at a time; one closed since its row
    was written is skipped, one refused otherwise is tried SIGNAL_ATTEMPTS times and logged by
    id (no personal data). Answers how many took the signal."""
    gate = asyncio.Semaphore(SIGNAL_CONCURRENCY)

    async def one(workflow_id: str, payload: Any) -> bool:
        async with gate:
            for attempt in range(SIGNAL_ATTEMPTS):
                try:
                    await client.get_workflow_handle(workflow_id).signal(signal, payload)
                    return True
                except RPCError as exc:
                    if exc.status == RPCStatusCode.NOT_FOUND:  # closed or gone: nothing to tell
                        return False
                    if attempt + 1 == SIGNAL_ATTEMPTS:
                        log.warning("%s not signalled to %s after %d attempts: %s", signal,
                                    workflow_id, SIGNAL_ATTEMPTS, exc.status)
                        return False
                    await asyncio.sleep(SIGNAL_BACKOFF * 2 ** attempt)
            return False

    return sum(await asyncio.gather(*(one(i, p) for i, p in targets)))
