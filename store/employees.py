"""The employee record (员工档案): people, their employments and their SI status timeline.

Writers: the API when it registers a hire (upsert_from_registration); the onboarding's projection
write (store.workflow_events → project_onboarding, in the same transaction as its events); the
SI account processes (record_si_status, record_leave). Every status change is keyed by its
evidence key, so a retried write records it once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, insert, select, update

from domain.employees.from_onboarding import EmploymentEnded, effects_of, local_date
from domain.employees.record import (
    OnFile,
    Registered,
    birth_date_of,
    check_id_free,
    check_same_person,
)
from domain.employees.si_status import SiStatus, StatusChange, check_transition, is_change
from domain.onboarding.state import ProjectionUpdate
from domain.shared.errors import ActionRefused
from domain.shared.ids import employment_of, onboarding_id
from domain.shared.people import Employee
from store.db import engine_for, retrying
from store.models import (
    EmployeeRecordRow,
    EmploymentRow,
    OnboardingRow,
    SiStatusChangeRow,
    table_of,
)

log = logging.getLogger("caseguard.store")

EMPLOYEES = table_of(EmployeeRecordRow)
EMPLOYMENTS = table_of(EmploymentRow)
CHANGES = table_of(SiStatusChangeRow)
_ONBOARDINGS = table_of(OnboardingRow)


@dataclass(frozen=True)
class Registration:
    """Who a registration is about and which employment it opens: `onboarding_id` is the
    workflow id to start (onboarding-<employee_id>, ~<employment> for a re-hire)."""

    employee_id: str
    employment: int
    onboarding_id: str
    linked: bool  # the ID number was on file: the person's employee_id is kept
    rehire: bool  # a new employment of a person whose earlier one ended


@dataclass(frozen=True)
class Current:
    """A person as of now: their open employment (None: not employed) and SI status in force."""

    employee_id: str
    name: str
    department: str
    employment: EmploymentRow | None
    si_status: SiStatus | None
    si_since: date | None


@dataclass(frozen=True)
class EmployeeRecord:
    """Everything the record holds of one person, for GET /api/v1/employees/{employee_id}."""

    person: EmployeeRecordRow
    employments: list[EmploymentRow]
    timeline: list[SiStatusChangeRow]




# ---- registration ------------------------------------------------------------------------------

def upsert_from_registration(db_url: str, employee: Employee, *, hire_date: date, region: str,
                             contract_start: date | None = None, contract_end: date | None = None,
                             at: datetime | None = None) -> Registration:
    """The person and employment a registration (already validated: domain.onboarding.intake)
    is about. An ID number on file links to that person, whose employee_id is kept; the same ID
    number under another name or birth date, or an employee_id on file with another ID number,
    is refused (ActionRefused 409, naming both records). An open employment is the one
    registered (its onboarding's id: a second registration meets onboarding.exists); after one
    that ended, a new employment is opened (a re-hire)."""
    return retrying(db_url, _upsert, employee, hire_date, region, contract_start, contract_end,
                     at or datetime.now(UTC))


def check_registration(db_url: str, employee: Employee) -> bool:
    """The checks of upsert_from_registration without its writes (a bulk import checks every
    row first): raises its 409s; answers whether this employment is registered already."""
    with engine_for(db_url).connect() as conn:
        _, _, latest = _identify(conn, employee)
        return latest is not None and latest["leave_date"] is None and _recorded(conn, latest)


def _identify(conn: Connection, emp: Employee
              ) -> tuple[RowMapping | None, bool, RowMapping | None]:
    """The person on file a registration names (by ID number, else by employee id), whether the
    ID number linked them, and their latest employment."""
    registered = Registered(employee_id=emp.employee_id, name=emp.name,
                            birth_date=birth_date_of(emp.id_number), id_number=emp.id_number)
    person = _one(conn, EMPLOYEES.c.id_number == emp.id_number)
    linked = person is not None
    if person is not None:
        check_same_person(_on_file(person), registered)
    else:
        person = _one(conn, EMPLOYEES.c.employee_id == emp.employee_id)
        if person is not None:
            check_id_free(_on_file(person), registered)
    employee_id = person["employee_id"] if person is not None else emp.employee_id
    latest = conn.execute(select(EMPLOYMENTS).where(EMPLOYMENTS.c.employee_id == employee_id)
                          .order_by(EMPLOYMENTS.c.seq.desc()).limit(1)).mappings().first()
    return person, linked, latest


def _upsert(conn: Connection, emp: Employee, hire_date: date, region: str,
            contract_start: date | None, contract_end: date | None, at: datetime) -> Registration:
    person, linked, latest = _identify(conn, emp)
    employee_id = person["employee_id"] if person is not None else emp.employee_id
    if latest is not None and latest["leave_date"] is None and _recorded(conn, latest):
        # Registered already: nothing changes, and the API answers onboarding.exists.
        return Registration(employee_id, latest["seq"], latest["onboarding_id"], linked, False)
    person_values = {"phone": emp.phone, "email": emp.email, "department": emp.department,
                     "contacts": _contacts(emp), "updated_at": at,
                     "id_number": emp.id_number, "birth_date": birth_date_of(emp.id_number)}
    if person is None:
        conn.execute(insert(EMPLOYEES).values(employee_id=employee_id, name=emp.name,
                                              created_at=at, **person_values))
    else:
        conn.execute(update(EMPLOYEES).where(EMPLOYEES.c.employee_id == employee_id)
                     .values(**person_values))
    employment = {"department": emp.department, "region": region, "hire_date": hire_date,
                  "contract_start": contract_start, "contract_end": contract_end,
                  "updated_at": at}
    if latest is not None and latest["leave_date"] is None:
        # Open but never recorded (its start failed): the registration retried takes it over.
        conn.execute(update(EMPLOYMENTS).where(EMPLOYMENTS.c.id == latest["id"]).values(**employment))
        return Registration(employee_id, latest["seq"], latest["onboarding_id"], linked, False)
    seq = 1 if latest is None else latest["seq"] + 1
    onboarding = onboarding_id(employee_id, seq)
    conn.execute(insert(EMPLOYMENTS).values(employee_id=employee_id, seq=seq,
                                            onboarding_id=onboarding, leave_reason="",
                                            created_at=at, **employment))
    return Registration(employee_id, seq, onboarding, linked, latest is not None)


def _one(conn: Connection, where: Any) -> RowMapping | None:
    query = select(EMPLOYEES).where(where)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).mappings().first()


def _on_file(row: RowMapping) -> OnFile:
    return OnFile(employee_id=row["employee_id"], name=row["name"], birth_date=row["birth_date"],
                  id_number=row["id_number"])


def _recorded(conn: Connection, employment: RowMapping) -> bool:
    if employment["onboarding_id"] is None:
        return True
    return conn.execute(select(_ONBOARDINGS.c.id)
                        .where(_ONBOARDINGS.c.id == employment["onboarding_id"])).first() is not None


def _contacts(emp: Employee) -> dict[str, Any]:
    manager = emp.manager
    contacts: dict[str, Any] = {"manager": {"name": manager.name, "phone": manager.phone,
                                            "email": manager.email}}
    if emp.emergency_contact is not None:
        ec = emp.emergency_contact
        contacts["emergency_contact"] = {"name": ec.name, "relation": ec.relation,
                                         "phone": ec.phone}
    return contacts


# ---- SI status --------------------------------------------------------------------------------

def record_si_status(db_url: str, employee_id: str, status: SiStatus | str, effective_on: date,
                     source: str, evidence_key: str, at: datetime) -> bool:
    """Record a change of the person's SI status; returns whether it wrote. A known evidence_key
    writes nothing (a retried activity); so does the status in force repeated. A change the
    statuses do not allow, or one dated before the latest change, is refused (ActionRefused
    409: si_status.transition, si_status.backdated); an unknown person too
    (employee.not_found)."""
    change = StatusChange(SiStatus(status), effective_on, source, evidence_key)
    return retrying(db_url, _record_status, employee_id, change, at)


def _record_status(conn: Connection, employee_id: str, change: StatusChange,
                   at: datetime) -> bool:
    if conn.execute(select(CHANGES.c.id).where(CHANGES.c.evidence_key == change.evidence_key)
                    ).first() is not None:
        return False
    if _one(conn, EMPLOYEES.c.employee_id == employee_id) is None:  # locks the person on PG
        raise ActionRefused("employee.not_found", f"no employee {employee_id} on file",
                            "employee_id", {"employee_id": employee_id})
    latest = conn.execute(select(CHANGES.c.status, CHANGES.c.effective_on)
                          .where(CHANGES.c.employee_id == employee_id)
                          .order_by(CHANGES.c.effective_on.desc(), CHANGES.c.id.desc())
                          .limit(1)).first()
    before = SiStatus(latest.status) if latest else None
    if not is_change(before, change.status):
        return False
    check_transition(before, change.status, latest_on=latest.effective_on if latest else None,
                     effective_on=change.effective_on)
    conn.execute(insert(CHANGES).values(
        employee_id=employee_id, status=change.status.value, effective_on=change.effective_on,
        recorded_at=at, source=change.source, evidence_key=change.evidence_key))
    return True


def si_status_on(db_url: str, employee_id: str, day: date) -> SiStatus | None:
    """The SI status in force on `day` (an accident's date): the latest change effective on or
    before it; None when nothing was on file then."""
    with engine_for(db_url).connect() as conn:
        found = conn.execute(_status_on(employee_id, day)).scalar()
    return SiStatus(found) if found else None


def _status_on(employee_id: Any, day: date) -> Any:
    return (select(CHANGES.c.status)
            .where(and_(CHANGES.c.employee_id == employee_id, CHANGES.c.effective_on <= day))
            .order_by(CHANGES.c.effective_on.desc(), CHANGES.c.id.desc()).limit(1))


def status_in_force(day: date) -> Any:
    """The SI status in force on `day` of each row of `employees`, as a correlated scalar
    subquery (for lists and their filters)."""
    return _status_on(EMPLOYEES.c.employee_id, day).correlate(EMPLOYEES).scalar_subquery()


def current(db_url: str, employee_id: str, today: date | None = None) -> Current | None:
    """The person as of `today` (default: today in Beijing): open employment and SI status."""
    day = today or local_date(datetime.now(UTC))
    with engine_for(db_url).connect() as conn:
        person = conn.execute(select(EMPLOYEES).where(EMPLOYEES.c.employee_id == employee_id)
                              ).mappings().first()
        if person is None:
            return None
        open_row = conn.execute(select(EMPLOYMENTS).where(and_(
            EMPLOYMENTS.c.employee_id == employee_id, EMPLOYMENTS.c.leave_date.is_(None)))
            .order_by(EMPLOYMENTS.c.seq.desc()).limit(1)).mappings().first()
        latest = conn.execute(select(CHANGES.c.status, CHANGES.c.effective_on).where(and_(
            CHANGES.c.employee_id == employee_id, CHANGES.c.effective_on <= day))
            .order_by(CHANGES.c.effective_on.desc(), CHANGES.c.id.desc()).limit(1)).first()
    return Current(employee_id=employee_id, name=person["name"], department=person["department"],
                   employment=EmploymentRow.model_validate(dict(open_row)) if open_row else None,
                   si_status=SiStatus(latest.status) if latest else None,
                   si_since=latest.effective_on if latest else None)


# ---- employments ------------------------------------------------------------------------------

def record_leave(db_url: str, employee_id: str, leave_date: date, reason: str, at: datetime,
                 onboarding: str | None = None) -> bool:
    """End the person's open employment (or the one of `onboarding`) on `leave_date`; returns
    whether it wrote (an employment already ended keeps its date)."""
    return retrying(db_url, _end_employment, employee_id,
                     leave_date, reason, at, onboarding)


def _end_employment(conn: Connection, employee_id: str, leave_date: date, reason: str,
                    at: datetime, onboarding: str | None) -> bool:
    which = (EMPLOYMENTS.c.onboarding_id == onboarding) if onboarding else \
        (EMPLOYMENTS.c.employee_id == employee_id)
    done = conn.execute(update(EMPLOYMENTS).where(and_(which, EMPLOYMENTS.c.leave_date.is_(None)))
                        .values(leave_date=leave_date, leave_reason=reason, updated_at=at))
    return bool(done.rowcount)


def record_contract(db_url: str, employee_id: str, contract_start: date | None,
                    contract_end: date | None, at: datetime) -> bool:
    """Set the contract dates of the person's open employment (a contract signed after the
    registration); returns whether an open employment took them."""
    def write(conn: Connection) -> bool:
        done = conn.execute(update(EMPLOYMENTS).where(and_(
            EMPLOYMENTS.c.employee_id == employee_id, EMPLOYMENTS.c.leave_date.is_(None)))
            .values(contract_start=contract_start, contract_end=contract_end, updated_at=at))
        return bool(done.rowcount)
    return retrying(db_url, write)


# ---- reads ------------------------------------------------------------------------------------

def record_of(db_url: str, employee_id: str) -> EmployeeRecord | None:
    """The person, every employment (oldest first) and the SI timeline (in force order)."""
    with engine_for(db_url).connect() as conn:
        person = conn.execute(select(EMPLOYEES).where(EMPLOYEES.c.employee_id == employee_id)
                              ).mappings().first()
        if person is None:
            return None
        employments = conn.execute(select(EMPLOYMENTS).where(
            EMPLOYMENTS.c.employee_id == employee_id).order_by(EMPLOYMENTS.c.seq)).mappings().all()
        timeline = conn.execute(select(CHANGES).where(CHANGES.c.employee_id == employee_id)
                                .order_by(CHANGES.c.effective_on, CHANGES.c.id)).mappings().all()
    return EmployeeRecord(
        person=EmployeeRecordRow.model_validate(dict(person)),
        employments=[EmploymentRow.model_validate(dict(e)) for e in employments],
        timeline=[SiStatusChangeRow.model_validate(dict(c)) for c in timeline])


def on_file(db_url: str, employee_id: str) -> bool:
    """Whether the record holds this employee id."""
    with engine_for(db_url).connect() as conn:
        return conn.execute(select(EMPLOYEES.c.employee_id)
                            .where(EMPLOYEES.c.employee_id == employee_id)).first() is not None


# ---- the onboarding's projection write --------------------------------------------------------

def project_onboarding(conn: Connection, update_: ProjectionUpdate) -> None:
    """Inside the onboarding's projection transaction (store.workflow_events): what its new events
    change on the record. Only the watched events cost a query. A change the record refuses
    (e.g. a re-hire registered while an earlier account still shows paid) is logged, not raised:
    the onboarding's events must be written whatever the record makes of them."""
    effects = effects_of(update_.onboarding_id, update_.hire_date, update_.events)
    if not effects:
        return
    at = datetime.now(UTC)
    _ensure_person(conn, update_, at)
    for effect in effects:
        if isinstance(effect, EmploymentEnded):
            _end_employment(conn, update_.employee_id, effect.leave_date, effect.reason, at,
                            effect.onboarding_id)
            continue
        try:
            _record_status(conn, update_.employee_id, effect, at)  # refuses before it writes
        except ActionRefused as refused:
            log.warning("SI status of %s not changed by %s: %s", update_.employee_id,
                        effect.evidence_key, refused.code)


def _ensure_person(conn: Connection, update_: ProjectionUpdate, at: datetime) -> None:
    """An onboarding registered before the record existed, or whose API write did not come
    first: the person and the employment from what the projection carries."""
    if conn.execute(select(EMPLOYMENTS.c.id).where(
            EMPLOYMENTS.c.onboarding_id == update_.onboarding_id)).first() is not None:
        return
    if conn.execute(select(EMPLOYEES.c.employee_id).where(
            EMPLOYEES.c.employee_id == update_.employee_id)).first() is None:
        conn.execute(insert(EMPLOYEES).values(
            employee_id=update_.employee_id, name=update_.employee_name,
            department=update_.department, contacts={}, created_at=at, updated_at=at))
    conn.execute(insert(EMPLOYMENTS).values(
        employee_id=update_.employee_id, seq=employment_of(update_.onboarding_id),
        onboarding_id=update_.onboarding_id, department=update_.department,
        region=update_.region, hire_date=update_.hire_date, leave_reason="", created_at=at,
        updated_at=at))


def last_employment(db_url: str, employee_id: str) -> EmploymentRow | None:
    """The person's latest employment, open or ended."""
    with engine_for(db_url).connect() as conn:
        row = conn.execute(select(EMPLOYMENTS).where(EMPLOYMENTS.c.employee_id == employee_id)
                           .order_by(EMPLOYMENTS.c.seq.desc()).limit(1)).mappings().first()
    return EmploymentRow.model_validate(dict(row)) if row else None


def employments_of(db_url: str, employee_ids: Sequence[str]) -> dict[str, list[EmploymentRow]]:
    """The employments of several people (oldest first), for lists and exports."""
    if not employee_ids:
        return {}
    with engine_for(db_url).connect() as conn:
        rows = conn.execute(select(EMPLOYMENTS).where(EMPLOYMENTS.c.employee_id.in_(employee_ids))
                            .order_by(EMPLOYMENTS.c.employee_id, EMPLOYMENTS.c.seq)).mappings().all()
    found: dict[str, list[EmploymentRow]] = {}
    for row in rows:
        found.setdefault(row["employee_id"], []).append(EmploymentRow.model_validate(dict(row)))
    return found
