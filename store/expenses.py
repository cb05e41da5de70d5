"""The medical bills of a case (ExpenseRow): read in entry order, and stored once."""

from __future__ import annotations

from sqlmodel import Session, col, select

from store.db import session_for
from store.models import ExpenseRow


def rows_of(db_url: str, case_id: str) -> list[ExpenseRow]:
    """The bills of a case in the order they were entered."""
    with session_for(db_url) as session:
        return _rows(session, case_id)


def save(db_url: str, row: ExpenseRow) -> None:
    """Store a bill; IntegrityError when the case holds its invoice or its file already (the
    unique constraints: a concurrent second entry fails here)."""
    with session_for(db_url) as session:
        session.add(row)
        session.commit()


def _rows(session: Session, case_id: str) -> list[ExpenseRow]:
    return list(session.exec(select(ExpenseRow).where(ExpenseRow.case_id == case_id)
                             .order_by(col(ExpenseRow.entered_at), col(ExpenseRow.id))).all())
