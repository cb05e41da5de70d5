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
# resolves string annotations through sys.modules (see domain/calendar.py).
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from domain import calendar
from domain.calendar import SHANGHAI, CalendarYear, HolidayCalendar, Period
from domain.injury_case import CaseState
from domain.onboarding import Deadline

# Case deadlines not counted over the calendar (a product rule in hours).
_NOT_COUNTED = frozenset({"materials_filed"})


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


def _last_day(end: datetime) -> date:
    """The day a deadline's moment (24:00 Beijing, i.e. the next day's 00:00) ends."""
    return end.astimezone(SHANGHAI).date() - timedelta(days=1)


def _touches(raw_due_at: datetime, due_at: datetime, year: int) -> bool:
    """Whether the raw last day, or a day the adjustment moved across, lies in `year`."""
    return _last_day(raw_due_at).year <= year <= _last_day(due_at).year


def _recount(raw_due_at: datetime, cal: HolidayCalendar, next_working_day: bool) -> Period:
    raw_last = _last_day(raw_due_at)
    if next_working_day:  # the return day after a suspension period (art. 33)
        return calendar.count_working_days(raw_last, 1, cal)
    return calendar.count_days(raw_last, 0, cal)  # the last day, moved past rest days (art. 203)


def recompute_case(state: CaseState, year: CalendarYear) -> tuple[Recomputed, ...]:
    """Add `year` to the case's calendar and count again its open deadlines the fallback counted
    for that year; changes `state` and answers what changed (due moment or verification)."""
    if not counted_by_fallback(state.calendar, year):
        return ()
    state.calendar = state.calendar.with_year(year)
    changes = []
    for name, d in state.deadlines.items():
        if d.met_at is not None or not d.active or name in _NOT_COUNTED:
            continue
        if name == "suspension_end" and not state.return_day_rule:
            continue  # due at the period's last midnight: no day is moved
        if not _touches(d.raw_due_at, d.due_at, year.year):
            continue
        period = _recount(d.raw_due_at, state.calendar, name == "suspension_end")
        if (period.due_at(), period.calendar_verified) == (d.due_at, d.calendar_verified):
            continue
        state.deadlines[name] = replace(d, due_at=period.due_at(),
                                        calendar_verified=period.calendar_verified)
        changes.append(Recomputed(name, d.due_at, period.due_at(), period.calendar_verified))
    return tuple(changes)


def recompute_onboarding(cal: HolidayCalendar, deadlines: Mapping[str, Deadline],
                         year: CalendarYear, met: bool
                         ) -> tuple[HolidayCalendar, dict[str, Deadline], tuple[Recomputed, ...]]:
    """The onboarding's calendar with `year`, its deadlines (si_registration, contract_si) counted
    again where the fallback counted that year, and what changed; nothing once enrolment met
    them (`met`)."""
    if met or not counted_by_fallback(cal, year):
        return cal, dict(deadlines), ()
    cal = cal.with_year(year)
    result, changes = dict(deadlines), []
    for name, d in deadlines.items():
        if not _touches(d.raw_due_at, d.due_at, year.year):
            continue
        period = _recount(d.raw_due_at, cal, next_working_day=False)
        if (period.due_at(), period.calendar_verified) == (d.due_at, d.calendar_verified):
            continue
        result[name] = replace(d, due_at=period.due_at(),
                               calendar_verified=period.calendar_verified)
        changes.append(Recomputed(name, d.due_at, period.due_at(), period.calendar_verified))
    return cal, result, tuple(changes)


def carried_alarms(fired: set[str], change: Recomputed) -> set[str]:
    """The alarm keys already fired for the old due moment, keyed for the new one, so a moved
    deadline sends no reminder, escalation or chase twice (alarm keys carry the due moment)."""
    old, new = change.old_due_at.isoformat(), change.new_due_at.isoformat()
    return {key.replace(old, new) for key in fired
            if key.startswith(f"{change.deadline}:") and old in key}
