"""Reminders and escalations of cases and onboardings (and of the written-contract and contract-SI
watches and the SI stop, tested with their workflows): routed and their notices started by one
activity (patch 2026-12-notices-dispatched) on the dispatch queue, the notices workflows of their
own on the asker's queue, not the asker's children; a retried dispatch starts no notice twice; a
waiting dispatch holds none of the worker's activity slots."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import ActivityEnvironment

from activities import directory
from activities.directory import NOTICE_PRIORITY, DirectoryActivities, dispatch_queue
from domain.onboarding.state import OnboardingView
from domain.shared.people import Dispatched, NoticeDispatch, Recipient, RecipientQuery, Routing
from tests.factories import case_input, onboarding_input
from tests.workflows.conftest import eventually
from tests.workflows.test_injury_case_clocks import (
    deadline,
    events,
    notice_rows,
    open_case,
    query,
    sleep_until,
)
from worker import WORKFLOW_RUNNER, Workers
from workflows import _people_notices

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
        assert dispatch.task_queue.name == dispatch_queue(wf.task_queue)
    notices = notice_rows(wf, subject_id or handle, purpose)
    assert {n.recipient_role for n in notices} == roles
    for row in notices:
        notice = wf.client.get_workflow_handle(row.id)
        described = await notice.describe()
        assert described.workflow_type == "Notice" and described.parent_id is None
        started = (await notice.fetch_history()).events[0].workflow_execution_started_event_attributes
        assert started.priority.priority_key == NOTICE_PRIORITY.priority_key
        assert started.task_queue.name == wf.task_queue  # the asker's, where Notice runs


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
    activities.info = replace(activities.info, task_queue=dispatch_queue(wf.task_queue))
    directory = DirectoryActivities(wf.db_url)

    first = await activities.run(directory.dispatch_notices, dispatch)
    assert first.notice_ids == ("notice-retried-0", "notice-retried-1")
    runs = {i: (await wf.client.get_workflow_handle(i).describe()).run_id for i in first.notice_ids}
    ended = wf.client.get_workflow_handle("notice-retried-0")
    await ended.terminate("the notice ended before the retry")

    for notice_id in first.notice_ids:  # on the asker's queue, not the dispatches'
        described = await wf.client.get_workflow_handle(notice_id).describe()
        assert described.task_queue == wf.task_queue

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


@activity.defn(name="dispatch_notices")
async def held_dispatch(dispatch: NoticeDispatch) -> Dispatched:
    DISPATCH_RUNNING.set()
    await DISPATCH_RELEASED.wait()
    return Dispatched(Routing(()), ())


@activity.defn(name="other_work")
async def other_work() -> str:
    return "done"


DISPATCH_RUNNING, DISPATCH_RELEASED = asyncio.Event(), asyncio.Event()


@workflow.defn(name="DispatchesThenWorks")
class DispatchesThenWorks:
    """Asks for a message; told to go on while it is under way, asks for other work."""

    def __init__(self) -> None:
        self._go = False

    @workflow.run
    async def run(self) -> str:
        query = RecipientQuery(subject_id="s", key="k", purpose="p", department="", wanted=())
        message = asyncio.ensure_future(
            _people_notices.dispatch(query, "notice-held", {}, time_scale=1.0, quiet_hours=False))
        await workflow.wait_condition(lambda: self._go)
        worked: str = await workflow.execute_activity("other_work",
                                                      start_to_close_timeout=timedelta(seconds=30))
        await message
        return worked

    @workflow.signal
    def go(self) -> None:
        self._go = True


async def test_a_waiting_dispatch_holds_none_of_the_workers_activity_slots(time_skipping_env):
    """A dispatch runs on the dispatch queue's worker: while it waits there, the worker's own
    activity slots (one here) take the workflows' other work (a form, a gateway call, a send)."""
    queue = f"held-dispatch-{uuid.uuid4()}"
    DISPATCH_RUNNING.clear()
    DISPATCH_RELEASED.clear()
    async with Workers(time_skipping_env.client, task_queue=queue, workflows=[DispatchesThenWorks],
                       workflow_runner=WORKFLOW_RUNNER, activities=[held_dispatch, other_work],
                       max_concurrent_activities=1):
        handle = await time_skipping_env.client.start_workflow(
            DispatchesThenWorks.run, id=f"held-{uuid.uuid4()}", task_queue=queue)
        await asyncio.wait_for(DISPATCH_RUNNING.wait(), 10)
        await handle.signal(DispatchesThenWorks.go)

        async def other_work_done() -> bool:
            history = (await handle.fetch_history()).events
            return any(e.HasField("activity_task_completed_event_attributes") for e in history)

        await eventually(other_work_done)  # while the dispatch still runs
        DISPATCH_RELEASED.set()
        assert await handle.result() == "done"
