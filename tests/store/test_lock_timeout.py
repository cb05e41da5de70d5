"""A lock left held never stalls a writer for good: PostgreSQL sessions wait at most
store.db.POSTGRES_LOCK_TIMEOUT, then fail (and the activity's bounded retries take over)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from store import evidence
from store.db import POSTGRES_LOCK_TIMEOUT, engine_for, session_for
from tests.store.test_evidence_store import entry


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_an_append_behind_a_held_subject_lock_fails_after_the_lock_timeout(db_url: str):
    assert POSTGRES_LOCK_TIMEOUT == "15s"
    with engine_for(db_url).connect() as holder:
        holder.execute(text("SET lock_timeout = '1s'"))
        holder.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('case-1', 0))"))
        with session_for(db_url) as session:
            session.execute(text("SET lock_timeout = '1s'"))  # the same setting, shorter for the test
            started = time.monotonic()
            with pytest.raises(OperationalError, match="lock timeout"):
                session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('case-1', 0))"))
            assert time.monotonic() - started < 5
        holder.rollback()
    with session_for(db_url) as session:
        assert session.execute(text("SHOW lock_timeout")).scalar() == POSTGRES_LOCK_TIMEOUT
    assert evidence.append(db_url, entry("k1"))[1] is True  # the lock is free again
