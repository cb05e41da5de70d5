"""A ledger write that gives up never ends a case or an onboarding: the workflow goes on and its next
write takes the events (patches 2026-12-clocks-first, 2026-11-give-up).

These writes are local activities, and a local activity that gives up reaches the workflow as the
activity's own ApplicationError, not wrapped in an ActivityError as a regular activity's is (seen
with temporalio 1.35: after its retries are spent as after a non-retryable error). The fakes below
fail non-retryably, which reaches the workflow exactly as an hour of retries against a database
that stays down does, without the hour."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.ledger import LedgerActivities
from domain.injury.views import CaseProjection
from domain.onboarding.payloads import DelayReason
from domain.onboarding.state import ProjectionUpdate
from domain.shared.events import ACTION_WRITE_QUIET
from tests.factories import case_input, onboarding_input
from tests.workflows.conftest import Harness, harness_replacing
from tests.workflows.test_injury_case_give_ups import ledger_kinds
from tests.workflows.test_onboarding_workflow import HR

failures: dict[str, int] = {}  # activity name → writes still to fail


def _failing_first(name: str, real, payload: type):  # type: ignore[no-untyped-def]
    def write(update):  # type: ignore[no-untyped-def]
        if failures.get(name, 0) > 0:
            failures[name] -= 1
            raise ApplicationError("database unreachable (test)", type="OperationalError",
                                   non_retryable=True)
        return real(update)
    write.__annotations__ = {"update": payload, "return": int}
    return activity.defn(name=name)(write)


@pytest.fixture
async def ledger_down(time_skipping_env: WorkflowEnvironment, sqlite_url: str,
                      tmp_path: Path) -> AsyncIterator[Harness]:
    """The real activities, but each ledger write fails while `failures` says so."""
    failures.clear()
    ledger = LedgerActivities(sqlite_url)
    fakes = [_failing_first("record_case", ledger.record_case, CaseProjection),
             _failing_first("record_onboarding", ledger.record_onboarding, ProjectionUpdate)]
    async with harness_replacing(time_skipping_env, sqlite_url, tmp_path, fakes) as harness:
        yield harness


async def _status(handle) -> WorkflowExecutionStatus | None:  # type: ignore[no-untyped-def]
    return (await handle.describe()).status


async def test_a_case_whose_first_write_gives_up_goes_on_and_writes_it_later(ledger_down):
    wf = ledger_down
    failures["record_case"] = 1  # `case_opened`, the case's first write
    now = await wf.env.get_current_time()
    handle = await wf.start_case(case_input(now - timedelta(days=1), now=now))
    await wf.env.sleep(timedelta(seconds=5))
    assert await _status(handle) == WorkflowExecutionStatus.RUNNING
    assert failures["record_case"] == 0
    kinds = ledger_kinds(wf, handle.id)
    assert {"case_opened", "form_generated"} <= set(kinds)  # the next write took both


async def test_an_onboarding_whose_write_gives_up_goes_on_and_writes_it_later(ledger_down):
    wf = ledger_down
    failures["record_onboarding"] = 1  # `registered`, the onboarding's first write
    handle = await wf.start(replace(onboarding_input(await wf.today()),
                                    registration_recorded=False))
    await wf.env.sleep(timedelta(seconds=1))
    assert await _status(handle) == WorkflowExecutionStatus.RUNNING
    assert ledger_kinds(wf, handle.id) == []
    await handle.execute_update("record_delay_reason", DelayReason(HR, "bureau down"))
    await wf.env.sleep(ACTION_WRITE_QUIET + timedelta(seconds=1))
    assert ledger_kinds(wf, handle.id) == ["registered", "delay_reason_recorded"]
