"""The worker's container health check fails when the worker cannot do its work."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from settings import Settings
from worker import build_worker, not_polling


def _settings(env: WorkflowEnvironment, tmp_path: Path, address: str) -> Settings:
    return Settings(env="dev", var_dir=tmp_path, temporal_address=address,
                    task_queue=f"health-{uuid.uuid4().hex[:8]}")


async def test_healthy_only_while_this_host_polls_both_queues(dev_server: WorkflowEnvironment,
                                                             tmp_path: Path):
    address = dev_server.client.service_client.config.target_host
    settings = _settings(dev_server, tmp_path, address)
    assert "no workflow poll" in (await not_polling(settings) or "")
    with ThreadPoolExecutor(max_workers=2) as executor:
        async with build_worker(dev_server.client, settings, executor):
            reason: str | None = "not checked"
            for _ in range(50):  # the first polls reach the server within moments
                reason = await not_polling(settings)
                if reason is None:
                    break
                await asyncio.sleep(0.2)
            assert reason is None


async def test_unhealthy_when_temporal_cannot_be_reached(tmp_path: Path):
    settings = Settings(env="dev", var_dir=tmp_path, temporal_address="127.0.0.1:1")
    assert "unreachable" in (await not_polling(settings) or "")
