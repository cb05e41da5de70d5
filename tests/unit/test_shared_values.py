"""Inputs decoded again and again share their repeated parts (issue 21, figure 4): two cases of a
worker hold one checklist and one set of holiday schedules, equal to what each decoded."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from domain.injury.payloads import CaseInput
from domain.onboarding.payloads import OnboardingInput
from domain.shared.calendar import CalendarYear, HolidayCalendar
from temporal_client import DATA_CONVERTER
from tests.factories import case_input, onboarding_input

ACCIDENT = datetime(2026, 9, 29, 2, 30, tzinfo=UTC)


def _decoded(value: object, kind: type) -> object:
    converter = DATA_CONVERTER.payload_converter
    [decoded] = converter.from_payloads(converter.to_payloads([value]), [kind])
    return decoded


def _wire(value: object) -> bytes:
    """What the converter puts on the wire for `value`."""
    return DATA_CONVERTER.payload_converter.to_payloads([value])[0].data


def test_two_decoded_cases_share_their_checklist_and_schedules():
    sent = case_input(ACCIDENT, now=ACCIDENT + timedelta(hours=3))
    first, second = (_decoded(sent, CaseInput) for _ in range(2))
    assert first == second == sent
    assert all(a is b for a, b in zip(first.materials, second.materials, strict=True))
    assert all(a is b for a, b in zip(first.calendar.years, second.calendar.years, strict=True))


def test_an_onboarding_shares_the_schedules_a_case_decoded():
    case = _decoded(case_input(ACCIDENT, now=ACCIDENT + timedelta(hours=3)), CaseInput)
    onboarding = _decoded(onboarding_input(ACCIDENT.date()), OnboardingInput)
    by_year = {y.year: y for y in case.calendar.years}
    assert all(y is by_year[y.year] for y in onboarding.calendar.years if y.year in by_year)


def test_a_changed_schedule_is_not_taken_for_the_one_shared():
    """An admin's load of a corrected year (one holiday fewer) stays its own year."""
    calendar = _decoded(onboarding_input(ACCIDENT.date()), OnboardingInput).calendar
    year = calendar.years[-1]
    dropped = year.holidays[-1]
    moved = CalendarYear(year.year, year.holidays[:-1], year.workdays, year.source, year.verified)
    corrected = HolidayCalendar(calendar.years[:-1] + (moved,)).year(year.year)
    assert corrected is not year and dropped not in corrected.holidays
    assert calendar.year(year.year) is year and dropped in year.holidays
    assert corrected.is_rest_day(dropped) == (dropped.weekday() >= 5)
    assert year.is_rest_day(dropped)


def test_two_decoded_onboardings_share_their_sources_rule_and_calendar():
    """The figures' sources (a paragraph each), the payment rule and the calendar: one copy."""
    sent = onboarding_input(ACCIDENT.date())
    first, second = (_decoded(sent, OnboardingInput) for _ in range(2))
    assert first == second == sent
    assert first.base_limits.source is second.base_limits.source
    assert first.rates.source is second.rates.source
    assert first.timing.withdrawal_window_source is second.timing.withdrawal_window_source
    assert first.payment_rule is second.payment_rule and first.payment_rule is not None
    assert first.calendar is second.calendar
    assert _wire(first) == _wire(sent)  # what goes back on the wire is what came


def test_two_decoded_cases_share_their_checklist_source_and_calendar():
    sent = case_input(ACCIDENT, now=ACCIDENT + timedelta(hours=3))
    first, second = (_decoded(sent, CaseInput) for _ in range(2))
    assert first.materials_source is second.materials_source
    assert first.calendar is second.calendar
    assert _wire(first) == _wire(sent)


def test_another_source_is_its_own_and_none_stays_none():
    sent = onboarding_input(ACCIDENT.date())
    other = replace(sent, base_limits=replace(sent.base_limits, source="另一份通知"),
                    payment_rule=None, calendar=None)
    decoded = _decoded(other, OnboardingInput)
    assert decoded.base_limits.source == "另一份通知"
    assert decoded.payment_rule is None and decoded.calendar is None
    assert _decoded(sent, OnboardingInput).base_limits.source == sent.base_limits.source

