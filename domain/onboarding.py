"""Onboarding (社保增员) payloads and the pure rules of its enrolment state machine.

Everything a workflow, an activity or the API exchanges about an onboarding is a frozen dataclass
here, carried by the pydantic data converter. Fields are only ever added, with defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from domain.calendar import HolidayCalendar
from domain.notices import NoticeInput, NoticeRecipient

EnrollmentType = Literal["new", "back_payment"]


class Status(StrEnum):
    awaiting_enrollment = "awaiting_enrollment"
    enrollment_submitted = "enrollment_submitted"
    enrollment_approved = "enrollment_approved"
    enrollment_executing = "enrollment_executing"
    enrolled = "enrolled"
    withdrawal_requested = "withdrawal_requested"
    cancelled = "cancelled"


class RequestStatus(StrEnum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    revoked = "revoked"
    executing = "executing"
    executed = "executed"
    bureau_rejected = "bureau_rejected"
    withdrawn = "withdrawn"


OPEN_REQUEST = (RequestStatus.submitted, RequestStatus.approved, RequestStatus.executing)


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class EmergencyContact:
    name: str
    relation: str
    phone: str


@dataclass(frozen=True)
class Employee:
    employee_id: str
    name: str
    id_number: str
    phone: str
    email: str | None
    department: str
    manager: Contact
    emergency_contact: EmergencyContact | None = None


@dataclass(frozen=True)
class Deadline:
    """A statutory or product deadline; `due_at` is holiday-adjusted, `raw_due_at` is not."""

    name: str
    due_at: datetime
    raw_due_at: datetime
    article: str
    calendar_verified: bool = True

    def status(self, now: datetime, met_at: datetime | None) -> str:
        if met_at is not None and met_at <= self.due_at:
            return "met"
        return "missed" if now > self.due_at else "upcoming"


@dataclass(frozen=True)
class BaseLimitsRef:
    lower: Decimal
    upper: Decimal
    period_start: date
    period_end: date
    source: str
    verified: bool
    provisional: bool = False


@dataclass(frozen=True)
class RatesRef:
    """Total contribution rates used for the back-payment estimate, with their source."""

    employer_rate: Decimal
    employee_rate: Decimal
    source: str
    verified: bool


@dataclass(frozen=True)
class Timing:
    """Durations of the process; `time_scale` divides every timer (dev demos only)."""

    reminder_lead: timedelta
    escalation_interval: timedelta
    enrollment_hold: timedelta
    withdrawal_window: timedelta
    time_scale: float = 1.0


@dataclass(frozen=True)
class OnboardingInput:
    employee: Employee
    hire_date: date
    region: str
    contribution_base: Decimal
    created_by: str
    si_registration: Deadline
    base_limits: BaseLimitsRef
    rates: RatesRef
    timing: Timing
    contract_start: date | None = None
    contract_si: Deadline | None = None
    hr_manager: Contact | None = None
    # The API wrote the `registered` event and the list row as it started the workflow, so the
    # workflow's first task writes nothing; its next write repeats the event, which writes nothing
    # if it is there (keyed) and fills it in if the API's write was lost.
    registration_recorded: bool = False
    # When the API recorded it: the workflow's `registered` event carries the same moment, so the
    # view and the ledger agree (the workflow's own clock reads the first task's time, a few ms
    # later; under a dev time scale of 86400 that was a quarter of an hour of business time).
    registered_at: datetime | None = None
    # The holidays its deadlines were counted with (pinned by the API); a year loaded later is
    # added to it (signal calendar_updated). None: registered before pinning (LEGACY_CALENDAR).
    calendar: HolidayCalendar | None = None


@dataclass(frozen=True)
class Actor:
    name: str
    role: str


@dataclass(frozen=True)
class SubmitEnrollment:
    actor: Actor
    type: EnrollmentType
    contribution_base: Decimal
    confirm_cost: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class ReviewDecision:
    """Approve, reject or revoke the open enrolment request."""

    actor: Actor
    reason: str = ""


@dataclass(frozen=True)
class WithdrawalAction:
    """Ask the bureau to withdraw an executed enrolment (申请撤销), or record its answer."""

    actor: Actor
    reason: str = ""
    bureau_answer: Literal["accepted", "refused"] | None = None


@dataclass(frozen=True)
class DelayReason:
    actor: Actor
    reason: str
    note: str = ""
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class CancelOnboarding:
    actor: Actor
    reason: str


@dataclass(frozen=True)
class CostItem:
    code: str
    amount: Decimal
    formula: str
    article: str


@dataclass(frozen=True)
class CostEstimate:
    total: Decimal
    items: tuple[CostItem, ...]
    as_of: date
    verified: bool


@dataclass(frozen=True)
class EnrollmentRequest:
    number: int
    type: EnrollmentType
    contribution_base: Decimal
    status: RequestStatus
    submitted_by: str
    submitted_at: datetime
    cost_estimate: CostEstimate | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    hold_until: datetime | None = None
    reason: str = ""
    bureau_reference: str | None = None
    executed_at: datetime | None = None
    withdrawal_window_ends: datetime | None = None
    withdrawal_application: str | None = None


@dataclass(frozen=True)
class Event:
    seq: int
    at: datetime
    kind: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeadlineView:
    name: str
    due_at: datetime
    raw_due_at: datetime
    status: str
    article: str
    calendar_verified: bool


@dataclass(frozen=True)
class OnboardingView:
    id: str
    status: Status
    employee_id: str
    employee_name: str
    department: str
    region: str
    hire_date: date
    contract_start: date | None
    contribution_base: Decimal
    base_limits: BaseLimitsRef
    deadlines: tuple[DeadlineView, ...]
    events: tuple[Event, ...]
    enrollment_requests: tuple[EnrollmentRequest, ...]
    enrolled_at: datetime | None
    overdue: bool
    cancel_reason: str | None
    now: datetime


@dataclass(frozen=True)
class ActionAnswer:
    """What an HR action answers: the state after it, and only the events it recorded.

    The whole event log is GET's. An Update's result is kept in the workflow history, so answering
    every action with the whole log would grow a long case's history with the square of its events,
    and make each answer slower than the last."""

    view: OnboardingView  # its `events` is empty
    recorded: tuple[Event, ...]
    event_count: int


# HR actions answer before their events are written. The events of a burst of actions reach the
# ledger and the list in one write, once no action came for ACTION_WRITE_QUIET, and never later
# than ACTION_WRITE_MAX_WAIT after the first of them (real time, never scaled). A product choice:
# no write on an answer's path, and a script firing actions back to back causes one write per
# pause, not one per action.
ACTION_WRITE_QUIET = timedelta(seconds=2)
ACTION_WRITE_MAX_WAIT = timedelta(seconds=30)


@dataclass(frozen=True)
class ProjectionUpdate:
    """New events and the list-view row of one onboarding, written idempotently by (id, seq)."""

    onboarding_id: str
    employee_id: str
    employee_name: str
    department: str
    region: str
    hire_date: date
    status: str
    si_due_at: datetime
    created_by: str
    events: tuple[Event, ...]


def registered_event(inp: OnboardingInput, at: datetime) -> Event:
    """The first event of every onboarding."""
    return Event(seq=1, at=at, kind="registered", actor=inp.created_by,
                 data={"hire_date": inp.hire_date.isoformat(),
                       "si_due_at": inp.si_registration.due_at.isoformat()})


def projection_of(onboarding_id: str, inp: OnboardingInput, status: Status,
                  events: Sequence[Event]) -> ProjectionUpdate:
    emp = inp.employee
    return ProjectionUpdate(
        onboarding_id=onboarding_id, employee_id=emp.employee_id, employee_name=emp.name,
        department=emp.department, region=inp.region, hire_date=inp.hire_date,
        status=status.value, si_due_at=inp.si_registration.due_at, created_by=inp.created_by,
        events=tuple(events))


@dataclass(frozen=True)
class Recipient:
    role: str
    name: str
    phone: str | None = None
    email: str | None = None


def informational_notice(subject_id: str, purpose: str, to: Recipient, data: dict[str, Any],
                         time_scale: float, template: str = "generic") -> NoticeInput:
    """A notice to HR, a manager or a contact: on every channel they have (else the outbox), tracked
    to delivery, no answer asked for."""
    channels = tuple(c for c, address in (("sms", to.phone), ("email", to.email)) if address)
    return NoticeInput(subject_id=subject_id, purpose=purpose, template=template, data=data,
                       recipient=NoticeRecipient(name=to.name, role=to.role, phone=to.phone,
                                                 email=to.email),
                       channels=channels or ("outbox",), requires_answer=False,
                       reminder_before=None, time_scale=time_scale)


def managers_of(hr_manager: Contact | None, department_manager: Contact) -> tuple[Recipient, ...]:
    """Who an escalation goes to: the HR manager (a placeholder name if none is configured) and the
    employee's department manager."""
    return (
        Recipient(role="hr_manager", name=hr_manager.name if hr_manager else "HR manager",
                  phone=hr_manager.phone if hr_manager else None,
                  email=hr_manager.email if hr_manager else None),
        Recipient(role="department_manager", name=department_manager.name,
                  phone=department_manager.phone, email=department_manager.email),
    )


@dataclass(frozen=True)
class Notification:
    """One message to several recipients; the key makes a retried send write nothing twice."""

    idempotency_key: str
    subject_id: str
    purpose: str
    subject: str
    body: str
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class BureauEnrollment:
    idempotency_key: str
    onboarding_id: str
    employee_id: str
    name: str
    id_number: str
    region: str
    hire_date: date
    type: EnrollmentType
    contribution_base: Decimal


@dataclass(frozen=True)
class BureauAnswer:
    accepted: bool
    reference: str | None = None
    reason: str = ""
    code: str = ""


def view_of(onboarding_id: str, inp: OnboardingInput, *, status: Status,
            events: Sequence[Event] = (), requests: Sequence[EnrollmentRequest] = (),
            enrolled_at: datetime | None = None, cancel_reason: str | None = None,
            now: datetime, si_satisfied: bool = False) -> OnboardingView:
    """What GET shows of an onboarding: deadlines with their status, events, requests."""
    deadlines = [inp.si_registration] + ([inp.contract_si] if inp.contract_si else [])
    views = tuple(
        DeadlineView(name=d.name, due_at=d.due_at, raw_due_at=d.raw_due_at,
                     status=d.status(now, enrolled_at), article=d.article,
                     calendar_verified=d.calendar_verified)
        for d in deadlines
    )
    return OnboardingView(
        id=onboarding_id, status=status, employee_id=inp.employee.employee_id,
        employee_name=inp.employee.name, department=inp.employee.department, region=inp.region,
        hire_date=inp.hire_date, contract_start=inp.contract_start,
        contribution_base=inp.contribution_base, base_limits=inp.base_limits, deadlines=views,
        events=tuple(events), enrollment_requests=tuple(requests), enrolled_at=enrolled_at,
        overdue=views[0].status == "missed" and not si_satisfied, cancel_reason=cancel_reason,
        now=now,
    )


def answer_of(view: OnboardingView, recorded: Sequence[Event]) -> ActionAnswer:
    return ActionAnswer(view=replace(view, events=()), recorded=tuple(recorded),
                        event_count=len(view.events))
