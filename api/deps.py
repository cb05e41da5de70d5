"""Typed dependencies: the Temporal client, a database session and the calling principal.

The ones that only read app state are `async def`: FastAPI runs a plain `def` dependency in a worker
thread, three thread hops on every request for a dictionary lookup each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import Session
from temporalio.client import Client

from api.errors import ApiError
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
    """The caller, from `Authorization: Bearer <key>`; 401 without a valid key."""
    keys: dict[str, KeyHolder] = request.app.state.api_keys
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        raise ApiError(401, "auth.missing_key", "send 'Authorization: Bearer <key>'",
                       "Authorization")
    holder = keys.get(key.strip())
    if holder is None:
        raise ApiError(401, "auth.invalid_key", "the API key is not valid", "Authorization")
    return Actor(name=holder.name, role=holder.role)


SettingsDep = Annotated[Settings, Depends(get_settings)]
TemporalDep = Annotated[Client, Depends(get_client)]
SessionDep = Annotated[Session, Depends(get_session)]
CurrentPrincipal = Annotated[Actor, Depends(get_principal)]
