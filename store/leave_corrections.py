"""A leave day corrected on the employee record (POST …/leave/correction): the employment's
leave date and the correction's evidence entry, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from domain.shared.errors import ActionRefused
from store import evidence
from store.db import engine_for, retrying
from store.employees import EMPLOYMENTS
from store.models import EvidenceEntry, table_of
from store.self_service import subject_of

KIND = "leave_date_corrected"
_EVIDENCE = table_of(EvidenceEntry)


@dataclass(frozen=True)
class LeaveCorrection:
    """Employment `employment` of `employee_id` ended on `before`, corrected to `after`; `details`
    is what the correction changed elsewhere (the SI stop, the double wage), for the evidence."""

    employee_id: str
    employment: int
    before: date
    after: date
    reason: str
    actor: str
    at: datetime
    details: dict[str, Any]


def correct(db_url: str, correction: LeaveCorrection) -> bool:
    """Write the corrected day once: False when the record has it already (a repeated call);
    refused when the day on record is neither (another correction came first)."""
    return retrying(db_url, _correct, correction)


def _correct(conn: Connection, c: LeaveCorrection) -> bool:
    which = and_(EMPLOYMENTS.c.employee_id == c.employee_id, EMPLOYMENTS.c.seq == c.employment)
    on_record = conn.execute(select(EMPLOYMENTS.c.leave_date).where(which)).scalar_one_or_none()
    if on_record == c.after:
        return False
    # The day on record is part of the condition: of two corrections at once (PostgreSQL reads
    # the row again once the first commits), the second changes nothing and is refused.
    done = conn.execute(update(EMPLOYMENTS).where(and_(which, EMPLOYMENTS.c.leave_date == c.before))
                        .values(leave_date=c.after, updated_at=c.at))
    if not done.rowcount:
        raise ActionRefused("leave.changed", f"the leave day on record is now {on_record}, not "
                            f"{c.before}: read the record again before correcting it",
                            "leave_date", {"leave_date": str(on_record)})
    subject = subject_of(c.employee_id)
    # The key counts the person's corrections: a day corrected back and forth repeats a
    # (before, after) pair, and a known key writes nothing.
    number = 1 + conn.execute(select(func.count()).select_from(_EVIDENCE).where(
        and_(_EVIDENCE.c.subject_id == subject, _EVIDENCE.c.kind == KIND))).scalar_one()
    evidence.append_in(conn, subject, [evidence.NewEntry(
        subject_id=subject, idempotency_key=f"leave-correction:{number}",
        at=c.at, actor=c.actor, kind=KIND,
        payload={"employee_id": c.employee_id, "employment": c.employment,
                 "leave_date_before": c.before.isoformat(), "leave_date": c.after.isoformat(),
                 "reason": c.reason, **c.details})])
    return True


def of(db_url: str, employee_id: str) -> dict[int, list[dict[str, Any]]]:
    """The person's corrections by employment, oldest first: both days, the reason, and the
    ledger entry (subject, seq, kind, at, actor, entry_hash)."""
    e = _EVIDENCE.c
    with engine_for(db_url).connect() as conn:
        rows = conn.execute(select(e.subject_id, e.seq, e.kind, e.at, e.actor, e.entry_hash,
                                   e.payload).where(and_(e.subject_id == subject_of(employee_id),
                                                         e.kind == KIND)).order_by(e.seq))
        found: dict[int, list[dict[str, Any]]] = {}
        for r in rows.mappings():
            payload = r["payload"]
            found.setdefault(int(payload["employment"]), []).append({
                "leave_date_before": payload["leave_date_before"],
                "leave_date": payload["leave_date"], "reason": payload["reason"],
                "evidence": {k: r[k] for k in ("subject_id", "seq", "kind", "at", "actor",
                                               "entry_hash")}})
    return found
