"""A case's reminders and escalations: routed and their notices started by one activity (patch
2026-12-notices-dispatched), the notices workflows of their own, not the case's children; a
retried dispatch starts no notice twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import ActivityEnvironment

from activities.directory import NOTICE_PRIORITY, DirectoryActivities
from domain.shared.people import NoticeDispatch, Recipient, RecipientQuery
from tests.factories import case_input
from tests.workflows.test_injury_case_clocks import (
    deadline,
    events,
    notice_rows,
    open_case,
    query,
    sleep_until,
)


async def test_an_escalation_starts_its_notices_by_one_activity(wf):
    handle, view = await open_case(wf, days_ago=2)
    due = deadline(view, "determination_application").due_at
    await sleep_until(wf, due + timedelta(hours=1))
    await wf.written()
    view = await query(wf, handle)
    assert events(view, "case_escalated", "determination_application")

    history = (await handle.fetch_history()).events
    kinds = [e.WhichOneof("attributes") for e in history]
    assert "start_child_workflow_execution_initiated_event_attributes" not in kinds
    scheduled = [e.activity_task_scheduled_event_attributes.activity_type.name for e in history
                 if e.HasField("activity_task_scheduled_event_attributes")]
    assert "route_recipients" not in scheduled and "dispatch_notices" in scheduled
    dispatch = next(e.activity_task_scheduled_event_attributes for e in history
                    if e.HasField("activity_task_scheduled_event_attributes")
                    and e.activity_task_scheduled_event_attributes.activity_type.name
                    == "dispatch_notices")
    assert dispatch.priority.priority_key == NOTICE_PRIORITY.priority_key  # after the records
    escalations = notice_rows(wf, handle, "case_escalation")
    assert {n.recipient_role for n in escalations} == {"hr", "hr_manager", "department_manager"}
    for row in escalations:
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
