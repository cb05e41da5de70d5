"""Civil Code day counting (arts. 201-203) over the PRC holiday calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared import calendar_sources as sources
from domain.shared.calendar import (
    LEGACY_CALENDAR,
    SHANGHAI,
    CalendarYear,
    Period,
    add_working_days,
    calendar_verified,
    check_calendar_year,
    count_days,
    count_months,
    count_working_days,
    count_years,
    is_rest_day,
)
from domain.shared.calendar_sources import official_calendar
from domain.shared.errors import RuleViolation

starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2031, 12, 31))


def test_start_day_is_not_counted() -> None:
    # 2024-03-04 is a Monday; one day later is Tuesday, a working day.
    assert count_days(date(2024, 3, 4), 1).raw_end == date(2024, 3, 5)
    assert count_days(date(2024, 3, 4), 30).raw_end == date(2024, 4, 3)


def test_thirty_days_into_national_day_moves_to_the_first_working_day() -> None:
    period = count_days(date(2026, 9, 1), 30)
    assert period == Period(start=date(2026, 9, 1), raw_end=date(2026, 10, 1),
                            end=date(2026, 10, 8), calendar_verified=True)
    # The package's 2026 schedule: Oct 1-7 off, Oct 8 (Thursday) the first working day.
    assert all(is_rest_day(date(2026, 10, d)) for d in range(1, 8))
    assert not is_rest_day(date(2026, 10, 8))


def test_adjusted_working_weekend_day_is_a_working_day() -> None:
    saturday = date(2026, 10, 10)  # 调休: worked in exchange for National Day
    assert saturday.weekday() == 5
    assert not is_rest_day(saturday)
    assert is_rest_day(date(2026, 10, 11))  # the Sunday after is an ordinary rest day
    assert count_days(date(2026, 9, 10), 30) == Period(
        date(2026, 9, 10), date(2026, 10, 10), date(2026, 10, 10), True)


def test_ordinary_weekend_moves_to_monday() -> None:
    period = count_days(date(2024, 3, 2), 7)  # raw end Saturday 2024-03-09
    assert (period.raw_end, period.end) == (date(2024, 3, 9), date(2024, 3, 11))


@pytest.mark.parametrize(
    ("start", "months", "raw_end"),
    [(date(2024, 1, 31), 1, date(2024, 2, 29)), (date(2023, 1, 31), 1, date(2023, 2, 28)),
     (date(2024, 3, 31), 1, date(2024, 4, 30)), (date(2024, 1, 15), 1, date(2024, 2, 15)),
     (date(2024, 11, 30), 3, date(2025, 2, 28)), (date(2024, 5, 31), 0, date(2024, 5, 31))],
)
def test_month_periods_end_on_the_corresponding_or_last_day(
    start: date, months: int, raw_end: date
) -> None:
    assert count_months(start, months).raw_end == raw_end


def test_year_periods() -> None:
    assert count_years(date(2024, 2, 29), 1).raw_end == date(2025, 2, 28)
    assert count_years(date(2023, 6, 15), 1).raw_end == date(2024, 6, 15)


def test_due_at_is_midnight_ending_the_last_day_in_shanghai() -> None:
    period = count_days(date(2026, 9, 1), 30)
    assert period.due_at() == datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI)
    assert period.due_at().utcoffset() == timedelta(hours=8)
    assert period.due_at() == datetime(2026, 10, 8, 16, 0, tzinfo=UTC)
    assert period.raw_due_at() == datetime(2026, 10, 2, 0, 0, tzinfo=SHANGHAI)


def test_years_outside_the_package_fall_back_and_are_unverified() -> None:
    assert is_rest_day(date(2030, 1, 1))  # a Tuesday, fixed-date New Year holiday
    assert is_rest_day(date(2030, 5, 2)) and is_rest_day(date(2030, 10, 3))
    assert not is_rest_day(date(2030, 1, 2))
    assert is_rest_day(date(2030, 1, 5))  # Saturday
    assert not calendar_verified(date(2030, 1, 2))
    assert not calendar_verified(date(2003, 6, 2))
    assert calendar_verified(date(2026, 6, 2))
    assert count_days(date(2026, 12, 20), 15).calendar_verified is False  # ends 2027-01-04


def test_bundled_override_file_has_no_invented_2027_schedule() -> None:
    assert official_calendar().year(2027) is None


def test_a_loaded_year_takes_precedence_and_is_pinned() -> None:
    loaded = sources.parse_holiday_overrides({"years": {"2027": {
        "holidays": ["2027-01-01", "2027-01-04"], "workdays": ["2027-01-09"],
        "source": "test schedule", "verified": True}}})
    pinned = sources.official_calendar(loaded.values()).since(2025)
    assert [y.year for y in pinned.years] == [2025, 2026, 2027]
    assert is_rest_day(date(2027, 1, 4), pinned) and calendar_verified(date(2027, 1, 4), pinned)
    assert not is_rest_day(date(2027, 1, 9), pinned)  # a Saturday made a working day
    assert is_rest_day(date(2027, 1, 10), pinned)  # an unlisted Sunday
    assert count_days(date(2026, 12, 31), 4, pinned) == Period(
        date(2026, 12, 31), date(2027, 1, 4), date(2027, 1, 5), True)
    # The same count without the loaded year falls back (and says so).
    assert count_days(date(2026, 12, 31), 4).calendar_verified is False


def test_the_legacy_calendar_is_the_package_data_it_was_taken_from() -> None:
    day = date(2004, 1, 1)
    while day <= date(2026, 12, 31):
        assert is_rest_day(day, LEGACY_CALENDAR) == (not chinese_calendar.is_workday(day)), day
        day += timedelta(days=1)


def test_override_file_rejects_inconsistent_entries() -> None:
    with pytest.raises(ValueError):
        sources.parse_holiday_overrides({"years": {"2027": {
            "holidays": ["2028-01-01"], "source": "x"}}})
    with pytest.raises(ValueError):
        sources.parse_holiday_overrides({"years": {"2027": {
            "holidays": ["2027-01-09"], "workdays": ["2027-01-09"], "source": "x"}}})


@pytest.mark.parametrize(("year", "field", "code"), [
    (CalendarYear(2027, (date(2026, 12, 31),), (), "notice"), "holidays", "calendar.date_outside_year"),
    (CalendarYear(2027, (date(2027, 2, 6),), (date(2027, 2, 6),), "notice"), "workdays",
     "calendar.holiday_and_workday"),
    (CalendarYear(2027, (), (date(2027, 2, 8),), "notice"), "workdays", "calendar.workday_not_weekend"),
    (CalendarYear(2027, (date(2027, 1, 1),), (), "  "), "source", "calendar.source_missing"),
    (CalendarYear(1999, (), (), "notice"), "year", "calendar.year_out_of_range"),
    (CalendarYear(2027, (date(2027, 1, 1), date(2027, 1, 1)), (), "n"), "holidays",
     "calendar.duplicate_date"),
])
def test_a_schedule_an_admin_loads_is_checked(year: CalendarYear, field: str, code: str) -> None:
    with pytest.raises(RuleViolation) as error:
        check_calendar_year(year)
    assert (error.value.field, error.value.code) == (field, code)


def test_working_days() -> None:
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)  # the 调休 Saturday
    assert add_working_days(date(2024, 3, 1), 10) == date(2024, 3, 15)  # Fri + 2 weeks
    assert add_working_days(date(2024, 3, 1), 0) == date(2024, 3, 1)
    assert count_working_days(date(2030, 1, 1), 1).calendar_verified is False


def test_negative_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        count_days(date(2024, 1, 1), -1)
    with pytest.raises(ValueError):
        count_months(date(2024, 1, 1), -1)


@given(starts, st.integers(min_value=0, max_value=400))
def test_adjusted_end_is_the_first_working_day_on_or_after_raw_end(start: date, days: int) -> None:
    period = count_days(start, days)
    assert period.raw_end == start + timedelta(days=days)
    assert period.end >= period.raw_end
    assert not is_rest_day(period.end)
    gap = (period.end - period.raw_end).days
    assert all(is_rest_day(period.raw_end + timedelta(days=i)) for i in range(gap))
    assert period.due_at() >= period.raw_due_at()


@given(starts, st.integers(min_value=0, max_value=36))
def test_month_end_property(start: date, months: int) -> None:
    period = count_months(start, months)
    assert (period.raw_end.year * 12 + period.raw_end.month) - (start.year * 12 + start.month) \
        == months
    assert period.raw_end.day == start.day or (period.raw_end + timedelta(days=1)).day == 1
    assert period.end >= period.raw_end and not is_rest_day(period.end)


@given(starts, st.integers(min_value=0, max_value=30))
def test_working_days_property(start: date, n: int) -> None:
    end = add_working_days(start, n)
    span = range(1, (end - start).days + 1)
    counted = sum(not is_rest_day(start + timedelta(days=i)) for i in span)
    assert counted == n
    assert n == 0 or not is_rest_day(end)
