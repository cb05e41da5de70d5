"""HTTP → Temporal, always the same way (STYLE.md 13); every route reaches a workflow through here.

- `start`: the workflow under its business id, REJECT_DUPLICATE → the route answers 201; an id
  Temporal already holds → the route's own 409.
- `update`: an HR action → 200 with the workflow's answer; the workflow's ApplicationError type
  says 422 (InvalidInput), 409 (Conflict) or 403 (Forbidden); an unknown id is a 404, a finished
  workflow a 409. A 403, 409 or 422 is recorded once in the evidence ledger (api/refusals.py).
- `query`: a read of the workflow's state; an unknown id is a 404.
- `signal_if_running`: news for a workflow that may have finished (nothing to tell then).
- `read`, `read_input`: what a GET shows: a closed record's final state as the database keeps it
  (store/closed.py; it outlives Temporal's retention period, and a closed workflow would otherwise
  be replayed by a worker to answer), else the running workflow's query.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ApiError
from api.refusals import Attempt
from store import closed as closed_store
from store.db import point_read

T = TypeVar("T")
ClosedExplainer = Callable[[WorkflowHandle[Any, Any]], Awaitable[ApiError]]
"""The 409 for an action on a finished workflow, naming what closed it (read from the workflow)."""

UPDATE_TASK_RETRIES = 3
WORKFLOW_TASK_FAILED = "unexpected workflow task failure"  # the server's words (not a refusal)
UPDATE_STATUS = {"InvalidInput": 422, "Conflict": 409, "Forbidden": 403}
"""The workflow's ApplicationError types (domain refusals raised in validators and handlers)."""


async def start(client: Client, workflow: str, arg: object, *, workflow_id: str, task_queue: str,
                exists: ApiError) -> WorkflowHandle[Any, Any]:
    """Start `workflow` under its business id; `exists` (a 409) when Temporal holds the id."""
    try:
        return await client.start_workflow(
            workflow, arg, id=workflow_id, task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL)
    except WorkflowAlreadyStartedError:
        raise exists from None
    except RPCError as exc:
        raise unavailable(exc) from None


async def update(client: Client, workflow_id: str, update: str, arg: object,
                 result_type: type[T], *, what: str, attempt: Attempt,
                 closed: ClosedExplainer | None = None) -> T:
    """Send the Update and answer its result; a refusal is recorded (attempt) and raised. A
    workflow task that failed before the Update was accepted (a worker starved of CPU past the
    SDK's 2 s deadlock check, a worker restarting) is tried again under the same update id, which
    the server deduplicates: the action is applied once."""
    handle = client.get_workflow_handle(workflow_id)
    update_id = str(uuid.uuid4())
    try:
        for tried in range(UPDATE_TASK_RETRIES + 1):
            try:
                result: T = await handle.execute_update(update, arg, id=update_id,
                                                        result_type=result_type)
                return result
            except RPCError as exc:
                if tried == UPDATE_TASK_RETRIES or WORKFLOW_TASK_FAILED not in exc.message:
                    raise
                await asyncio.sleep(0.2 * (tried + 1))
        raise AssertionError("unreachable")
    except WorkflowUpdateFailedError as exc:
        error = from_update_failure(exc)
    except RPCError as exc:
        error = from_rpc(exc, workflow_id, what)
        if exc.status == RPCStatusCode.NOT_FOUND:
            if closed is not None and await _exists(handle):
                error = await closed(handle)
            elif await asyncio.to_thread(closed_store.load_final, attempt.db_url, workflow_id):
                error = ApiError(409, f"{what}.closed", f"{workflow_id} was closed and takes no "
                                 "more actions", "id")
    await attempt.refused(error)
    raise error


async def query(client: Client, workflow_id: str, result_type: type[T], *,
                args: Sequence[Any] = (), what: str, name: str = "status") -> T:
    """The answer of the workflow's query `name`; 404 `<what>.not_found` for an unknown id."""
    try:
        result: T = await client.get_workflow_handle(workflow_id).query(
            name, args=args, result_type=result_type)
    except RPCError as exc:
        raise from_rpc(exc, workflow_id, what) from None
    return result


async def read(client: Client, db_url: str, workflow_id: str, result_type: type[T], *,
               args: Sequence[Any] = (), what: str) -> T:
    """The view of an onboarding or case: kept at close, else queried from its workflow."""
    kept = await _kept(db_url, workflow_id)
    if kept is not None:
        result: T = _adapter(result_type).validate_python(kept["view"])
        return result
    return await query(client, workflow_id, result_type, args=args, what=what)


async def read_input(client: Client, db_url: str, workflow_id: str, input_type: type[T], *,
                     what: str) -> T:
    """The input a case was started with: kept at close, else from its history."""
    kept = await _kept(db_url, workflow_id)
    if kept is not None and kept.get("input") is not None:
        result: T = _adapter(input_type).validate_python(kept["input"])
        return result
    return await start_input(client, workflow_id, input_type, what=what)


async def _kept(db_url: str, workflow_id: str) -> dict[str, Any] | None:
    """The final state kept at close, or None. Whether one was kept is asked on the event loop
    first: a running record, the usual one, then takes no hop to a worker thread (on a busy API
    a hop waits its turn for the interpreter lock)."""
    if not await point_read(db_url, closed_store.is_closed, workflow_id):
        return None
    return await asyncio.to_thread(closed_store.load_final, db_url, workflow_id)


_ADAPTERS: dict[object, TypeAdapter[Any]] = {}


def _adapter(kind: type[T]) -> TypeAdapter[T]:
    """One adapter per type (building one costs milliseconds)."""
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter(kind)
    return _ADAPTERS[kind]


async def start_input(client: Client, workflow_id: str, input_type: type[T], *, what: str) -> T:
    """The input the workflow was started with, from the first event of its history (it carries
    what the views leave out, for as long as Temporal keeps the history)."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        async for event in handle.fetch_history_events(page_size=1):
            payloads = event.workflow_execution_started_event_attributes.input.payloads
            [found] = await client.data_converter.decode(payloads, [input_type])
            result: T = found
            return result
    except RPCError as exc:
        raise from_rpc(exc, workflow_id, what) from None
    raise ApiError(404, f"{what}.not_found", f"no {what} with id {workflow_id}", "id")


async def require_workflow(client: Client, workflow_id: str, *, what: str) -> None:
    """404 `<what>.not_found` unless Temporal knows the workflow (running or finished)."""
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError as exc:
        raise from_rpc(exc, workflow_id, what) from None


def from_update_failure(exc: WorkflowUpdateFailedError) -> ApiError:
    """A refused Update: the workflow's ApplicationError type says 422, 409 or 403."""
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.type in UPDATE_STATUS:
        info = dict(cause.details[0]) if cause.details else {}
        code = str(info.pop("code", cause.type.lower()))
        field = str(info.pop("field", ""))
        info.pop("message", None)
        return ApiError(UPDATE_STATUS[cause.type], code, cause.message, field, info)
    return ApiError(500, "update.failed", str(cause or exc))


def from_rpc(exc: RPCError, workflow_id: str, what: str) -> ApiError:
    """NOT_FOUND: a finished workflow (409 `<what>.closed`) or none (404); anything else is 503."""
    if exc.status == RPCStatusCode.NOT_FOUND:
        if "completed" in exc.message or "closed" in exc.message:
            return ApiError(409, f"{what}.closed",
                            f"{workflow_id} has finished and takes no more actions", "id")
        return ApiError(404, f"{what}.not_found", f"no {what} with id {workflow_id}", "id")
    return unavailable(exc)


def unavailable(exc: RPCError) -> ApiError:
    return ApiError(503, "temporal.unavailable", f"Temporal answered: {exc.message}")


async def signal_if_running(client: Client, workflow_id: str, signal: str, arg: object) -> bool:
    """Tell a running workflow `arg`: False when it is not running (finished, or never
    started), 503 when Temporal cannot be reached."""
    try:
        await client.get_workflow_handle(workflow_id).signal(signal, arg)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return False
        raise unavailable(exc) from None
    return True


async def exists(client: Client, workflow_id: str) -> bool:
    """Whether Temporal knows the workflow (running or finished)."""
    return await _exists(client.get_workflow_handle(workflow_id))


async def _exists(handle: WorkflowHandle[Any, Any]) -> bool:
    """Whether the workflow exists at all (an Update on a finished one is NOT_FOUND too)."""
    try:
        await handle.describe()
    except RPCError:
        return False
    return True
