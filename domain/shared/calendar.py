"""Civil Code day counting (民法典 arts. 201-203) over a pinned PRC holiday calendar.

Every count takes the `HolidayCalendar` it counts with: a workflow carries its calendar in its
input (pinned when it started), so upgrading `chinesecalendar`, editing domain/data/holidays.json
or replaying on another machine never changes what a running case does. Where the live schedules
come from (package, data file, the ones an admin loaded) is domain/shared/calendar_sources.py, which no
workflow imports.

A year the calendar lacks is counted by the fallback: Saturdays and Sundays plus the fixed-date
statutory holidays (Jan 1, May 1-2, Oct 1-3; 全国年节及纪念日放假办法 art. 2). Lunar holidays and
调休 are missing there, so every answer from the fallback is marked unverified.
"""

# No `from __future__ import annotations` here: pydantic resolves string annotations through
# sys.modules, which inside the workflow sandbox lacks this module (it is imported only through
# other domain modules), so CaseInput's calendar would not decode there.
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.shared import calendar_legacy
from domain.shared.errors import RuleViolation
from domain.shared.shared_values import shared

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(moment: datetime) -> str:
    """A moment as Beijing time, minutes precision, for people to read."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
_FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class CalendarYear:
    """One year's schedule (国务院办公厅关于YYYY年部分节假日安排的通知): the holidays, and the
    weekend days worked in exchange (调休); any other day rests on Saturday and Sunday."""

    year: int
    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()
    source: str = ""
    verified: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "_holidays", frozenset(self.holidays))
        object.__setattr__(self, "_workdays", frozenset(self.workdays))

    def is_rest_day(self, d: date) -> bool:
        if d in self._holidays:  # type: ignore[attr-defined]  # from __post_init__, not a field
            return True
        return d.weekday() >= 5 and d not in self._workdays  # type: ignore[attr-defined]  # as above


@dataclass(frozen=True)
class HolidayCalendar:
    """The schedules one workflow counts with, by year; travels in the workflow input."""

    years: tuple[CalendarYear, ...] = ()

    def __post_init__(self) -> None:
        years = tuple(map(shared, self.years))  # the worker's workflows carry the same few
        object.__setattr__(self, "years", years)
        object.__setattr__(self, "_by_year", {y.year: y for y in years})

    def year(self, year: int) -> CalendarYear | None:
        found: CalendarYear | None = self._by_year.get(year)  # type: ignore[attr-defined]  # not a field
        return found

    def with_year(self, year: CalendarYear) -> "HolidayCalendar":
        """This calendar with `year` added or replaced (an official schedule loaded later)."""
        kept = tuple(y for y in self.years if y.year != year.year)
        return HolidayCalendar(tuple(sorted(kept + (year,), key=lambda y: y.year)))

    def since(self, first_year: int) -> "HolidayCalendar":
        """Only the years from `first_year` on: what a workflow starting then needs to carry."""
        return HolidayCalendar(tuple(y for y in self.years if y.year >= first_year))


def _legacy() -> HolidayCalendar:
    def days(year: int, mmdd: str) -> tuple[date, ...]:
        return tuple(date(year, int(d[:2]), int(d[2:])) for d in mmdd.split())

    return HolidayCalendar(tuple(
        CalendarYear(year, days(year, holidays), days(year, workdays), calendar_legacy.SOURCE)
        for year, (holidays, workdays) in sorted(calendar_legacy.SCHEDULES.items())))


# What a workflow started before calendars were pinned counts with (its input has none).
LEGACY_CALENDAR = _legacy()


def _rest_and_verified(d: date, cal: HolidayCalendar) -> tuple[bool, bool]:
    year = cal.year(d.year)
    if year is not None:
        return year.is_rest_day(d), year.verified
    return d.weekday() >= 5 or (d.month, d.day) in _FIXED_HOLIDAYS, False


def is_rest_day(d: date, cal: HolidayCalendar = LEGACY_CALENDAR) -> bool:
    """Whether `d` is a statutory rest day (法定休假日, Civil Code art. 203): holiday or weekend."""
    return _rest_and_verified(d, cal)[0]


def calendar_verified(d: date, cal: HolidayCalendar = LEGACY_CALENDAR) -> bool:
    """Whether the rest-day answer for `d` comes from an official schedule, not the fallback."""
    return _rest_and_verified(d, cal)[1]


def _end_of_day(d: date) -> datetime:
    # The last day ends at 24:00 (Civil Code art. 203), i.e. the next day's 00:00 in Shanghai.
    return datetime.combine(d + _ONE_DAY, time(0), tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Period:
    """A counted period: `raw_end` as counted, `end` moved past rest days (Civil Code art. 203)."""

    start: date
    raw_end: date
    end: date
    calendar_verified: bool

    def due_at(self) -> datetime:
        """24:00 Asia/Shanghai of the adjusted last day (Civil Code art. 203)."""
        return _end_of_day(self.end)

    def raw_due_at(self) -> datetime:
        """24:00 Asia/Shanghai of the unadjusted last day."""
        return _end_of_day(self.raw_end)


def _adjusted(start: date, raw_end: date, cal: HolidayCalendar) -> Period:
    end = raw_end
    rest, verified = _rest_and_verified(end, cal)
    while rest:
        end += _ONE_DAY
        rest, day_verified = _rest_and_verified(end, cal)
        verified = verified and day_verified
    return Period(start=start, raw_end=raw_end, end=end, calendar_verified=verified)


def _add_months(start: date, months: int) -> date:
    years, month0 = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month0 + 1
    # The corresponding day, or the month's last day if there is none (Civil Code art. 202).
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def ending_on(raw_end: date, cal: HolidayCalendar = LEGACY_CALENDAR) -> Period:
    """A period whose last day is fixed (a monthly payment day), moved past rest days."""
    return _adjusted(raw_end, raw_end, cal)


def _require_non_negative(n: int, unit: str) -> None:
    if n < 0:
        raise ValueError(f"a period of {n} {unit} is negative")


def count_days(start: date, days: int, cal: HolidayCalendar = LEGACY_CALENDAR) -> Period:
    """N days from `start`, the start day not counted (Civil Code arts. 201, 203)."""
    _require_non_negative(days, "days")
    return _adjusted(start, start + timedelta(days=days), cal)


def count_months(start: date, months: int, cal: HolidayCalendar = LEGACY_CALENDAR) -> Period:
    """N months from `start`: the corresponding day or the month's last day (arts. 201-203)."""
    _require_non_negative(months, "months")
    return _adjusted(start, _add_months(start, months), cal)


def count_years(start: date, years: int, cal: HolidayCalendar = LEGACY_CALENDAR) -> Period:
    """N years from `start`: the corresponding day or the month's last day (arts. 201-203)."""
    _require_non_negative(years, "years")
    return _adjusted(start, _add_months(start, 12 * years), cal)


def count_working_days(start: date, n: int, cal: HolidayCalendar = LEGACY_CALENDAR) -> Period:
    """N working days after `start` (start not counted, art. 201); raw and adjusted end agree."""
    _require_non_negative(n, "working days")
    day, verified, left = start, True, n
    while left:
        day += _ONE_DAY
        rest, day_verified = _rest_and_verified(day, cal)
        verified = verified and day_verified
        left -= 0 if rest else 1
    return Period(start=start, raw_end=day, end=day, calendar_verified=verified)


def add_working_days(start: date, n: int, cal: HolidayCalendar = LEGACY_CALENDAR) -> date:
    """The n-th working day after `start`, the start day not counted (Civil Code art. 201)."""
    return count_working_days(start, n, cal).end


FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR = 2000, 2100


def check_calendar_year(year: CalendarYear) -> None:
    """An official schedule as an admin loads it: every date in its year, no day both a holiday
    and a working day, adjusted working days only on weekends (调休), and a source named."""
    if not FIRST_CALENDAR_YEAR <= year.year <= LAST_CALENDAR_YEAR:
        raise RuleViolation("year", "calendar.year_out_of_range",
                            f"year {year.year} is outside {FIRST_CALENDAR_YEAR}-{LAST_CALENDAR_YEAR}")
    for field, days in (("holidays", year.holidays), ("workdays", year.workdays)):
        stray = sorted(d for d in days if d.year != year.year)
        if stray:
            raise RuleViolation(field, "calendar.date_outside_year",
                                f"{field} lists {stray[0]}, which is not in {year.year}")
        if len(set(days)) != len(days):
            raise RuleViolation(field, "calendar.duplicate_date", f"{field} lists a date twice")
    both = sorted(set(year.holidays) & set(year.workdays))
    if both:
        raise RuleViolation("workdays", "calendar.holiday_and_workday",
                            f"{both[0]} is listed both as a holiday and as a working day")
    weekday = sorted(d for d in year.workdays if d.weekday() < 5)
    if weekday:
        raise RuleViolation("workdays", "calendar.workday_not_weekend",
                            f"{weekday[0]} is a weekday; adjusted working days (调休) are weekend days")
    if not year.source.strip():
        raise RuleViolation("source", "calendar.source_missing",
                            "name the notice the schedule comes from (title and address)")
