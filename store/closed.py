"""Closed records: the final state of an onboarding or a case, kept after Temporal forgets it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from store.db import reading, row_exists, session_for
from store.models import ClosedRecord, table_of


def save_final(db_url: str, subject_id: str, kind: str, state: dict[str, Any],
               closed_at: datetime) -> bool:
    """Keep the final state; a retried write of the same close writes nothing. False: known."""
    with session_for(db_url) as session:
        if session.get(ClosedRecord, subject_id) is not None:
            return False
        session.add(ClosedRecord(subject_id=subject_id, kind=kind, state=state,
                                 closed_at=closed_at))
        try:
            session.commit()
        except IntegrityError:
            return False  # a concurrent retry wrote it first
    return True


def load_final(db_url: str, subject_id: str) -> dict[str, Any] | None:
    """The final state of a closed record as its workflow showed it (JSON), or None."""
    with reading(db_url) as session:
        row = session.get(ClosedRecord, subject_id)
        return dict(row.state) if row is not None else None


def is_closed(db_url: str, subject_id: str) -> bool:
    """Whether a final state is kept: one lock-free read by key (`store.db.point_read`)."""
    return row_exists(db_url, table_of(ClosedRecord), subject_id)
