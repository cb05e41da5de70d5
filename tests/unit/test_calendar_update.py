"""A year's official schedule loaded while workflows run: deadlines the fallback counted move."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.injury.calendar_update import recompute_case
from domain.injury.clocks import counted, end_of, suspension_end
from domain.injury.state import CaseState, Stage
from domain.onboarding.calendar_update import recompute_onboarding
from domain.onboarding.intake import deadline as onboarding_deadline
from domain.shared import statutes
from domain.shared.calendar import CalendarYear, HolidayCalendar
from domain.shared.calendar_update import CalendarUpdate, Recomputed, carried_alarms

FALLBACK = HolidayCalendar(())  # every year counted by the fallback
STARTED = datetime(2026, 1, 1, tzinfo=UTC)


def case_with(*deadlines, cal: HolidayCalendar = FALLBACK, return_day_rule: bool = True):
    return CaseState(stage=Stage.reported, deadlines={d.name: d for d in deadlines}, calendar=cal,
                     return_day_rule=return_day_rule)


def determination(accident: date, cal: HolidayCalendar = FALLBACK):
    return counted(statutes.DETERMINATION_APPLICATION, accident, STARTED, "duty", cal=cal)


@st.composite
def schedules(draw, maybe_unverified: bool = False):
    """A made-up official schedule: any days off, any weekend days worked."""
    year = draw(st.integers(2027, 2029))
    day = st.integers(0, 364).map(lambda n: date(year, 1, 1) + timedelta(days=n))
    holidays = draw(st.sets(day, max_size=40))
    weekend = draw(st.sets(day.filter(lambda d: d.weekday() >= 5), max_size=10)) - holidays
    return CalendarYear(year, tuple(sorted(holidays)), tuple(sorted(weekend)), "test notice",
                        draw(st.booleans()) if maybe_unverified else True)


def near(schedule: CalendarYear) -> st.SearchStrategy[date]:
    """Start days whose windows end in, or run into, the schedule's year."""
    return st.dates(date(schedule.year - 1, 10, 1), date(schedule.year, 12, 31))


def test_a_holiday_on_the_last_day_moves_the_deadline_and_says_from_where():
    # 2027-02-05 (a Friday) is a working day to the fallback; the loaded schedule makes the
    # Friday and the next Monday holidays, so the last day moves to Tuesday 2027-02-09.
    state = case_with(determination(date(2027, 1, 6)))
    old = state.deadlines["determination_application"]
    assert old.due_at == end_of(date(2027, 2, 5)) and not old.calendar_verified
    year = CalendarYear(2027, (date(2027, 2, 5), date(2027, 2, 8)), (), "国务院办公厅通知 (test)")
    [change] = recompute_case(state, year)
    assert change == Recomputed("determination_application", end_of(date(2027, 2, 5)),
                                end_of(date(2027, 2, 9)), True)
    assert state.deadlines["determination_application"].due_at == end_of(date(2027, 2, 9))
    assert state.deadlines["determination_application"].raw_due_at == old.raw_due_at
    assert state.calendar.year(2027) == year
    update = CalendarUpdate(year, "admin-root", STARTED)
    assert change.event_data(update) == {
        "deadline": "determination_application", "from": old.due_at.isoformat(),
        "to": end_of(date(2027, 2, 9)).isoformat(), "source": "国务院办公厅通知 (test)",
        "year": 2027, "verified": True}


def test_a_deadline_outside_the_year_and_the_product_rule_in_hours_stay():
    far = determination(date(2026, 3, 2))  # ends in April 2026
    materials = replace(determination(date(2027, 1, 6)), name="materials_filed")
    state = case_with(far, materials)
    assert recompute_case(state, CalendarYear(2027, (date(2027, 2, 5),), (), "n")) == ()
    assert state.deadlines == {d.name: d for d in (far, materials)}
    assert state.calendar.year(2027) is not None  # later deadlines count with it


@given(schedules(maybe_unverified=True), st.data())
def test_a_year_equal_to_the_pinned_one_changes_nothing(year, data):
    cal = HolidayCalendar((year,))
    state = case_with(determination(data.draw(near(year)), cal), cal=cal)
    before = dict(state.deadlines)
    assert recompute_case(state, year) == ()
    assert state.deadlines == before and state.calendar == cal


@given(schedules(), st.data())
def test_recomputing_counts_as_if_the_year_had_been_pinned_from_the_start(year, data):
    accident = data.draw(near(year))
    state = case_with(determination(accident))
    recompute_case(state, year)
    assert state.deadlines["determination_application"] == determination(
        accident, HolidayCalendar((year,)))


@given(schedules(), st.data())
def test_the_return_day_after_a_suspension_is_counted_again_too(year, data):
    start, months = data.draw(near(year)), data.draw(st.integers(1, 12))
    state = case_with(suspension_end(start, months, STARTED, True, cal=FALLBACK))
    recompute_case(state, year)
    expected = suspension_end(start, months, STARTED, True, cal=HolidayCalendar((year,)))
    got = state.deadlines["suspension_end"]
    assert got.due_at == expected.due_at and got.raw_due_at == expected.raw_due_at


@given(schedules(), st.data())
def test_a_met_or_retired_deadline_never_changes(year, data):
    open_one = determination(data.draw(near(year)))
    state = case_with(replace(open_one, met_at=STARTED),
                      replace(open_one, name="administrative_review", active=False))
    before = dict(state.deadlines)
    assert recompute_case(state, year) == ()
    assert state.deadlines == before


@given(schedules(), st.data(), st.booleans())
def test_an_onboarding_counts_again_unless_enrolment_met_its_deadline(year, data, met):
    hire = data.draw(near(year))
    si = onboarding_deadline(statutes.SI_REGISTRATION, hire, FALLBACK)
    cal, deadlines, changes = recompute_onboarding(FALLBACK, {si.name: si}, year, met)
    if met:
        assert (cal, deadlines, changes) == (FALLBACK, {si.name: si}, ())
        return
    assert cal.year(year.year) == year
    assert deadlines[si.name] == onboarding_deadline(statutes.SI_REGISTRATION, hire,
                                                     HolidayCalendar((year,)))
    assert [c.deadline for c in changes] == ([si.name] if deadlines[si.name] != si else [])


def test_alarms_fired_for_the_old_due_moment_count_as_fired_for_the_new_one():
    old, new = end_of(date(2027, 2, 5)), end_of(date(2027, 2, 9))
    fired = {f"settlement_agreement:reminder:{old.isoformat()}",
             f"determination_decision:chase:{old.isoformat()}:0",
             "determination_application:reminder:day7",
             f"administrative_review:reminder:{old.isoformat()}"}
    assert carried_alarms(fired, Recomputed("settlement_agreement", old, new, True)) == {
        f"settlement_agreement:reminder:{new.isoformat()}"}
    assert carried_alarms(fired, Recomputed("determination_decision", old, new, True)) == {
        f"determination_decision:chase:{new.isoformat()}:0"}
