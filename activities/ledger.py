"""Database writes of workflows: events and list projections, idempotent by (subject, seq)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from temporalio import activity

from domain.onboarding import ProjectionUpdate
from store.db import session_for
from store.models import OnboardingEventRow, OnboardingRow


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
            # A concurrent attempt wrote the same events first: the second pass finds them.
            return self._record(update)

    def _record(self, update: ProjectionUpdate) -> int:
        now = datetime.now(UTC)
        with session_for(self._db_url) as session:
            seqs = [e.seq for e in update.events]
            stored = set(session.exec(
                select(OnboardingEventRow.seq).where(
                    OnboardingEventRow.onboarding_id == update.onboarding_id,
                    OnboardingEventRow.seq.in_(seqs),  # type: ignore[attr-defined]
                )
            ).all())
            fresh = [e for e in update.events if e.seq not in stored]
            for e in fresh:
                session.add(OnboardingEventRow(onboarding_id=update.onboarding_id, seq=e.seq,
                                               at=e.at, kind=e.kind, actor=e.actor,
                                               data=dict(e.data)))
            row = session.get(OnboardingRow, update.onboarding_id)
            if row is None:
                row = OnboardingRow(
                    id=update.onboarding_id, employee_id=update.employee_id,
                    employee_name=update.employee_name, department=update.department,
                    region=update.region, hire_date=update.hire_date, status=update.status,
                    si_due_at=update.si_due_at, created_by=update.created_by,
                    created_at=now, updated_at=now, last_seq=0)
            newest = max(seqs, default=0)
            if newest >= row.last_seq:
                row.status, row.last_seq, row.updated_at = update.status, newest, now
            session.add(row)
            session.commit()
            return len(fresh)
