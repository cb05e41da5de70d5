"""Events that workflows report, written to the evidence ledger with the list rows they refresh.

Every event is keyed by (subject, workflow sequence), so whoever writes it first (the worker's
activity, or the API recording a registration) writes it, and every later attempt writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from domain.injury.views import CaseDeadlineRow, CaseProjection
from domain.onboarding.state import ProjectionUpdate
from domain.shared.events import Event
from store import employees, evidence
from store.db import engine_for, first_turn, retrying, row_exists
from store.models import CaseDeadlineEntry, CaseRow, OnboardingRow, table_of


def event_entry(subject_id: str, event: Event) -> evidence.NewEntry:
    return evidence.NewEntry(subject_id=subject_id, idempotency_key=f"{subject_id}:event:{event.seq}",
                             at=event.at, actor=event.actor, kind=event.kind,
                             payload={"workflow_seq": event.seq, **event.data})


def record_onboarding(db_url: str, update: ProjectionUpdate) -> int:
    """Append new onboarding events and refresh the list row, in one transaction; returns the
    events written. Runs on every onboarding write (registration, HR actions, clocks), so it uses
    prebuilt Core statements rather than the ORM."""
    # A concurrent writer that took a key, the sequence or the list row first rolls the
    # transaction back whole; the next pass reads again and writes what is new.
    with first_turn():
        return retrying(db_url, _record, update, attempts=evidence.APPEND_ATTEMPTS)


def record_registration(db_url: str, registration: ProjectionUpdate,
                        missed_loads: Callable[[Connection], object] = lambda _conn: None) -> int:
    """The first write of an onboarding the API has just started: its events open the ledger
    chain and its list row is inserted, two statements and no reads. If the ledger or the list
    already knows it (the workflow wrote first; an earlier onboarding of the same employee left
    its chain), that transaction rolls back whole and record_onboarding writes what is new.

    `missed_loads(conn)` runs first in the same transaction (else in one of its own after
    record_onboarding): it queues the signals of the policy loads the onboarding's figures were
    pinned before (store/policy_loads.share_load_lock), so no load and no registration miss
    each other."""
    try:
        entries = [event_entry(registration.onboarding_id, e) for e in registration.events]
        with engine_for(db_url).begin() as conn:
            missed_loads(conn)
            written = evidence.open_in(conn, registration.onboarding_id, entries)
            _insert_row(conn, registration)
            employees.project_onboarding(conn, registration)
        return written
    except IntegrityError:
        written = record_onboarding(db_url, registration)
        with engine_for(db_url).begin() as conn:
            missed_loads(conn)
        return written


def onboarding_recorded(db_url: str, onboarding_id: str) -> bool:
    """Whether the records hold this onboarding. They outlive Temporal's retention period, after
    which Temporal would let the same id start again; the new run's events, keyed by id and
    sequence, would then be taken for the earlier run's and never written. So an id the records
    hold stays taken (the API answers 409)."""
    return row_exists(db_url, _ONBOARDINGS, onboarding_id)


def case_recorded(db_url: str, case_id: str) -> bool:
    """Whether the records hold this case; as onboarding_recorded."""
    return row_exists(db_url, table_of(CaseRow), case_id)


def _record(conn: Connection, update: ProjectionUpdate) -> int:
    entries = [event_entry(update.onboarding_id, e) for e in update.events]
    written = evidence.append_in(conn, update.onboarding_id, entries)
    _project_onboarding(conn, update)
    employees.project_onboarding(conn, update)
    return written


_ONBOARDINGS = table_of(OnboardingRow)
_ROW_LAST_SEQ = select(_ONBOARDINGS.c.last_seq).where(_ONBOARDINGS.c.id == bindparam("row_id"))
_ROW_INSERT = insert(_ONBOARDINGS)
_ROW_UPDATE = (sql_update(_ONBOARDINGS).where(_ONBOARDINGS.c.id == bindparam("row_id"))
               .values(status=bindparam("status"), last_seq=bindparam("last_seq"),
                       updated_at=bindparam("updated_at"), owner=bindparam("owner")))


def _project_onboarding(conn: Connection, update: ProjectionUpdate) -> None:
    """Create or refresh the onboarding's list row; an older write retried late changes nothing."""
    last_seq = conn.execute(_ROW_LAST_SEQ, {"row_id": update.onboarding_id}).scalar()
    if last_seq is None:
        _insert_row(conn, update)
    elif (newest := _newest_seq(update)) >= last_seq:
        conn.execute(_ROW_UPDATE, {"row_id": update.onboarding_id, "status": update.status,
                                   "last_seq": newest, "updated_at": datetime.now(UTC),
                                   "owner": update.owner})


def _insert_row(conn: Connection, update: ProjectionUpdate) -> None:
    now = datetime.now(UTC)
    conn.execute(_ROW_INSERT, {
        "id": update.onboarding_id, "employee_id": update.employee_id,
        "employee_name": update.employee_name, "department": update.department,
        "region": update.region, "hire_date": update.hire_date, "status": update.status,
        "si_due_at": update.si_due_at, "created_by": update.created_by, "created_at": now,
        "updated_at": now, "last_seq": _newest_seq(update), "owner": update.owner})


def _newest_seq(update: ProjectionUpdate) -> int:
    return max((e.seq for e in update.events), default=0)


def record_case(db_url: str, update: CaseProjection) -> int:
    """Append new case events and refresh the case's list row and deadlines, in one transaction;
    returns the events written. Runs on every case write, so it uses prebuilt Core statements (it
    was one transaction per event, then one for the row, through the ORM: ~3 ms CPU and a lock
    turn per event)."""
    with first_turn():
        return retrying(db_url, _record_case, update, attempts=evidence.APPEND_ATTEMPTS)


def _record_case(conn: Connection, update: CaseProjection) -> int:
    entries = [event_entry(update.case_id, e) for e in update.events]
    written = evidence.append_in(conn, update.case_id, entries)
    if _project_case(conn, update):
        _project_deadlines(conn, update)
    return written


_CASES, _DEADLINES = table_of(CaseRow), table_of(CaseDeadlineEntry)
_CASE_LAST_SEQ = select(_CASES.c.last_seq).where(_CASES.c.id == bindparam("row_id"))
_CASE_INSERT = insert(_CASES)
_CASE_UPDATE = (sql_update(_CASES).where(_CASES.c.id == bindparam("row_id"))
                .values(stage=bindparam("stage"), last_seq=bindparam("last_seq"),
                        updated_at=bindparam("updated_at"), owner=bindparam("owner"),
                        next_due_at=bindparam("next_due_at")))
_DEADLINE_NAMES = select(_DEADLINES.c.name).where(_DEADLINES.c.case_id == bindparam("row_id"))
_DEADLINE_INSERT = insert(_DEADLINES)
_DEADLINE_UPDATE = (sql_update(_DEADLINES)
                    .where(_DEADLINES.c.case_id == bindparam("row_id"),
                           _DEADLINES.c.name == bindparam("row_name"))
                    .values(due_at=bindparam("due_at"), met_at=bindparam("met_at"),
                            active=bindparam("active"), kind=bindparam("kind"),
                            article=bindparam("article")))


def _project_case(conn: Connection, update: CaseProjection) -> bool:
    """Create or refresh the case's list row; False when an older write retried late (it then
    changes nothing, its deadlines included)."""
    now, newest = datetime.now(UTC), max((e.seq for e in update.events), default=0)
    last_seq = conn.execute(_CASE_LAST_SEQ, {"row_id": update.case_id}).scalar()
    if last_seq is None:
        conn.execute(_CASE_INSERT, {
            "id": update.case_id, "employee_id": update.employee_id,
            "employee_name": update.employee_name, "department": update.department,
            "region": update.region, "accident_at": update.accident_at, "stage": update.stage,
            "created_by": update.created_by, "owner": update.owner, "created_at": now,
            "updated_at": now, "last_seq": newest, "next_due_at": _next_due(update)})
        return True
    if newest < last_seq:
        return False
    conn.execute(_CASE_UPDATE, {"row_id": update.case_id, "stage": update.stage,
                                "last_seq": newest, "updated_at": now, "owner": update.owner,
                                "next_due_at": _next_due(update)})
    return True


def _next_due(update: CaseProjection) -> datetime | None:
    """The case's soonest open deadline (the board's order), as its deadline rows say."""
    return min((d.due_at for d in update.deadlines if d.active and d.met_at is None),
               default=None)


def _project_deadlines(conn: Connection, update: CaseProjection) -> None:
    known = set(conn.execute(_DEADLINE_NAMES, {"row_id": update.case_id}).scalars())
    def values(d: CaseDeadlineRow) -> dict[str, Any]:
        return {"due_at": d.due_at, "met_at": d.met_at, "active": d.active, "kind": d.kind,
                "article": d.article}

    new = [{**values(d), "case_id": update.case_id, "name": d.name}
           for d in update.deadlines if d.name not in known]
    old = [{**values(d), "row_id": update.case_id, "row_name": d.name}
           for d in update.deadlines if d.name in known]
    if new:
        conn.execute(_DEADLINE_INSERT, new)
    if old:
        conn.execute(_DEADLINE_UPDATE, old)
