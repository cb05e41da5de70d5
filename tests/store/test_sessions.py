"""Passwords and sessions in the database (SQLite and PostgreSQL): hashes only, lockout,
setup links used once, sessions ended by sign-out and by a reset, each change in the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from domain.shared import passwords
from domain.shared.directory import PersonFields
from domain.shared.errors import ActionRefused, RuleViolation
from store import people, sessions
from store.db import session_for
from store.models import EvidenceEntry, PersonCredentialRow, WebSessionRow

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GOOD = "correct horse battery staple"


def _person(url: str, name: str = "hr-alice", email: str = "Alice@Example.com") -> int:
    row = people.create(url, PersonFields(name, ("hr",), email=email), "root", NOW)
    assert row.id is not None
    return row.id


def _ledger(url: str) -> list[str]:
    with session_for(url) as session:
        return [e.kind for e in session.exec(select(EvidenceEntry).where(
            EvidenceEntry.subject_id == people.PEOPLE_SUBJECT).order_by(EvidenceEntry.id))]


def test_a_password_is_kept_as_an_argon2_hash_and_signs_in(db_url: str):
    pid = _person(db_url)
    sessions.set_password(db_url, pid, GOOD, "root", NOW)
    with session_for(db_url) as session:
        stored = session.get(PersonCredentialRow, pid)
    assert stored is not None and stored.password_hash is not None
    assert stored.password_hash.startswith("$argon2id$") and GOOD not in stored.password_hash
    attempt = sessions.sign_in(db_url, " alice@example.COM ", GOOD, NOW)
    assert attempt.outcome == "ok" and attempt.token
    who = sessions.signed_in(db_url, attempt.token, NOW + timedelta(minutes=5))
    assert who is not None and who.name == "hr-alice" and who.roles == ("hr",)
    with session_for(db_url) as session:
        assert session.exec(select(WebSessionRow)).one().token_hash == \
            sessions.digest(attempt.token)
    assert "password_set" in _ledger(db_url)


def test_a_weak_password_is_refused_and_nothing_is_stored(db_url: str):
    pid = _person(db_url)
    with pytest.raises(RuleViolation):
        sessions.set_password(db_url, pid, "short", "root", NOW)
    with session_for(db_url) as session:
        assert session.get(PersonCredentialRow, pid) is None
    assert sessions.sign_in(db_url, "alice@example.com", "short", NOW).outcome == "refused"


def test_five_failures_lock_the_account_even_for_the_right_password(db_url: str):
    pid = _person(db_url)
    sessions.set_password(db_url, pid, GOOD, "root", NOW)
    outcomes = [sessions.sign_in(db_url, "alice@example.com", f"wrong {n}", NOW).outcome
                for n in range(5)]
    assert outcomes == ["refused"] * 4 + ["locked"]
    assert sessions.sign_in(db_url, "alice@example.com", GOOD, NOW).outcome == "locked"
    assert "sign_in_locked" in _ledger(db_url)
    later = NOW + timedelta(minutes=16)
    assert sessions.sign_in(db_url, "alice@example.com", GOOD, later).outcome == "ok"


def test_a_reset_unlocks_and_ends_every_session(db_url: str):
    pid = _person(db_url)
    sessions.set_password(db_url, pid, GOOD, "root", NOW)
    token = sessions.sign_in(db_url, "alice@example.com", GOOD, NOW).token
    for n in range(5):
        sessions.sign_in(db_url, "alice@example.com", f"wrong {n}", NOW)
    sessions.set_password(db_url, pid, "a whole new passphrase", "root", NOW)
    assert sessions.signed_in(db_url, token, NOW) is None
    assert sessions.sign_in(db_url, "alice@example.com", "a whole new passphrase",
                            NOW).outcome == "ok"


def test_sign_out_idle_and_deactivation_end_a_session(db_url: str):
    pid = _person(db_url)
    sessions.set_password(db_url, pid, GOOD, "root", NOW)
    first = sessions.sign_in(db_url, "alice@example.com", GOOD, NOW).token
    sessions.sign_out(db_url, first, NOW)
    assert sessions.signed_in(db_url, first, NOW) is None
    idle = sessions.sign_in(db_url, "alice@example.com", GOOD, NOW).token
    assert sessions.signed_in(db_url, idle, NOW + timedelta(hours=2)) is None
    kept = sessions.sign_in(db_url, "alice@example.com", GOOD, NOW).token
    people.change(db_url, pid, {"active": False}, "root", NOW)
    assert sessions.signed_in(db_url, kept, NOW) is None
    assert sessions.sign_in(db_url, "alice@example.com", GOOD, NOW).outcome == "refused"


def _last_seen(url: str) -> datetime:
    with session_for(url) as session:
        return session.exec(select(WebSessionRow)).one().last_seen_at


def test_use_keeps_a_session_alive_marked_at_most_once_a_minute(db_url: str):
    pid = _person(db_url)
    sessions.set_password(db_url, pid, GOOD, "root", NOW)
    token = sessions.sign_in(db_url, "alice@example.com", GOOD, NOW).token
    within = NOW + sessions.TOUCH_EVERY / 2
    assert sessions.signed_in(db_url, token, within) is not None
    assert _last_seen(db_url) == NOW  # a read only: not a minute since the last mark
    later = NOW + passwords.SESSION_IDLE - timedelta(minutes=1)
    assert sessions.signed_in(db_url, token, later) is not None
    assert _last_seen(db_url) == later
    # alive past two hours from sign-in because it was used, not idle, since
    assert sessions.signed_in(db_url, token, later + passwords.SESSION_IDLE / 2) is not None


def test_a_setup_link_sets_the_password_once(db_url: str):
    pid = _person(db_url)
    token, expires = sessions.issue_setup_link(db_url, pid, "root", NOW) or ("", NOW)
    assert expires == NOW + timedelta(hours=48)
    assert sessions.setup_holder(db_url, token, NOW) is not None
    with pytest.raises(RuleViolation):
        sessions.use_setup_link(db_url, token, "hr-alice-2026-pass", NOW)
    sessions.use_setup_link(db_url, token, GOOD, NOW)
    with pytest.raises(ActionRefused):
        sessions.use_setup_link(db_url, token, "another good passphrase", NOW)
    assert sessions.sign_in(db_url, "alice@example.com", GOOD, NOW).outcome == "ok"
    late, _ = sessions.issue_setup_link(db_url, pid, "root", NOW) or ("", NOW)
    assert sessions.setup_holder(db_url, late, NOW + timedelta(hours=49)) is None
    assert _ledger(db_url).count("password_setup_issued") == 2


def test_an_email_two_people_share_signs_no_one_in(db_url: str):
    for name in ("hr-alice", "hr-alice2"):
        sessions.set_password(db_url, _person(db_url, name, "shared@example.com"), GOOD, "root",
                              NOW)
    assert sessions.sign_in(db_url, "shared@example.com", GOOD, NOW).outcome == "refused"
