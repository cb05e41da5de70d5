"""Documents' metadata (DocumentRow): stored once per upload, read by id or by subject. The bytes
live in the content store (store/documents.py)."""

from __future__ import annotations

from sqlmodel import col, select

from store.db import session_for
from store.models import DocumentRow


def save(db_url: str, row: DocumentRow) -> None:
    with session_for(db_url) as session:
        session.add(row)
        session.commit()


def get(db_url: str, document_id: str) -> DocumentRow | None:
    with session_for(db_url) as session:
        return session.get(DocumentRow, document_id)


def of_subject(db_url: str, subject_id: str) -> list[DocumentRow]:
    """The documents of an onboarding or case, oldest first."""
    with session_for(db_url) as session:
        return list(session.exec(select(DocumentRow).where(DocumentRow.subject_id == subject_id)
                                 .order_by(col(DocumentRow.uploaded_at))).all())
