"""A year's official schedule loaded while a case or an onboarding runs (signal calendar_updated):
the deadlines the fallback counted move, nothing already sent goes out twice, a met one stays."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from temporalio.client import WorkflowHandle

from domain.injury.payloads import CaseInput
from domain.injury.views import CaseView
from domain.onboarding.intake import deadline as onboarding_deadline
from domain.onboarding.payloads import ReviewDecision, SubmitEnrollment
from domain.onboarding.state import OnboardingView
from domain.shared import statutes
from domain.shared.calendar import SHANGHAI, CalendarYear, HolidayCalendar, count_days
from domain.shared.calendar_update import CalendarUpdate
from domain.shared.people import Actor
from tests.factories import case_input, onboarding_input
from tests.workflows.conftest import Harness, act_on_case
from tests.workflows.conftest import case_action as act

FALLBACK = HolidayCalendar(())  # every year counted by the fallback: nothing verified
LOADED_BY = "admin-root"


def last_day(due_at: datetime) -> date:
    """The day a deadline ends (its due moment is 24:00 of it, the next day's 00:00)."""
    return due_at.astimezone(SHANGHAI).date() - timedelta(days=1)


def holidays_over(deadline) -> CalendarYear:
    """A schedule for the year of the deadline's last day that makes every day from its raw last
    day to two days after its last day (in that year) holidays, so the deadline moves later."""
    first, last = last_day(deadline.raw_due_at), last_day(deadline.due_at)
    days = tuple(first + timedelta(days=n) for n in range((last - first).days + 3))
    return CalendarYear(last.year, tuple(d for d in days if d.year == last.year), (),
                        "国务院办公厅关于部分节假日安排的通知 (test)")


def expected_due(raw_due_at: datetime, year: CalendarYear):
    """What the deadline counts to with the loaded year (its raw last day, moved past rest days)."""
    return count_days(last_day(raw_due_at), 0, HolidayCalendar((year,)))


async def signal(wf: Harness, handle: WorkflowHandle, year: CalendarYear) -> None:
    await handle.signal("calendar_updated",
                        CalendarUpdate(year, LOADED_BY, await wf.env.get_current_time()))
    await wf.env.sleep(timedelta(seconds=1))


def kinds(view, kind: str, deadline: str | None = None) -> list:
    return [e for e in view.events
            if e.kind == kind and (deadline is None or e.data.get("deadline") == deadline)]


# ---- a case -----------------------------------------------------------------------------


async def case(wf: Harness) -> tuple[CaseInput, WorkflowHandle, CaseView]:
    now = await wf.env.get_current_time()
    inp = replace(case_input(now - timedelta(days=2), now=now), calendar=FALLBACK)
    handle = await wf.start_case(inp)
    await wf.env.sleep(timedelta(seconds=1))
    return inp, handle, await case_view(wf, handle)


async def case_view(wf: Harness, handle: WorkflowHandle) -> CaseView:
    return await handle.query("status", await wf.env.get_current_time(), result_type=CaseView)


def determination(view: CaseView):
    [found] = [d for d in view.deadlines if d.name == "determination_application"]
    return found


async def test_a_loaded_year_moves_the_case_deadline_without_a_second_reminder(wf: Harness):
    inp, handle, view = await case(wf)
    await act_on_case(handle, act("file_materials", materials=view.missing_materials))
    # An extension: its own reminder, keyed by the due moment, goes out reminder_lead before it.
    until = last_day(determination(view).due_at) + timedelta(days=20)
    view = await act_on_case(handle, act("grant_extension", deadline="determination_application",
                                         until=until, reference="京人社延期001"))
    old = determination(view)
    assert not old.calendar_verified
    await wf.sleep_until(old.due_at - inp.timing.reminder_lead + timedelta(hours=1))
    reminders = kinds(await case_view(wf, handle), "case_reminder_sent", "determination_application")
    assert reminders[-1].data["due_at"] == old.due_at.isoformat()

    year = holidays_over(old)
    await signal(wf, handle, year)
    view = await case_view(wf, handle)
    expected = expected_due(old.raw_due_at, year)
    new = determination(view)
    assert new.due_at == expected.due_at() > old.due_at
    assert new.raw_due_at == old.raw_due_at
    assert new.calendar_verified is expected.calendar_verified
    [recomputed] = kinds(view, "deadline_recomputed")
    assert recomputed.actor == LOADED_BY
    assert recomputed.data == {"deadline": "determination_application",
                               "from": old.due_at.isoformat(), "to": new.due_at.isoformat(),
                               "source": year.source, "year": year.year,
                               "verified": expected.calendar_verified}

    await wf.sleep_until(old.due_at + timedelta(hours=1))
    view = await case_view(wf, handle)
    assert not kinds(view, "case_escalated") and determination(view).status == "upcoming"
    await wf.sleep_until(new.due_at + timedelta(hours=1))
    view = await case_view(wf, handle)
    assert len(kinds(view, "case_reminder_sent", "determination_application")) == len(reminders)
    [escalation] = kinds(view, "case_escalated", "determination_application")
    assert escalation.data["due_at"] == new.due_at.isoformat()


async def test_a_met_case_deadline_stays_met(wf: Harness):
    _, handle, view = await case(wf)
    await act_on_case(handle, act("file_materials", materials=view.missing_materials))
    view = await act_on_case(handle, act("apply_determination"))
    met = determination(view)
    assert met.status == "met"
    await signal(wf, handle, holidays_over(met))
    view = await case_view(wf, handle)
    assert determination(view) == replace(met, status="met")
    assert not kinds(view, "deadline_recomputed", "determination_application")


# ---- an onboarding ----------------------------------------------------------------------

HR = Actor("hr-alice", "hr")
HR_MANAGER = Actor("mgr-bob", "hr_manager")


async def onboarding(wf: Harness):
    hire = await wf.today()
    inp = replace(onboarding_input(hire), calendar=FALLBACK,
                  si_registration=onboarding_deadline(statutes.SI_REGISTRATION, hire, FALLBACK))
    return inp, await wf.start(inp)


async def onboarding_view(handle: WorkflowHandle) -> OnboardingView:
    return await handle.query("status", result_type=OnboardingView)


async def test_a_loaded_year_moves_the_si_deadline_without_a_second_reminder(wf: Harness):
    inp, handle = await onboarding(wf)
    old = inp.si_registration
    await wf.sleep_until(old.due_at - inp.timing.reminder_lead + timedelta(hours=1))
    assert len(kinds(await onboarding_view(handle), "reminder_sent")) == 1

    year = holidays_over(old)
    await signal(wf, handle, year)
    view = await onboarding_view(handle)
    expected = expected_due(old.raw_due_at, year)
    new = view.deadlines[0]
    assert new.name == "si_registration" and new.due_at == expected.due_at() > old.due_at
    assert new.calendar_verified is expected.calendar_verified
    [recomputed] = kinds(view, "deadline_recomputed")
    assert recomputed.data["from"] == old.due_at.isoformat()
    assert recomputed.data["to"] == new.due_at.isoformat()

    await wf.sleep_until(old.due_at + timedelta(hours=1))
    view = await onboarding_view(handle)
    assert not kinds(view, "escalated") and view.deadlines[0].status == "upcoming"
    await wf.sleep_until(new.due_at + timedelta(hours=1))
    view = await onboarding_view(handle)
    assert len(kinds(view, "reminder_sent")) == 1
    assert len(kinds(view, "escalated")) == 1 and view.deadlines[0].status == "missed"


async def test_a_met_si_deadline_stays_met(wf: Harness):
    inp, handle = await onboarding(wf)
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(HR_MANAGER))
    await wf.env.sleep(timedelta(hours=2))
    assert (await onboarding_view(handle)).deadlines[0].status == "met"
    await signal(wf, handle, holidays_over(inp.si_registration))
    view = await onboarding_view(handle)
    assert view.deadlines[0].due_at == inp.si_registration.due_at
    assert view.deadlines[0].status == "met" and not kinds(view, "deadline_recomputed")
