"""A document's metadata and its evidence are one transaction (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store import document_rows, evidence
from store.models import DocumentRow


def document(subject_id: str = "case-1") -> tuple[DocumentRow, evidence.NewEntry]:
    at = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    row = DocumentRow(id="doc-1", subject_id=subject_id, kind="diagnosis", filename="诊断证明.pdf",
                      content_type="application/pdf", size=3, sha256="ab" * 32, note="",
                      uploaded_by="hr-alice", uploaded_at=at)
    added = evidence.NewEntry(subject_id=subject_id, idempotency_key="document:doc-1", at=at,
                              actor="hr-alice", kind="document_added",
                              payload={"document_id": "doc-1", "sha256": "ab" * 32})
    return row, added


def test_a_document_and_its_entry_are_written_together(db_url: str):
    evidence.append(db_url, evidence.NewEntry(subject_id="case-1", idempotency_key="opened",
                                              at=datetime.now(UTC), actor="hr-alice",
                                              kind="case_opened", payload={}))
    row, added = document()
    document_rows.add(db_url, row, added)
    stored = document_rows.get(db_url, "doc-1")
    assert stored is not None and stored.sha256 == "ab" * 32
    total, entries = evidence.page(db_url, "case-1")
    assert total == 2 and [e.kind for e in entries] == ["case_opened", "document_added"]
    assert evidence.verify(db_url, "case-1").valid


def test_a_ledger_write_that_fails_leaves_no_document(db_url: str,
                                                      monkeypatch: pytest.MonkeyPatch):
    def fails(*_: object) -> int:
        raise RuntimeError("the ledger's write failed")

    monkeypatch.setattr(evidence, "append_in", fails)
    row, added = document()
    with pytest.raises(RuntimeError):
        document_rows.add(db_url, row, added)
    assert document_rows.get(db_url, "doc-1") is None
    assert evidence.page(db_url, "case-1")[0] == 0
