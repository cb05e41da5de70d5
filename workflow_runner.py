"""The production workflow runner: the SDK's unsandboxed runner, whose workflows hold only what
they need while cached and are freed as soon as the worker's cache lets them go.

An SDK workflow instance is its own event loop: it, its tasks, its handlers and the workflow
object refer to one another, so when the cache evicts a workflow nothing is freed until CPython's
next full garbage collection, which a worker holding a thousand workflows runs rarely: a worker
that evicts as fast as it starts workflows kept many more of them in memory than it caches
(docs/benchmarks.md, session 33). An evicted instance never runs again: the SDK cancels its tasks
and refuses to finish the eviction while any remains (temporalio/sdk-python#494). So once an eviction
activation has been handled, the instance and its workflow object drop what they hold, and
reference counting frees it at once.

A cached workflow also kept the activations it was given. The protobuf runtime (upb) allocates a
message and all its fields in one arena, freed only when nothing refers to any part of it; the
SDK keeps a few small fields of the start activation (headers, memo, the last run's result) and
of the latest one (its deployment version, its internal flags), and with them every payload the
activation carried, sealed and opened (docs/benchmarks.md, session 34). Each instance keeps copies
of those fields instead, and swaps the completion it has returned for an empty one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from google.protobuf.message import Message
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowInstance, WorkflowInstanceDetails

# What an evicted instance keeps: the SDK's loop reads `_deleting` when a future or task of the
# workflow is freed with an exception nobody read, and stays silent while it is set.
_EVICTED_STATE = {"_deleting": True}

M = TypeVar("M", bound=Message)


class ReleasingWorkflowRunner(UnsandboxedWorkflowRunner):
    """Runs workflows as `UnsandboxedWorkflowRunner` does; keeps no activation's memory alive, and
    frees each workflow at its eviction."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return ReleasingInstance(super().create_instance(detached_details(det)))


class ReleasingInstance(WorkflowInstance):
    """A workflow instance that lets go of each activation once it has handled it, and of its
    state once it has handled its eviction."""

    def __init__(self, instance: WorkflowInstance) -> None:
        self._instance = instance

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        completion = self._instance.activate(act)
        if any(job.HasField("remove_from_cache") for job in act.jobs):
            release(self._instance)
        else:
            detach(self._instance)
        return completion

    def get_serialization_context(self, command_info: Any) -> Any:
        return self._instance.get_serialization_context(command_info)

    def get_external_store_context(self, command_info: Any) -> Any:
        return self._instance.get_external_store_context(command_info)

    def get_info(self) -> Any:
        return self._instance.get_info()

    def get_thread_id(self) -> int | None:
        return self._instance.get_thread_id()


def own(message: M) -> M:
    """A copy of `message` in an arena of its own: keeping it keeps nothing else alive."""
    copy = type(message)()
    copy.CopyFrom(message)
    return copy


def own_all(messages: Mapping[str, M]) -> dict[str, M]:
    return {key: own(message) for key, message in messages.items()}


def detached_details(det: WorkflowInstanceDetails) -> WorkflowInstanceDetails:
    """`det` with copies of what it took from the start activation."""
    info = dataclasses.replace(det.info, headers=own_all(det.info.headers),
                               raw_memo=own_all(det.info.raw_memo))
    last_failure = None if det.last_failure is None else own(det.last_failure)
    return dataclasses.replace(det, info=info, last_completion_result=own(det.last_completion_result),
                               last_failure=last_failure)


def detach(instance: WorkflowInstance) -> None:
    """Point what the SDK's `instance` keeps of the activation it just handled at copies, and swap
    the completion it returned for an empty one (the next activation starts its own). A field the
    SDK no longer has is left alone (tests/workflows/test_workflow_runner.py notices)."""
    state = vars(instance)
    if "_deployment_version_for_current_task" in state:
        state["_deployment_version_for_current_task"] = own(state["_deployment_version_for_current_task"])
    if "_current_internal_flags" in state:
        state["_current_internal_flags"] = frozenset(state["_current_internal_flags"])
    if "_current_completion" in state:  # written to outside an activation as a task is freed
        state["_current_completion"] = WorkflowActivationCompletion()
    workflow_input = state.get("_workflow_input")
    if workflow_input is not None and not isinstance(workflow_input.headers, dict):
        workflow_input.headers = own_all(workflow_input.headers)


def release(instance: WorkflowInstance) -> None:
    """Break the evicted `instance`'s references (and its workflow object's), so what they held
    is freed now rather than by a later full collection."""
    state = vars(instance)
    workflow = state.get("_object")
    instance.__dict__ = dict(_EVICTED_STATE)  # a new dict first: frees run with _deleting set
    if workflow is not None and hasattr(workflow, "__dict__"):
        workflow.__dict__ = {}
