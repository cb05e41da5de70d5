"""A loaded holiday year counted again into an onboarding's deadlines."""

from collections.abc import Mapping
from dataclasses import replace

from domain.onboarding.payloads import Deadline
from domain.shared.calendar import CalendarYear, HolidayCalendar
from domain.shared.calendar_update import Recomputed, counted_by_fallback, recount, touches_year


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
        if not touches_year(d.raw_due_at, d.due_at, year.year):
            continue
        period = recount(d.raw_due_at, cal, next_working_day=False)
        if (period.due_at(), period.calendar_verified) == (d.due_at, d.calendar_verified):
            continue
        result[name] = replace(d, due_at=period.due_at(),
                               calendar_verified=period.calendar_verified)
        changes.append(Recomputed(name, d.due_at, period.due_at(), period.calendar_verified))
    return cal, result, tuple(changes)
