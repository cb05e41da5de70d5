"""The edges of the API, in front of every route: request bodies limited while they are read, the
employee pages' headers and rate limit, the limiter failed API keys use, and access logs without
personal links.

The rate limits are in-process token buckets per client address (`scope["client"]`): each API
process counts on its own, and behind a proxy the address is the one uvicorn takes from
X-Forwarded-For when the proxy is in `--forwarded-allow-ips`.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from settings import Settings

MULTIPART_ALLOWANCE = 64 * 1024
"""An upload's body may exceed CASEGUARD_DOCUMENT_MAX_BYTES by this much: the form's other fields
and its boundaries. The route checks the file's own size against the setting."""

EMPLOYEE_PAGE_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}
DEFAULT_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
"""The CSP of an /r/ answer that sets none of its own (a 404 JSON for /r/a/b); the pages set theirs
with their style nonce (api/routes/employee.py)."""


class RateLimiter:
    """A token bucket per client address: `per_minute` requests at once, refilled evenly over a
    minute. In-process: each API process keeps its own buckets."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = 10_000) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # client: (tokens, at)

    def _level(self, client: str, now: float) -> float:
        tokens, at = self._buckets.get(client, (self.capacity, now))
        return min(self.capacity, tokens + (now - at) * self.rate)

    def wait(self, client: str) -> float:
        """Seconds until `client` has a token (0: it has one now); takes nothing."""
        return max(0.0, (1.0 - self._level(client, self._clock())) / self.rate)

    def take(self, client: str) -> float:
        """Take a token: 0 when there was one, else the seconds until there is (nothing taken)."""
        now = self._clock()
        tokens = self._level(client, now)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens - 1.0, now)
        self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        """Bound the memory: past `max_clients`, buckets that have refilled are dropped."""
        if len(self._buckets) <= self._max_clients:
            return
        for client in [c for c in self._buckets if self._level(c, now) >= self.capacity]:
            del self._buckets[client]


def retry_after(seconds: float) -> str:
    """The Retry-After value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class BodyTooLarge(Exception):
    """A request body passed its limit while the app read it."""


async def _send_json(send: Send, status: int, error: dict[str, str],
                     headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"error": error}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"connection", b"close")]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Request bodies limited while they are read, before routing, authentication or spooling: a
    multipart upload to `upload_max` (+ MULTIPART_ALLOWANCE), anything else to `body_max`. A
    Content-Length over the limit is answered 413 before a byte is read; a body without one is
    counted as the app reads it, and the first message past the limit ends the request with 413."""

    def __init__(self, app: ASGIApp, *, body_max: int, upload_max: int) -> None:
        self.app = app
        self.body_max = body_max
        self.upload_max = upload_max + MULTIPART_ALLOWANCE

    def limit_of(self, headers: Headers) -> int:
        multipart = headers.get("content-type", "").lower().startswith("multipart/form-data")
        return self.upload_max if multipart else self.body_max

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.limit_of(headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(send, limit)
            return
        received, exceeded, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(f"the request body passed {limit} bytes")
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the app makes of the error, the answer is 413
                if not started:
                    started = True
                    await self._too_large(send, limit)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except BodyTooLarge:
            if not started:
                await self._too_large(send, limit)

    @staticmethod
    async def _too_large(send: Send, limit: int) -> None:
        await _send_json(send, 413, {
            "code": "body.too_large", "field": "",
            "message": f"the request body is larger than {limit} bytes"})


class EmployeePages:
    """Everything under /r/: rate-limited per client address (429 with Retry-After, before the
    token is even read), and every answer with EMPLOYEE_PAGE_HEADERS and a CSP."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter,
                 too_many: Callable[[str], Any]) -> None:
        self.app = app
        self.limiter = limiter
        self.too_many = too_many  # Retry-After value -> the page (a Starlette response)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/r" or path.startswith("/r/")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in EMPLOYEE_PAGE_HEADERS.items():
                    headers[name] = value
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = DEFAULT_PAGE_CSP
            await send(message)

        wait = self.limiter.take(client_address(scope))
        if wait:
            await self.too_many(retry_after(wait))(scope, receive, with_headers)
            return
        await self.app(scope, receive, with_headers)


_LINK = re.compile(r"/r/[A-Za-z0-9_-]+\.[0-9]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class WithoutLinks(logging.Filter):
    """Access-log lines with a personal link's token replaced: the token opens the notice."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_LINK.sub("/r/[link]", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


def keep_links_out_of_access_logs() -> None:
    """Install WithoutLinks on uvicorn's access log, once per process."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, WithoutLinks) for f in access.filters):
        access.addFilter(WithoutLinks())


def install(app: FastAPI, settings: Settings, *, too_many: Callable[[str], Any]) -> None:
    """The edges on `app`: the body limit outermost, then the employee pages' limit and headers;
    the failed-key limiter for api.deps; access logs without links."""
    app.state.auth_limiter = RateLimiter(settings.auth_failures_per_minute)
    app.add_middleware(EmployeePages, limiter=RateLimiter(settings.link_requests_per_minute),
                       too_many=too_many)
    app.add_middleware(BodyLimit, body_max=settings.request_max_bytes,
                       upload_max=settings.document_max_bytes)
    keep_links_out_of_access_logs()
