"""Informational notices to people of the directory, as the SI account and the SI stop send them:
the directory finds the recipients (route_recipients), a role nobody reachable holds is recorded,
then one Notice child per recipient. Deterministic helper run inside those workflows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.directory import DirectoryActivities
    from domain.notices.rules import informational_notice
    from domain.shared.people import Recipient, RecipientQuery
    from workflows._policies import DB_ACTIVITY


async def notify_people(*, key: str, purpose: str, department: str,
                        wanted: tuple[Recipient, ...], text: tuple[str, str], time_scale: float,
                        emit: Callable[..., None]) -> list[Any]:
    """The Notice children started, one per recipient the directory found (keyed `key`: a retry
    opens no second admin task); `recipients_missing` is emitted for roles nobody reachable holds."""
    subject_id = workflow.info().workflow_id
    routing = await workflow.execute_activity_method(
        DirectoryActivities.route_recipients,
        RecipientQuery(subject_id=subject_id, key=key, purpose=purpose, department=department,
                       wanted=wanted), **DB_ACTIVITY)
    if routing.missing:
        emit("recipients_missing", "system", purpose=purpose, roles=list(routing.missing))
    title, body = text
    return [await workflow.start_child_workflow(
        "Notice", informational_notice(subject_id, purpose, to, {"title": title, "body": body},
                                       time_scale),
        id=f"notice-{workflow.uuid4()}", result_type=dict,
        parent_close_policy=ParentClosePolicy.ABANDON) for to in routing.recipients]
