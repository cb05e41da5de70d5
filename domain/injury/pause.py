"""The determination decision period stopped and resumed (中止, 工伤保险条例 art. 20 ¶3).

"作出工伤认定决定需要以司法机关或者有关行政主管部门的结论为依据的，在司法机关或者有关行政主管部门
尚未作出结论期间，作出工伤认定决定的时限中止。" While the authority awaits a court's or another
authority's conclusion, its 60-day (or 15-day) period stops: no chase, no escalation, not overdue.

**Remaining days.** The article says the period is suspended; it is silent on how the rest is
counted. This module reads it the way that protects the employee (who waits for the decision):
- the day of the suspension counts as a day the authority used, so the days left are the days
  after it up to the raw last day of the period: `remaining = raw last day - paused_on`;
- the period runs on from the day the conclusion was made (`on` of `resume_determination`), not
  from the day the authority or HR received it: counted as the Civil Code counts (art. 201, the
  resumption day not counted), `remaining` days, the last one moved past a statutory rest day
  (art. 203) with the case's calendar, so `calendar_verified` follows that calendar;
- a period already overdue when suspended has 0 days left: it is due again at the end of the
  day the conclusion was made.
The count is read in `remaining_days` (at the suspension) and kept in
`Determination.remaining_days` until `resume` uses it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from domain.injury.clocks import local_date
from domain.injury.state import CaseDeadline, CaseState
from domain.shared import calendar

PAUSE_ARTICLE = "工伤保险条例 art. 20 ¶3"
DECISION = "determination_decision"
REMAINING_RULE = ("days left = the period's raw last day minus the suspension day (that day "
                  "counts as used); they run on from the day after the conclusion was made "
                  "(Civil Code art. 201, 203). The article is silent on the count: the reading "
                  "that protects the employee")


def last_day(deadline: CaseDeadline) -> date:
    """The raw last day of a period (`raw_due_at` is 24:00 of it)."""
    return local_date(deadline.raw_due_at) - timedelta(days=1)


def remaining_days(deadline: CaseDeadline, paused_on: date) -> int:
    """The days of the period left after the day it was suspended (0 if already past its end)."""
    return max(0, (last_day(deadline) - paused_on).days)


def pause(state: CaseState, on: date, reason: str, awaiting: str) -> dict[str, Any]:
    """Stop the decision period: its alarms stop and it is not overdue while stopped."""
    assert state.determination is not None
    deadline = state.deadlines[DECISION]
    left = remaining_days(deadline, on)
    state.deadlines[DECISION] = replace(deadline, paused=True)
    state.determination = replace(state.determination, paused_on=on, pause_reason=reason,
                                  remaining_days=left)
    return {"reason": reason, "awaiting": awaiting or None, "paused_on": on.isoformat(),
            "was_due_at": deadline.due_at.isoformat(), "remaining_days": left,
            "article": PAUSE_ARTICLE, "rule": REMAINING_RULE}


def resume(state: CaseState, on: date, reference: str, at: datetime) -> dict[str, Any]:
    """Run the period on from the conclusion's day with the days it had left."""
    det = state.determination
    assert det is not None and det.paused_on is not None and det.remaining_days is not None
    old = state.deadlines[DECISION]
    period = calendar.count_days(on, det.remaining_days, state.calendar)
    state.deadlines[DECISION] = replace(
        old, due_at=period.due_at(), raw_due_at=period.raw_due_at(),
        calendar_verified=period.calendar_verified, paused=False)
    state.determination = replace(det, paused_on=None, remaining_days=None, pause_reason="")
    return {"reference": reference or None, "paused_on": det.paused_on.isoformat(),
            "paused_days": (on - det.paused_on).days, "remaining_days": det.remaining_days,
            "due_at": period.due_at().isoformat(), "raw_due_at": period.raw_due_at().isoformat(),
            "calendar_verified": period.calendar_verified, "article": PAUSE_ARTICLE,
            "rule": REMAINING_RULE, "resumed_at": at.isoformat()}
