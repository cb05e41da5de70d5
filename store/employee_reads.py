"""Reads of the employee record for the API: the list with its filters, and everything one
person's detail shows beside the record (onboardings, cases, notices, documents, evidence)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, select

from domain.employees.si_status import SiStatus
from store.db import engine_for
from store.employees import CHANGES, EMPLOYEES, EMPLOYMENTS, status_in_force
from store.models import (
    CaseRow,
    DocumentRow,
    EvidenceEntry,
    NoticeRow,
    OnboardingRow,
    table_of,
)

_ONBOARDINGS, _CASES = table_of(OnboardingRow), table_of(CaseRow)
_NOTICES, _DOCUMENTS, _EVIDENCE = table_of(NoticeRow), table_of(DocumentRow), table_of(EvidenceEntry)
_OPEN = exists().where(and_(EMPLOYMENTS.c.employee_id == EMPLOYEES.c.employee_id,
                            EMPLOYMENTS.c.leave_date.is_(None)))
EXPORT_MAX = 100_000


@dataclass(frozen=True)
class Filters:
    """The list's filters: department (as written), SI status in force today, employed now."""

    visible: ColumnElement[bool]
    today: date
    department: str | None = None
    si_status: SiStatus | None = None
    active: bool | None = None


def listing(db_url: str, filters: Filters, limit: int | None, offset: int
            ) -> tuple[int, list[dict[str, Any]]]:
    """One page of people by employee id, with their current employment's dates and the SI
    status in force today; and how many match."""
    status = status_in_force(filters.today)
    conditions = [filters.visible]
    if filters.department is not None:
        conditions.append(EMPLOYEES.c.department == filters.department)
    if filters.si_status is not None:
        conditions.append(status == filters.si_status.value)
    if filters.active is not None:
        conditions.append(_OPEN if filters.active else not_(_OPEN))
    where = and_(*conditions)
    query = (select(EMPLOYEES.c.employee_id, EMPLOYEES.c.name, EMPLOYEES.c.id_number,
                    EMPLOYEES.c.phone, EMPLOYEES.c.email, EMPLOYEES.c.department,
                    status.label("si_status"), _OPEN.label("active"))
             .where(where).order_by(EMPLOYEES.c.employee_id).offset(offset)
             .limit(limit if limit is not None else EXPORT_MAX))
    with engine_for(db_url).connect() as conn:
        total = conn.execute(select(func.count()).select_from(EMPLOYEES).where(where)).scalar_one()
        rows = [dict(r) for r in conn.execute(query).mappings()]
        ids = [r["employee_id"] for r in rows]
        periods = _employment_summary(conn, ids)
        since = _status_since(conn, ids, filters.today)
    for row in rows:
        row["active"] = bool(row["active"])
        row.update(periods.get(row["employee_id"], {"employments": 0}))
        row["si_since"] = since.get(row["employee_id"])
    return total, rows


def _employment_summary(conn: Any, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per person: the latest employment's dates and how many employments there were."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for e in conn.execute(select(EMPLOYMENTS).where(EMPLOYMENTS.c.employee_id.in_(chunk))
                              .order_by(EMPLOYMENTS.c.seq)).mappings():
            found[e["employee_id"]] = {
                "hire_date": e["hire_date"], "leave_date": e["leave_date"],
                "contract_start": e["contract_start"], "contract_end": e["contract_end"],
                "employments": e["seq"], "onboarding_id": e["onboarding_id"]}
    return found


def _status_since(conn: Any, ids: Sequence[str], today: date) -> dict[str, date]:
    found: dict[str, date] = {}
    for chunk in _chunks(ids):
        for c in conn.execute(select(CHANGES.c.employee_id, CHANGES.c.effective_on)
                              .where(and_(CHANGES.c.employee_id.in_(chunk),
                                          CHANGES.c.effective_on <= today))
                              .order_by(CHANGES.c.effective_on, CHANGES.c.id)):
            found[c.employee_id] = c.effective_on
    return found


def _chunks(ids: Sequence[str], size: int = 900) -> list[Sequence[str]]:
    """IN lists SQLite takes (its bound-parameter limit)."""
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def related(db_url: str, employee_id: str, evidence_keys: Sequence[str]) -> dict[str, Any]:
    """What the processes hold on one person: their onboardings and cases (list rows), the
    notices and documents of those, and the ledger entries the SI timeline cites (by key)."""
    with engine_for(db_url).connect() as conn:
        onboardings = [dict(r) for r in conn.execute(
            select(_ONBOARDINGS).where(_ONBOARDINGS.c.employee_id == employee_id)
            .order_by(_ONBOARDINGS.c.created_at)).mappings()]
        cases = [dict(r) for r in conn.execute(
            select(_CASES).where(_CASES.c.employee_id == employee_id)
            .order_by(_CASES.c.created_at)).mappings()]
        subjects = [r["id"] for r in onboardings] + [r["id"] for r in cases]
        notices = [dict(r) for r in conn.execute(
            select(_NOTICES.c.id, _NOTICES.c.subject_id, _NOTICES.c.purpose,
                   _NOTICES.c.recipient_role, _NOTICES.c.status, _NOTICES.c.created_at,
                   _NOTICES.c.answered_at)
            .where(_NOTICES.c.subject_id.in_(subjects)).order_by(_NOTICES.c.created_at)
        ).mappings()] if subjects else []
        documents = [dict(r) for r in conn.execute(
            select(_DOCUMENTS.c.id, _DOCUMENTS.c.subject_id, _DOCUMENTS.c.kind,
                   _DOCUMENTS.c.filename, _DOCUMENTS.c.content_type, _DOCUMENTS.c.size,
                   _DOCUMENTS.c.uploaded_by, _DOCUMENTS.c.uploaded_at)
            .where(_DOCUMENTS.c.subject_id.in_(subjects)).order_by(_DOCUMENTS.c.uploaded_at)
        ).mappings()] if subjects else []
        evidence = {r["idempotency_key"]: dict(r) for r in conn.execute(
            select(_EVIDENCE.c.idempotency_key, _EVIDENCE.c.subject_id, _EVIDENCE.c.seq,
                   _EVIDENCE.c.kind, _EVIDENCE.c.at, _EVIDENCE.c.actor, _EVIDENCE.c.entry_hash)
            .where(_EVIDENCE.c.idempotency_key.in_(list(evidence_keys)))).mappings()} \
            if evidence_keys else {}
    return {"onboardings": onboardings, "cases": cases, "notices": notices,
            "documents": documents, "evidence": evidence}
