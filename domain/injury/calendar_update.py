"""A loaded holiday year counted again into an injury case's open deadlines."""

from dataclasses import replace

from domain.injury.state import CaseState
from domain.shared.calendar import CalendarYear
from domain.shared.calendar_update import Recomputed, counted_by_fallback, recount, touches_year

# Case deadlines not counted over the calendar (a product rule in hours).
_NOT_COUNTED = frozenset({"materials_filed"})


def recompute_case(state: CaseState, year: CalendarYear) -> tuple[Recomputed, ...]:
    """Add `year` to the case's calendar and count again its open deadlines the fallback counted
    for that year; changes `state` and answers what changed (due moment or verification)."""
    if not counted_by_fallback(state.calendar, year):
        return ()
    state.calendar = state.calendar.with_year(year)
    changes = []
    for name, d in state.deadlines.items():
        if d.met_at is not None or not d.active or d.paused or name in _NOT_COUNTED:
            # a suspended period (art. 20 ¶3) is counted again when it resumes
            continue
        if name == "suspension_end" and not state.return_day_rule:
            continue  # due at the period's last midnight: no day is moved
        if not touches_year(d.raw_due_at, d.due_at, year.year):
            continue
        period = recount(d.raw_due_at, state.calendar, name == "suspension_end")
        if (period.due_at(), period.calendar_verified) == (d.due_at, d.calendar_verified):
            continue
        state.deadlines[name] = replace(d, due_at=period.due_at(),
                                        calendar_verified=period.calendar_verified)
        changes.append(Recomputed(name, d.due_at, period.due_at(), period.calendar_verified))
    return tuple(changes)
