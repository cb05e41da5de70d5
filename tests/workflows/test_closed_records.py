"""A closed onboarding or case leaves its final state in the database, so it can be read after
Temporal's retention period has removed the workflow."""

from __future__ import annotations

from pydantic import TypeAdapter

from domain.onboarding.payloads import CancelOnboarding
from domain.onboarding.state import OnboardingView, Status
from store.closed import load_final
from tests.factories import onboarding_input
from tests.workflows.conftest import Harness
from tests.workflows.test_onboarding_workflow import HR, act, submit_and_approve


async def test_a_closed_onboarding_leaves_its_final_state(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await act(handle, "cancel", CancelOnboarding(HR, "employee never started"))
    final = await handle.result()
    kept = load_final(wf.db_url, handle.id)
    assert kept is not None
    view = TypeAdapter(OnboardingView).validate_python(kept)
    assert view.status == Status.cancelled and view.cancel_reason == "employee never started"
    assert [e.kind for e in view.events] == [e.kind for e in final.events]
    assert view.events[-1].kind == "completed"


async def test_an_open_onboarding_leaves_no_final_state(wf: Harness):
    handle = await wf.start(onboarding_input(await wf.today()))
    await submit_and_approve(handle)
    assert load_final(wf.db_url, handle.id) is None
