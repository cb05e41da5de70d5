"""A load's delivery (workflows/load_delivery.py): read a page of its queued signals, mark a page
sent. The signals themselves are sent by the workflow, so its history says which went out."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

from domain.shared.load_delivery import DeliveredPage, PendingSignals, QueuedSignal
from store import load_deliveries


class LoadDeliveryActivities:
    def __init__(self, db_url: str) -> None:
        self._db_url = db_url

    @activity.defn(name="pending_load_signals", no_thread_cancel_exception=True)
    def pending(self, page: PendingSignals) -> list[QueuedSignal]:
        """The load's oldest queued signals no run has marked."""
        return load_deliveries.pending(self._db_url, page.load_key, page.limit)

    @activity.defn(name="mark_load_signals", no_thread_cancel_exception=True)
    def mark(self, page: DeliveredPage) -> int:
        """Mark a page sent; a retry marks nothing twice."""
        return load_deliveries.mark(self._db_url, page, datetime.now(UTC))
