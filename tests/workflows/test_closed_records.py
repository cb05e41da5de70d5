"""A closed onboarding or case leaves its final state in the database, so it can be read after
Temporal's retention period has removed the workflow."""

from __future__ import annotations

from pydantic import TypeAdapter

from domain.injury.payloads import CaseInput
from domain.injury.state import Stage
from domain.injury.views import CaseView
from domain.onboarding.payloads import CancelOnboarding
from domain.onboarding.state import OnboardingView, Status
from store.closed import is_closed, load_final
from tests.factories import onboarding_input
from tests.workflows.conftest import Harness
from tests.workflows.test_injury_case_clocks import open_case, update
from tests.workflows.test_onboarding_workflow import HR, act, submit_and_approve


async def test_a_closed_onboarding_leaves_its_final_state(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await act(handle, "cancel", CancelOnboarding(HR, "employee never started"))
    final = await handle.result()
    kept = load_final(wf.db_url, handle.id)
    assert kept is not None and is_closed(wf.db_url, handle.id)
    view = TypeAdapter(OnboardingView).validate_python(kept["view"])
    assert view.status == Status.cancelled and view.cancel_reason == "employee never started"
    assert [e.kind for e in view.events] == [e.kind for e in final.events]
    assert view.events[-1].kind == "completed"


async def test_an_open_onboarding_leaves_no_final_state(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await submit_and_approve(handle)
    assert load_final(wf.db_url, handle.id) is None
    assert not is_closed(wf.db_url, handle.id)


async def test_a_closed_case_leaves_its_final_state(wf: Harness):
    handle, view = await open_case(wf, days_ago=1)
    await update(handle, "withdraw", reason="employee chose private insurance")
    result = await handle.result()
    kept = load_final(wf.db_url, handle.id)
    assert kept is not None and is_closed(wf.db_url, handle.id)
    view = TypeAdapter(CaseView).validate_python(kept["view"])
    assert view.stage == Stage.withdrawn and view.id == result.id
    assert [e.kind for e in view.events] == [e.kind for e in result.events]
    assert view.events[-1].kind == "case_outcome"
    case = TypeAdapter(CaseInput).validate_python(kept["input"])
    assert view.id == f"case-{case.case_id}" and case.carried is None
