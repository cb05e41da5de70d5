"""Database writes of workflows: events and list projections, idempotent by (subject, seq)."""

from __future__ import annotations

from pydantic import TypeAdapter
from temporalio import activity

from domain.disputes.records import from_outcome
from domain.injury.clocks import local_date
from domain.injury.payloads import CaseInput
from domain.injury.views import CaseProjection, CaseView
from domain.onboarding.state import OnboardingView, ProjectionUpdate
from store import closed, disputes, workflow_events

_ONBOARDING_VIEW = TypeAdapter(OnboardingView)
_CASE_VIEW = TypeAdapter(CaseView)
_CASE_INPUT = TypeAdapter(CaseInput | None)


# Every activity here runs in a thread and writes the database: a cancellation (a worker shutting
# down, a timed-out attempt) must not be raised inside it mid-query, which leaves its pooled
# connection with a command in progress. The attempt finishes or fails on its own; Temporal ignores
# a result that comes too late, and every write is keyed, so a retry writes nothing twice.
class LedgerActivities:
    """Writes what workflows report; every write is keyed so a retried activity writes once."""

    def __init__(self, db_url: str) -> None:
        self._db_url = db_url

    @activity.defn(name="record_onboarding", no_thread_cancel_exception=True)
    def record_onboarding(self, update: ProjectionUpdate) -> int:
        """Append new onboarding events and refresh the list row, in one transaction; returns the
        events written."""
        written = workflow_events.record_onboarding(self._db_url, update)
        if update.final_view is not None:
            closed.save_final(self._db_url, update.onboarding_id, "onboarding",
                              {"view": _ONBOARDING_VIEW.dump_python(update.final_view, mode="json")},
                              update.final_view.now)
        return written

    @activity.defn(name="record_case", no_thread_cancel_exception=True)
    def record_case(self, update: CaseProjection) -> int:
        """Append new case events and refresh the case's list row and deadlines (one
        transaction), then its dispute-history row and final state when it closed."""
        written = workflow_events.record_case(self._db_url, update)
        _record_outcome(self._db_url, update)
        if update.final_view is not None:
            closed.save_final(self._db_url, update.case_id, "case",
                              {"view": _CASE_VIEW.dump_python(update.final_view, mode="json"),
                               "input": _CASE_INPUT.dump_python(update.final_input, mode="json")},
                              update.final_view.now)
        return written


def _record_outcome(db_url: str, update: CaseProjection) -> None:
    """A finished case's case_outcome event becomes its dispute-history row (one per case)."""
    for event in update.events:
        if event.kind == "case_outcome":
            disputes.save_outcome(db_url, update.case_id,
                                  from_outcome(event.data, local_date(event.at)), event.at)
