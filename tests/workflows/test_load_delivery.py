"""A load's queued signals delivered by its LoadDelivery workflow (workflows/load_delivery.py):
a running workflow takes its signal, a closed or unknown one is marked not running, every row is
marked once, a long queue continues as new a page at a time, and a delivery started again sends
nothing twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import EventType

from api.load_signals import queued
from domain.onboarding.payloads import CancelOnboarding
from domain.onboarding.policy import PolicyTable
from domain.onboarding.policy_update import PolicyUpdate
from domain.onboarding.state import OnboardingView
from domain.shared.load_delivery import LoadDelivered, LoadDelivery, delivery_id
from store import load_deliveries
from store.db import session_for
from tests.factories import onboarding_input
from tests.workflows.conftest import HR, Harness
from tests.workflows.test_policy_update import PROVISIONAL, row

KEY = "policy:7"


async def start_onboarding(wf: Harness, employee_id: str):
    inp = onboarding_input(await wf.today())
    inp = replace(inp, employee=replace(inp.employee, employee_id=employee_id),
                  base_limits=PROVISIONAL)
    return inp, await wf.start(inp)


async def deliver(wf: Harness, inp: LoadDelivery) -> tuple[LoadDelivered, int]:
    """The delivery's outcome and how many runs it took."""
    handle = await wf.client.start_workflow(
        "LoadDelivery", inp, id=delivery_id(inp.load_key), task_queue=wf.task_queue,
        result_type=LoadDelivered)
    done = await handle.result()
    runs, run_id = 1, handle.first_execution_run_id
    while True:
        history = await wf.client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        last = history.events[-1]
        if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return done, runs
        runs += 1
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id


async def test_running_workflows_are_told_once_and_the_rest_marked_not_running(wf: Harness):
    running_inp, running = await start_onboarding(wf, "E701")
    _, closed = await start_onboarding(wf, "E702")
    await closed.execute_update("cancel", CancelOnboarding(HR, "did not join"))
    await closed.result()
    update = PolicyUpdate(7, "京人社发〔2026〕1号 (test)", "root", datetime.now(UTC),
                          PolicyTable.from_rows(
                              contribution_bases=[row(running_inp.hire_date)]).bases)
    with session_for(wf.db_url) as session:
        load_deliveries.queue_in(session, KEY, queued("policy_updated", [
            (running.id, update), (closed.id, update), ("onboarding-E799", update)]),
            datetime.now(UTC))
        session.commit()

    # Two a page, one page a run: the delivery continues as new twice before the queue is empty.
    done, runs = await deliver(wf, LoadDelivery(KEY, page_size=2, pages_per_run=1))
    assert (done.told, done.not_running, runs) == (1, 2, 3)
    assert load_deliveries.outcomes(wf.db_url, KEY) == {"told": 1, "not_running": 2, "queued": 0}
    await wf.env.sleep(timedelta(seconds=3))
    view = await running.query("status", result_type=OnboardingView)
    assert view.base_limits.verified and not view.base_limits.provisional
    assert [e.data["load"] for e in view.events if e.kind == "policy_recomputed"] == [7]

    again, runs = await deliver(wf, LoadDelivery(KEY))  # the API's start-up: nothing queued
    assert (again.told, again.not_running, runs) == (0, 0, 1)
    view = await running.query("status", result_type=OnboardingView)
    assert len([e for e in view.events if e.kind == "policy_recomputed"]) == 1
