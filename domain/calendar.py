"""Civil Code day counting (民法典 arts. 201-203) over the PRC holiday calendar.

Where a date's holidays come from, in order:
1. data/holidays.json, a year entry there (official notices for years the package lacks);
2. the `chinesecalendar` package (State Council notices incl. adjusted working days, 调休);
3. a fallback: Saturdays and Sundays plus the fixed-date statutory holidays (Jan 1, May 1-2,
   Oct 1-3; 全国年节及纪念日放假办法 art. 2). Lunar holidays and 调休 are missing, so every
   answer from the fallback is marked unverified.
"""

from __future__ import annotations

import json
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
_HOLIDAYS_FILE = Path(__file__).with_name("data") / "holidays.json"
_FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class YearOverride:
    """One year's official schedule from data/holidays.json."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str
    verified: bool


def parse_holiday_overrides(data: Mapping[str, Any]) -> dict[int, YearOverride]:
    """Read the holidays.json shape: {"years": {"2027": {"holidays": [...], "workdays": [...]}}}."""
    result: dict[int, YearOverride] = {}
    for key, entry in (data.get("years") or {}).items():
        year = int(key)
        holidays = frozenset(date.fromisoformat(d) for d in entry.get("holidays", ()))
        workdays = frozenset(date.fromisoformat(d) for d in entry.get("workdays", ()))
        if any(d.year != year for d in holidays | workdays):
            raise ValueError(f"holidays.json: year {year} lists a date of another year")
        if holidays & workdays:
            raise ValueError(f"holidays.json: year {year} lists a date as holiday and workday")
        result[year] = YearOverride(year, holidays, workdays, str(entry["source"]),
                                    bool(entry.get("verified", False)))
    return result


@cache
def _override_years() -> dict[int, YearOverride]:
    if not _HOLIDAYS_FILE.exists():
        return {}
    return parse_holiday_overrides(json.loads(_HOLIDAYS_FILE.read_text(encoding="utf-8")))


def _rest_and_verified(d: date) -> tuple[bool, bool]:
    override = _override_years().get(d.year)
    if override is not None:
        if d in override.holidays:
            return True, override.verified
        if d in override.workdays:
            return False, override.verified
        return d.weekday() >= 5, override.verified
    try:
        return not chinese_calendar.is_workday(d), True
    except NotImplementedError:
        return d.weekday() >= 5 or (d.month, d.day) in _FIXED_HOLIDAYS, False


def is_rest_day(d: date) -> bool:
    """Whether `d` is a statutory rest day (法定休假日, Civil Code art. 203): holiday or weekend."""
    return _rest_and_verified(d)[0]


def calendar_verified(d: date) -> bool:
    """Whether the rest-day answer for `d` comes from an official schedule, not the fallback."""
    return _rest_and_verified(d)[1]


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


def _adjusted(start: date, raw_end: date) -> Period:
    end = raw_end
    rest, verified = _rest_and_verified(end)
    while rest:
        end += _ONE_DAY
        rest, day_verified = _rest_and_verified(end)
        verified = verified and day_verified
    return Period(start=start, raw_end=raw_end, end=end, calendar_verified=verified)


def _add_months(start: date, months: int) -> date:
    years, month0 = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month0 + 1
    # The corresponding day, or the month's last day if there is none (Civil Code art. 202).
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def _require_non_negative(n: int, unit: str) -> None:
    if n < 0:
        raise ValueError(f"a period of {n} {unit} is negative")


def count_days(start: date, days: int) -> Period:
    """N days from `start`, the start day not counted (Civil Code arts. 201, 203)."""
    _require_non_negative(days, "days")
    return _adjusted(start, start + timedelta(days=days))


def count_months(start: date, months: int) -> Period:
    """N months from `start`: the corresponding day or the month's last day (arts. 201-203)."""
    _require_non_negative(months, "months")
    return _adjusted(start, _add_months(start, months))


def count_years(start: date, years: int) -> Period:
    """N years from `start`: the corresponding day or the month's last day (arts. 201-203)."""
    _require_non_negative(years, "years")
    return _adjusted(start, _add_months(start, 12 * years))


def count_working_days(start: date, n: int) -> Period:
    """N working days after `start` (start not counted, art. 201); raw and adjusted end agree."""
    _require_non_negative(n, "working days")
    day, verified, left = start, True, n
    while left:
        day += _ONE_DAY
        rest, day_verified = _rest_and_verified(day)
        verified = verified and day_verified
        left -= 0 if rest else 1
    return Period(start=start, raw_end=day, end=day, calendar_verified=verified)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start`, the start day not counted (Civil Code art. 201)."""
    return count_working_days(start, n).end
