"""Database writes of workflows: events and list projections, idempotent by (subject, seq)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import TypeAdapter
from sqlalchemy.exc import IntegrityError
from temporalio import activity

from domain.disputes.records import from_outcome
from domain.injury.clocks import local_date
from domain.injury.payloads import CaseInput
from domain.injury.views import CaseProjection, CaseView
from domain.onboarding.state import OnboardingView, ProjectionUpdate
from store import closed, disputes, evidence, workflow_events
from store.db import session_for
from store.models import CaseDeadlineEntry, CaseRow

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
        """Append new case events and refresh the case's list row and deadlines."""
        entries = (workflow_events.event_entry(update.case_id, e) for e in update.events)
        written = sum(evidence.append(self._db_url, entry)[1] for entry in entries)
        try:
            self._project_case(update)
        except IntegrityError:
            self._project_case(update)  # a concurrent first write won: update what it wrote
        _record_outcome(self._db_url, update)
        if update.final_view is not None:
            closed.save_final(self._db_url, update.case_id, "case",
                              {"view": _CASE_VIEW.dump_python(update.final_view, mode="json"),
                               "input": _CASE_INPUT.dump_python(update.final_input, mode="json")},
                              update.final_view.now)
        return written

    def _project_case(self, update: CaseProjection) -> None:
        now = datetime.now(UTC)
        newest = max((e.seq for e in update.events), default=0)
        with session_for(self._db_url) as session:
            row = session.get(CaseRow, update.case_id)
            if row is None:
                row = CaseRow(id=update.case_id, employee_id=update.employee_id,
                              employee_name=update.employee_name, department=update.department,
                              region=update.region, accident_at=update.accident_at,
                              stage=update.stage, created_by=update.created_by, created_at=now,
                              updated_at=now, last_seq=0)
            if newest < row.last_seq:
                return  # an older flush retried after a newer one: nothing to refresh
            row.stage, row.last_seq, row.updated_at = update.stage, newest, now
            row.owner = update.owner
            session.add(row)
            for d in update.deadlines:
                entry = session.get(CaseDeadlineEntry, (update.case_id, d.name)) or \
                    CaseDeadlineEntry(case_id=update.case_id, name=d.name, due_at=d.due_at,
                                      kind=d.kind, article=d.article)
                entry.due_at, entry.met_at, entry.active = d.due_at, d.met_at, d.active
                entry.kind, entry.article = d.kind, d.article
                session.add(entry)
            session.commit()


def _record_outcome(db_url: str, update: CaseProjection) -> None:
    """A finished case's case_outcome event becomes its dispute-history row (one per case)."""
    for event in update.events:
        if event.kind == "case_outcome":
            disputes.save_outcome(db_url, update.case_id,
                                  from_outcome(event.data, local_date(event.at)), event.at)
