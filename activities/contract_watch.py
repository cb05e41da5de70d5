"""The contract/SI mismatch watch's side effects: read the employee record, write its events."""

from __future__ import annotations

from temporalio import activity

from domain.employees.contract_watch import StatusQuery, WatchEvents
from store import employees, evidence
from store.db import engine_for


class ContractWatchActivities:
    def __init__(self, db_url: str) -> None:
        self._db_url = db_url

    @activity.defn(name="contract_si_status", no_thread_cancel_exception=True)
    def si_status(self, query: StatusQuery) -> str | None:
        """The SI status on the record on the day (None: nothing on file)."""
        status = employees.si_status_on(self._db_url, query.employee_id, query.day)
        return status.value if status else None

    @activity.defn(name="record_contract_watch_events", no_thread_cancel_exception=True)
    def record_events(self, batch: WatchEvents) -> int:
        """The watch's events in the onboarding's ledger, keyed by (watch, seq): a retry writes
        nothing twice."""
        entries = [evidence.NewEntry(
            subject_id=batch.subject_id, idempotency_key=f"{batch.watch_id}:event:{e.seq}",
            at=e.at, actor=e.actor, kind=e.kind,
            payload={"watch_id": batch.watch_id, **e.data}) for e in batch.events]
        with engine_for(self._db_url).begin() as conn:
            return evidence.append_in(conn, batch.subject_id, entries)
