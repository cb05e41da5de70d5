"""An injured employee's SI standing on the accident date (事故日参保情况), from the employee record.

Regulations on Work-Related Injury Insurance art. 2 and 62: the fund pays for an injury of an
insured employee; an employer that did not enrol the employee pays every item itself (art. 62 ¶2).
Social Insurance Law art. 58: enrolment is due within 30 days of hiring, so an employee not yet
enrolled is either still within that window or past it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from domain.employees.si_status import INSURED, LABELS, SiStatus


class Standing(StrEnum):
    """Stable codes; STANDING_LABELS gives the Chinese each reader sees."""

    insured = "insured"  # 已参保: enrolled or paying on the accident date
    within_window = "within_window"  # 未参保，登记期内: not yet enrolled, 30-day window still open
    window_missed = "window_missed"  # 未参保，登记期已过: the 30-day window had passed
    interrupted = "interrupted"  # 中断: a month unpaid, not covered until the back payment
    stopped = "stopped"  # 停保: the account was stopped
    no_record = "no_record"  # 无记录: nothing on file for that day; HR's declaration stands


STANDING_LABELS: dict[Standing, str] = {
    Standing.insured: "已参保",
    Standing.within_window: "未参保（30 日登记期内）",
    Standing.window_missed: "未参保（30 日登记期已过）",
    Standing.interrupted: "中断",
    Standing.stopped: "停保",
    Standing.no_record: "员工档案无记录",
}


@dataclass(frozen=True)
class RecordFacts:
    """What the employee record holds for the accident date: the SI status in force and since
    when, and the employment's enrolment window (its onboarding, the window's last day)."""

    status: SiStatus | None = None
    since: date | None = None
    onboarding_id: str | None = None
    window_due_on: date | None = None  # last day of the SIL art. 58 window; None: unknown
    onboarding_status: str | None = None
    employed: bool = False  # an employment of the record covers the day


@dataclass(frozen=True)
class SiStanding:
    """The standing a case is opened with (CaseInput.si_standing): its code, whether the fund
    covers the accident, and where that comes from in words (Chinese first)."""

    code: str  # Standing
    insured: bool
    on: date  # the accident date
    source: str
    status: str | None = None  # the SI status code in force that day
    since: date | None = None
    onboarding_id: str | None = None
    window_due_on: date | None = None
    declared: bool | None = None  # what HR typed (si_enrolled), if anything


@dataclass(frozen=True)
class SiStandingOverride:
    """HR's override of the derived standing (事后更正), with its reason and documents."""

    si_enrolled: bool
    reason: str
    documents: tuple[str, ...]
    by: str
    on: date


def label(code: Standing | str) -> str:
    """The Chinese label of a standing code."""
    return STANDING_LABELS[Standing(code)]


def _yes(insured: bool) -> str:
    return "已参保" if insured else "未参保"


def standing_on(day: date, facts: RecordFacts, declared: bool | None = None) -> SiStanding:
    """The standing on `day` from the record's facts (Regs. art. 62; SIL art. 58). With nothing on
    file, HR's declaration (`declared`) decides whether the employee counts as insured."""
    status, since = facts.status, facts.since
    base = SiStanding(code="", insured=False, on=day, source="",
                      status=status.value if status else None, since=since,
                      onboarding_id=facts.onboarding_id, window_due_on=facts.window_due_on,
                      declared=declared)
    if status is not None and status is not SiStatus.uninsured:
        code = (Standing.insured if status in INSURED else
                Standing.interrupted if status is SiStatus.interrupted else Standing.stopped)
        source = (f"员工档案：{since} 起 {LABELS[status]}；"
                  f"employee record: {status.value} since {since}")
        return replace(base, code=code.value, insured=code is Standing.insured, source=source)
    if status is None and not facts.employed:
        said = "未申报" if declared is None else _yes(declared)
        source = (f"员工档案：{day} 无参保记录；HR 申报：{said}；employee record: nothing on file "
                  f"for {day}; HR declared: "
                  + ("nothing" if declared is None else "insured" if declared else "not insured"))
        return replace(base, code=Standing.no_record.value, insured=bool(declared), source=source)
    due = facts.window_due_on
    within = due is not None and day <= due
    code = Standing.within_window if within else Standing.window_missed
    where = f"（{facts.onboarding_id}）" if facts.onboarding_id else ""
    if within:
        source = (f"员工档案：{day} 未参保，30 日登记期至 {due} 止{where}；employee record: not "
                  f"enrolled on {day}, within the 30-day window ending {due}")
    else:
        ended = f"已于 {due} 届满" if due else "已过"
        source = (f"员工档案：{day} 未参保，30 日登记期{ended}{where}；employee record: not "
                  f"enrolled on {day}, the 30-day window " + (f"ended {due}" if due else "passed"))
    return replace(base, code=code.value, source=source)


def check_declaration(standing: SiStanding) -> str | None:
    """Why HR's declaration cannot stand beside the record (None: it agrees, or nothing was
    declared, or nothing is on file). A different answer is an override, never a silent one."""
    if standing.declared is None or standing.code == Standing.no_record.value:
        return None
    if standing.declared == standing.insured:
        return None
    return (f"si_enrolled={str(standing.declared).lower()} disagrees with the employee record "
            f"({label(standing.code)}: {standing.source}); leave si_enrolled out, and if the "
            "record is wrong, override it on the case (override-si-standing) with a reason and "
            "a document")
