"""Onboardings survive a restart: stop the worker and the dev server inside the window, start them
again on the same var/ files, and the deadline still fires."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from devstack import free_port, temporal_cli
from domain.onboarding.state import OnboardingView
from domain.shared.calendar import SHANGHAI
from store.db import migrate, session_for
from store.models import EvidenceEntry
from temporal_client import dev_data_converter
from tests.factories import onboarding_input
from worker import WORKFLOW_RUNNER, WORKFLOWS, Workers, activities_for

SCALE = 86400 * 2  # the 30-day window lasts about 15 s


async def _dev_server(db_file: Path, port: int) -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_local(
        data_converter=dev_data_converter(), dev_server_existing_path=str(temporal_cli()),
        dev_server_database_filename=str(db_file), port=port, ui=False)


def _stored_kinds(db_url: str, workflow_id: str) -> list[str]:
    with session_for(db_url) as session:
        return list(session.exec(select(EvidenceEntry.kind).where(
            EvidenceEntry.subject_id == workflow_id)).all())


async def _until(probe: Callable[[], bool], seconds: float) -> None:
    for _ in range(int(seconds * 10)):
        if probe():
            return
        await asyncio.sleep(0.1)


async def _server_today(client: Client) -> date:
    """Today on the dev server's clock, read from a workflow it starts: faketime (make test-dates)
    moves pytest but not the Go dev server, and the workflow's timers run on the server's clock."""
    handle = await client.start_workflow("ClockProbe", id=f"clock-probe-{uuid.uuid4().hex[:6]}",
                                         task_queue="clock-probe-nobody-polls")
    started = (await handle.describe()).start_time
    await handle.terminate("clock probe")
    return started.astimezone(SHANGHAI).date()


@pytest.mark.dated
async def test_the_deadline_fires_after_worker_and_server_restart(tmp_path: Path):
    db_url = f"sqlite:///{tmp_path / 'caseguard.db'}"
    migrate(db_url)
    temporal_db, port = tmp_path / "temporal.db", free_port()
    queue = f"restart-{uuid.uuid4().hex[:6]}"
    executor = ThreadPoolExecutor(max_workers=4)

    env = await _dev_server(temporal_db, port)
    inp = onboarding_input(await _server_today(env.client), employee_id="R1", time_scale=SCALE)
    async with Workers(env.client, task_queue=queue, workflows=list(WORKFLOWS),
                       workflow_runner=WORKFLOW_RUNNER, activities=activities_for(db_url),
                       activity_executor=executor):
        handle = await env.client.start_workflow("Onboarding", inp, id="onboarding-R1",
                                                 task_queue=queue)
        await _until(lambda: "registered" in _stored_kinds(db_url, handle.id), seconds=8)
        assert "reminder_sent" not in _stored_kinds(db_url, handle.id)
    await env.shutdown()

    await asyncio.sleep(2)  # both down while business time would pass

    env = await _dev_server(temporal_db, port)
    try:
        async with Workers(env.client, task_queue=queue, workflows=list(WORKFLOWS),
                           workflow_runner=WORKFLOW_RUNNER, activities=activities_for(db_url),
                      activity_executor=executor):
            await _until(lambda: "escalated" in _stored_kinds(db_url, handle.id), seconds=40)
            kinds = _stored_kinds(db_url, handle.id)
            assert "reminder_sent" in kinds and "escalated" in kinds
            view = await env.client.get_workflow_handle(handle.id).query(
                "status", result_type=OnboardingView)
            assert view.deadlines[0].status == "missed"
    finally:
        await env.shutdown()
        executor.shutdown(wait=False)
