"""The real app against a real dev server and a real worker, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from settings import Settings
from store import people
from worker import WORKFLOW_RUNNER, WORKFLOWS, Workers, activities_for

KEYS = {
    "k-hr": {"name": "hr-alice", "role": "hr"},
    "k-hr2": {"name": "hr-carol", "role": "hr"},
    "k-mgr": {"name": "mgr-bob", "role": "hr_manager"},
    "k-alice-mgr": {"name": "hr-alice", "role": "hr_manager"},
    "k-manager": {"name": "dept-dave", "role": "manager"},
    "k-admin": {"name": "root", "role": "admin"},
}

MANAGED = ("生产部",)
"""The departments of dept-dave (k-manager): the one tests/factories.py gives its employees."""

AppFactory = Callable[..., Awaitable[httpx.AsyncClient]]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def make_api(dev_server: WorkflowEnvironment, db_url: str,
                   tmp_path: Any) -> AsyncIterator[AppFactory]:
    """Builds app + worker pairs on one database; each gets its own task queue."""
    stack: list[Any] = []
    executor = ThreadPoolExecutor(max_workers=8)

    async def build(**overrides: Any) -> httpx.AsyncClient:
        task_queue = f"api-{uuid.uuid4().hex[:8]}"
        settings = Settings(**{
            "env": "dev", "database_url": db_url, "var_dir": tmp_path, "task_queue": task_queue,
            "temporal_address": dev_server.client.service_client.config.target_host,
            "api_keys": KEYS, "enrollment_hold_minutes": 0.01,
            "notice_quiet_hours": False, **overrides})
        worker = Workers(dev_server.client, task_queue=task_queue, workflows=list(WORKFLOWS),
                         workflow_runner=WORKFLOW_RUNNER,
                         activities=activities_for(db_url, documents_root=tmp_path / "documents"),
                         activity_executor=executor)
        worker_task = asyncio.create_task(worker.run())
        app = create_app(settings)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        _manages(db_url, "dept-dave", MANAGED)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="http://caseguard.test")
        client.temporal, client.task_queue = dev_server.client, task_queue  # type: ignore[attr-defined]
        stack.append((worker, worker_task, lifespan, client))
        return client

    yield build
    for worker, worker_task, lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
        await worker.shutdown()
        await worker_task
    executor.shutdown(wait=False)


@pytest.fixture
async def api(make_api: AppFactory) -> httpx.AsyncClient:
    return await make_api()


def _manages(db_url: str, name: str, departments: tuple[str, ...]) -> None:
    """Give a configured key's person their departments, as an admin would (a second app on the
    same database changes nothing)."""
    _, managers = people.listing(db_url, active=None, role="manager", limit=500, offset=0)
    person = next(p for p in managers if p.name == name)
    assert person.id is not None
    people.change(db_url, person.id, {"departments": departments}, "root", people.now())


async def eventually(probe: Callable[[], Awaitable[Any]], timeout: float = 20.0) -> Any:
    """Poll until `probe` returns something truthy (projections and timers are asynchronous)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"not true after {timeout} s: {probe}")
        await asyncio.sleep(0.1)
