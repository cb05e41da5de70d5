"""Appending to the ledger: idempotent under retries, and a valid chain under concurrent writers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from store import evidence
from store.db import alembic_config
from store.models import EvidenceEntry


def entry(key: str, n: int = 0) -> evidence.NewEntry:
    return evidence.NewEntry(subject_id="case-1", idempotency_key=key, at=datetime.now(UTC),
                             actor="system", kind="k", payload={"n": n, "名": "张三"})


def test_the_same_event_twice_is_one_row(db_url: str):
    first, created = evidence.append(db_url, entry("case-1:event:1"))
    again, created_again = evidence.append(db_url, entry("case-1:event:1"))
    assert created and not created_again and first.entry_hash == again.entry_hash
    assert evidence.page(db_url, "case-1")[0] == 1


def test_concurrent_writers_keep_one_unbroken_chain(db_url: str):
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda n: evidence.append(db_url, entry(f"k{n % 20}", n % 20)), range(40)))
    total, rows = evidence.page(db_url, "case-1")
    assert total == 20 and [r.seq for r in rows] == list(range(1, 21))
    assert all(isinstance(r, EvidenceEntry) for r in rows)
    assert evidence.verify(db_url, "case-1").valid


def test_migrations_know_their_head(db_url: str):
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config(db_url)).get_current_head() == "0023"
