"""The production workflow runner: the SDK's unsandboxed runner, whose workflows are freed as
soon as the worker's cache lets them go.

An SDK workflow instance is its own event loop: it, its tasks, its handlers and the workflow
object refer to one another, so when the cache evicts a workflow nothing is freed until CPython's
next full garbage collection, which a worker holding a thousand workflows runs rarely: a worker
that evicts as fast as it starts workflows kept many more of them in memory than it caches
(docs/benchmarks.md, session 33). An evicted instance never runs again: the SDK cancels its tasks
and refuses to finish the eviction while any remains (temporalio/sdk-python#494). So once an eviction
activation has been handled, the instance and its workflow object drop what they hold, and
reference counting frees it at once.
"""

from __future__ import annotations

from typing import Any

from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowInstance, WorkflowInstanceDetails

# What an evicted instance keeps: the SDK's loop reads `_deleting` when a future or task of the
# workflow is freed with an exception nobody read, and stays silent while it is set.
_EVICTED_STATE = {"_deleting": True}


class ReleasingWorkflowRunner(UnsandboxedWorkflowRunner):
    """Runs workflows as `UnsandboxedWorkflowRunner` does; frees each one at its eviction."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return ReleasingInstance(super().create_instance(det))


class ReleasingInstance(WorkflowInstance):
    """A workflow instance that lets go of its state once it has handled its eviction."""

    def __init__(self, instance: WorkflowInstance) -> None:
        self._instance = instance

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        completion = self._instance.activate(act)
        if any(job.HasField("remove_from_cache") for job in act.jobs):
            release(self._instance)
        return completion

    def get_serialization_context(self, command_info: Any) -> Any:
        return self._instance.get_serialization_context(command_info)

    def get_external_store_context(self, command_info: Any) -> Any:
        return self._instance.get_external_store_context(command_info)

    def get_info(self) -> Any:
        return self._instance.get_info()

    def get_thread_id(self) -> int | None:
        return self._instance.get_thread_id()


def release(instance: WorkflowInstance) -> None:
    """Break the evicted `instance`'s references (and its workflow object's), so what they held
    is freed now rather than by a later full collection."""
    state = vars(instance)
    workflow = state.get("_object")
    instance.__dict__ = dict(_EVICTED_STATE)  # a new dict first: frees run with _deleting set
    if workflow is not None and hasattr(workflow, "__dict__"):
        workflow.__dict__ = {}
