"""Each role sees what its work needs: the one step that masks answers for readers who do not
handle cases, and the access log of reads of sensitive personal information.

- `MaskedAnswers` (ASGI, in front of every route): a JSON answer to a caller none of whose roles
  handles cases (`domain.shared.masking.sees_whole`; today `manager`) is rewritten through
  `masking.masked`: ID numbers, phones and emails masked, medical texts hidden. The caller's roles
  are those `api.deps.get_principal` puts in `request.state.roles`. HR roles' answers pass through
  untouched, byte for byte; files (bundles, PDFs, CSVs) are not JSON and pass too (a manager may
  not read documents or export bundles).
- `logged(action)`: the route's role and department checks (`api.deps.require`), then one row in
  the access log (store/access_log.py), written on a worker thread while the route runs and
  before its answer is sent. A read the role may not do (403), or of a record outside the
  caller's departments (404, api/scoping.py), is refused first and not logged as a read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import require
from api.edges import client_address
from domain.shared.masking import mask_text, masked, sees_whole
from domain.shared.people import Actor
from settings import Settings
from store import access_log

SUBJECT_PARAMS = ("id", "document_id", "notice_id", "case_id", "employee_id")
SUBJECT_QUERIES = ("subject_id", "subject")


def masked_reader(scope: Scope) -> bool:
    """Whether the caller was authenticated and none of their roles handles cases."""
    roles: tuple[str, ...] = tuple(scope.get("state", {}).get("roles", ()))
    return bool(roles) and not any(sees_whole(role) for role in roles)


class MaskedAnswers:
    """Rewrites JSON answers to masked readers (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def shaping(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message["headers"]))
                if masked_reader(scope) and \
                        headers.get("content-type", "").startswith("application/json"):
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                if body:
                    body = json.dumps(masked(json.loads(body)), ensure_ascii=False,
                                      separators=(",", ":")).encode()
                headers = MutableHeaders(raw=list(start["headers"]))
                headers["content-length"] = str(len(body))
                await send({**start, "headers": headers.raw})
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, shaping)


def logged(action: str) -> Any:
    """A dependency answering the caller when their role may do `action` within their
    departments (`require`); one row of the access log records the read before the answer goes
    out. The row is written on a worker thread while the route reads (scope "function": FastAPI
    runs the rest of `reader` after the route, before it sends the answer); a row that cannot be
    written fails the request, as it did when the route waited for it."""

    allowed = require(action)  # a default, not an annotation: annotations here are strings

    async def reader(request: Request, actor: Actor = allowed) -> AsyncIterator[Actor]:
        settings: Settings = request.app.state.settings
        async with access_logged(settings.db_url, entry(request, actor)):
            yield actor

    return Depends(reader, scope="function")


@asynccontextmanager
async def access_logged(db_url: str, row: access_log.AccessLogRow) -> AsyncIterator[None]:
    """The read's access-log row written on a worker thread while the block reads; the block's
    end waits for it, so nothing read is answered before it is logged, and a row that cannot be
    written fails the request."""
    written = asyncio.ensure_future(asyncio.to_thread(access_log.record, db_url, row))
    try:
        yield
    finally:
        await written


def entry(request: Request, actor: Actor) -> access_log.AccessLogRow:
    """The access-log row of this read: the route's template, the subject it names (masked, as
    the agent is: no phone or ID number reaches the log whole)."""
    route = request.scope.get("route")
    subject = next((str(request.path_params[p]) for p in SUBJECT_PARAMS
                    if p in request.path_params),
                   next((request.query_params[q] for q in SUBJECT_QUERIES
                         if q in request.query_params), None))
    return access_log.AccessLogRow(
        at=datetime.now(UTC), principal=actor.name[:100], role=actor.role[:40],
        method=request.method[:10], route=str(getattr(route, "path", request.url.path))[:200],
        subject_id=mask_text(subject)[:120] if subject is not None else None,
        client_address=client_address(request.scope)[:64],
        user_agent=mask_text(request.headers.get("user-agent", ""))[:300])
