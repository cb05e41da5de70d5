"""Passwords and browser sessions of the HR workspace (domain/shared/passwords.py has the rules).

Only argon2id hashes of passwords and SHA-256 digests of session and setup tokens are stored. A
password set or reset, a setup link issued and an account locked are entries of the evidence
ledger (subject `people`), as other directory changes are; a reset ends the person's sessions.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from domain.shared import passwords
from domain.shared.errors import ActionRefused
from store.db import reading, session_for
from store.models import PersonCredentialRow, PersonRow, WebSessionRow
from store.people import _record, _writing

_HASHER = PasswordHasher()  # argon2id, RFC 9106's second recommended parameters (64 MiB, t=3)
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))  # verified for an unknown email: same timing
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    """Who a browser session belongs to: their name, every role of theirs, their departments."""

    person_id: int
    name: str
    roles: tuple[str, ...]
    departments: tuple[str, ...]


@dataclass(frozen=True)
class Attempt:
    """A sign-in's outcome: `ok` with the new session's token, `locked` until when, or `refused`
    (a wrong email or password, told apart to nobody)."""

    outcome: Literal["ok", "locked", "refused"]
    token: str = ""
    locked_until: datetime | None = None
    person_id: int | None = None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _verify(hashed: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(hashed or _DUMMY, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def _credential(session: Session, person_id: int) -> PersonCredentialRow:
    row = session.get(PersonCredentialRow, person_id)
    return row if row is not None else PersonCredentialRow(person_id=person_id)


def set_password(url: str, person_id: int, password: str, by: str, at: datetime, *,
                 via: str = "admin") -> PersonRow | None:
    """Set the person's password (the strength rule first: 422), clear failures, lock and setup
    link, and end their sessions. None when there is no such person."""
    with _writing(url) as session:
        person = session.get(PersonRow, person_id)
        if person is None:
            return None
        passwords.check_strength(password, name=person.name, email=person.email)
        credential = _credential(session, person_id)
        credential.password_hash = hash_password(password)
        credential.password_set_at, credential.failed_attempts = at, 0
        credential.locked_until = credential.setup_hash = credential.setup_expires_at = None
        session.add(credential)
        ended = _end_sessions(session, person_id, at)
        _record(session, f"people:{uuid.uuid4()}", at, by, "password_set",
                {"person_id": person_id, "name": person.name, "via": via,
                 "sessions_ended": ended})
        session.commit()
        return person


def issue_setup_link(url: str, person_id: int, by: str,
                     at: datetime) -> tuple[str, datetime] | None:
    """A one-time token to set the person's password (answered once, its hash kept) and its
    expiry; an earlier unused link stops working. None when there is no such person."""
    token = secrets.token_urlsafe(32)
    expires = at + passwords.SETUP_LINK_VALID
    with _writing(url) as session:
        person = session.get(PersonRow, person_id)
        if person is None:
            return None
        credential = _credential(session, person_id)
        credential.setup_hash, credential.setup_expires_at = digest(token), expires
        session.add(credential)
        _record(session, f"people:{uuid.uuid4()}", at, by, "password_setup_issued",
                {"person_id": person_id, "name": person.name, "expires_at": expires.isoformat()})
        session.commit()
    return token, expires


def setup_holder(url: str, token: str, at: datetime) -> PersonRow | None:
    """The active person a setup link is for, while it is unused and unexpired."""
    with reading(url) as session:
        credential = session.exec(select(PersonCredentialRow).where(
            PersonCredentialRow.setup_hash == digest(token))).first()
        if credential is None or credential.setup_expires_at is None \
                or credential.setup_expires_at <= at:
            return None
        person = session.get(PersonRow, credential.person_id)
        return person if person is not None and person.active else None


def use_setup_link(url: str, token: str, password: str, at: datetime) -> PersonRow:
    """Set the password through a setup link (once); 409 link.invalid for a used, expired or
    unknown link, 422 for a weak password."""
    person = setup_holder(url, token, at)
    if person is None or person.id is None:
        raise ActionRefused("link.invalid", "this link is not valid (used, expired or replaced)")
    done = set_password(url, person.id, password, person.name, at, via="setup_link")
    assert done is not None
    return done


def sign_in(url: str, email: str, password: str, at: datetime) -> Attempt:
    """Check an email and password: a new session, or why not. A locked account is not checked;
    the MAX_FAILURES-th failure in a row locks it (a ledger entry); success clears the count."""
    email = email.strip().casefold()
    with session_for(url) as session:
        found = list(session.exec(select(PersonRow).where(
            func.lower(col(PersonRow.email)) == email, col(PersonRow.active).is_(True))))
        person = found[0] if len(found) == 1 and email else None
        credential = session.get(PersonCredentialRow, person.id) \
            if person is not None and person.id is not None else None
    if person is None or person.id is None or credential is None:
        _verify(None, password)  # as long as a real check: no telling who has an account
        return Attempt("refused")
    if passwords.locked(credential.locked_until, at):
        return Attempt("locked", locked_until=credential.locked_until, person_id=person.id)
    if not _verify(credential.password_hash, password):
        return _failed(url, person, at)
    token = secrets.token_urlsafe(32)
    with session_for(url) as session:
        session.execute(update(PersonCredentialRow).where(
            col(PersonCredentialRow.person_id) == person.id).values(
            failed_attempts=0, locked_until=None))
        session.add(WebSessionRow(token_hash=digest(token), person_id=person.id, created_at=at,
                                  last_seen_at=at))
        session.commit()
    return Attempt("ok", token=token, person_id=person.id)


def _failed(url: str, person: PersonRow, at: datetime) -> Attempt:
    """Count a failure in one statement (concurrent failures all count); lock at the limit."""
    with _writing(url) as session:
        session.execute(update(PersonCredentialRow).where(
            col(PersonCredentialRow.person_id) == person.id).values(
            failed_attempts=PersonCredentialRow.failed_attempts + 1))
        credential = session.get(PersonCredentialRow, person.id, populate_existing=True)
        assert credential is not None
        until = passwords.after_failure(credential.failed_attempts, at)
        if until is None:
            session.commit()
            return Attempt("refused", person_id=person.id)
        credential.locked_until, credential.failed_attempts = until, 0
        session.add(credential)
        _record(session, f"people:{uuid.uuid4()}", at, "system", "sign_in_locked",
                {"person_id": person.id, "name": person.name, "until": until.isoformat(),
                 "failures": passwords.MAX_FAILURES})
        session.commit()
    return Attempt("locked", locked_until=until, person_id=person.id)


def signed_in(url: str, token: str, at: datetime) -> SignedIn | None:
    """Who the session token belongs to: None when unknown, ended, idle or too old, or its
    person deactivated. Marks the session used, at most once a minute: the rest of the time it
    only reads, taking no write lock (every page a person opens asks this)."""
    with reading(url) as session:
        row = session.exec(select(WebSessionRow).where(
            WebSessionRow.token_hash == digest(token))).first()
        if row is None or row.ended_at is not None \
                or not passwords.session_alive(row.created_at, row.last_seen_at, at):
            return None
        person = session.get(PersonRow, row.person_id)
        if person is None or not person.active or not person.roles or person.id is None:
            return None
        who = SignedIn(person.id, person.name, tuple(person.roles), tuple(person.departments))
    if at - row.last_seen_at >= TOUCH_EVERY:
        with session_for(url) as session:
            session.execute(update(WebSessionRow).where(  # never back: pages run in parallel
                col(WebSessionRow.id) == row.id, col(WebSessionRow.last_seen_at) < at)
                .values(last_seen_at=at))
            session.commit()
    return who


def sign_out(url: str, token: str, at: datetime) -> None:
    """End the session of this token (again, or unknown: nothing happens)."""
    with session_for(url) as session:
        session.execute(update(WebSessionRow).where(
            col(WebSessionRow.token_hash) == digest(token),
            col(WebSessionRow.ended_at).is_(None)).values(ended_at=at))
        session.commit()


def _end_sessions(session: Session, person_id: int, at: datetime) -> int:
    ended = session.execute(update(WebSessionRow).where(
        col(WebSessionRow.person_id) == person_id,
        col(WebSessionRow.ended_at).is_(None)).values(ended_at=at))
    return int(getattr(ended, "rowcount", 0) or 0)


def ensure_login(url: str, name: str, email: str, password: str, at: datetime) -> bool:
    """Dev only (`make run`): give the person `name` an email, when they have none, and this
    password, when they have none. Answers whether anything changed."""
    with _writing(url) as session:
        person = session.exec(select(PersonRow).where(PersonRow.name == name)).first()
        if person is None or person.id is None:
            return False
        changed = False
        if person.email is None:
            person.email, person.updated_at, changed = email, at, True
            session.add(person)
        credential = _credential(session, person.id)
        if credential.password_hash is None:
            credential.password_hash, credential.password_set_at = hash_password(password), at
            session.add(credential)
            _record(session, f"people:{uuid.uuid4()}", at, "system", "password_set",
                    {"person_id": person.id, "name": person.name, "via": "dev_logins",
                     "sessions_ended": 0})
            changed = True
        session.commit()
        return changed
