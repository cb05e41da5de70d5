"""A case counts with the holiday calendar pinned in its input, never with the live data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from domain.injury.views import CaseView
from domain.shared.calendar import SHANGHAI, CalendarYear, HolidayCalendar
from tests.factories import case_input
from tests.workflows.conftest import Harness


def every_weekend_worked(first: date, last: date, holidays: tuple[date, ...]) -> HolidayCalendar:
    """A made-up official schedule: `holidays` off, every weekend day in between worked, so the
    only rest days are the ones the test names (whatever the real calendar says)."""
    years = []
    for year in range(first.year, last.year + 1):
        days = [date(year, 1, 1) + timedelta(days=n) for n in range(366)]
        weekend = tuple(d for d in days if d.year == year and d.weekday() >= 5
                        and first <= d <= last and d not in holidays)
        years.append(CalendarYear(year, tuple(d for d in holidays if d.year == year), weekend,
                                  "test schedule (pinned)"))
    return HolidayCalendar(tuple(years))


async def test_the_determination_deadline_moves_past_the_pinned_holidays(wf: Harness):
    now = await wf.env.get_current_time()
    accident = now - timedelta(days=2)
    raw_end = accident.astimezone(SHANGHAI).date() + timedelta(days=30)
    holidays = (raw_end, raw_end + timedelta(days=1))
    pinned = every_weekend_worked(raw_end - timedelta(days=60), raw_end + timedelta(days=10),
                                  holidays)
    inp = replace(case_input(accident, now=now), calendar=pinned)
    handle = await wf.start_case(inp)
    await wf.env.sleep(timedelta(seconds=1))
    view = await handle.query("status", result_type=CaseView)
    [deadline] = [d for d in view.deadlines if d.name == "determination_application"]
    moved_to = raw_end + timedelta(days=2)
    assert deadline.due_at == datetime.combine(moved_to + timedelta(days=1), time(0), SHANGHAI)
    assert deadline.raw_due_at == datetime.combine(raw_end + timedelta(days=1), time(0), SHANGHAI)
    assert deadline.calendar_verified is True
