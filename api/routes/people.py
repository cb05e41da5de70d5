"""The directory of people (admins only): who holds which roles, how to reach them, their API
keys. A person is deactivated, never deleted; every change is in the evidence ledger (`people`)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, StrictBool

from api.deps import SettingsDep, require
from api.errors import ApiError
from api.schemas import Body, Offset
from domain.shared.directory import PersonFields
from domain.shared.errors import RuleViolation
from domain.shared.people import Actor
from store import people, sessions
from store.models import ApiKeyRow, PersonRow

router = APIRouter(prefix="/api/v1/people", tags=["people"])
Admin = Annotated[Actor, require("manage_people")]
_LISTS = ("roles", "departments", "channels")
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class PersonIn(Body):
    """A person of the directory; `name` is the principal name the evidence records."""

    name: str = Field(min_length=1, max_length=80)
    roles: list[str] = Field(min_length=1, max_length=4)
    departments: list[str] = Field(default=[], max_length=50)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    wecom_user_id: str | None = Field(default=None, max_length=64)
    dingtalk_user_id: str | None = Field(default=None, max_length=64)
    channels: list[str] = Field(default=[], max_length=4)
    active: StrictBool = True


class PersonPatch(Body):
    """The fields to change; a contact set to null is removed. The name cannot change."""

    roles: list[str] | None = Field(default=None, min_length=1, max_length=4)
    departments: list[str] | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    wecom_user_id: str | None = Field(default=None, max_length=64)
    dingtalk_user_id: str | None = Field(default=None, max_length=64)
    channels: list[str] | None = Field(default=None, max_length=4)
    active: StrictBool | None = None


class PersonOut(BaseModel):
    id: int
    name: str
    roles: list[str]
    departments: list[str]
    phone: str | None
    email: str | None
    wecom_user_id: str | None
    dingtalk_user_id: str | None
    channels: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


class PersonList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[PersonOut]


class KeyIn(Body):
    """`role`: the one role the key acts with (one of the person's); unset: all of them."""

    role: str | None = None


class KeyOut(BaseModel):
    id: int
    prefix: str
    role: str | None
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None


class KeyIssued(KeyOut):
    key: str = Field(description="the key itself, shown this once: only its hash is kept")


class KeyList(BaseModel):
    items: list[KeyOut]


def _person(row: PersonRow) -> PersonOut:
    return PersonOut.model_validate(row, from_attributes=True)


def _key(row: ApiKeyRow) -> KeyOut:
    return KeyOut.model_validate(row, from_attributes=True)


async def _found(settings: SettingsDep, id: int) -> PersonRow:
    row = await asyncio.to_thread(people.get, settings.db_url, id)
    if row is None:
        raise ApiError(404, "person.not_found", f"no person {id}", "id")
    return row


@router.post("", status_code=201, response_model=PersonOut)
async def create_person(body: PersonIn, actor: Admin, settings: SettingsDep) -> PersonOut:
    """Add a person (409 when the name is taken; 422 names the field and the rule)."""
    fields = PersonFields(body.name, tuple(body.roles), tuple(body.departments), body.phone,
                          body.email, body.wecom_user_id, body.dingtalk_user_id,
                          tuple(body.channels), body.active)
    row = await asyncio.to_thread(people.create, settings.db_url, fields, actor.name, people.now())
    return _person(row)


@router.get("", response_model=PersonList)
async def list_people(actor: Admin, settings: SettingsDep, active: bool | None = None,
                      role: str | None = Query(None, max_length=20),
                      limit: int = Query(50, ge=1, le=500), offset: Offset = 0) -> PersonList:
    """People by name, filtered by `active` and `role`."""
    total, rows = await asyncio.to_thread(people.listing, settings.db_url, active=active,
                                          role=role, limit=limit, offset=offset)
    return PersonList(total=total, limit=limit, offset=offset, items=[_person(r) for r in rows])


@router.get("/{id}", response_model=PersonOut)
async def get_person(id: RowId, actor: Admin, settings: SettingsDep) -> PersonOut:
    """One person."""
    return _person(await _found(settings, id))


@router.patch("/{id}", response_model=PersonOut)
async def change_person(id: RowId, body: PersonPatch, actor: Admin,
                        settings: SettingsDep) -> PersonOut:
    """Change roles, departments, contacts, channels or `active` (deactivated: their keys stop
    working at once); 409 person.last_admin when no active admin would remain."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    for field in (*_LISTS, "active"):
        if field in changes and changes[field] is None:
            raise RuleViolation(field, f"{field}.required", f"{field} cannot be null")
    changes.update({f: tuple(changes[f]) for f in _LISTS if f in changes})
    row = await asyncio.to_thread(people.change, settings.db_url, id, changes, actor.name,
                                  people.now())
    if row is None:
        raise ApiError(404, "person.not_found", f"no person {id}", "id")
    return _person(row)


@router.post("/{id}/keys", status_code=201, response_model=KeyIssued)
async def issue_key(id: RowId, body: KeyIn, actor: Admin, settings: SettingsDep) -> KeyIssued:
    """A new API key for the person, answered this once (only its SHA-256 is kept)."""
    person = await _found(settings, id)
    if body.role is not None and body.role not in person.roles:
        raise RuleViolation("role", "role.not_held", f"'{person.name}' does not hold the role "
                            f"'{body.role}' (roles: {', '.join(person.roles)})")
    key, row = await asyncio.to_thread(people.issue_key, settings.db_url, person, body.role,
                                       actor.name, people.now())
    return KeyIssued(**_key(row).model_dump(), key=key)


@router.get("/{id}/keys", response_model=KeyList)
async def list_keys(id: RowId, actor: Admin, settings: SettingsDep) -> KeyList:
    """The person's keys (prefix, role, created, last used, revoked); never the keys."""
    await _found(settings, id)
    rows = await asyncio.to_thread(people.keys_of, settings.db_url, id)
    return KeyList(items=[_key(r) for r in rows])


@router.delete("/{id}/keys/{key_id}", response_model=KeyOut)
async def revoke_key(id: RowId, key_id: RowId, actor: Admin, settings: SettingsDep) -> KeyOut:
    """Revoke one of the person's keys: it stops working at once (kept, for the record)."""
    row = await asyncio.to_thread(people.revoke_key, settings.db_url, id, key_id, actor.name,
                                  people.now())
    if row is None:
        raise ApiError(404, "key.not_found", f"person {id} holds no key {key_id}", "key_id")
    return _key(row)


class PasswordIn(Body):
    """`password`: set it now (the strength rule applies); unset: answer a one-time setup link
    for the person to choose their own."""

    password: str | None = Field(default=None, max_length=1024)


class PasswordOut(BaseModel):
    person_id: int
    password_set: bool = Field(description="the password given was set (sessions ended)")
    setup_url: str | None = Field(default=None, description="the one-time link, shown this "
                                  "once: only its hash is kept")
    setup_expires_at: datetime | None = None


@router.post("/{id}/password", response_model=PasswordOut)
async def set_password(id: RowId, body: PasswordIn, actor: Admin,
                       settings: SettingsDep) -> PasswordOut:
    """Set or reset the person's workspace password (422 names the strength rule it breaks), or
    answer a one-time setup link (48 hours). Setting a password ends the person's browser
    sessions; either is an entry of the evidence ledger. Only an argon2 hash is kept."""
    await _found(settings, id)
    if body.password is not None:
        await asyncio.to_thread(sessions.set_password, settings.db_url, id, body.password,
                                actor.name, people.now())
        return PasswordOut(person_id=id, password_set=True)
    issued = await asyncio.to_thread(sessions.issue_setup_link, settings.db_url, id, actor.name,
                                     people.now())
    assert issued is not None
    token, expires = issued
    return PasswordOut(person_id=id, password_set=False, setup_expires_at=expires,
                       setup_url=f"{settings.public_base_url.rstrip('/')}/hr/setup/{token}")
