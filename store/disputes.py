"""The dispute history table: a finished case's outcome (upserted), imported batches, reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from domain.disputes.records import PastDispute
from domain.shared.scoping import COMPANY, Scope
from store.db import reading, session_for
from store.models import DisputeHistoryRow
from store.scoping import disputes_within


def _fields(record: PastDispute) -> dict[str, Any]:
    values = asdict(record)
    for name in ("employer_offers", "employee_demands"):
        values[name] = [str(a) for a in values[name]]
    for name in ("disputes", "missed_deadlines"):
        values[name] = list(values[name])
    return values


def save_outcome(db_url: str, case_id: str, record: PastDispute, at: datetime) -> None:
    """One row per case: the same outcome recorded again (an activity retry) rewrites that row."""
    try:
        _save_outcome(db_url, case_id, record, at)
    except IntegrityError:
        _save_outcome(db_url, case_id, record, at)  # a concurrent first write won: update it


def _save_outcome(db_url: str, case_id: str, record: PastDispute, at: datetime) -> None:
    with session_for(db_url) as session:
        row = session.exec(select(DisputeHistoryRow)
                           .where(DisputeHistoryRow.case_id == case_id)).first()
        if row is None:
            row = DisputeHistoryRow(source="case", case_id=case_id, outcome=record.outcome,
                                    recorded_by="system", recorded_at=at)
        for name, value in _fields(record).items():
            setattr(row, name, value)
        row.recorded_at = at
        session.add(row)
        session.commit()


def find_import(db_url: str, sha256: str) -> str | None:
    """The batch that already imported a file with this hash, if any."""
    with reading(db_url) as session:
        return session.exec(select(DisputeHistoryRow.import_batch)
                            .where(DisputeHistoryRow.import_sha256 == sha256).limit(1)).first()


def import_batch(db_url: str, batch_id: str, sha256: str, records: Sequence[PastDispute],
                 actor: str, at: datetime) -> int:
    """All rows of a file in one transaction: either every row is stored or none is."""
    with session_for(db_url) as session:
        for number, record in enumerate(records, start=1):
            session.add(DisputeHistoryRow(source="import", import_batch=batch_id, import_row=number,
                                          import_sha256=sha256, recorded_by=actor, recorded_at=at,
                                          **_fields(record)))
        session.commit()
    return len(records)


def delete_batch(db_url: str, batch_id: str) -> None:
    """Undo an import whose evidence could not be written (nothing is kept half-recorded)."""
    with session_for(db_url) as session:
        session.execute(delete(DisputeHistoryRow)
                        .where(col(DisputeHistoryRow.import_batch) == batch_id))
        session.commit()


def all_rows(db_url: str, scope: Scope = COMPANY) -> list[DisputeHistoryRow]:
    """Every row the scope sees (store.scoping.disputes_within), oldest first."""
    with reading(db_url) as session:
        return list(session.exec(select(DisputeHistoryRow).where(disputes_within(scope))
                                 .order_by(col(DisputeHistoryRow.id))).all())


def page(db_url: str, *, offset: int = 0, limit: int = 50, source: str | None = None,
         grade: int | None = None, scope: Scope = COMPANY) -> tuple[int, list[DisputeHistoryRow]]:
    """Newest first; the rows the scope sees."""
    query = select(DisputeHistoryRow).where(disputes_within(scope))
    counted = select(func.count()).select_from(DisputeHistoryRow).where(disputes_within(scope))
    if source is not None:
        query = query.where(DisputeHistoryRow.source == source)
        counted = counted.where(DisputeHistoryRow.source == source)
    if grade is not None:
        query = query.where(DisputeHistoryRow.grade == grade)
        counted = counted.where(DisputeHistoryRow.grade == grade)
    with reading(db_url) as session:
        total = session.exec(counted).one()
        rows = session.exec(query.order_by(col(DisputeHistoryRow.id).desc())
                            .offset(offset).limit(limit)).all()
    return total, list(rows)
