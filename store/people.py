"""The directory of people and their API keys. Every change is an entry of the evidence ledger
(subject `people`) written in the same transaction; each write transaction takes the subject's
lock first (PostgreSQL advisory lock; SQLite begins IMMEDIATE), so concurrent writers, the
start-up bootstrap of several API processes included, take turns."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, text, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from domain.shared.directory import PersonFields, check_person, check_roles, key_roles
from domain.shared.errors import ActionRefused
from store import evidence
from store.db import _key_reads, engine_for, reading, session_for
from store.models import ApiKeyRow, PersonRow, table_of

PEOPLE_SUBJECT = "people"  # the evidence ledger's subject for directory changes
KEY_PREFIX = "cg_"
LAST_USED_EVERY = timedelta(minutes=1)
_FIELDS = tuple(PersonFields.__dataclass_fields__)


@dataclass(frozen=True)
class Grant:
    """What a valid key lets its caller act as: a name and the roles, in directory order, and
    the person's departments (a manager reads those: domain.shared.scoping)."""

    key_id: int
    name: str
    roles: tuple[str, ...]
    last_used_at: datetime | None
    departments: tuple[str, ...] = ()


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A fresh API key: 32 random bytes, URL-safe, behind a recognisable prefix."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def prefix_of(key: str) -> str:
    return key[:len(KEY_PREFIX) + 6] if key.startswith(KEY_PREFIX) else key[:8]


@contextmanager
def _writing(url: str) -> Iterator[Session]:
    with session_for(url) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:s, 0))"),
                            {"s": PEOPLE_SUBJECT})
        yield session


def _record(session: Session, key: str, at: datetime, by: str, kind: str,
            payload: dict[str, Any]) -> None:
    evidence.append_in(session.connection(), PEOPLE_SUBJECT, [evidence.NewEntry(
        subject_id=PEOPLE_SUBJECT, idempotency_key=key, at=at, actor=by, kind=kind,
        payload=payload)])


def fields_of(row: PersonRow) -> PersonFields:
    return PersonFields(row.name, tuple(row.roles), tuple(row.departments), row.phone, row.email,
                        row.wecom_user_id, row.dingtalk_user_id, tuple(row.channels), row.active)


def _apply(row: PersonRow, person: PersonFields) -> None:
    for name, value in asdict(person).items():
        setattr(row, name, list(value) if isinstance(value, tuple) else value)


def _jsonable(person: PersonFields) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(person).items()}


def create(url: str, person: PersonFields, by: str, at: datetime) -> PersonRow:
    """Add a person; 409 person.name_taken when the name is someone's already."""
    person = check_person(person)
    with _writing(url) as session:
        if session.exec(select(PersonRow).where(PersonRow.name == person.name)).first():
            raise ActionRefused("person.name_taken", f"a person named '{person.name}' exists; "
                                "names are unique (they name the actor in the evidence)", "name")
        row = PersonRow(name=person.name, created_at=at, updated_at=at)
        _apply(row, person)
        session.add(row)
        session.flush()
        _record(session, f"people:{uuid.uuid4()}", at, by, "person_created",
                {"person_id": row.id, **_jsonable(person)})
        session.commit()
        return row


def get(url: str, person_id: int) -> PersonRow | None:
    with reading(url) as session:
        return session.get(PersonRow, person_id)


def listing(url: str, *, active: bool | None, role: str | None, limit: int,
            offset: int) -> tuple[int, list[PersonRow]]:
    """People by name, filtered by activity and role; the total before paging."""
    with reading(url) as session:
        query = select(PersonRow).order_by(col(PersonRow.name))
        if active is not None:
            query = query.where(PersonRow.active == active)
        rows = [r for r in session.exec(query) if role is None or role in r.roles]
    return len(rows), rows[offset:offset + limit]


def change(url: str, person_id: int, changes: Mapping[str, Any], by: str,
           at: datetime) -> PersonRow | None:
    """Apply `changes` (field → new value); records which fields changed, from what to what.
    None when there is no such person; 409 person.last_admin when no active admin would remain."""
    with _writing(url) as session:
        row = session.get(PersonRow, person_id)
        if row is None:
            return None
        before = fields_of(row)
        after = check_person(PersonFields(**{**asdict(before), **changes}))
        diff = {f: [_jsonable(before)[f], _jsonable(after)[f]] for f in _FIELDS
                if getattr(before, f) != getattr(after, f)}
        if not diff:
            return row
        if _is_admin(before) and not _is_admin(after) and _active_admins(session) == 1:
            raise ActionRefused("person.last_admin", f"'{row.name}' is the last active admin: "
                                "make someone else admin first", "roles" if after.active
                                else "active")
        _apply(row, after)
        row.updated_at = at
        session.add(row)
        _record(session, f"people:{uuid.uuid4()}", at, by, "person_changed",
                {"person_id": person_id, "name": row.name, "changes": diff})
        session.commit()
        return row


def _is_admin(person: PersonFields) -> bool:
    return person.active and "admin" in person.roles


def _active_admins(session: Session) -> int:
    rows = session.exec(select(PersonRow).where(PersonRow.active == True))  # noqa: E712
    return sum("admin" in r.roles for r in rows)


def issue_key(url: str, person: PersonRow, role: str | None, by: str,
              at: datetime) -> tuple[str, ApiKeyRow]:
    """A new key for the person (answered once: only its hash is kept) and its row."""
    key = new_key()
    assert person.id is not None
    with _writing(url) as session:
        row = ApiKeyRow(person_id=person.id, key_hash=hash_key(key), prefix=prefix_of(key),
                        role=role, created_at=at, created_by=by)
        session.add(row)
        session.flush()
        _record(session, f"people:{uuid.uuid4()}", at, by, "key_issued",
                {"person_id": person.id, "name": person.name, "key_id": row.id,
                 "prefix": row.prefix, "role": role})
        session.commit()
    return key, row


def keys_of(url: str, person_id: int) -> list[ApiKeyRow]:
    with reading(url) as session:
        return list(session.exec(select(ApiKeyRow).where(ApiKeyRow.person_id == person_id)
                                 .order_by(col(ApiKeyRow.id))))


def revoke_key(url: str, person_id: int, key_id: int, by: str, at: datetime) -> ApiKeyRow | None:
    """Revoke one key of the person (again: nothing changes); None when they hold no such key."""
    with _writing(url) as session:
        row = session.get(ApiKeyRow, key_id)
        if row is None or row.person_id != person_id:
            return None
        if row.revoked_at is None:
            row.revoked_at, row.revoked_by = at, by
            session.add(row)
            _record(session, f"people:{uuid.uuid4()}", at, by, "key_revoked",
                    {"person_id": person_id, "key_id": key_id, "prefix": row.prefix})
            session.commit()
        return row


def grant_for(url: str, key: str) -> Grant | None:
    """The grant of a key by its hash: None when unknown, revoked, its person deactivated, or
    the one role it was issued for no longer theirs."""
    with _key_reads(url).connect() as connection:  # on SQLite: no write lock, never waits
        found = connection.execute(_GRANT, {"h": hash_key(key)}).first()
    if found is None or found.revoked_at is not None or not found.active:
        return None
    roles = key_roles(found.roles, found.role)
    if not roles:
        return None
    return Grant(found.id, found.name, roles, found.last_used_at,
                 departments=tuple(found.departments or ()))


_KEYS, _PEOPLE = table_of(ApiKeyRow), table_of(PersonRow)
_GRANT = (core_select(_KEYS.c.id, _KEYS.c.role, _KEYS.c.revoked_at, _KEYS.c.last_used_at,
                      _PEOPLE.c.name, _PEOPLE.c.roles, _PEOPLE.c.active,
                      _PEOPLE.c.departments)
          .join_from(_KEYS, _PEOPLE, _KEYS.c.person_id == _PEOPLE.c.id)
          .where(_KEYS.c.key_hash == bindparam("h")))


def touch(url: str, key_id: int, at: datetime) -> None:
    """Mark the key used at `at`, unless it was marked less than a minute before."""
    with engine_for(url).begin() as connection:
        connection.execute(update(_KEYS).where(_KEYS.c.id == key_id).where(or_(
            _KEYS.c.last_used_at.is_(None), _KEYS.c.last_used_at < at - LAST_USED_EVERY))
            .values(last_used_at=at))


def bootstrap(url: str, keys: Mapping[str, tuple[str, str]], at: datetime) -> int:
    """Make each configured key (key → (name, role)) a key of its person, creating the person
    or adding the role where needed; a key already known (revoked too) is left as it is.
    Idempotent and safe with several processes starting at once. Answers how many keys are new."""
    hashes = {hash_key(k): (k, holder) for k, holder in keys.items()}
    with _writing(url) as session:
        known = set(session.exec(select(ApiKeyRow.key_hash)
                                 .where(col(ApiKeyRow.key_hash).in_(list(hashes)))))
        for digest, (key, (name, role)) in hashes.items():
            if digest not in known:
                _bootstrap_key(session, digest, prefix_of(key), name, role, at)
        session.commit()
    return len(hashes) - len(known)


def _bootstrap_key(session: Session, digest: str, prefix: str, name: str, role: str,
                   at: datetime) -> None:
    person = session.exec(select(PersonRow).where(PersonRow.name == name)).first()
    if person is None:
        person = PersonRow(name=name, roles=[role], created_at=at, updated_at=at)
    elif role not in person.roles:
        person.roles = list(check_roles([*person.roles, role]))
        person.updated_at = at
    session.add(person)
    session.flush()
    assert person.id is not None
    row = ApiKeyRow(person_id=person.id, key_hash=digest, prefix=prefix, role=role,
                    created_at=at, created_by="system")
    session.add(row)
    session.flush()
    _record(session, f"people:bootstrap:{digest}", at, "system", "key_bootstrapped",
            {"person_id": person.id, "name": name, "role": role, "key_id": row.id,
             "prefix": prefix})


def now() -> datetime:
    return datetime.now(UTC)


def admin_key_on_file(url: str) -> bool:
    """Whether an active admin holds a key that works (not revoked, issued for all their roles
    or for `admin`): someone can still manage the directory."""
    with reading(url) as session:
        admins = {p.id for p in session.exec(select(PersonRow).where(PersonRow.active == True))  # noqa: E712
                  if "admin" in p.roles}
        if not admins:
            return False
        keys = session.exec(select(ApiKeyRow).where(col(ApiKeyRow.person_id).in_(admins),
                                                    col(ApiKeyRow.revoked_at).is_(None)))
        return any(k.role in (None, "admin") for k in keys)
