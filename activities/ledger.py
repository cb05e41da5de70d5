"""Database writes of workflows: events and list projections, idempotent by (subject, seq)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from temporalio import activity

from domain.onboarding import Event, ProjectionUpdate
from store import evidence
from store.db import session_for
from store.models import OnboardingRow


class LedgerActivities:
    """Writes what workflows report; every write is keyed so a retried activity writes once."""

    def __init__(self, db_url: str) -> None:
        self._db_url = db_url

    @activity.defn(name="record_onboarding")
    def record_onboarding(self, update: ProjectionUpdate) -> int:
        """Append new onboarding events and refresh the list row; returns the events written."""
        try:
            return self._record(update)
        except IntegrityError:
            # A concurrent attempt created the list row first: the second pass updates it.
            return self._record(update)

    def _record(self, update: ProjectionUpdate) -> int:
        written = sum(evidence.append(self._db_url, _evidence(update.onboarding_id, e))[1]
                      for e in update.events)
        self._project(update)
        return written

    def _project(self, update: ProjectionUpdate) -> None:
        now = datetime.now(UTC)
        with session_for(self._db_url) as session:
            row = session.get(OnboardingRow, update.onboarding_id)
            if row is None:
                row = OnboardingRow(
                    id=update.onboarding_id, employee_id=update.employee_id,
                    employee_name=update.employee_name, department=update.department,
                    region=update.region, hire_date=update.hire_date, status=update.status,
                    si_due_at=update.si_due_at, created_by=update.created_by,
                    created_at=now, updated_at=now, last_seq=0)
            newest = max((e.seq for e in update.events), default=0)
            if newest >= row.last_seq:
                row.status, row.last_seq, row.updated_at = update.status, newest, now
            session.add(row)
            session.commit()


def _key(subject_id: str, event: Event) -> str:
    return f"{subject_id}:event:{event.seq}"


def _evidence(subject_id: str, event: Event) -> evidence.NewEntry:
    return evidence.NewEntry(subject_id=subject_id, idempotency_key=_key(subject_id, event),
                             at=event.at, actor=event.actor, kind=event.kind,
                             payload={"workflow_seq": event.seq, **event.data})
