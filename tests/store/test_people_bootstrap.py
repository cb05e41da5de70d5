"""The start-up bootstrap of the directory: idempotent, and safe with several processes at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlmodel import select

from store import evidence
from store import people as directory
from store.db import session_for
from store.models import ApiKeyRow, PersonRow

KEYS = {"k-hr": ("alice", "hr"), "k-alice-mgr": ("alice", "hr_manager"), "k-root": ("root", "admin")}


def test_concurrent_starts_make_each_person_and_key_once(db_url: str) -> None:
    at = datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=6) as pool:
        added = list(pool.map(lambda _: directory.bootstrap(db_url, KEYS, at), range(6)))
    assert sum(added) == 3
    with session_for(db_url) as session:
        people = {p.name: p.roles for p in session.exec(select(PersonRow))}
        keys = session.exec(select(ApiKeyRow)).all()
    assert people == {"alice": ["hr", "hr_manager"], "root": ["admin"]}
    assert sorted(k.key_hash for k in keys) == sorted(directory.hash_key(k) for k in KEYS)
    _, entries = evidence.page(db_url, directory.PEOPLE_SUBJECT)
    assert [e.kind for e in entries] == ["key_bootstrapped"] * 3
    grant = directory.grant_for(db_url, "k-alice-mgr")
    assert grant is not None and (grant.name, grant.roles) == ("alice", ("hr_manager",))
    assert directory.grant_for(db_url, "k-unknown") is None


def test_a_revoked_configured_key_stays_revoked(db_url: str) -> None:
    at = datetime.now(UTC)
    directory.bootstrap(db_url, KEYS, at)
    with session_for(db_url) as session:
        root = session.exec(select(ApiKeyRow).where(
            ApiKeyRow.key_hash == directory.hash_key("k-root"))).one()
    assert directory.revoke_key(db_url, root.person_id, root.id, "root", at) is not None
    assert directory.bootstrap(db_url, KEYS, at) == 0
    assert directory.grant_for(db_url, "k-root") is None
