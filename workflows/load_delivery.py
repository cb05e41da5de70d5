"""LoadDeliveryWorkflow: an admin's load told to the running workflows it concerns, a page of
queued signals at a time (domain/shared/load_delivery.py). Each page: read it, signal each
workflow (SIGNALS_AT_ONCE at a time), mark it; after PAGES_PER_RUN pages the run continues as
new. A signal's payload is the data converter's JSON queued with the load, sent as it is."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.common import RawValue
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from activities.load_delivery import LoadDeliveryActivities
    from domain.shared.load_delivery import (
        PAYLOAD_ENCODING,
        SIGNALS_AT_ONCE,
        DeliveredPage,
        LoadDelivered,
        LoadDelivery,
        PendingSignals,
        QueuedSignal,
    )
    from workflows._policies import DB_ACTIVITY


@workflow.defn(name="LoadDelivery")
class LoadDeliveryWorkflow:
    @workflow.run
    async def run(self, inp: LoadDelivery) -> LoadDelivered:
        done = inp
        for _ in range(inp.pages_per_run):
            page: list[QueuedSignal] = await workflow.execute_activity_method(
                LoadDeliveryActivities.pending, PendingSignals(inp.load_key, inp.page_size),
                **DB_ACTIVITY)
            if not page:
                return LoadDelivered(inp.load_key, done.told, done.not_running)
            sent = await self._send(inp.load_key, page)
            await workflow.execute_activity_method(LoadDeliveryActivities.mark, sent,
                                                   **DB_ACTIVITY)
            done = replace(done, told=done.told + len(sent.told),
                           not_running=done.not_running + len(sent.not_running))
        workflow.continue_as_new(done)

    @staticmethod
    async def _send(load_key: str, page: list[QueuedSignal]) -> DeliveredPage:
        told: list[int] = []
        not_running: list[int] = []
        for start in range(0, len(page), SIGNALS_AT_ONCE):
            batch = page[start:start + SIGNALS_AT_ONCE]
            taken = await asyncio.gather(*(_signal(queued) for queued in batch))
            for queued, ok in zip(batch, taken, strict=True):
                (told if ok else not_running).append(queued.id)
        return DeliveredPage(load_key, tuple(told), tuple(not_running))


async def _signal(queued: QueuedSignal) -> bool:
    """True if the workflow took the signal; False if the server found none running under the id."""
    payload = Payload(metadata={"encoding": PAYLOAD_ENCODING}, data=queued.payload.encode())
    try:
        await workflow.get_external_workflow_handle(queued.workflow_id).signal(
            queued.signal, RawValue(payload))
    except FailureError:
        return False
    return True
