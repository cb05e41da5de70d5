"""Record representative OnboardingWorkflow histories into tests/histories/onboarding/*.json.

Run after a deliberate, patched change (`.venv/bin/python -m tests.histories.record`); the replay
test then proves that every recorded run still replays with the current code. Never overwrite a
history to make the replay test pass: that hides a non-determinism a running case would hit.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from devstack import temporal_test_server
from domain.notices import NoticeInput, NoticeOutcome, NoticeRecipient
from domain.onboarding import (
    Actor,
    CancelOnboarding,
    DelayReason,
    OnboardingView,
    ReviewDecision,
    SubmitEnrollment,
    WithdrawalAction,
)
from store.db import migrate
from tests.factories import onboarding_input
from worker import WORKFLOWS, activities_for

HERE = Path(__file__).resolve().parent / "onboarding"
HR, MANAGER = Actor("hr-alice", "hr"), Actor("mgr-bob", "hr_manager")
Scenario = Callable[[WorkflowEnvironment, Client, str], Awaitable[str]]


async def _start(env: WorkflowEnvironment, queue: str, employee_id: str, days_ago: int = 0):
    today = (await env.get_current_time()).astimezone(ZoneInfo("Asia/Shanghai")).date()
    inp = onboarding_input(today - timedelta(days=days_ago), employee_id=employee_id)
    return await env.client.start_workflow("Onboarding", inp, id=f"onboarding-{employee_id}",
                                           task_queue=queue, result_type=OnboardingView)


async def escalated_then_enrolled(env: WorkflowEnvironment, queue: str) -> str:
    handle = await _start(env, queue, "H1")
    await env.sleep(timedelta(days=32))
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(hours=2))
    await handle.execute_update("request_withdrawal", WithdrawalAction(HR, "wrong base"))
    await handle.execute_update("record_withdrawal_answer",
                                WithdrawalAction(HR, "", bureau_answer="refused"))
    await env.sleep(timedelta(days=4))
    await handle.result()
    return handle.id


async def late_registration_cancelled(env: WorkflowEnvironment, queue: str) -> str:
    handle = await _start(env, queue, "H2", days_ago=60)
    await env.sleep(timedelta(days=1))
    await handle.execute_update("cancel", CancelOnboarding(HR, "employee left"))
    await handle.result()
    return handle.id


async def rejected_and_revoked(env: WorkflowEnvironment, queue: str) -> str:
    handle = await _start(env, queue, "H3")
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("reject_enrollment", ReviewDecision(MANAGER, "wrong base"))
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("9000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await handle.execute_update("revoke_enrollment", ReviewDecision(HR, "type"))
    await env.sleep(timedelta(days=28))
    await handle.execute_update("cancel", CancelOnboarding(HR, "employee left"))
    await handle.result()
    return handle.id


async def answer_first_enrolled(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-11-answer-first patch: HR actions answer before the flush."""
    handle = await _start(env, queue, "H4")
    await handle.execute_update("record_delay_reason", DelayReason(HR, "bureau down"))
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(days=4))
    await handle.result()
    return handle.id


async def escalated_via_notices(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-11-notices patch: reminders and escalations are child notices."""
    handle = await _start(env, queue, "H5")
    await env.sleep(timedelta(days=32))
    await handle.execute_update("cancel", CancelOnboarding(HR, "employee left"))
    await handle.result()
    return handle.id


async def notice_unacknowledged(env: WorkflowEnvironment, queue: str) -> str:
    """A return-to-work notice nobody answers: two channels, one reminder, unacknowledged."""
    inp = NoticeInput(subject_id="case-H6", purpose="return_to_work", template="return_to_work",
                      data={"return_date": "2026-12-01", "reason": "停工留薪期届满"},
                      recipient=NoticeRecipient(name="张三", phone="+8613800138000",
                                                email="zs@example.com"),
                      channels=("sms", "email"))
    handle = await env.client.start_workflow("Notice", inp, id="notice-H6", task_queue=queue,
                                             result_type=NoticeOutcome)
    await handle.result()
    return handle.id


async def local_flush_enrolled(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-11-local-flush patch: events written by a local activity."""
    handle = await _start(env, queue, "H7")
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(days=33))
    await handle.result()
    return handle.id


SCENARIOS = {"escalated_then_enrolled": escalated_then_enrolled,
             "late_registration_cancelled": late_registration_cancelled,
             "rejected_and_revoked": rejected_and_revoked,
             "answer_first_enrolled": answer_first_enrolled,
             "escalated_via_notices": escalated_via_notices,
             "notice_unacknowledged": notice_unacknowledged,
             "local_flush_enrolled": local_flush_enrolled}
FOLDER = {"notice_unacknowledged": "notice"}


async def record(names: list[str]) -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(4) as executor:
        db_url = f"sqlite:///{tmp}/history.db"
        migrate(db_url)
        for name in names:
            env = await WorkflowEnvironment.start_time_skipping(
                data_converter=pydantic_data_converter,
                test_server_existing_path=str(temporal_test_server()))
            async with env:
                queue = f"record-{uuid.uuid4().hex[:6]}"
                async with Worker(env.client, task_queue=queue, workflows=list(WORKFLOWS),
                                  activities=activities_for(db_url), activity_executor=executor):
                    workflow_id = await SCENARIOS[name](env, queue)
                history = await env.client.get_workflow_handle(workflow_id).fetch_history()
                folder = HERE.parent / FOLDER.get(name, "onboarding")
                folder.mkdir(exist_ok=True)
                (folder / f"{name}.json").write_text(history.to_json())
                print(f"recorded {name}: {len(history.events)} events")


if __name__ == "__main__":
    asyncio.run(record(sys.argv[1:] or list(SCENARIOS)))
