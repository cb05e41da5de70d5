"""GET /healthz: each outside dependency checked on its own; 503 when one of them is down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from temporalio.client import Client

from settings import Settings
from store.db import ping
from store.documents import content_store

router = APIRouter(tags=["health"])
CHECK_TIMEOUT = 3.0  # seconds per check; they run side by side


class ComponentCheck(BaseModel):
    """One dependency: up or not, how long the check took, and what it found or why it failed."""

    model_config = ConfigDict(extra="allow")

    ok: bool
    ms: float
    error: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    checks: dict[str, ComponentCheck]


def _database(settings: Settings) -> dict[str, Any]:
    ping(settings.db_url)
    return {"dialect": settings.db_url.split(":", 1)[0].split("+", 1)[0]}


async def _temporal(client: Client, settings: Settings) -> dict[str, Any]:
    await client.service_client.check_health(timeout=timedelta(seconds=CHECK_TIMEOUT))
    return {"address": settings.temporal_address, "namespace": settings.temporal_namespace}


def _pdf_font(settings: Settings) -> dict[str, Any]:
    font = settings.cjk_font()  # RuntimeError naming the fix when none is installed
    with font.open("rb") as handle:
        if not handle.read(4):
            raise RuntimeError(f"the font file {font} is empty")
    return {"path": str(font)}


# What the health check writes and reads back: the same bytes every time, so the store keeps one copy.
HEALTH_PROBE = b"caseguard healthz probe\n"


def _documents(settings: Settings) -> dict[str, Any]:
    """The document store takes a write and reads it back (one fixed probe, stored once)."""
    store = content_store(settings)
    digest = store.put(HEALTH_PROBE)
    store.get(digest)
    return {"store": store.describe()}


async def _check(probe: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        details = await asyncio.wait_for(probe(), CHECK_TIMEOUT)
        result: dict[str, Any] = {"ok": True, **details}
    except Exception as exc:  # noqa: BLE001 - any failure is this component being down
        reason = str(exc) or type(exc).__name__
        result = {"ok": False, "error": f"{type(exc).__name__}: {reason}"[:500]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@router.get("/healthz", response_model=Health, responses={
    503: {"model": Health, "description": "one or more components are down"}})
async def health(request: Request) -> JSONResponse:
    """Health of the database, Temporal, the PDF font and document storage, each on its own;
    503 with `"status": "degraded"` when any is down."""
    settings: Settings = request.app.state.settings
    client: Client = request.app.state.temporal
    names = ("database", "temporal", "pdf_font", "documents")
    results = await asyncio.gather(
        _check(lambda: run_in_threadpool(_database, settings)),
        _check(lambda: _temporal(client, settings)),
        _check(lambda: run_in_threadpool(_pdf_font, settings)),
        _check(lambda: run_in_threadpool(_documents, settings)))
    checks = dict(zip(names, results, strict=True))
    healthy = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ok" if healthy else "degraded", "checks": checks},
                        status_code=200 if healthy else 503)
