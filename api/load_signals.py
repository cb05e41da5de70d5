"""Telling running workflows about an admin's load, durably: a period's policy figures (signal
policy_updated; who is told: domain/policy/targets.py) or a year's holiday schedule (signal
calendar_updated, every running onboarding and case).

The route stores the load with one queued signal per workflow it concerns, in one transaction
(`queued` encodes them), then starts the load's LoadDelivery workflow (`deliver`), which sends
them; the API's start-up starts one for every load whose signals are still queued (`resume`), so
a crash between the commit and the last signal loses none (domain/shared/load_delivery.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError

from domain.shared.load_delivery import LoadDelivered, LoadDelivery, delivery_id
from store import load_deliveries
from temporal_client import DATA_CONVERTER

log = logging.getLogger("caseguard.api")
DELIVERY_WAIT = 10.0  # seconds a load's answer waits for its delivery; the rest goes on after


@dataclass(frozen=True)
class Delivery:
    """What the answer says of a load's signals: the delivery's workflow (None: not started),
    how many a workflow took, how many found it no longer running, how many are still queued."""

    workflow_id: str | None
    told: int
    not_running: int
    queued: int


def queued(signal: str, targets: Sequence[tuple[str, Any]]) -> list[tuple[str, str, str]]:
    """Each target's (workflow id, signal, payload) with the payload as the data converter writes
    it (one encoding per distinct payload: a load tells most workflows the same thing)."""
    converter = DATA_CONVERTER.payload_converter
    encoded: dict[int, str] = {}
    rows = []
    for workflow_id, payload in targets:
        if id(payload) not in encoded:
            encoded[id(payload)] = converter.to_payloads([payload])[0].data.decode()
        rows.append((workflow_id, signal, encoded[id(payload)]))
    return rows


async def deliver(client: Client, url: str, task_queue: str, load_key: str,
                  count: int) -> Delivery:
    """Start the load's delivery and wait up to DELIVERY_WAIT for its outcome; what it has not
    done by then it does after the answer. Temporal unreachable: the signals stay queued and the
    API's next start delivers them (logged by load key: a load carries no personal data)."""
    if count == 0:
        return Delivery(None, 0, 0, 0)
    workflow_id: str | None = delivery_id(load_key)
    try:
        handle = await _start(client, task_queue, load_key)
        done: LoadDelivered = await asyncio.wait_for(handle.result(), DELIVERY_WAIT)
        return Delivery(workflow_id, done.told, done.not_running, 0)
    except TimeoutError:
        pass
    except RPCError as exc:
        log.warning("load %s: delivery not started (%s); its signals stay queued until the API "
                    "starts again", load_key, exc.status.name)
        workflow_id = None
    except WorkflowFailureError as exc:
        log.warning("load %s: delivery failed (%s); its signals stay queued until the API "
                    "starts again", load_key, type(exc.cause).__name__)
    counts = await asyncio.to_thread(load_deliveries.outcomes, url, load_key)
    return Delivery(workflow_id, counts[load_deliveries.TOLD], counts[load_deliveries.NOT_RUNNING],
                    counts[load_deliveries.QUEUED])


async def resume(client: Client, url: str, task_queue: str) -> int:
    """Start the delivery of every load with signals still queued (a delivery never started, or
    one that gave up); a delivery still running is left to run. Answers how many deliveries it
    asked for (one still running counts)."""
    started = 0
    for load_key in await asyncio.to_thread(load_deliveries.undelivered_keys, url):
        try:
            await _start(client, task_queue, load_key)
            started += 1
        except RPCError as exc:
            log.warning("load %s: delivery not started (%s)", load_key, exc.status.name)
    return started


async def start_delivery(client: Client, task_queue: str, load_key: str) -> bool:
    """Start the load's delivery without waiting for it; Temporal unreachable: the signals stay
    queued for the API's next start."""
    try:
        await _start(client, task_queue, load_key)
        return True
    except RPCError as exc:
        log.warning("load %s: delivery not started (%s)", load_key, exc.status.name)
        return False


async def _start(client: Client, task_queue: str, load_key: str) -> Any:
    # A finished delivery may run again (ALLOW_DUPLICATE): it finds only what no run marked.
    return await client.start_workflow(
        "LoadDelivery", LoadDelivery(load_key), id=delivery_id(load_key), task_queue=task_queue,
        result_type=LoadDelivered, id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
