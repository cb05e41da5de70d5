"""Documents' metadata (DocumentRow): stored once per upload, read by id or by subject. The bytes
live in the content store (store/documents.py)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, insert
from sqlalchemy import select as core_select
from sqlmodel import col, select

from store import evidence
from store.db import reading, retrying, session_for
from store.models import DocumentRow, table_of

_DOCUMENTS = table_of(DocumentRow)


def save(db_url: str, row: DocumentRow) -> None:
    with session_for(db_url) as session:
        session.add(row)
        session.commit()


def add(db_url: str, row: DocumentRow, added: evidence.NewEntry) -> None:
    """Store a document's metadata and its evidence (`document_added`, `document_generated`) in
    one transaction: a document is never on file without its entry in the ledger, nor the entry
    without it, and an upload commits once."""
    retrying(db_url, _add, row, added, attempts=evidence.APPEND_ATTEMPTS)


def _add(conn: Connection, row: DocumentRow, added: evidence.NewEntry) -> None:
    conn.execute(insert(_DOCUMENTS).values(**row.model_dump()))
    evidence.append_in(conn, row.subject_id, [added])


def add_once(db_url: str, row: DocumentRow,
             entry_of: Callable[[DocumentRow], evidence.NewEntry]) -> DocumentRow:
    """Store a generated document under its id once, with its evidence, in one transaction; the
    stored row is returned. A row already under that id (an earlier attempt's, or a concurrent
    one's) is kept, and its entry written if it lacks one; a row of another subject is returned
    as it is, with nothing written, for the caller to refuse."""
    return retrying(db_url, _add_once, row, entry_of, attempts=evidence.APPEND_ATTEMPTS)


def _add_once(conn: Connection, row: DocumentRow,
              entry_of: Callable[[DocumentRow], evidence.NewEntry]) -> DocumentRow:
    found = conn.execute(core_select(_DOCUMENTS).where(_DOCUMENTS.c.id == row.id)).first()
    stored = DocumentRow.model_validate(found._mapping) if found is not None else row
    if found is None:
        conn.execute(insert(_DOCUMENTS).values(**row.model_dump()))
    if stored.subject_id == row.subject_id:
        evidence.append_in(conn, stored.subject_id, [entry_of(stored)])
    return stored


def get(db_url: str, document_id: str) -> DocumentRow | None:
    with reading(db_url) as session:
        return session.get(DocumentRow, document_id)


def of_subject(db_url: str, subject_id: str) -> list[DocumentRow]:
    """The documents of an onboarding or case, oldest first."""
    with reading(db_url) as session:
        return list(session.exec(select(DocumentRow).where(DocumentRow.subject_id == subject_id)
                                 .order_by(col(DocumentRow.uploaded_at))).all())
