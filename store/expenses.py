"""The bills of a case (ExpenseRow): read in entry order, stored once, and a travel entry's
consent recorded once."""

from __future__ import annotations

from sqlmodel import Session, col, select

from store.db import reading, session_for
from store.models import ExpenseRow


def rows_of(db_url: str, case_id: str) -> list[ExpenseRow]:
    """The bills of a case in the order they were entered."""
    with reading(db_url) as session:
        return _rows(session, case_id)


def save(db_url: str, row: ExpenseRow) -> None:
    """Store a bill; IntegrityError when the case holds its invoice or its file already (the
    unique constraints: a concurrent second entry fails here)."""
    with session_for(db_url) as session:
        session.add(row)
        session.commit()


def approve_travel(db_url: str, case_id: str, entry_id: str, reference: str) -> ExpenseRow | None:
    """Record the agency's consent on a travel entry of the case (None: no such entry). A consent
    already recorded is kept: the row comes back unchanged for the caller to compare."""
    with session_for(db_url) as session:
        row = session.get(ExpenseRow, entry_id)
        if row is None or row.case_id != case_id:
            return None
        if row.kind == "travel" and not row.approval_reference:
            row.approval_reference = reference
            session.add(row)
            session.commit()
            session.refresh(row)
        return row


def _rows(session: Session, case_id: str) -> list[ExpenseRow]:
    return list(session.exec(select(ExpenseRow).where(ExpenseRow.case_id == case_id)
                             .order_by(col(ExpenseRow.entered_at), col(ExpenseRow.id))).all())
