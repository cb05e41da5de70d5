"""A period's figures loaded while an onboarding or a case runs (signal policy_updated): the
onboarding takes the limits it pinned provisionally and tells HR about an approved request
outside them; a case records what moved in its estimate's figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.injury.estimate_figures import EstimateFiguresUpdate, Figure, FigureChange
from domain.injury.views import CaseView
from domain.onboarding.payloads import BaseLimitsRef, ReviewDecision, SubmitEnrollment
from domain.onboarding.policy import PolicyTable
from domain.onboarding.policy_update import PolicyUpdate
from domain.onboarding.state import OnboardingView
from domain.shared.people import Actor
from tests.factories import case_input, onboarding_input
from tests.workflows.conftest import Harness

HR = Actor("hr-alice", "hr")
HR_MANAGER = Actor("mgr-bob", "hr_manager")
NOTICE = "京人社发〔2026〕1号 (test)"
# Pinned at registration: the newest period on file, applied provisionally (the hire date is
# after it); fixed figures, whatever day the test server's clock shows.
PROVISIONAL = BaseLimitsRef(lower=Decimal(7162), upper=Decimal(35811),
                            period_start=date(2025, 7, 1), period_end=date(2026, 6, 30),
                            source="PROVISIONAL: the newest limits on file (test)",
                            verified=False, provisional=True)


def row(hire: date, lower: str = "7500", upper: str = "37000") -> dict:
    """The loaded row for the hire date's period (a year around it)."""
    return {"region": "beijing", "period_start": (hire - timedelta(days=100)).isoformat(),
            "period_end": (hire + timedelta(days=264)).isoformat(), "lower": lower,
            "upper": upper, "document": NOTICE, "source": "read from the notice", "verified": True}


async def onboarding(wf: Harness, limits: BaseLimitsRef = PROVISIONAL):
    hire = await wf.today()
    inp = replace(onboarding_input(hire), base_limits=limits)
    return inp, await wf.start(inp)


async def load(wf: Harness, handle: WorkflowHandle, *rows: dict) -> None:
    await handle.signal("policy_updated", PolicyUpdate(
        4, "北京市人社局 notice", "root", await wf.env.get_current_time(),
        PolicyTable.from_rows(contribution_bases=rows).bases))
    await wf.env.sleep(timedelta(seconds=3))


async def view_of(handle: WorkflowHandle) -> OnboardingView:
    return await handle.query("status", result_type=OnboardingView)


def kinds(events, kind: str) -> list:
    return [e for e in events if e.kind == kind]


async def test_provisional_limits_are_recomputed_and_hr_told_about_the_approved_request(
        wf: Harness):
    inp, handle = await onboarding(wf)
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal(7300)))
    await handle.execute_update("approve_enrollment", ReviewDecision(HR_MANAGER))

    await load(wf, handle, row(inp.hire_date))
    view = await view_of(handle)
    assert (view.base_limits.lower, view.base_limits.upper) == (Decimal(7500), Decimal(37000))
    assert view.base_limits.verified and not view.base_limits.provisional
    [figures] = view.figures_recomputed
    assert figures.requests_outside == (1,) and figures.document == NOTICE
    assert "enrolment request 1" in figures.note
    [event] = kinds(view.events, "policy_recomputed")
    assert event.actor == "root" and event.data["lower"] == {"from": "7162", "to": "7500"}
    assert event.data["requests_outside"] == [1] and event.data["load"] == 4
    [told] = kinds(view.events, "figures_notice_sent")
    assert told.data["recipients"] == ["hr"] and told.data["requests"] == [1]
    assert view.contribution_base == inp.contribution_base  # HR's figure is never rewritten

    # A new request is checked against the loaded limits.
    await handle.execute_update("revoke_enrollment", ReviewDecision(HR, "base below the limits"))
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update("submit_enrollment",
                                    SubmitEnrollment(HR, "new", Decimal(7300)))
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal(7500)))

    await load(wf, handle, row(inp.hire_date, upper="36000"))  # verified now: kept
    view = await view_of(handle)
    assert view.base_limits.upper == Decimal(37000) and len(view.figures_recomputed) == 1


async def test_verified_limits_are_kept(wf: Harness):
    hire = await wf.today()
    verified = replace(PROVISIONAL, verified=True, provisional=False, source="the notice")
    _, handle = await onboarding(wf, verified)
    await load(wf, handle, row(hire))
    view = await view_of(handle)
    assert view.base_limits == verified and view.figures_recomputed == ()
    assert not kinds(view.events, "policy_recomputed")


async def test_a_provisional_onboarding_ignores_a_row_of_another_period(wf: Harness):
    inp, handle = await onboarding(wf)
    earlier = {**row(inp.hire_date), "period_start": "2020-01-01", "period_end": "2020-12-31"}
    await load(wf, handle, earlier, {**row(inp.hire_date), "region": "shanghai"})
    view = await view_of(handle)
    assert view.base_limits == PROVISIONAL and not kinds(view.events, "policy_recomputed")


async def test_a_case_records_that_its_estimate_figures_changed(wf: Harness):
    now: datetime = await wf.env.get_current_time()
    inp = case_input(now - timedelta(days=2), now=now)
    handle = await wf.start_case(inp)
    await wf.env.sleep(timedelta(seconds=1))
    new = Figure("11000", "2026-01-01 to 2026-12-31", "read from the notice", True, NOTICE)
    change = FigureChange("regional_average_monthly_wage", None, new)
    injured = date(2026, 3, 2)
    await handle.signal("policy_updated", EstimateFiguresUpdate(
        4, "北京市人社局 notice", "root", now, "beijing", injured, (change,)))
    await handle.signal("policy_updated", EstimateFiguresUpdate(
        5, "nothing for this case", "root", now, "beijing", injured, ()))
    await wf.env.sleep(timedelta(seconds=3))
    view = await handle.query("status", await wf.env.get_current_time(), result_type=CaseView)
    [event] = kinds(view.events, "estimate_figures_changed")
    assert event.actor == "root" and event.data["load"] == 4
    assert event.data["changes"] == [{"figure": "regional_average_monthly_wage", "from": None,
                                      "to": {"value": "11000", "period": new.period,
                                             "source": new.source, "verified": True,
                                             "document": NOTICE}}]


RATES = {"region": "beijing", "period_start": None, "period_end": None,
         "components": {"pension": {"employer": "0.16", "employee": "0.08"},
                        "medical": {"employer": "0.09", "employee": "0.02"}},
         "document": NOTICE, "source": "read from the notice", "verified": True}


async def estimate_of(handle: WorkflowHandle) -> Decimal:
    """Today's back-payment estimate at 8,000, as the refusal to submit it unconfirmed answers."""
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update("submit_enrollment",
                                    SubmitEnrollment(HR, "back_payment", Decimal(8000)))
    return Decimal(refused.value.cause.details[0]["estimate"]["total"])


async def test_unverified_rates_are_taken_and_hr_told_about_a_back_payment_priced_at_them(
        wf: Harness):
    hire = await wf.today() - timedelta(days=75)  # registration overdue: a back payment
    handle = await wf.start(onboarding_input(hire))
    old_total = await estimate_of(handle)
    await handle.execute_update("submit_enrollment", SubmitEnrollment(
        HR, "back_payment", Decimal(8000), old_total))

    await handle.signal("policy_updated", PolicyUpdate(
        5, "北京市人社局 notice", "root", await wf.env.get_current_time(),
        rates=PolicyTable.from_rows(contribution_rates=[RATES]).rates))
    await wf.env.sleep(timedelta(seconds=3))
    view = await view_of(handle)
    [figures] = view.figures_recomputed
    assert figures.new_rates is not None and figures.new_rates.verified
    assert (figures.new_rates.employer_rate, figures.new_rates.employee_rate) == (
        Decimal("0.25"), Decimal("0.10"))
    assert figures.requests_repriced == (1,) and figures.new_limits == figures.old_limits
    [event] = kinds(view.events, "policy_recomputed")
    assert event.data["rates"]["verified"] == {"from": False, "to": True}
    [told] = kinds(view.events, "figures_notice_sent")
    assert told.data["requests"] == [1]
    assert view.enrollment_requests[0].cost_estimate.total == old_total  # what HR confirmed stays

    # The next estimate uses the loaded rates: 35 % of 8,000 a month instead of the bundled 37 %.
    await handle.execute_update("revoke_enrollment", ReviewDecision(HR, "repriced"))
    assert await estimate_of(handle) < old_total


async def test_an_unverified_withdrawal_window_is_taken_from_a_load_for_the_execution_to_come(
        wf: Harness):
    """Pinned at registration: the bundled default (unverified). A loaded verified row of the
    region sets the window of the enrolment executed after it; a second load is not taken."""
    from domain.onboarding.policy import PolicyTable as Table

    inp, handle = await onboarding(wf)
    assert not inp.timing.withdrawal_window_verified and inp.timing.withdrawal_window_region == "*"
    windows = Table.from_rows(withdrawal_windows=[
        {"region": "beijing", "hours": 48, "source": "京人社 notice (test)", "verified": True}]).windows
    await handle.signal("policy_updated", PolicyUpdate(
        5, NOTICE, "root", await wf.env.get_current_time(), windows=windows))
    await wf.env.sleep(timedelta(seconds=3))
    [event] = kinds((await view_of(handle)).events, "withdrawal_window_recomputed")
    assert event.data == {"load": 5, "old_hours": inp.timing.withdrawal_window.total_seconds() / 3600,
                          "new_hours": 48.0, "source": "京人社 notice (test)", "verified": True,
                          "region": "beijing"}
    again = Table.from_rows(withdrawal_windows=[
        {"region": "beijing", "hours": 12, "source": "later", "verified": False}]).windows
    await handle.signal("policy_updated", PolicyUpdate(
        6, NOTICE, "root", await wf.env.get_current_time(), windows=again))
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal(8000)))
    await handle.execute_update("approve_enrollment", ReviewDecision(HR_MANAGER))
    await wf.env.sleep(timedelta(hours=2))
    view = await view_of(handle)
    [executed] = [r for r in view.enrollment_requests if r.status == "executed"]
    assert executed.withdrawal_window_ends - executed.executed_at == timedelta(hours=48)
    assert len(kinds(view.events, "withdrawal_window_recomputed")) == 1  # a verified one is kept
