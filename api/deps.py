"""Typed dependencies: the Temporal client, a database session, the calling principal and what
their role permits (`require`).

The ones that only read app state are `async def`: FastAPI runs a plain `def` dependency in a worker
thread, three thread hops on every request for a dictionary lookup each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlmodel import Session
from temporalio.client import Client

from api.edges import RateLimiter, client_address, retry_after
from api.errors import ApiError
from api.refusals import Attempt, refusal_error
from domain.injury import rules as case_rules
from domain.onboarding import rules as onboarding_rules
from domain.shared import roles as tool_rules
from domain.shared.errors import Forbidden
from domain.shared.people import Actor
from settings import KeyHolder, Settings
from store.db import session_for


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_client(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


def get_session(request: Request) -> Iterator[Session]:
    with session_for(request.app.state.settings.db_url) as session:
        yield session


async def get_principal(request: Request,
                        authorization: Annotated[str | None, Header()] = None) -> Actor:
    """The caller, from `Authorization: Bearer <key>`; 401 without a valid key. An address whose
    failures used up its allowance gets 429 for every key until it refills (api/edges.py)."""
    keys: dict[str, KeyHolder] = request.app.state.api_keys
    limiter: RateLimiter | None = getattr(request.app.state, "auth_limiter", None)
    address = client_address(request.scope)
    if limiter is not None and (wait := limiter.wait(address)):
        raise ApiError(429, "auth.rate_limited",
                       "too many failed API keys from this address; try again later",
                       "Authorization", headers={"Retry-After": retry_after(wait)})
    scheme, _, key = (authorization or "").partition(" ")
    holder = keys.get(key.strip()) if scheme.lower() == "bearer" and key else None
    if holder is not None:
        return Actor(name=holder.name, role=holder.role)
    if limiter is not None:
        limiter.take(address)
    if scheme.lower() != "bearer" or not key:
        raise ApiError(401, "auth.missing_key", "send 'Authorization: Bearer <key>'",
                       "Authorization")
    raise ApiError(401, "auth.invalid_key", "the API key is not valid", "Authorization")


SettingsDep = Annotated[Settings, Depends(get_settings)]
TemporalDep = Annotated[Client, Depends(get_client)]
SessionDep = Annotated[Session, Depends(get_session)]
CurrentPrincipal = Annotated[Actor, Depends(get_principal)]

RoleCheck = Callable[[str, Actor], None]
_ROLE_TABLES: tuple[tuple[dict[str, frozenset[str]], RoleCheck], ...] = (
    (onboarding_rules.ACTION_ROLES, onboarding_rules.check_role),
    (case_rules.CASE_ROLES, case_rules.check_role),
    (tool_rules.TOOL_ROLES, tool_rules.check_role),
)


def role_check(action: str) -> RoleCheck:
    """The domain's check for `action` (its role table); a name no table holds fails at import."""
    for table, check in _ROLE_TABLES:
        if action in table:
            return check
    raise KeyError(f"no role table names the action {action!r}")


def require(action: str, *, record_refusal: bool = False) -> Any:
    """A dependency answering the caller when their role may do `action`, else 403 role.forbidden
    (`Annotated[Actor, require("approve_enrollment")]`). With `record_refusal`, the 403 goes to
    the ledger of the route's `{id}`, as its other refusals do (api/refusals.py)."""
    check = role_check(action)

    async def permitted(request: Request, actor: CurrentPrincipal) -> Actor:
        await permit(check, action, actor, request, record_refusal=record_refusal)
        return actor

    return Depends(permitted)


async def permit(check: RoleCheck, action: str, actor: Actor, request: Request, *,
                 record_refusal: bool) -> None:
    """Run the role check; a refusal is recorded (when asked) and raised as the domain's 403."""
    try:
        check(action, actor)
    except Forbidden as refused:
        if record_refusal:
            settings: Settings = request.app.state.settings
            await Attempt(settings.db_url, request.path_params["id"], actor, action).refused(
                refusal_error(refused))
        raise
