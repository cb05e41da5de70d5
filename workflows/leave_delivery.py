"""LeaveDeliveryWorkflow: tells the onboarding, then the written-contract watch, that the
employment ended (domain/employees/leave_delivery.py). The onboarding first: a watch it has not
started it then never starts, one it started it tells; the watch itself second (one started
already, or by an onboarding that has ended). A workflow that is not running is skipped."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from domain.employees.leave_delivery import LeaveDelivered, LeaveDelivery

    # Imported here too: pydantic resolves EmploymentEnded's string annotations through this
    # module's entry in the sandbox's sys.modules (domain/shared/calendar.py).
    from domain.employees.written_contract_watch import EmploymentEnded  # noqa: F401


@workflow.defn(name="LeaveDelivery")
class LeaveDeliveryWorkflow:
    @workflow.run
    async def run(self, inp: LeaveDelivery) -> LeaveDelivered:
        targets = [(inp.onboarding_id, "employment_left")] if inp.onboarding_id else []
        targets.append((inp.watch_id, "employment_ended"))
        told: list[str] = []
        not_running: list[str] = []
        for workflow_id, signal in targets:
            try:
                await workflow.get_external_workflow_handle(workflow_id).signal(signal, inp.ended)
                told.append(workflow_id)
            except FailureError:  # the server found no running workflow under the id
                not_running.append(workflow_id)
        return LeaveDelivered(tuple(told), tuple(not_running))
