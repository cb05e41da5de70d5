"""An official holiday schedule loaded while workflows run (POST /api/v1/admin/calendar).

A running onboarding or case counts with the calendar pinned when it started. A year that
calendar lacked was counted by the fallback (weekends and fixed-date holidays, marked unverified).
When the State Council's schedule for that year (国务院办公厅关于YYYY年部分节假日安排的通知) is
loaded later, the workflow adds it to its calendar and counts again every open deadline whose
holiday adjustment touched that year: the raw last day stays, only where it moves past rest days
changes (Civil Code art. 203). A met deadline never changes, and a year the workflow already
holds verified is not replaced: only what the fallback counted is counted again.
"""

# No `from __future__ import annotations`: CalendarUpdate travels as a signal payload, and pydantic
# resolves string annotations through sys.modules (see domain/shared/calendar.py).
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.shared import calendar
from domain.shared.calendar import SHANGHAI, CalendarYear, HolidayCalendar, Period


@dataclass(frozen=True)
class CalendarUpdate:
    """Signal `calendar_updated`: an admin loaded a year's official schedule."""

    year: CalendarYear
    loaded_by: str
    loaded_at: datetime


@dataclass(frozen=True)
class Recomputed:
    """One deadline counted again with a loaded year: its due moment before and after."""

    deadline: str
    old_due_at: datetime
    new_due_at: datetime
    calendar_verified: bool

    def event_data(self, update: CalendarUpdate) -> dict[str, Any]:
        """The `deadline_recomputed` evidence event's data."""
        return {"deadline": self.deadline, "from": self.old_due_at.isoformat(),
                "to": self.new_due_at.isoformat(), "source": update.year.source,
                "year": update.year.year, "verified": self.calendar_verified}


def counted_by_fallback(cal: HolidayCalendar, year: CalendarYear) -> bool:
    """Whether `cal` counts `year` with the fallback: it lacks the year or holds it unverified."""
    held = cal.year(year.year)
    return held is None or not held.verified


def last_day(end: datetime) -> date:
    """The day a deadline's moment (24:00 Beijing, i.e. the next day's 00:00) ends."""
    return end.astimezone(SHANGHAI).date() - timedelta(days=1)


def touches_year(raw_due_at: datetime, due_at: datetime, year: int) -> bool:
    """Whether the raw last day, or a day the adjustment moved across, lies in `year`."""
    return last_day(raw_due_at).year <= year <= last_day(due_at).year


def recount(raw_due_at: datetime, cal: HolidayCalendar, next_working_day: bool) -> Period:
    raw_last = last_day(raw_due_at)
    if next_working_day:  # the return day after a suspension period (art. 33)
        return calendar.count_working_days(raw_last, 1, cal)
    return calendar.count_days(raw_last, 0, cal)  # the last day, moved past rest days (art. 203)


def carried_alarms(fired: set[str], change: Recomputed) -> set[str]:
    """The alarm keys already fired for the old due moment, keyed for the new one, so a moved
    deadline sends no reminder, escalation or chase twice (alarm keys carry the due moment)."""
    old, new = change.old_due_at.isoformat(), change.new_due_at.isoformat()
    return {key.replace(old, new) for key in fired
            if key.startswith(f"{change.deadline}:") and old in key}
