"""Issue 17 §4: an employee whose first channels are WeCom and DingTalk and who does not answer the
return-to-work notice is escalated to the HR manager and the department manager, with the attempt
history per channel. A real worker on the time-skipping server, the real channel activities
against the fake WeCom and DingTalk servers (tests/channels/fakes), the employee record on SQLite."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from temporalio.testing import WorkflowEnvironment

from activities.notices.providers import ChannelConfig
from store import employees
from store.db import session_for
from store.models import EmployeeRecordRow, NoticeAttemptRow, NoticeRow
from tests.channels.fakes.dingtalk import FakeDingTalk
from tests.channels.fakes.wecom import FakeWeCom
from tests.factories import case_input, employee
from tests.workflows.conftest import Harness, act_on_case, case_action
from worker import GUARD_RUNNER, WORKFLOWS, Workers, activities_for


@pytest.fixture
async def china(time_skipping_env: WorkflowEnvironment, sqlite_url: str,
                tmp_path: Path) -> AsyncIterator[tuple[Harness, FakeWeCom, FakeDingTalk]]:
    wecom, ding = FakeWeCom(), FakeDingTalk()  # nobody reads on DingTalk, nobody clicks on WeCom
    await wecom.start()
    await ding.start()
    cfg = ChannelConfig(secret_key="s" * 32, wecom_corp_id=wecom.corp_id,
                        wecom_agent_id=wecom.agent_id, wecom_secret=wecom.secret,
                        wecom_api_base_url=wecom.url, dingtalk_app_key=ding.app_key,
                        dingtalk_app_secret=ding.app_secret, dingtalk_agent_id=ding.agent_id,
                        dingtalk_api_base_url=ding.url, timeout_seconds=5)
    queue = f"china-{uuid.uuid4().hex[:6]}"
    try:
        with ThreadPoolExecutor(8) as executor:
            async with Workers(time_skipping_env.client, task_queue=queue,
                               workflows=list(WORKFLOWS), workflow_runner=GUARD_RUNNER,
                               activities=activities_for(sqlite_url, cfg, tmp_path / "documents"),
                               activity_executor=executor):
                yield Harness(time_skipping_env, time_skipping_env.client, queue,
                              sqlite_url), wecom, ding
    finally:
        await wecom.stop()
        await ding.stop()


def employee_on_wecom_and_dingtalk(db_url: str) -> None:
    employees.upsert_from_registration(db_url, employee("E1001"), hire_date=date(2026, 1, 5),
                                       region="beijing", at=datetime.now(UTC))
    with session_for(db_url) as session:
        row = session.get(EmployeeRecordRow, "E1001")
        assert row is not None
        # Not a member of the company's WeCom: that attempt fails at once and DingTalk follows.
        row.wecom_user_id, row.dingtalk_user_id = "WangWu", "manager4220"
        row.channels = ["wecom", "dingtalk"]
        session.add(row)
        session.commit()


def rows(wf: Harness, query: Any) -> list[Any]:
    """One short read (a long-held session would hold SQLite's lock against the worker)."""
    with session_for(wf.db_url) as session:
        return list(session.exec(query).all())


async def test_an_unanswered_employee_on_wecom_and_dingtalk_is_escalated_with_the_history(
        china: tuple[Harness, FakeWeCom, FakeDingTalk]):
    wf, wecom, ding = china
    employee_on_wecom_and_dingtalk(wf.db_url)
    now = await wf.env.get_current_time()
    inp = replace(case_input(now - timedelta(hours=1), now=now))
    handle = await wf.start_case(inp)
    await act_on_case(handle, case_action("file_materials",
                                          materials=tuple(m.code for m in inp.materials)))
    await act_on_case(handle, case_action("apply_determination"))
    await act_on_case(handle, case_action("record_determination", recognised=True))
    view = await act_on_case(handle, case_action("start_suspension", months=1))
    end = next(d for d in view.deadlines if d.name == "suspension_end").raw_due_at
    await wf.sleep_until(end - timedelta(days=7) + timedelta(days=3, hours=1))

    def escalation_notices() -> list[NoticeRow]:
        return rows(wf, select(NoticeRow).where(NoticeRow.subject_id == handle.id,
                                                NoticeRow.purpose == "notice_escalation"))

    for _ in range(100):
        if {n.recipient_role for n in escalation_notices()} >= {"hr_manager",
                                                                "department_manager"}:
            break
        await asyncio.sleep(0.1)
    [notice] = rows(wf, select(NoticeRow).where(NoticeRow.subject_id == handle.id,
                                                NoticeRow.purpose == "return_to_work"))
    attempts = rows(wf, select(NoticeAttemptRow).where(
        NoticeAttemptRow.notice_id == notice.id).order_by(col(NoticeAttemptRow.id)))
    assert notice.channels == ["wecom", "dingtalk"]
    assert [a.channel for a in attempts if not a.reminder][:2] == ["wecom", "dingtalk"]
    assert {a.to_address for a in attempts} <= {"WangWu", "manager4220"}
    assert attempts[0].state == "failed"
    escalation = escalation_notices()
    assert {n.recipient_role for n in escalation} >= {"hr_manager", "department_manager"}
    bodies = [a.body for a in rows(wf, select(NoticeAttemptRow).where(
        col(NoticeAttemptRow.notice_id).in_([n.id for n in escalation])))]
    assert any("企业微信" in b and "钉钉" in b and "通知记录" in b for b in bodies), bodies[:1]
    assert len(ding.sent) >= 1
    assert wecom.violations == [] and ding.violations == []
