"""The test harness's sleep on the time-skipping server: a span skipped, a stuck one named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.testservice.v1 import LockTimeSkippingRequest

import tests.conftest as harness


async def test_a_sleep_moves_the_servers_clock_by_its_span(time_skipping_env):
    before = await time_skipping_env.get_current_time()
    await time_skipping_env.sleep(timedelta(days=40))
    assert await time_skipping_env.get_current_time() - before >= timedelta(days=40)


async def test_a_sleep_the_server_cannot_skip_fails_naming_how_far_its_clock_got(
        time_skipping_env, monkeypatch: pytest.MonkeyPatch):
    # two locks: the sleep releases one, the other keeps the clock from skipping
    for _ in range(2):
        await time_skipping_env.client.test_service.lock_time_skipping(LockTimeSkippingRequest())
    monkeypatch.setattr(harness, "SKIP_DEADLINE", timedelta(seconds=1))
    with pytest.raises(AssertionError, match="did not skip 40 days, 0:00:00 within 0:00:01"):
        await time_skipping_env.sleep(timedelta(days=40))
