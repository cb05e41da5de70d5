"""Handlers only check and change state; side effects leave through one queue (patch
2026-12-side-effect-queue): an action answers while its gateway call is still running, and a
signal that lands in between cannot be undone by the call's late result."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.injury.payloads import AuthorityDecision, AuthorityReceipt, DeterminationApplication
from domain.injury.state import Stage
from domain.injury.views import CaseAnswer
from domain.notices.payloads import NoticeOpen
from tests.factories import case_input
from tests.workflows.conftest import Harness, case_action, harness_replacing
from tests.workflows.test_injury_case_clocks import events, query
from worker import GUARD_RUNNER, WORKFLOWS, Workers, activities_for


class Authority:
    """The authority's gateway, held until the test lets it answer."""

    def __init__(self) -> None:
        self.called = asyncio.Event()
        self.release = asyncio.Event()

    @activity.defn(name="submit_determination_application")
    async def submit(self, application: DeterminationApplication) -> AuthorityReceipt:
        self.called.set()
        await self.release.wait()
        return AuthorityReceipt(accepted=True, reference="京人社受理001", accepted_on=None)


@pytest.fixture
async def held(time_skipping_env: WorkflowEnvironment, sqlite_url: str,
               tmp_path: Path) -> AsyncIterator[tuple[Harness, Authority]]:
    authority = Authority()
    async with harness_replacing(time_skipping_env, sqlite_url, tmp_path,
                                 [authority.submit]) as harness:
        yield harness, authority
        authority.release.set()


async def test_an_action_answers_before_its_gateway_and_a_decision_in_between_stays(held):
    wf, authority = held
    now = await wf.env.get_current_time()
    inp = case_input(now - timedelta(days=1), now=now)
    handle = await wf.start_case(inp)
    await handle.execute_update("act", case_action(
        "file_materials", materials=tuple(m.code for m in inp.materials)), result_type=CaseAnswer)

    answer = await asyncio.wait_for(handle.execute_update(
        "act", case_action("apply_determination"), result_type=CaseAnswer), timeout=20)
    assert answer.view.stage == Stage.determination_applied  # answered; the gateway still holds
    await asyncio.wait_for(authority.called.wait(), timeout=20)

    await handle.signal("authority_decision", AuthorityDecision(
        recognised=True, decided_on=await wf.today(), reference="京人社工伤认字001"))
    await wf.env.sleep(timedelta(seconds=1))
    authority.release.set()  # the acceptance receipt arrives after the decision
    await wf.env.sleep(timedelta(seconds=5))

    view = await query(wf, handle)
    assert view.stage == Stage.determination_decided and view.determination.recognised
    [accepted] = events(view, "determination_accepted")
    assert accepted.data["after_decision"] is True
    # The late receipt opened no decision period on a decided case (before the queue it did,
    # and the case was escalated 60 days later for a decision it already had).
    assert all(d.name != "determination_decision" or d.met_at for d in view.deadlines)
    kinds = [e.kind for e in view.events]
    assert kinds.index("determination_decided") < kinds.index("determination_accepted")

    await wf.env.sleep(timedelta(days=65))
    view = await query(wf, handle)
    assert not events(view, "case_escalated", "determination_decision")
    assert not events(view, "case_reminder_sent", "determination_decision")


@activity.defn(name="open_notice")
async def notices_table_refuses(request: NoticeOpen) -> str:
    raise ApplicationError("the notices table refused the row", type="PermanentFailure",
                           non_retryable=True)


@pytest.fixture
async def notices_down(time_skipping_env: WorkflowEnvironment, sqlite_url: str,
                       tmp_path: Path) -> AsyncIterator[Harness]:
    real = [fn for fn in activities_for(sqlite_url, documents_root=tmp_path / "documents")
            if fn.__name__ != "open_notice"]
    queue = f"tq-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with Workers(time_skipping_env.client, task_queue=queue, workflows=list(WORKFLOWS),
                           workflow_runner=GUARD_RUNNER, activities=[*real, notices_table_refuses],
                           activity_executor=executor):
            yield Harness(time_skipping_env, time_skipping_env.client, queue, sqlite_url)


async def test_a_notice_that_fails_becomes_an_hr_task_and_an_evidence_event(notices_down):
    wf = notices_down
    now = await wf.env.get_current_time()
    inp = case_input(now - timedelta(days=1), now=now)
    handle = await wf.start_case(inp)
    await handle.execute_update("act", case_action(
        "file_materials", materials=tuple(m.code for m in inp.materials)), result_type=CaseAnswer)
    await handle.execute_update("act", case_action("apply_determination"), result_type=CaseAnswer)
    await handle.execute_update("act", case_action("record_determination", recognised=True),
                                result_type=CaseAnswer)
    await wf.env.sleep(timedelta(minutes=5))

    view = await query(wf, handle)
    [failed] = events(view, "notice_failed")
    assert failed.data["purpose"] == "determination_decision"
    assert "refused the row" in failed.data["reason"]
    [task] = [t for t in view.tasks if t.code == "courier_decision"]
    assert "refused the row" in task.reason and task.owner_role == "hr"
    assert [n.result for n in view.notices if n.purpose == "determination_decision"] == ["failed"]
