"""Employee self-service: proposals to change one's own details, and HR's review of them.

A proposal is written with its `change_proposed` evidence entry in one transaction, superseding
the employee's pending one (the newer stands: the employee corrects themselves rather than
waiting). Approving applies the change to the employee record, records `change_approved` and
writes the outbox message telling the employee, all in one transaction; rejecting records
`change_rejected` with HR's reason and tells the employee the same way. The evidence subject is
`employee-<employee_id>`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from domain.employees import self_service as rules
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.evidence import payload_hash
from domain.shared.ids import CASE_PREFIX, ONBOARDING_PREFIX
from store import evidence
from store.db import engine_for, retrying
from store.employees import EMPLOYEES
from store.models import (
    CaseRow,
    ChangeProposalRow,
    NoticeRow,
    OnboardingRow,
    OutboxMessage,
    table_of,
)

log = logging.getLogger("caseguard.self_service")

PROPOSALS = table_of(ChangeProposalRow)
_OUTBOX, _ONBOARDINGS, _CASES = table_of(OutboxMessage), table_of(OnboardingRow), table_of(CaseRow)
SUBJECT_PREFIX = "employee-"


def subject_of(employee_id: str) -> str:
    """The evidence subject of an employee's own record: employee-<employee_id>."""
    return SUBJECT_PREFIX + employee_id


@dataclass(frozen=True)
class Pending:
    """A proposal with who it is from, for the review queue."""

    proposal: ChangeProposalRow
    name: str
    department: str


def employee_of_notice(db_url: str, notice: NoticeRow) -> str | None:
    """The employee a notice was sent to, when it was sent to the employee themselves (not a
    manager or an emergency contact) and they are on the employee record; else None."""
    if notice.recipient_role != "employee":
        return None
    subject = notice.subject_id
    with engine_for(db_url).connect() as conn:
        if subject.startswith(SUBJECT_PREFIX):
            found: str | None = subject[len(SUBJECT_PREFIX):]
        elif subject.startswith(ONBOARDING_PREFIX):
            found = conn.execute(select(_ONBOARDINGS.c.employee_id)
                                 .where(_ONBOARDINGS.c.id == subject)).scalar()
        elif subject.startswith(CASE_PREFIX):
            found = conn.execute(select(_CASES.c.employee_id)
                                 .where(_CASES.c.id == subject)).scalar()
        else:
            return None
        if found is None:
            return None
        on_file = conn.execute(select(EMPLOYEES.c.employee_id)
                               .where(EMPLOYEES.c.employee_id == found)).scalar()
    return str(on_file) if on_file is not None else None


def on_file(person: Mapping[str, Any]) -> dict[str, Any]:
    """The fields self-service may change, as the record's row holds them."""
    contacts = person.get("contacts") or {}
    return {"phone": person.get("phone"), "email": person.get("email"),
            "emergency_contact": contacts.get("emergency_contact"),
            "bank_account": person.get("bank_account")}




def _person(conn: Connection, employee_id: str) -> Any:
    query = select(EMPLOYEES).where(EMPLOYEES.c.employee_id == employee_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    person = conn.execute(query).mappings().first()
    if person is None:
        raise ActionRefused("employee.not_found", f"no employee {employee_id} on file",
                            "employee_id")
    return person


def _shown_changes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Changes as the ledger keeps them: bank numbers cut to their last 4 digits (the full
    proposal's SHA-256 is kept beside them)."""
    return [{"field": c["field"], "before": rules.shown(c["field"], c["before"], whole=False),
             "after": rules.shown(c["field"], c["after"], whole=False)} for c in changes]


# ---- proposing ---------------------------------------------------------------------------------

def propose(db_url: str, employee_id: str, proposed: dict[str, Any], notice_id: str,
            actor: str, at: datetime | None = None) -> ChangeProposalRow:
    """Store the employee's proposal (checked: rules.check_proposal) with the difference it
    makes to the record; a pending one of theirs is superseded. 422 proposal.no_change when it
    changes nothing."""
    return ChangeProposalRow.model_validate(retrying(
        db_url, _propose, employee_id, proposed, notice_id, actor, at or datetime.now(UTC)))


def _propose(conn: Connection, employee_id: str, proposed: dict[str, Any], notice_id: str,
             actor: str, at: datetime) -> dict[str, Any]:
    person = _person(conn, employee_id)
    changes = [{"field": c.field, "before": c.before, "after": c.after}
               for c in rules.changes(on_file(dict(person)), proposed)]
    earlier = [r.id for r in conn.execute(select(PROPOSALS.c.id).where(and_(
        PROPOSALS.c.employee_id == employee_id, PROPOSALS.c.status == "pending")))]
    if earlier:
        conn.execute(update(PROPOSALS).where(PROPOSALS.c.id.in_(earlier))
                     .values(status="superseded", decided_at=at, decided_by=actor))
    new_id = conn.execute(insert(PROPOSALS).values(
        employee_id=employee_id, status="pending", changes=changes, notice_id=notice_id,
        proposed_at=at, reason="").returning(PROPOSALS.c.id)).scalar_one()
    evidence.append_in(conn, subject_of(employee_id), [evidence.NewEntry(
        subject_id=subject_of(employee_id), idempotency_key=f"change-proposal:{new_id}:proposed",
        at=at, actor=actor, kind="change_proposed",
        payload={"proposal_id": new_id, "employee_id": employee_id, "notice_id": notice_id,
                 "changes": _shown_changes(changes), "changes_sha256": payload_hash(
                     {"changes": changes}), "supersedes": earlier})])
    log.info("employee %s proposed changes to %s (proposal %s)", employee_id,
             ", ".join(c["field"] for c in changes), new_id)
    row = conn.execute(select(PROPOSALS).where(PROPOSALS.c.id == new_id)).mappings().one()
    return dict(row)


# ---- reading -----------------------------------------------------------------------------------

def queue(db_url: str, status: str = "pending", limit: int = 100,
          offset: int = 0) -> tuple[int, list[Pending]]:
    """Proposals of one status (oldest first: the queue's order), with the employee's name and
    department, and how many there are."""
    where = PROPOSALS.c.status == status
    with engine_for(db_url).connect() as conn:
        total = conn.execute(select(func.count()).select_from(PROPOSALS).where(where)).scalar_one()
        rows = conn.execute(
            select(PROPOSALS, EMPLOYEES.c.name, EMPLOYEES.c.department)
            .join(EMPLOYEES, EMPLOYEES.c.employee_id == PROPOSALS.c.employee_id)
            .where(where).order_by(PROPOSALS.c.proposed_at, PROPOSALS.c.id)
            .offset(offset).limit(limit)).mappings().all()
    return total, [Pending(ChangeProposalRow.model_validate(
        {k: v for k, v in r.items() if k not in ("name", "department")}),
        r["name"], r["department"]) for r in rows]


def pending_count(db_url: str) -> int:
    """How many proposals wait for HR (the dashboard's count)."""
    with engine_for(db_url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(PROPOSALS)
                                .where(PROPOSALS.c.status == "pending")).scalar_one())


def latest_of(db_url: str, employee_id: str, limit: int = 5) -> list[ChangeProposalRow]:
    """The employee's newest proposals, newest first (their page shows the outcomes)."""
    with engine_for(db_url).connect() as conn:
        rows = conn.execute(select(PROPOSALS).where(PROPOSALS.c.employee_id == employee_id)
                            .order_by(PROPOSALS.c.id.desc()).limit(limit)).mappings().all()
    return [ChangeProposalRow.model_validate(dict(r)) for r in rows]


# ---- deciding ----------------------------------------------------------------------------------

def decide(db_url: str, proposal_id: int, approve: bool, actor: str, reason: str,
           at: datetime | None = None) -> ChangeProposalRow:
    """Approve (the record takes the proposed values) or reject (a reason is required) a pending
    proposal, record it as evidence and tell the employee through the outbox, in one
    transaction. 404 proposal.not_found; 409 proposal.decided when it was decided or
    superseded already; 409 proposal.outdated when the record changed since it was proposed."""
    if not approve and not reason.strip():
        raise RuleViolation("reason", "reason.required", "a rejection needs a reason the "
                            "employee is told")
    return ChangeProposalRow.model_validate(retrying(
        db_url, _decide, proposal_id, approve, actor, reason.strip(), at or datetime.now(UTC)))


def _decide(conn: Connection, proposal_id: int, approve: bool, actor: str, reason: str,
            at: datetime) -> dict[str, Any]:
    query = select(PROPOSALS).where(PROPOSALS.c.id == proposal_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    proposal = conn.execute(query).mappings().first()
    if proposal is None:
        raise ActionRefused("proposal.not_found", f"no proposal {proposal_id}", "id")
    if proposal["status"] != "pending":
        raise ActionRefused("proposal.decided", f"proposal {proposal_id} is "
                            f"{proposal['status']} already", "id",
                            {"status": proposal["status"], "decided_by": proposal["decided_by"]})
    employee_id = proposal["employee_id"]
    person = _person(conn, employee_id)
    changes = proposal["changes"]
    if approve:
        _apply(conn, person, changes, proposal_id, at)
    status = "approved" if approve else "rejected"
    conn.execute(update(PROPOSALS).where(PROPOSALS.c.id == proposal_id).values(
        status=status, decided_by=actor, decided_at=at, reason=reason))
    fields = [c["field"] for c in changes]
    evidence.append_in(conn, subject_of(employee_id), [evidence.NewEntry(
        subject_id=subject_of(employee_id), idempotency_key=f"change-proposal:{proposal_id}:"
        f"{status}", at=at, actor=actor,
        kind="change_approved" if approve else "change_rejected",
        payload={"proposal_id": proposal_id, "employee_id": employee_id, "fields": fields,
                 "reason": reason})])
    _tell(conn, dict(person), proposal_id, approve, fields, reason, at, changes)
    log.info("proposal %s of employee %s %s by %s", proposal_id, employee_id, status, actor)
    return dict(conn.execute(select(PROPOSALS).where(PROPOSALS.c.id == proposal_id))
                .mappings().one())


def _apply(conn: Connection, person: Any, changes: list[dict[str, Any]], proposal_id: int,
           at: datetime) -> None:
    current = on_file(dict(person))
    moved = [c["field"] for c in changes if current.get(c["field"]) != c["before"]]
    if moved:
        raise ActionRefused("proposal.outdated", f"the record's {', '.join(moved)} changed since "
                            f"proposal {proposal_id} was made: reject it and let the employee "
                            "propose again", moved[0], {"fields": moved})
    values: dict[str, Any] = {"updated_at": at}
    contacts = dict(person["contacts"] or {})
    for change in changes:
        if change["field"] == "emergency_contact":
            contacts["emergency_contact"] = change["after"]
            values["contacts"] = contacts
        else:
            values[change["field"]] = change["after"]
    conn.execute(update(EMPLOYEES).where(EMPLOYEES.c.employee_id == person["employee_id"])
                 .values(**values))


def _tell(conn: Connection, person: dict[str, Any], proposal_id: int, approve: bool,
          fields: list[str], reason: str, at: datetime, changes: list[dict[str, Any]]) -> None:
    """The outcome in the employee's outbox (the addresses on file after the change): the
    fields by name, never their values."""
    after = {c["field"]: c["after"] for c in changes} if approve else {}
    subject, body = rules.outcome_message(person["name"], fields, approve, reason)
    conn.execute(insert(_OUTBOX).values(
        idempotency_key=f"change-proposal:{proposal_id}:outcome",
        subject_id=subject_of(person["employee_id"]), purpose="change_review",
        recipient_role="employee", recipient_name=person["name"],
        phone=after.get("phone", person["phone"]), email=after.get("email", person["email"]),
        subject=subject, body=body, created_at=at))

