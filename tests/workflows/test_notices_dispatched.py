"""Reminders and escalations of cases and onboardings (and of the written-contract and contract-SI
watches and the SI stop, tested with their workflows): routed and their notices started by one
activity (patch 2026-12-notices-dispatched), the notices workflows of their own, not the asker's
children; a retried dispatch starts no notice twice."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import ActivityEnvironment

from activities import directory
from activities.directory import NOTICE_PRIORITY, DirectoryActivities
from domain.onboarding.state import OnboardingView
from domain.shared.people import NoticeDispatch, Recipient, RecipientQuery
from tests.factories import case_input, onboarding_input
from tests.workflows.test_injury_case_clocks import (
    deadline,
    events,
    notice_rows,
    open_case,
    query,
    sleep_until,
)

MANAGERS_AND_HR = {"hr", "hr_manager", "department_manager"}


async def test_a_case_escalation_starts_its_notices_by_one_activity(wf):
    handle, view = await open_case(wf, days_ago=2)
    due = deadline(view, "determination_application").due_at
    await sleep_until(wf, due + timedelta(hours=1))
    await wf.written()
    view = await query(wf, handle)
    assert events(view, "case_escalated", "determination_application")

    await dispatched_not_children(wf, handle, "case_escalation")


async def test_an_onboarding_escalation_starts_its_notices_by_one_activity(wf):
    inp = onboarding_input(await wf.today())
    handle = await wf.start(inp)
    await sleep_until(wf, inp.si_registration.due_at + timedelta(hours=1))
    await wf.written()
    view = await handle.query("status", result_type=OnboardingView)
    assert [e.kind for e in view.events].count("escalated") == 1
    await dispatched_not_children(wf, handle, "escalated")
    assert {n.recipient_role for n in notice_rows(wf, handle, "reminder_sent")} == {"hr"}


async def dispatched_not_children(wf, handle: WorkflowHandle, purpose: str,
                                  roles: set[str] = MANAGERS_AND_HR, subject_id: str = "") -> None:
    """`handle` started no Notice child and scheduled no routing of its own; its `purpose` notices (about
    `subject_id`, else the workflow's own record) went to `roles`, started by `dispatch_notices`
    at the notices' priority."""
    history = (await handle.fetch_history()).events
    children = [e.start_child_workflow_execution_initiated_event_attributes.workflow_type.name
                for e in history
                if e.HasField("start_child_workflow_execution_initiated_event_attributes")]
    assert "Notice" not in children  # an onboarding's written-contract watch is its child
    scheduled = [e.activity_task_scheduled_event_attributes for e in history
                 if e.HasField("activity_task_scheduled_event_attributes")]
    names = [a.activity_type.name for a in scheduled]
    assert "route_recipients" not in names and "dispatch_notices" in names
    for dispatch in (a for a in scheduled if a.activity_type.name == "dispatch_notices"):
        assert dispatch.priority.priority_key == NOTICE_PRIORITY.priority_key  # after the records
    notices = notice_rows(wf, subject_id or handle, purpose)
    assert {n.recipient_role for n in notices} == roles
    for row in notices:
        notice = wf.client.get_workflow_handle(row.id)
        described = await notice.describe()
        assert described.workflow_type == "Notice" and described.parent_id is None
        started = (await notice.fetch_history()).events[0].workflow_execution_started_event_attributes
        assert started.priority.priority_key == NOTICE_PRIORITY.priority_key


async def test_a_retried_dispatch_starts_no_notice_twice(wf):
    now = await wf.env.get_current_time()
    case = case_input(now - timedelta(days=1), now=now)
    dispatch = NoticeDispatch(
        query=RecipientQuery(subject_id="case-retried", key="case-retried:case_escalation:1",
                             purpose="case_escalation", department=case.employee.department,
                             wanted=(Recipient(role="hr", name="hr-alice"),
                                     Recipient(role="hr_manager", name="HR Manager Chen",
                                               phone="+8613800138000"))),
        id_prefix="notice-retried", template="generic", data={"title": "t", "body": "b"},
        time_scale=1.0)
    activities = ActivityEnvironment(client=wf.client)
    activities.info = replace(activities.info, task_queue=wf.task_queue)
    directory = DirectoryActivities(wf.db_url)

    first = await activities.run(directory.dispatch_notices, dispatch)
    assert first.notice_ids == ("notice-retried-0", "notice-retried-1")
    runs = {i: (await wf.client.get_workflow_handle(i).describe()).run_id for i in first.notice_ids}
    ended = wf.client.get_workflow_handle("notice-retried-0")
    await ended.terminate("the notice ended before the retry")

    again = await activities.run(directory.dispatch_notices, dispatch)
    assert again == first
    assert (await ended.describe()).status == WorkflowExecutionStatus.TERMINATED
    assert {i: (await wf.client.get_workflow_handle(i).describe()).run_id
            for i in first.notice_ids} == runs


async def test_a_dispatch_waits_its_turn_heartbeating(monkeypatch):
    """A worker starts one message's notices at a time; one that waits heartbeats, so a long wait
    in a burst of alarms is not ended by its start-to-close timeout."""
    monkeypatch.setattr(directory, "WAITING_HEARTBEAT_S", 0.05)
    turns = asyncio.Semaphore(directory.DISPATCHES_AT_ONCE)
    activities = ActivityEnvironment()
    beats: list[object] = []
    activities.on_heartbeat = lambda *details: beats.append(details)
    ran: list[str] = []

    async def second() -> None:
        async with directory._turn(turns):
            ran.append("second")

    async with directory._turn(turns):
        waiting = asyncio.create_task(activities.run(second))
        await asyncio.sleep(0.3)
        assert ran == [] and len(beats) >= 3  # still waiting, and saying so
        ran.append("first")
    await waiting
    assert ran == ["first", "second"]
