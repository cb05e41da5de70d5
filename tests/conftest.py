"""Shared fixtures: databases (SQLite and PostgreSQL), Temporal environments, factories."""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from devstack import free_port, start_object_storage, stop_process, temporal_cli, temporal_test_server
from devstack.pg_schema import ScratchSchema
from settings import Settings
from store.db import dispose_engines, engine_for, migrate
from temporal_client import dev_data_converter

PG_ADMIN_URL = os.environ.get("CASEGUARD_TEST_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every workflow test depends on the day it runs (`-m dated`, make test-dates)."""
    for item in items:
        if "tests/workflows/" in item.nodeid:
            item.add_marker(pytest.mark.dated)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What importing the tests' modules built lives as long as the run: frozen out of the
    garbage collector, as worker.py does at its start, so no full collection walks it again."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _engines_closed_after_each_test() -> Iterator[None]:
    """Each test's database engines are closed and forgotten once it ends (store.db
    dispose_engines): kept, they made every full garbage collection of this process longer, past
    the 2 s in which an in-process worker must finish a workflow activation."""
    yield
    dispose_engines()


def _postgres_schema_url() -> Iterator[str]:
    try:
        schema = ScratchSchema.create(PG_ADMIN_URL, "cg_test")
    except Exception as exc:  # noqa: BLE001
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_ADMIN_URL} not reachable ({exc.__class__.__name__}); "
                    "CI never skips this")
    try:
        yield schema.url
    finally:
        engine_for(schema.url).dispose()
        schema.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, then a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'caseguard.db'}"
        migrate(url)
        yield url
        return
    for url in _postgres_schema_url():
        migrate(url)
        yield url


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A migrated, empty PostgreSQL schema, for what only PostgreSQL can show (its locks)."""
    for url in _postgres_schema_url():
        migrate(url)
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'caseguard.db'}"
    migrate(url)
    return url


SKIP_DEADLINE = timedelta(minutes=3)


class PatientTimeSkipping:
    """The time-skipping environment, whose `sleep` waits up to SKIP_DEADLINE of real time.

    The server skips a sleep's span only as fast as the worker runs what falls due in it (a month
    of a case's timers, notices and ledger writes); the SDK's own deadline for the call is 30 s,
    which a loaded CI machine once overran. A sleep still stuck after SKIP_DEADLINE fails naming
    how far the server's clock got."""

    def __init__(self, env: WorkflowEnvironment) -> None:
        self._env = env

    def __getattr__(self, name: str) -> Any:
        return getattr(self._env, name)

    async def sleep(self, duration: timedelta | float) -> None:
        span = duration if isinstance(duration, timedelta) else timedelta(seconds=duration)
        request = SleepRequest()
        request.duration.FromTimedelta(span)
        started = await self._env.get_current_time()
        try:
            await self._env.client.test_service.unlock_time_skipping_with_sleep(
                request, timeout=SKIP_DEADLINE)
        except RPCError as error:
            reached = await self._env.get_current_time()
            raise AssertionError(
                f"the time-skipping server did not skip {span} within {SKIP_DEADLINE} of real "
                f"time: its clock went from {started} to {reached} ({error})") from error


@pytest.fixture
async def time_skipping_env() -> AsyncIterator[PatientTimeSkipping]:
    """A fresh time-skipping server per test (its clock may jump after a workflow completes).
    Payloads are encrypted with the dev key, as in `make run`, in this fixture and `dev_server`."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=dev_data_converter(),
        test_server_existing_path=str(temporal_test_server()),
    )
    async with env:
        yield PatientTimeSkipping(env)


@pytest.fixture
async def dev_server() -> AsyncIterator[WorkflowEnvironment | PatientTimeSkipping]:
    """A real dev server (in memory) per test, so workflow ids never collide between tests.

    Under `make test-dates` (CASEGUARD_TEST_DAY set) the time-skipping test server stands in for
    it: faketime moves that server with pytest, not the Go dev server, and it keeps real time
    unless a test asks it to skip, so the API scenarios run on the chosen day with one clock."""
    if os.environ.get("CASEGUARD_TEST_DAY"):
        env = await WorkflowEnvironment.start_time_skipping(
            data_converter=dev_data_converter(), test_server_existing_path=str(temporal_test_server()))
        async with env:
            yield PatientTimeSkipping(env)
        return
    env = await WorkflowEnvironment.start_local(
        data_converter=dev_data_converter(), dev_server_existing_path=str(temporal_cli()), ui=False)
    async with env:
        yield env


@pytest.fixture(scope="session")
def object_storage() -> Iterator[str]:
    """A real S3-compatible server on loopback (moto in server mode), its endpoint URL."""
    port = free_port()
    proc = start_object_storage(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)


@pytest.fixture
def s3_settings(object_storage: str, tmp_path: Path) -> Settings:
    """Settings whose documents live in a new bucket of that server."""
    settings = Settings(env="test", secret_key="t" * 40, var_dir=tmp_path, document_store="s3",
                        s3_endpoint_url=object_storage, s3_bucket=f"docs-{uuid.uuid4().hex[:12]}",
                        s3_access_key="test", s3_secret_key="test")
    boto3.client("s3", endpoint_url=object_storage, region_name=settings.s3_region,
                 aws_access_key_id="test", aws_secret_access_key="test"
                 ).create_bucket(Bucket=settings.s3_bucket)
    return settings
