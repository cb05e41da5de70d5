"""Database writes of workflows: events and list projections, idempotent by (subject, seq)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from temporalio import activity

from domain.dispute_records import from_outcome
from domain.injury_case import CaseProjection
from domain.injury_clocks import local_date
from domain.onboarding import Event, ProjectionUpdate
from store import disputes, evidence
from store.db import engine_for, session_for
from store.models import CaseDeadlineEntry, CaseRow, OnboardingRow


class LedgerActivities:
    """Writes what workflows report; every write is keyed so a retried activity writes once."""

    def __init__(self, db_url: str) -> None:
        self._db_url = db_url

    @activity.defn(name="record_onboarding")
    def record_onboarding(self, update: ProjectionUpdate) -> int:
        """Append new onboarding events and refresh the list row, in one transaction; returns the
        events written. Runs as a local activity on every onboarding flush (start, each HR action,
        each clock), so it uses prebuilt Core statements rather than the ORM."""
        for _ in range(evidence.APPEND_ATTEMPTS - 1):
            try:
                return self._record(update)
            except IntegrityError:
                # A concurrent writer took the key, the sequence or the list row first: the
                # transaction rolled back whole; the next pass reads again and writes what is new.
                continue
        return self._record(update)

    def _record(self, update: ProjectionUpdate) -> int:
        entries = [_evidence(update.onboarding_id, e) for e in update.events]
        with engine_for(self._db_url).begin() as conn:
            written = evidence.append_in(conn, update.onboarding_id, entries)
            _project_onboarding(conn, update)
        return written


    @activity.defn(name="record_case")
    def record_case(self, update: CaseProjection) -> int:
        """Append new case events and refresh the case's list row and deadlines."""
        written = sum(evidence.append(self._db_url, _evidence(update.case_id, e))[1]
                      for e in update.events)
        try:
            self._project_case(update)
        except IntegrityError:
            self._project_case(update)  # a concurrent first write won: update what it wrote
        _record_outcome(self._db_url, update)
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
            session.add(row)
            for d in update.deadlines:
                entry = session.get(CaseDeadlineEntry, (update.case_id, d.name)) or \
                    CaseDeadlineEntry(case_id=update.case_id, name=d.name, due_at=d.due_at,
                                      kind=d.kind, article=d.article)
                entry.due_at, entry.met_at, entry.active = d.due_at, d.met_at, d.active
                entry.kind, entry.article = d.kind, d.article
                session.add(entry)
            session.commit()


_ONBOARDINGS = OnboardingRow.__table__  # type: ignore[attr-defined]
_ROW_LAST_SEQ = select(_ONBOARDINGS.c.last_seq).where(_ONBOARDINGS.c.id == bindparam("row_id"))
_ROW_INSERT = insert(_ONBOARDINGS)
_ROW_UPDATE = (sql_update(_ONBOARDINGS).where(_ONBOARDINGS.c.id == bindparam("row_id"))
               .values(status=bindparam("status"), last_seq=bindparam("last_seq"),
                       updated_at=bindparam("updated_at")))


def _project_onboarding(conn: Connection, update: ProjectionUpdate) -> None:
    """Create or refresh the onboarding's list row; an older flush retried late changes nothing."""
    now = datetime.now(UTC)
    newest = max((e.seq for e in update.events), default=0)
    last_seq = conn.execute(_ROW_LAST_SEQ, {"row_id": update.onboarding_id}).scalar()
    if last_seq is None:
        conn.execute(_ROW_INSERT, {
            "id": update.onboarding_id, "employee_id": update.employee_id,
            "employee_name": update.employee_name, "department": update.department,
            "region": update.region, "hire_date": update.hire_date, "status": update.status,
            "si_due_at": update.si_due_at, "created_by": update.created_by, "created_at": now,
            "updated_at": now, "last_seq": newest})
    elif newest >= last_seq:
        conn.execute(_ROW_UPDATE, {"row_id": update.onboarding_id, "status": update.status,
                                   "last_seq": newest, "updated_at": now})


def _record_outcome(db_url: str, update: CaseProjection) -> None:
    """A finished case's case_outcome event becomes its dispute-history row (one per case)."""
    for event in update.events:
        if event.kind == "case_outcome":
            disputes.save_outcome(db_url, update.case_id,
                                  from_outcome(event.data, local_date(event.at)), event.at)


def _key(subject_id: str, event: Event) -> str:
    return f"{subject_id}:event:{event.seq}"


def _evidence(subject_id: str, event: Event) -> evidence.NewEntry:
    return evidence.NewEntry(subject_id=subject_id, idempotency_key=_key(subject_id, event),
                             at=event.at, actor=event.actor, kind=event.kind,
                             payload={"workflow_seq": event.seq, **event.data})
