"""Onboarding state and views: the enrolment requests, the statuses and what GET shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.onboarding.payloads import BaseLimitsRef, EnrollmentType, OnboardingInput
from domain.shared.events import Event


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
    bureau_task_opened_at: datetime | None = None   # entered by hand: when HR was asked to
    receipt_document: str | None = None             # the bureau's receipt HR recorded
    answer_source: str = ""                         # who or what gave the bureau's answer


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
    owner: str | None = None  # the HR person reminders go to; None in views kept before


@dataclass(frozen=True)
class ActionAnswer:
    """What an HR action answers: the state after it, and only the events it recorded.

    The whole event log is GET's. An Update's result is kept in the workflow history, so answering
    every action with the whole log would grow a long case's history with the square of its events,
    and make each answer slower than the last."""

    view: OnboardingView  # its `events` is empty
    recorded: tuple[Event, ...]
    event_count: int




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
    # The write that carries the `completed` event carries the final state too: a closed
    # onboarding is read from the database once Temporal's retention has removed it.
    final_view: OnboardingView | None = None
    owner: str | None = None  # assigned away from created_by (POST …/assign)


def projection_of(onboarding_id: str, inp: OnboardingInput, status: Status,
                  events: Sequence[Event], final_view: OnboardingView | None = None,
                  owner: str | None = None) -> ProjectionUpdate:
    emp = inp.employee
    return ProjectionUpdate(
        onboarding_id=onboarding_id, employee_id=emp.employee_id, employee_name=emp.name,
        department=emp.department, region=inp.region, hire_date=inp.hire_date,
        status=status.value, si_due_at=inp.si_registration.due_at, created_by=inp.created_by,
        events=tuple(events), final_view=final_view, owner=owner)


def view_of(onboarding_id: str, inp: OnboardingInput, *, status: Status,
            events: Sequence[Event] = (), requests: Sequence[EnrollmentRequest] = (),
            enrolled_at: datetime | None = None, cancel_reason: str | None = None,
            now: datetime, si_satisfied: bool = False, owner: str | None = None) -> OnboardingView:
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
        now=now, owner=owner or inp.created_by,
    )


def answer_of(view: OnboardingView, recorded: Sequence[Event]) -> ActionAnswer:
    return ActionAnswer(view=replace(view, events=()), recorded=tuple(recorded),
                        event_count=len(view.events))
