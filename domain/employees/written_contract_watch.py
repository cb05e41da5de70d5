"""What the written-contract watch (WrittenContract workflow, 书面劳动合同) exchanges, and what it
says: its input, HR's record of the signed contract, the view, the messages (LCL arts. 10, 14, 82).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.employees import written_contract as wc
from domain.onboarding.payloads import Deadline, OnboardingInput
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import Forbidden
from domain.shared.events import Event
from domain.shared.ids import check_employee_id
from domain.shared.people import Actor

WATCH_PREFIX = "written-contract-"
# Who reads the watch and records the signed contract: the roles that handle hires.
ROLES: dict[str, frozenset[str]] = {
    "record_written_contract": frozenset({"hr", "hr_manager", "admin"}),
    "read_written_contract": frozenset({"hr", "hr_manager", "admin"}),
    "record_monthly_wage": frozenset({"hr", "hr_manager", "admin"}),
}


def watch_id(employee_id: str, start: date) -> str:
    """written-contract-<employee_id>-<YYYYMMDD of the first day of work>: one watch per
    employment, named from its business facts (not from the onboarding's workflow id, so the id
    replays wherever the onboarding runs)."""
    check_employee_id(employee_id)
    return f"{WATCH_PREFIX}{employee_id}-{start:%Y%m%d}"


@dataclass(frozen=True)
class WrittenContractInput:
    """One employment's written contract, watched from the start of work until it is signed."""

    employee_id: str
    employee_name: str
    department: str
    onboarding_id: str  # the employment's onboarding (its id is derived from it)
    start: date         # 用工之日
    monthly_wage: Decimal
    wage_source: str    # where the wage came from (the exposure says it)
    due: Deadline
    reminder_lead: timedelta = wc.REMINDER_LEAD
    time_scale: float = 1.0


@dataclass(frozen=True)
class RecordWrittenContract:
    """HR records the signed written contract: the day signed and the signed copy (document id)."""

    actor: Actor
    signed_on: date
    document: str
    note: str = ""
    monthly_wage: Decimal | None = None  # given with it: the double wage's basis from now on


@dataclass(frozen=True)
class RecordMonthlyWage:
    """HR gives the employee's monthly wage (月工资), the basis of the double wage (LCL art. 82):
    the registration's contribution base is only an estimate of it (clamped to the base limits)."""

    actor: Actor
    monthly_wage: Decimal
    note: str = ""

    def source(self) -> str:
        note = f"：{self.note}" if self.note.strip() else ""
        return f"由 {self.actor.name} 录入{note} (recorded by {self.actor.name})"


@dataclass(frozen=True)
class OpenWatch:
    """HR acts on the written contract before its watch started (it starts at the reminder's
    moment): the onboarding starts it now, for the action named (a ROLES key)."""

    actor: Actor
    action: str


@dataclass(frozen=True)
class EmploymentEnded:
    """The employment ended before a written contract was recorded (the onboarding was
    cancelled, or HR recorded the employee's leave, 离职: `on` is the leave day): the watch
    stops, and the exposure is counted to `on` (LCL art. 82: the double wage is owed only while
    the employment lasts)."""

    on: date
    reason: str


@dataclass(frozen=True)
class WrittenContractView:
    id: str
    employee_id: str
    start: date
    deadline: Deadline
    status: str  # upcoming | met | missed | signed_late | open_ended_deemed | ended[_missed]
    signed_on: date | None
    document: str | None
    exposure: wc.DoubleWageExposure
    wage_source: str
    open_ended_deemed_on: date
    events: tuple[Event, ...]
    now: datetime
    ended_on: date | None = None


def watch_input(inp: OnboardingInput, onboarding_id: str) -> WrittenContractInput:
    """The watch of an onboarding's employment: from the hire date (用工之日), on the contribution
    base declared at registration as the monthly wage (an estimate: it says so)."""
    return WrittenContractInput(
        employee_id=inp.employee.employee_id, employee_name=inp.employee.name,
        department=inp.employee.department, onboarding_id=onboarding_id, start=inp.hire_date,
        monthly_wage=inp.contribution_base,
        wage_source="按入职登记的缴费基数估算 (the contribution base declared at registration)",
        due=wc.sign_deadline(inp.hire_date), time_scale=inp.timing.time_scale)


def opens_at(inp: WrittenContractInput) -> datetime:
    """When the onboarding starts the watch (patch 2026-12-lazy-contract-watch): at the
    reminder's moment, a week before the deadline; before it there is nothing to send and no
    double wage to count, so the employment's first weeks cost no workflow of their own."""
    return inp.due.due_at - inp.reminder_lead


def pending_view(inp: WrittenContractInput, watch: str, now: datetime,
                 ended_on: date | None = None) -> WrittenContractView:
    """The watch of an employment whose watch has not started yet (the onboarding answers it):
    upcoming, or ended with the employment, nothing accrued, no events of its own yet."""
    today = now.astimezone(SHANGHAI).date()
    return WrittenContractView(
        id=watch, employee_id=inp.employee_id, start=inp.start, deadline=inp.due,
        status=status_of(inp, None, today, ended_on), signed_on=None, document=None,
        exposure=_unsigned_exposure(inp.start, inp.monthly_wage, today, ended_on),
        wage_source=inp.wage_source,
        open_ended_deemed_on=wc.contract_dates(inp.start).year_complete, events=(), now=now,
        ended_on=ended_on)


def check_role(action: str, actor: Actor) -> None:
    """403 unless the actor's role may do `action` (ROLES)."""
    roles = ROLES[action]
    if actor.role not in roles:
        raise Forbidden("role.forbidden", f"role '{actor.role}' may not "
                        f"{action.replace('_', ' ')}; allowed: {', '.join(sorted(roles))}", "role")


def status_of(inp: WrittenContractInput, signed_on: date | None, today: date,
              ended_on: date | None = None) -> str:
    """Signed by the first month's last day: met; signed after: signed_late; not signed: upcoming,
    missed, or open_ended_deemed once the year is complete (LCL art. 14 ¶3); ended: the
    employment ended first (then as of its end)."""
    return status_on(inp.start, signed_on, today, ended_on)


def status_on(start: date, signed_on: date | None, today: date, ended_on: date | None) -> str:
    """status_of for an employment that started on `start`."""
    dates = wc.contract_dates(start)
    if signed_on is not None:
        return "met" if signed_on <= dates.sign_by else "signed_late"
    if ended_on is not None:
        return "ended" if ended_on <= dates.sign_by else "ended_missed"
    if today >= dates.year_complete:
        return "open_ended_deemed"
    return "missed" if today > dates.sign_by else "upcoming"


def as_recorded_leave(view: WrittenContractView, leave_date: date | None) -> WrittenContractView:
    """The watch's view counted to the leave day on the employee record: a watch told one leave
    day keeps it, so a corrected leave day (POST …/leave/correction) recounts the double wage
    here (LCL art. 82: owed while the employment lasts). A contract signed, or a leave the watch
    was told as recorded, leaves the view as it is."""
    if leave_date is None or view.ended_on is None or view.signed_on is not None \
            or leave_date == view.ended_on:
        return view
    today = view.now.astimezone(SHANGHAI).date()
    return replace(view, ended_on=leave_date,
                   exposure=_unsigned_exposure(view.start, view.exposure.monthly_wage, today,
                                               leave_date),
                   status=status_on(view.start, None, today, leave_date))


def _unsigned_exposure(start: date, wage: Decimal, today: date,
                       ended_on: date | None) -> wc.DoubleWageExposure:
    """No contract signed: the double wage to today, or to the employment's end if earlier."""
    as_of = max(min(today, ended_on) if ended_on else today, start)
    return wc.double_wage_exposure(start, wage, as_of, None)


def reminder(inp: WrittenContractInput) -> tuple[str, str]:
    last = wc.contract_dates(inp.start).sign_by
    return (f"【书面劳动合同】{inp.employee_name} 的劳动合同须于 {last} 前签订",
            f"{inp.employee_name}（工号 {inp.employee_id}，{inp.department}）自 {inp.start} 起用工，"
            f"书面劳动合同须在 {last}（含）前订立（{wc.SIGN_ARTICLE}）；逾期自次日起每月须支付二倍"
            f"工资。签订后请在系统中登记签订日期并上传合同。\nWritten contract due: "
            f"{inp.employee_name} started {inp.start}; sign by {last} ({wc.SIGN_ARTICLE}).")


def escalation(inp: WrittenContractInput) -> tuple[str, str]:
    dates = wc.contract_dates(inp.start)
    return (f"【书面劳动合同逾期】{inp.employee_name} 用工满一个月仍未签订书面劳动合同",
            f"{inp.employee_name}（工号 {inp.employee_id}，{inp.department}）自 {inp.start} 起用工，"
            f"至 {dates.sign_by} 未订立书面劳动合同。自 {dates.double_wage_from} 起每月须另付一倍"
            f"工资（月工资 {inp.monthly_wage} 元，{inp.wage_source}），至补订前一日，最长 11 个月"
            f"（{wc.DOUBLE_WAGE_ARTICLE}）。请立即补订并登记。\nWritten contract missed: double "
            f"wages accrue from {dates.double_wage_from} ({wc.DOUBLE_WAGE_ARTICLE}).")


def open_ended(inp: WrittenContractInput, exposure: wc.DoubleWageExposure) -> tuple[str, str]:
    """The one-year notice: both readings of the double wage owed when they differ (the total
    to 满一年的前一日, art. 7 read literally; the 11 months arbitration commonly awards)."""
    dates = wc.contract_dates(inp.start)
    awarded, zh_awarded, en_awarded = exposure.commonly_awarded, "", ""
    if awarded != exposure.total:
        zh_awarded = f"；仲裁常见按 11 个月整计为 {awarded} 元"
        en_awarded = f"; commonly awarded as 11 whole months: {awarded} yuan"
    return (f"【视为无固定期限劳动合同】{inp.employee_name} 用工满一年仍无书面劳动合同",
            f"{inp.employee_name}（工号 {inp.employee_id}）自 {inp.start} 起用工满一年未订立书面"
            f"劳动合同，自 {dates.year_complete} 起视为已订立无固定期限劳动合同，应立即补订"
            f"（{wc.OPEN_ENDED_ARTICLE}）。二倍工资差额估算 {exposure.total} 元"
            f"（{exposure.months_accrued} 个月，按《劳动合同法实施条例》第七条计至满一年的前一日"
            f"{zh_awarded}）。\nOpen-ended contract deemed from {dates.year_complete}; double-wage "
            f"exposure {exposure.total} yuan{en_awarded}.")
