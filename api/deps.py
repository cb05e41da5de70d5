"""Typed dependencies: the Temporal client, a database session, the calling principal and what
their role permits (`require`), within the departments they see (api/scoping.py).

The ones that only read app state are `async def`: FastAPI runs a plain `def` dependency in a worker
thread, three thread hops on every request for a dictionary lookup each."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from temporalio.client import Client

from api.edges import RateLimiter, client_address, retry_after
from api.errors import ApiError
from api.refusals import Attempt, refusal_error
from api.scoping import check_record
from domain.contributions import rules as contribution_rules
from domain.employees import written_contract_watch
from domain.injury import rules as case_rules
from domain.onboarding import rules as onboarding_rules
from domain.separation import rules as separation_rules
from domain.shared import roles as tool_rules
from domain.shared.errors import Forbidden
from domain.shared.people import Actor
from domain.shared.scoping import scope_of
from settings import Settings
from store import people
from store.db import point_read, reading

log = logging.getLogger("caseguard.api")


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_client(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


async def read_session(request: Request) -> AsyncIterator[Session]:
    """A session for a route that only reads (store.db.reading): on SQLite it holds no write lock
    while the answer goes out. Opened and closed on the event loop: opening takes no connection,
    and on SQLite closing ends a read in microseconds, where a plain `def` dependency would cost
    two more thread hops, each waiting for the interpreter lock on a loaded API. On PostgreSQL the
    close (a ROLLBACK over the network) goes to a thread."""
    db_url: str = request.app.state.settings.db_url
    with reading(db_url) as session:
        try:
            yield session
        finally:
            if not db_url.startswith("sqlite"):
                await asyncio.to_thread(session.close)


async def get_principal(request: Request,
                        authorization: Annotated[str | None, Header()] = None) -> Actor:
    """The caller, from `Authorization: Bearer <key>`, looked up by the key's hash in the directory
    (store/people.py); 401 without a valid key (unknown, revoked, or its person deactivated). The
    actor's role is the first of the person's; `require` picks the one an action needs. The
    caller's roles and scope (the departments they read: domain.shared.scoping) go to
    `request.state`. An address whose failures used up its allowance gets 429 for every key
    until it refills (api/edges.py)."""
    db_url: str = request.app.state.settings.db_url
    limiter: RateLimiter | None = getattr(request.app.state, "auth_limiter", None)
    address = client_address(request.scope)
    if limiter is not None and (wait := limiter.wait(address)):
        raise ApiError(429, "auth.rate_limited",
                       "too many failed API keys from this address; try again later",
                       "Authorization", headers={"Retry-After": retry_after(wait)})
    scheme, _, key = (authorization or "").partition(" ")
    grant = await point_read(db_url, people.grant_for, key.strip()) \
        if scheme.lower() == "bearer" and key.strip() else None
    if grant is not None:
        request.state.roles = grant.roles
        request.state.scope = scope_of(grant.roles, grant.departments)
        await _mark_used(db_url, grant)
        return Actor(name=grant.name, role=grant.roles[0])
    if limiter is not None:
        limiter.take(address)
    if scheme.lower() != "bearer" or not key:
        raise ApiError(401, "auth.missing_key", "send 'Authorization: Bearer <key>'",
                       "Authorization")
    raise ApiError(401, "auth.invalid_key", "the API key is not valid", "Authorization")


_marked: dict[tuple[str, int], float] = {}  # (database, key id) → when this process last marked it


async def _mark_used(db_url: str, grant: people.Grant) -> None:
    """Set the key's last use, at most once a minute per key (a write on a worker thread); a
    failure only logs: it must not refuse the caller."""
    now, at = time.monotonic(), people.now()
    seconds = people.LAST_USED_EVERY.total_seconds()
    if grant.last_used_at is not None and (
            at - grant.last_used_at < people.LAST_USED_EVERY
            or now - _marked.get((db_url, grant.key_id), -seconds) < seconds):
        return
    _marked[(db_url, grant.key_id)] = now
    try:
        await asyncio.to_thread(people.touch, db_url, grant.key_id, at)
    except SQLAlchemyError as error:
        log.warning("last use of API key %d not recorded: %s", grant.key_id, error)


SettingsDep = Annotated[Settings, Depends(get_settings)]
TemporalDep = Annotated[Client, Depends(get_client)]
ReadSessionDep = Annotated[Session, Depends(read_session)]
CurrentPrincipal = Annotated[Actor, Depends(get_principal)]

RoleCheck = Callable[[str, Actor], None]
_ROLE_TABLES: tuple[tuple[dict[str, frozenset[str]], RoleCheck], ...] = (
    (onboarding_rules.ACTION_ROLES, onboarding_rules.check_role),
    (case_rules.CASE_ROLES, case_rules.check_role),
    (tool_rules.TOOL_ROLES, tool_rules.check_role),
    (contribution_rules.ACCOUNT_ROLES, contribution_rules.check_role),
    (separation_rules.ROLES, separation_rules.check_role),
    (written_contract_watch.ROLES, written_contract_watch.check_role),
)


def role_check(action: str) -> RoleCheck:
    """The domain's check for `action` (its role table); a name no table holds fails at import."""
    for table, check in _ROLE_TABLES:
        if action in table:
            return check
    raise KeyError(f"no role table names the action {action!r}")


def require(action: str, *, record_refusal: bool = False) -> Any:
    """A dependency answering the caller when their role may do `action`, else 403 role.forbidden
    (`Annotated[Actor, require("approve_enrollment")]`), and when the onboarding or case the
    route's `{id}` names is of their departments, else 404 (`permit`). With `record_refusal`, the
    403 goes to the ledger of the route's `{id}`, as its other refusals do (api/refusals.py)."""
    check = role_check(action)

    async def permitted(request: Request, actor: CurrentPrincipal) -> Actor:
        return await permit(check, action, actor, request, record_refusal=record_refusal)

    return Depends(permitted)


async def permit(check: RoleCheck, action: str, actor: Actor, request: Request, *,
                 record_refusal: bool) -> Actor:
    """The actor acting in the first of the caller's roles that may do `action` (a person may
    hold several); else the refusal of the actor's own role, recorded (when asked) and raised as
    the domain's 403. A permitted caller is then held to their departments on the routes of one
    onboarding or case: outside them, the 404 of an unknown id (api/scoping.py)."""
    roles: tuple[str, ...] = getattr(request.state, "roles", (actor.role,))
    refusal: Forbidden | None = None
    for role in (actor.role, *(r for r in roles if r != actor.role)):
        candidate = actor if role == actor.role else Actor(name=actor.name, role=role)
        try:
            check(action, candidate)
        except Forbidden as refused:
            refusal = refusal or refused
            continue
        await check_record(request, candidate)
        return candidate
    assert refusal is not None
    if record_refusal:
        settings: Settings = request.app.state.settings
        await Attempt(settings.db_url, request.path_params["id"], actor, action).refused(
            refusal_error(refusal))
    raise refusal
