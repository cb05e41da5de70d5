"""Who a reminder or an escalation reaches: the directory of people read at send time.

The workflow asks for roles (the owner, the HR managers, the department's manager) and gets people
back by id with the channels that reach them; their addresses stay in the database and the send
reads them (activities/notices/send.py). A role nobody reachable holds opens an admin task."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlmodel import col, select
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.common import Priority, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.notices.payloads import CHANNELS, NoticeInput
from domain.notices.rules import informational_notice
from domain.shared.directory import Reachable, employee_channels, reachable_channels, route
from domain.shared.people import Dispatched, EmployeeRoute, NoticeDispatch, RecipientQuery, Routing
from store import admin_tasks
from store.db import reading
from store.models import EmployeeRecordRow, PersonRow
from store.people import fields_of

log = logging.getLogger("caseguard.directory")
SENDABLE = frozenset(c for c in CHANNELS if c != "outbox")
# A dispatch and the notices it starts are matched after the tasks of the default priority (3): when
# many alarms fall due at once, their records (each alarm's own workflow task) go first and the
# messages follow (Temporal's task queue priority, on by default since server 1.31).
NOTICE_PRIORITY = Priority(priority_key=4)
# A worker starts one message's notices at a time: when many alarms fall due at once, a flood of
# notice starts held up the alarms' own workflow tasks and records (docs/benchmarks.md, session 29).
# The dispatches wait on a task queue of their own (the asker's + DISPATCH_QUEUE_SUFFIX), polled by
# a worker that runs DISPATCHES_AT_ONCE: waiting inside the asker's queue, a burst's dispatches held
# all of its activity slots, which the notices' sends and HR's forms and gateway calls need. One
# that reaches a worker while another runs (one scheduled on the asker's queue before the dispatch
# queue, on the worker that serves both) waits its turn heartbeating (DISPATCH_ACTIVITY).
DISPATCHES_AT_ONCE = 1
DISPATCH_QUEUE_SUFFIX = "-dispatch"
WAITING_HEARTBEAT_S = 5.0


def dispatch_queue(task_queue: str) -> str:
    """The task queue of the dispatches asked for by workflows on `task_queue`."""
    return task_queue + DISPATCH_QUEUE_SUFFIX


def asker_queue(task_queue: str) -> str:
    """The workflows' task queue for a dispatch running on `task_queue` (its notices run there)."""
    return task_queue.removesuffix(DISPATCH_QUEUE_SUFFIX)


class DirectoryActivities:
    def __init__(self, db_url: str) -> None:
        self._db_url = db_url
        self._turns: asyncio.Semaphore | None = None

    @activity.defn(name="route_recipients", no_thread_cancel_exception=True)
    def route_recipients(self, query: RecipientQuery) -> Routing:
        """The directory's recipients for the query; missing roles become admin tasks."""
        routing = route(query.wanted, self._reachable(), query.department)
        if routing.missing:
            owner = next((w.name for w in query.wanted if w.role == "hr"), "")
            admin_tasks.note_missing(self._db_url, subject_id=query.subject_id, key=query.key,
                                     purpose=query.purpose, roles=routing.missing, owner=owner,
                                     department=query.department)
            log.warning("%s: nobody reachable in %s; an admin task is open",
                        query.subject_id, ", ".join(routing.missing))
        return routing

    @activity.defn(name="dispatch_notices")
    async def dispatch_notices(self, dispatch: NoticeDispatch) -> Dispatched:
        """Route the message as `route_recipients` does, then start each recipient's Notice
        workflow, a workflow of its own: started as the asker's children, each notice's start and
        end cost the asker a workflow task (docs/patches.md, 2026-12-notices-dispatched). A retry
        starts none twice: the ids are the same, and a notice that already ended keeps its id
        (REJECT_DUPLICATE)."""
        async with _turn(self._dispatching()):
            return await self._dispatch(dispatch)

    def _dispatching(self) -> asyncio.Semaphore:
        if self._turns is None:  # made on the loop that runs the activities
            self._turns = asyncio.Semaphore(DISPATCHES_AT_ONCE)
        return self._turns

    async def _dispatch(self, dispatch: NoticeDispatch) -> Dispatched:
        routing = await asyncio.to_thread(self.route_recipients, dispatch.query)
        notices = [(f"{dispatch.id_prefix}-{n}",
                    informational_notice(dispatch.query.subject_id, dispatch.query.purpose, to,
                                         dispatch.data, dispatch.time_scale, dispatch.template,
                                         quiet_hours=dispatch.quiet_hours))
                   for n, to in enumerate(routing.recipients)]
        for notice_id, inp in notices:  # in the routing's order, as the outbox lists them
            activity.heartbeat()  # a loaded server's starts are slow, not lost
            await _start_notice(notice_id, inp)
        return Dispatched(routing, tuple(notice_id for notice_id, _ in notices))

    @activity.defn(name="employee_route", no_thread_cancel_exception=True)
    def employee_route(self, employee_id: str) -> EmployeeRoute:
        """The employee's channels from the employee record, in their order (else SMS, then
        email), those with an address on file; `on_file` false: the record does not know them."""
        with reading(self._db_url) as session:
            row = session.get(EmployeeRecordRow, employee_id)
        if row is None:
            return EmployeeRoute(on_file=False)
        addresses = {"sms": row.phone, "email": row.email, "wecom": row.wecom_user_id,
                     "dingtalk": row.dingtalk_user_id}
        return EmployeeRoute(on_file=True,
                             channels=employee_channels(row.channels, addresses, SENDABLE))

    def _reachable(self) -> list[Reachable]:
        with reading(self._db_url) as session:
            rows = session.exec(select(PersonRow).where(col(PersonRow.active).is_(True))
                                .order_by(col(PersonRow.name))).all()
        people = []
        for row in rows:
            assert row.id is not None
            person = fields_of(row)
            people.append(Reachable(row.id, row.name, person.roles, person.departments,
                                    reachable_channels(person, SENDABLE)))
        return people


@asynccontextmanager
async def _turn(turns: asyncio.Semaphore) -> AsyncIterator[None]:
    """This activity's turn among the worker's dispatches; it heartbeats while it waits, so its
    start-to-close clock is not what ends a long wait (the heartbeat timeout ends a lost one)."""
    while True:
        try:
            await asyncio.wait_for(turns.acquire(), WAITING_HEARTBEAT_S)
            break
        except TimeoutError:
            activity.heartbeat()
    try:
        yield
    finally:
        turns.release()


async def _start_notice(notice_id: str, inp: NoticeInput) -> WorkflowHandle[Any, Any] | None:
    """The Notice workflow `notice_id` on the asking workflow's task queue; None: it was started
    before (this is a retry)."""
    try:
        return await activity.client().start_workflow(
            "Notice", inp, id=notice_id, task_queue=asker_queue(activity.info().task_queue),
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE, priority=NOTICE_PRIORITY)
    except WorkflowAlreadyStartedError:
        return None
