"""Where the live holiday schedules come from, to pin into a workflow as it starts.

In order of precedence:
1. the schedules an admin loaded (POST /api/v1/admin/calendar; kept in the database);
2. domain/data/holidays.json, a year entry there (official notices for years the package lacks);
3. the `chinesecalendar` package (State Council notices incl. adjusted working days, 调休).
A year none of them knows is counted by domain/shared/calendar.py's fallback and marked unverified.

No workflow imports this module: a workflow counts only with the calendar its input carries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from chinese_calendar import constants as package_schedules

from domain.shared.calendar import CalendarYear, HolidayCalendar

_HOLIDAYS_FILE = Path(__file__).parents[1] / "data" / "holidays.json"
PACKAGE_SOURCE = "chinesecalendar (国务院办公厅关于部分节假日安排的通知)"


def parse_holiday_overrides(data: Mapping[str, Any]) -> dict[int, CalendarYear]:
    """Read the holidays.json shape: {"years": {"2027": {"holidays": [...], "workdays": [...]}}}."""
    result: dict[int, CalendarYear] = {}
    for key, entry in (data.get("years") or {}).items():
        year = int(key)
        holidays = tuple(sorted(date.fromisoformat(d) for d in entry.get("holidays", ())))
        workdays = tuple(sorted(date.fromisoformat(d) for d in entry.get("workdays", ())))
        if any(d.year != year for d in holidays + workdays):
            raise ValueError(f"holidays.json: year {year} lists a date of another year")
        if set(holidays) & set(workdays):
            raise ValueError(f"holidays.json: year {year} lists a date as holiday and workday")
        result[year] = CalendarYear(year, holidays, workdays, str(entry["source"]),
                                    bool(entry.get("verified", False)))
    return result


@cache
def _file_years() -> dict[int, CalendarYear]:
    if not _HOLIDAYS_FILE.exists():
        return {}
    return parse_holiday_overrides(json.loads(_HOLIDAYS_FILE.read_text(encoding="utf-8")))


@cache
def _package_years() -> dict[int, CalendarYear]:
    holidays: dict[int, list[date]] = defaultdict(list)
    workdays: dict[int, list[date]] = defaultdict(list)
    for day in package_schedules.holidays:
        holidays[day.year].append(day)
    for day in package_schedules.workdays:
        workdays[day.year].append(day)
    return {year: CalendarYear(year, tuple(sorted(holidays[year])), tuple(sorted(workdays[year])),
                               PACKAGE_SOURCE)
            for year in holidays}


def official_calendar(loaded: Iterable[CalendarYear] = ()) -> HolidayCalendar:
    """Every year an official schedule is known for: loaded ones first, then the file, then the
    package."""
    years = {**_package_years(), **_file_years(), **{y.year: y for y in loaded}}
    return HolidayCalendar(tuple(years[y] for y in sorted(years)))

