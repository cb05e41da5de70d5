"""Informational notices to people of the directory: the directory finds the recipients, a role
nobody reachable holds is recorded, and each recipient gets a Notice workflow. Deterministic
helpers run inside the workflows that send them.

`dispatch` (patch 2026-12-notices-dispatched): one activity routes and starts the notices, which
are workflows of their own. Before it, a routing activity, then one Notice child per recipient,
whose start and end each cost the sender a workflow task: `notify_people`, for the runs
recorded so (an SI account's month recorded so waits for its children before it continues as
new)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.directory import NOTICE_PRIORITY, DirectoryActivities, dispatch_queue
    from domain.notices.rules import informational_notice
    from domain.shared.people import Dispatched, NoticeDispatch, Recipient, RecipientQuery, Routing
    from workflows._policies import DB_ACTIVITY, DISPATCH_ACTIVITY, NOTICES_DISPATCHED_PATCH


async def dispatch(query: RecipientQuery, id_prefix: str, data: dict[str, Any], *,
                   time_scale: float, quiet_hours: bool, template: str = "generic") -> Routing:
    """Route `query` and start its notices (`<id_prefix>-<n>`) by one activity; nothing of the
    notices comes back to the asker. Not a local activity: its starts would hold one of the
    worker's few local slots, which the askers' event writes (an alarm's record among them)
    wait for. At a lower task priority than the alarms, on a task queue of its own where they run
    one at a time (activities/directory.py DISPATCHES_AT_ONCE), so that the alarms' records come
    first. Replay-safe: an activity's task queue is not compared on replay (its type and id are)."""
    sent: Dispatched = await workflow.execute_activity_method(
        DirectoryActivities.dispatch_notices,
        NoticeDispatch(query=query, id_prefix=id_prefix, template=template, data=data,
                       time_scale=time_scale, quiet_hours=quiet_hours),
        task_queue=dispatch_queue(workflow.info().task_queue), priority=NOTICE_PRIORITY,
        **DISPATCH_ACTIVITY)
    return sent.routing


async def notify_directory(*, key: str, purpose: str, department: str,
                           wanted: tuple[Recipient, ...], text: tuple[str, str], time_scale: float,
                           emit: Callable[..., None] | None, subject_id: str = "") -> list[Any]:
    """The message `text` to the people the directory finds for `wanted` (keyed `key`: a retry
    opens no second admin task); `recipients_missing` is emitted (if `emit`) for roles nobody
    reachable holds. The Notice children started, which the sender waits for before it ends:
    none since patch 2026-12-notices-dispatched (asked for at the run's first message)."""
    subject_id = subject_id or workflow.info().workflow_id
    if not workflow.patched(NOTICES_DISPATCHED_PATCH):
        return await notify_people(key=key, purpose=purpose, department=department, wanted=wanted,
                                   text=text, time_scale=time_scale, emit=emit,
                                   subject_id=subject_id)
    title, body = text
    routing = await dispatch(
        RecipientQuery(subject_id=subject_id, key=key, purpose=purpose, department=department,
                       wanted=wanted),
        f"notice-{workflow.uuid4()}", {"title": title, "body": body}, time_scale=time_scale,
        quiet_hours=False)
    if routing.missing and emit is not None:
        emit("recipients_missing", "system", purpose=purpose, roles=list(routing.missing))
    return []


async def notify_people(*, key: str, purpose: str, department: str,
                        wanted: tuple[Recipient, ...], text: tuple[str, str], time_scale: float,
                        emit: Callable[..., None] | None, subject_id: str) -> list[Any]:
    """Before patch 2026-12-notices-dispatched: routed by an activity, then one Notice child per
    recipient, which this returns."""
    routing = await workflow.execute_activity_method(
        DirectoryActivities.route_recipients,
        RecipientQuery(subject_id=subject_id, key=key, purpose=purpose, department=department,
                       wanted=wanted), **DB_ACTIVITY)
    if routing.missing and emit is not None:
        emit("recipients_missing", "system", purpose=purpose, roles=list(routing.missing))
    title, body = text
    return [await workflow.start_child_workflow(
        "Notice", informational_notice(subject_id, purpose, to, {"title": title, "body": body},
                                       time_scale),
        id=f"notice-{workflow.uuid4()}", result_type=dict,
        parent_close_policy=ParentClosePolicy.ABANDON) for to in routing.recipients]
