"""What the SI stop workflow, its activities and the API exchange."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.shared.events import Event
from domain.shared.people import Actor


class StopStatus(StrEnum):
    awaiting_submission = "awaiting_submission"  # the employment ended; HR submits the stop
    submitted = "submitted"                      # a checker (hr_manager) approves or rejects
    approved = "approved"                        # held: it can still be revoked
    executing = "executing"                      # HR's task: stop it in the bureau's portal
    stopped = "stopped"                          # the bureau's reference and receipt recorded


OPEN = (StopStatus.submitted, StopStatus.approved, StopStatus.executing)


@dataclass(frozen=True)
class StopDeadlineRule:
    region: str
    rule: str  # "month_end" | "days"
    days: int | None
    source: str
    verified: bool


@dataclass(frozen=True)
class StopDeadline:
    due_at: datetime
    raw_due_at: datetime
    reminder_at: datetime
    source: str
    verified: bool
    calendar_verified: bool
    article: str


@dataclass(frozen=True)
class StopInput:
    employee_id: str
    employment: int
    department: str
    region: str
    leave_date: date
    reason: str
    deadline: StopDeadline
    hold: timedelta
    created_by: str
    time_scale: float = 1.0


@dataclass(frozen=True)
class StopStep:
    """Submit, approve, reject or revoke: who, and why (a rejection or revocation needs it)."""

    actor: Actor
    note: str = ""


@dataclass(frozen=True)
class LeaveCorrection:
    """HR corrects the leave day on record (POST …/leave/correction): the day, why, and the
    stop's deadline counted from it by the API (the region's rule and the calendar it holds)."""

    actor: Actor
    leave_date: date
    reason: str
    deadline: StopDeadline
    before: date | None = None  # the day the record had: another day on the stop is refused


@dataclass(frozen=True)
class StopOutcome:
    """The bureau's answer HR read from its portal: the stop's reference and the receipt."""

    actor: Actor
    reference: str
    receipt_document: str
    note: str = ""


@dataclass(frozen=True)
class StopRecord:
    """The activity's write: the employee's SI status turns to 停保."""

    key: str
    employee_id: str
    effective_on: date
    source: str


@dataclass(frozen=True)
class StopView:
    id: str
    employee_id: str
    employment: int
    department: str
    region: str
    leave_date: date
    status: StopStatus
    deadline: StopDeadline
    overdue: bool
    submitted_by: str | None
    reviewed_by: str | None
    hold_until: datetime | None
    reference: str | None
    events: tuple[Event, ...]
    now: datetime
