"""The clocks of an injury case: deadlines from domain/shared/statutes.py and the alarms they raise.

Pure functions over `CaseState`: the workflow asks `alarms()` what to wake up for next and fires
what is due; GET shows `deadline_views()`. Alarms are keyed, so a fired one never fires twice and
a moved deadline (an extension) gets alarms of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Literal

from domain.injury.payloads import CaseInput
from domain.injury.state import CaseDeadline, CaseState, DeadlineKind
from domain.injury.views import DeadlineView
from domain.shared import calendar, statutes
from domain.shared.calendar import SHANGHAI, HolidayCalendar

AlarmKind = Literal["reminder", "escalation", "chase", "return_notice"]
_MAX_SERIES = 520  # a weekly chase for ten years is plenty
_REMINDER_HOUR = time(9, 0)


@dataclass(frozen=True)
class Alarm:
    key: str
    at: datetime
    kind: AlarmKind
    deadline: str
    series: str = ""  # repeating alarms share a series: after downtime only the newest fires


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def morning_of(day: date) -> datetime:
    """09:00 Beijing time: when day-based reminders go out."""
    return datetime.combine(day, _REMINDER_HOUR, tzinfo=SHANGHAI)


def end_of(day: date) -> datetime:
    """24:00 Beijing time of `day` (Civil Code art. 203)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def case_calendar(inp: CaseInput) -> HolidayCalendar:
    """The holidays a case counts with: pinned in its input when it started (a case started
    before calendars were pinned counts with the package data of that time)."""
    return inp.calendar if inp.calendar is not None else calendar.LEGACY_CALENDAR


def counted(window: statutes.Window, start: date, started_at: datetime, kind: DeadlineKind,
            consequence: str = "", *, cal: HolidayCalendar) -> CaseDeadline:
    """A deadline counted from `start` as the Civil Code counts, raw and holiday-adjusted."""
    period = window.period(start, cal)
    return CaseDeadline(name=window.name, due_at=period.due_at(), raw_due_at=period.raw_due_at(),
                        article=window.article, kind=kind, started_at=started_at,
                        calendar_verified=period.calendar_verified, consequence=consequence)


def materials_deadline(inp: CaseInput) -> CaseDeadline:
    due = inp.reported_at + inp.timing.materials_sla
    return CaseDeadline(name="materials_filed", due_at=due, raw_due_at=due,
                        article="product rule: materials on file 24 h after the report",
                        kind="target", started_at=inp.reported_at)


def window_start(inp: CaseInput) -> date:
    """The day the application windows count from (Reg. art. 17 ¶1, ¶2): the accident day, or for
    an occupational disease (职业病) the day it was diagnosed or appraised (`diagnosed_on`)."""
    if inp.occupational_disease and inp.diagnosed_on is not None:
        return inp.diagnosed_on
    return local_date(inp.accident_at)


def window_started_at(inp: CaseInput) -> datetime:
    """The moment a window's start is shown as: the accident, or the diagnosis day's start."""
    if inp.occupational_disease and inp.diagnosed_on is not None:
        return datetime.combine(inp.diagnosed_on, time(0), tzinfo=SHANGHAI)
    return inp.accident_at


def determination_deadline(inp: CaseInput) -> CaseDeadline:
    return counted(statutes.DETERMINATION_APPLICATION, window_start(inp),
                   window_started_at(inp), "duty",
                   "costs of the late period (accident to acceptance) are the employer's "
                   "(art. 17 ¶4); the employee may still apply within one year",
                   cal=case_calendar(inp))


def employee_application_deadline(inp: CaseInput) -> CaseDeadline:
    return counted(statutes.EMPLOYEE_APPLICATION, window_start(inp), window_started_at(inp),
                   "right", "applications out of time are generally not accepted",
                   cal=case_calendar(inp))


def suspension_end(start: date, months: int, started_at: datetime,
                   return_day: bool = False, *, cal: HolidayCalendar) -> CaseDeadline:
    """The paid suspension period (art. 33): `raw_due_at` is the end of its last day; `due_at` is
    the end of the first working day after it, when the employee is due back (`return_day`)."""
    period = calendar.count_months(start, months, cal)
    back_by = end_of(calendar.add_working_days(period.raw_end, 1, cal)) if return_day \
        else period.raw_due_at()
    # Only the days after the period up to the return day depend on the holiday schedule.
    verified = not return_day or all(
        calendar.calendar_verified(period.raw_end + timedelta(days=n), cal)
        for n in range(1, (local_date(back_by) - period.raw_end).days))
    return CaseDeadline(name="suspension_end", due_at=back_by,
                        raw_due_at=period.raw_due_at(), article=statutes.SUSPENSION_ARTICLE,
                        kind="duty", started_at=started_at, calendar_verified=verified,
                        consequence="the original wage is owed only to the end of the period; "
                        "an employee who does not return may be absent without leave")


def return_date(deadline: CaseDeadline, cal: HolidayCalendar) -> date:
    """The first working day after the suspension period ends."""
    last_day = local_date(deadline.raw_due_at) - timedelta(days=1)
    return calendar.add_working_days(last_day, 1, cal)


def initial_state_deadlines(inp: CaseInput) -> dict[str, CaseDeadline]:
    return {d.name: d for d in (materials_deadline(inp), determination_deadline(inp))}


def met(state: CaseState, name: str, at: datetime) -> None:
    """Mark a deadline met (once: the first time counts)."""
    deadline = state.deadlines.get(name)
    if deadline is not None and deadline.met_at is None:
        state.deadlines[name] = replace(deadline, met_at=at)


def retire_open(state: CaseState) -> None:
    """A closed or withdrawn case needs none of its unmet deadlines any more."""
    for name, deadline in state.deadlines.items():
        if deadline.met_at is None:
            state.deadlines[name] = replace(deadline, active=False)


def is_overdue(deadline: CaseDeadline, now: datetime) -> bool:
    """An unmet duty, authority period or target past its end (a lapsed right is not overdue)."""
    return (deadline.active and deadline.met_at is None and deadline.kind != "right"
            and not deadline.paused and now > deadline.due_at)


def deadline_views(state: CaseState, now: datetime) -> tuple[DeadlineView, ...]:
    return tuple(
        DeadlineView(name=d.name, due_at=d.due_at, raw_due_at=d.raw_due_at, status=d.status(now),
                     article=d.article, kind=d.kind, calendar_verified=d.calendar_verified,
                     met_at=d.met_at, extended=d.extended, consequence=d.consequence)
        for d in sorted(state.deadlines.values(), key=lambda d: d.due_at)
    )


# ---- alarms -------------------------------------------------------------------------------


def alarms(inp: CaseInput, state: CaseState, now: datetime) -> list[Alarm]:
    """Every alarm the case's open deadlines call for, past and future, in time order."""
    found: list[Alarm] = []
    for deadline in state.deadlines.values():
        if deadline.active and deadline.met_at is None and not deadline.paused:
            found.extend(_alarms_of(inp, state, deadline, now))
    return sorted((a for a in found if a.kind != "reminder" or a.at >= inp.reported_at),
                  key=lambda a: (a.at, a.key))


def _alarms_of(inp: CaseInput, state: CaseState, d: CaseDeadline, now: datetime) -> list[Alarm]:
    lead = inp.timing.reminder_lead
    due = d.due_at.isoformat()
    if d.name == "materials_filed":
        return [Alarm(f"{d.name}:escalation:{due}", d.due_at, "escalation", d.name)]
    if d.name == "determination_application":
        return _determination_alarms(inp, d)
    if d.name in ("determination_acceptance", "determination_decision", "appraisal_conclusion",
                  "reappraisal_conclusion"):
        return _chase(inp, d, now, state.weekly_chase)
    if d.name == "suspension_end":
        if state.suspension is None or state.suspension.ended_on is not None:
            return []
        return [Alarm(f"{d.name}:return_notice:{due}", d.raw_due_at - inp.timing.return_notice_lead,
                      "return_notice", d.name),
                Alarm(f"{d.name}:escalation:{due}", d.due_at, "escalation", d.name)]
    if d.name in ("reappraisal_request", "administrative_review"):
        return [Alarm(f"{d.name}:reminder:{due}", d.due_at - lead, "reminder", d.name)]
    if d.name == "settlement_agreement":
        return [Alarm(f"{d.name}:reminder:{due}", d.due_at - lead, "reminder", d.name),
                Alarm(f"{d.name}:escalation:{due}", d.due_at, "escalation", d.name)]
    if d.name == "arbitration_claim":
        return [Alarm(f"{d.name}:reminder:{due}", d.due_at - statutes.ARBITRATION_REMINDER_LEAD,
                      "reminder", d.name)]
    return []


def _determination_alarms(inp: CaseInput, d: CaseDeadline) -> list[Alarm]:
    accident_day = window_start(inp)
    found = [Alarm(f"{d.name}:reminder:day{n}", morning_of(accident_day + timedelta(days=n)),
                   "reminder", d.name)
             for n in inp.timing.determination_reminder_days]
    found = [a for a in found if a.at < d.due_at]
    if d.extended:
        found.append(Alarm(f"{d.name}:reminder:{d.due_at.isoformat()}",
                           d.due_at - inp.timing.reminder_lead, "reminder", d.name))
    found.append(Alarm(f"{d.name}:escalation:{d.due_at.isoformat()}", d.due_at, "escalation",
                       d.name))
    return found


def _chase(inp: CaseInput, d: CaseDeadline, now: datetime, with_next: bool = False) -> list[Alarm]:
    """A chase at the end of an authority's period, then every chase interval until it answers.

    `with_next` (patch 2026-12-weekly-chase): the chases due up to `now` and the first one after
    it, so the case always has the next chase to sleep until. Without it (cases started before the
    patch) only the due ones and, before the end, the first: a case chased again only when
    something else woke it."""
    interval = inp.timing.chase_interval
    if with_next:  # every chase at or before now, then one more
        count = max(0, (now - d.due_at) // interval + 1) + 1
    else:
        count = (max(0, int((now - d.due_at) / interval)) if now > d.due_at else 0) + 1
    series = f"{d.name}:chase:{d.due_at.isoformat()}"
    return [Alarm(f"{series}:{k}", d.due_at + k * interval, "chase", d.name, series=series)
            for k in range(min(count, _MAX_SERIES))]


def due_now(pending: list[Alarm], now: datetime) -> list[Alarm]:
    """The alarms to fire now: everything due, but only the newest of each repeating series."""
    due = [a for a in pending if a.at <= now]
    newest: dict[str, Alarm] = {}
    for alarm in due:
        if alarm.series:
            newest[alarm.series] = alarm
    return [a for a in due if not a.series or newest[a.series] is a]
