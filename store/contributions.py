"""The SI account's writes: payments, and the status changes a month's deadline or a payment
makes on the insured employees of a region (SiStatusChangeRow, the employee record's timeline).

A month's end is one fan-out over the region's roster, written in batches: 50,000 employees are
a few statements, not 50,000 activities. Every row is keyed (the payment by its key, each status
change by `<key>:<employee_id>`), so a retried activity writes nothing twice."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import NamedTuple

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from domain.contributions.payloads import PaymentResult, PaymentWrite
from domain.employees.si_status import SiStatus
from store.db import engine_for, reading
from store.models import ContributionPaymentRow, EmploymentRow, SiStatusChangeRow, table_of

BATCH = 1000
_PAYMENTS = table_of(ContributionPaymentRow)
_CHANGES = table_of(SiStatusChangeRow)
_EMPLOYMENTS = table_of(EmploymentRow)
INSURED_NOW = (SiStatus.enrolled.value, SiStatus.paying.value, SiStatus.interrupted.value)


class Latest(NamedTuple):
    status: str
    effective_on: date


def current_statuses(conn: Connection, region: str) -> dict[str, Latest]:
    """Employee id → the SI status in force (the latest change, as store.employees orders them)
    of everyone employed now in `region`."""
    ranked = select(
        _CHANGES.c.employee_id, _CHANGES.c.status, _CHANGES.c.effective_on,
        func.row_number().over(partition_by=_CHANGES.c.employee_id,
                               order_by=(_CHANGES.c.effective_on.desc(), _CHANGES.c.id.desc()))
        .label("rank")).subquery()
    rows = conn.execute(
        select(ranked.c.employee_id, ranked.c.status, ranked.c.effective_on)
        .join(_EMPLOYMENTS, _EMPLOYMENTS.c.employee_id == ranked.c.employee_id)
        .where(ranked.c.rank == 1, _EMPLOYMENTS.c.region == region,
               _EMPLOYMENTS.c.leave_date.is_(None)))
    return {str(employee): Latest(str(status), on) for employee, status, on in rows}


def covered(conn: Connection, account_id: str, period: str) -> tuple[bool, set[str]]:
    """Whether a payment of the period covers everyone, and whom the partial ones name."""
    everyone, named = False, set()
    for (employees,) in conn.execute(select(_PAYMENTS.c.employees).where(
            _PAYMENTS.c.account_id == account_id, _PAYMENTS.c.period == period)):
        if not employees:
            everyone = True
        named.update(employees)
    return everyone, named


def interrupt_unpaid(db_url: str, *, key: str, account_id: str, region: str, period: str,
                     due_on: date, source: str) -> tuple[int, int]:
    """Turn every insured employee of the region the period's payments do not cover to 中断,
    effective the deadline's last day; answers (interrupted, insured)."""
    with engine_for(db_url).begin() as conn:
        _lock_account(conn, account_id)
        statuses = current_statuses(conn, region)
        everyone, named = covered(conn, account_id, period)
        insured = [e for e, s in statuses.items() if s.status in INSURED_NOW]
        unpaid = [] if everyone else [e for e in insured if e not in named and
                                      statuses[e].status != SiStatus.interrupted.value]
        written = _write_changes(conn, unpaid, statuses, SiStatus.interrupted, due_on, source,
                                 key)
    return written, len(insured)


def record_payment(db_url: str, write: PaymentWrite) -> PaymentResult:
    """The payment, once; the employees it covers: 参保 → 正常缴费, 中断 → 正常缴费 (a back
    payment), effective the day paid."""
    p = write.payment
    with engine_for(db_url).begin() as conn:
        _lock_account(conn, write.account_id)
        try:
            with conn.begin_nested():
                conn.execute(insert(_PAYMENTS).values(
                    key=write.key, account_id=write.account_id, region=write.region,
                    period=p.period, amount=p.amount, paid_on=p.paid_on, reference=p.reference,
                    documents=list(p.documents), employees=list(p.employees),
                    days_late=write.days_late, late_fee=write.late_fee, source=write.source,
                    recorded_by=p.actor.name, recorded_at=datetime.now(UTC)))
        except IntegrityError:
            pass  # a retry: the payment is on file; the status writes below are keyed too
        statuses = current_statuses(conn, write.region)
        scope = [e for e in (p.employees or statuses) if e in statuses]
        moving = [e for e in scope if statuses[e].status in (SiStatus.enrolled.value,
                                                             SiStatus.interrupted.value)]
        resumed = sum(1 for e in moving if statuses[e].status == SiStatus.interrupted.value)
        _write_changes(conn, moving, statuses, SiStatus.paying, p.paid_on, write.source,
                       write.key)
    return PaymentResult(covered=len(scope), resumed=resumed)


def _write_changes(conn: Connection, employees: Sequence[str], latest: dict[str, Latest],
                   status: SiStatus, effective_on: date, source: str, key: str) -> int:
    """Insert the changes not on file yet (keyed `<key>:<employee>`), in batches; none dated
    before the change it follows (the timeline stays in order)."""
    written = 0
    for batch in _batches(employees):
        keys = [f"{key}:{e}" for e in batch]
        known = set(conn.execute(select(_CHANGES.c.evidence_key).where(
            _CHANGES.c.evidence_key.in_(keys))).scalars())
        rows = [{"employee_id": e, "status": status.value,
                 "effective_on": max(effective_on, latest[e].effective_on),
                 "recorded_at": datetime.now(UTC), "source": source, "evidence_key": k}
                for e, k in zip(batch, keys, strict=True) if k not in known]
        if rows:
            conn.execute(insert(_CHANGES), rows)
            written += len(rows)
    return written


def _batches(items: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def payments_of(db_url: str, account_id: str, limit: int = 24) -> list[ContributionPaymentRow]:
    """The account's newest payments first."""
    with reading(db_url) as session:
        return list(session.scalars(select(ContributionPaymentRow)
                                    .where(col(ContributionPaymentRow.account_id) == account_id)
                                    .order_by(col(ContributionPaymentRow.id).desc())
                                    .limit(limit)).all())


def _lock_account(conn: Connection, account_id: str) -> None:
    """One writer per account at a time on PostgreSQL (on SQLite every transaction takes its turn:
    store.db._WriteTurns)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:a, 0))"),
                     {"a": account_id})
