"""The contract/SI mismatch watch for a contract recorded on the employee record (合同与社保不一致).

Social Insurance Law art. 58 and Labour Contract Law art. 10: the employment relationship begins
when work starts, and enrolment is due within 30 days of it; a labour contract in force for 30
days with no SI enrolment means the window has run out. The onboarding watches the contract its
registration named; a contract recorded later (PUT /api/v1/employees/{id}/contract) starts this
watch, which asks the employee record, not an onboarding's state, whether the employee was
enrolled by the due day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.employees.si_status import LABELS, SiStatus
from domain.onboarding.payloads import Deadline
from domain.shared import statutes
from domain.shared.calendar import SHANGHAI, HolidayCalendar
from domain.shared.events import Event
from domain.shared.ids import check_employee_id

WATCH_PREFIX = "contract-si-"
ARTICLE = statutes.CONTRACT_SI_MISMATCH.article
# Statuses that show an enrolment on file (an interrupted or stopped account was enrolled).
ENROLLED_ONCE = frozenset({SiStatus.enrolled, SiStatus.paying, SiStatus.interrupted,
                           SiStatus.stopped})


@dataclass(frozen=True)
class ContractWatchInput:
    """One contract of one employment, watched until 30 days after its start."""

    employee_id: str
    employee_name: str
    department: str
    onboarding_id: str  # the employment's onboarding: the alert is recorded in its ledger
    contract_start: date
    due: Deadline
    recorded_by: str
    time_scale: float = 1.0


@dataclass(frozen=True)
class StatusQuery:
    """The SI status on the record for one employee on one day (activity input)."""

    employee_id: str
    day: date


@dataclass(frozen=True)
class WatchEvents:
    """Events of a watch, written to the onboarding's ledger keyed by the watch's id."""

    watch_id: str
    subject_id: str
    events: tuple[Event, ...]


def watch_id(employee_id: str, employment: int, contract_start: date) -> str:
    """contract-si-<employee_id>~<employment>-<YYYYMMDD>: one watch per contract start."""
    check_employee_id(employee_id)
    return f"{WATCH_PREFIX}{employee_id}~{employment}-{contract_start:%Y%m%d}"


def mismatch_due(contract_start: date, cal: HolidayCalendar) -> Deadline:
    """30 days from the contract's start, counted as the Civil Code counts days (SIL art. 58)."""
    period = statutes.CONTRACT_SI_MISMATCH.period(contract_start, cal)
    return Deadline(name=statutes.CONTRACT_SI_MISMATCH.name, due_at=period.due_at(),
                    raw_due_at=period.raw_due_at(), article=ARTICLE,
                    calendar_verified=period.calendar_verified)


def last_day(due: Deadline) -> date:
    """The deadline's last day (due_at is 24:00 of it)."""
    return (due.due_at.astimezone(SHANGHAI) - timedelta(microseconds=1)).date()


def is_mismatch(status_on_due: str | None) -> bool:
    """No enrolment on the record by the last day: nothing on file, or still 未参保."""
    return status_on_due is None or SiStatus(status_on_due) not in ENROLLED_ONCE


def mismatch_message(inp: ContractWatchInput, status: str | None) -> tuple[str, str]:
    """The alert to HR and the HR manager (Chinese first)."""
    shown = LABELS[SiStatus(status)] if status else "无记录"
    return (
        f"【合同与社保不一致】{inp.employee_name} 已签劳动合同 30 日仍未参保",
        f"{inp.employee_name}（工号 {inp.employee_id}，{inp.department}）的劳动合同自 "
        f"{inp.contract_start} 起履行，至 {last_day(inp.due)} 已满 30 日，员工档案参保状态：{shown}。"
        f"\nContract/SI mismatch: {inp.employee_name}'s contract started {inp.contract_start}; "
        f"on {last_day(inp.due)} the employee record shows no SI enrolment ({ARTICLE}).",
    )
