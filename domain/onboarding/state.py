"""Onboarding state and views: the enrolment requests, the statuses and what GET shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.onboarding.payloads import BaseLimitsRef, EnrollmentType, OnboardingInput, RatesRef
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
class FiguresRecomputed:
    """The onboarding's figures before and after a load, as the view and the event show them."""

    at: datetime
    load: int
    source: str
    document: str | None
    old_limits: BaseLimitsRef
    new_limits: BaseLimitsRef
    contribution_base: Decimal  # as registered: never changed by a load
    within_limits: bool
    old_clamped_base: Decimal
    new_clamped_base: Decimal
    old_monthly: tuple[Decimal, Decimal]  # employer, employee at the clamped base
    new_monthly: tuple[Decimal, Decimal]
    requests_outside: tuple[int, ...] = ()  # held enrolment requests whose base is now outside
    note: str = ""  # one line for the view (`summary()`)
    old_rates: RatesRef | None = None  # set when the load moved the pinned contribution rates
    new_rates: RatesRef | None = None
    requests_repriced: tuple[int, ...] = ()  # held back-payment requests priced at the old rates

    def summary(self) -> str:
        """One line for the view and the bundle (备注), Chinese first: what moved, from which
        load, and what HR must look at."""
        old, new = self.old_limits, self.new_limits
        origin = self.document or self.source
        zh_parts, en_parts = [], []
        if old != new:
            zh_parts.append(f"缴费基数上下限 {old.lower}–{old.upper}（{_KIND_ZH[_kind(old)]}）→ "
                            f"{new.lower}–{new.upper}（{_KIND_ZH[_kind(new)]}）")
            en_parts.append(f"base limits {old.lower}–{old.upper} ({_kind(old)}) → {new.lower}–"
                            f"{new.upper} ({_kind(new)})")
        if self.old_rates is not None and self.new_rates is not None:
            was, now = self.old_rates, self.new_rates
            zh_parts.append(f"缴费比例 单位 {was.employer_rate} / 个人 {was.employee_rate}"
                            f"（{_rates_kind_zh(was)}）→ 单位 {now.employer_rate} / 个人 "
                            f"{now.employee_rate}（{_rates_kind_zh(now)}）")
            en_parts.append(f"contribution rates employer {was.employer_rate} / employee "
                            f"{was.employee_rate} → {now.employer_rate} / {now.employee_rate}")
        zh = f"{'；'.join(zh_parts)}，第 {self.load} 次载入（{origin}）"
        en = f"{'; '.join(en_parts)} from load {self.load} ({origin})"
        if not self.within_limits:
            zh += f"；登记的缴费基数 {self.contribution_base} 不在新上下限内（按 {self.new_clamped_base} 计）"
            en += (f"; the registered base {self.contribution_base} is outside them "
                   f"(clamped: {self.new_clamped_base})")
        if self.requests_outside:
            numbers = ", ".join(str(n) for n in self.requests_outside)
            zh += f"；第 {numbers} 号增员申请的基数不在新上下限内，请核对"
            en += f"; enrolment request {numbers} has a base outside the new limits"
        if self.requests_repriced:
            numbers = ", ".join(str(n) for n in self.requests_repriced)
            zh += f"；第 {numbers} 号补缴申请的费用按原比例估算，请复核"
            en += f"; back-payment request {numbers} was priced at the old rates"
        return f"{zh} / {en}"

    def event_data(self) -> dict[str, Any]:
        """The `policy_recomputed` evidence event's data: every figure from → to."""
        old, new = self.old_limits, self.new_limits

        def moved(a: object, b: object) -> dict[str, str]:
            return {"from": str(a), "to": str(b)}

        return {
            "load": self.load, "source": self.source, "document": self.document,
            "period": {"from": f"{old.period_start}/{old.period_end}",
                       "to": f"{new.period_start}/{new.period_end}"},
            "lower": moved(old.lower, new.lower), "upper": moved(old.upper, new.upper),
            "provisional": {"from": old.provisional, "to": new.provisional},
            "verified": {"from": old.verified, "to": new.verified},
            "contribution_base": str(self.contribution_base), "within_limits": self.within_limits,
            "clamped_base": moved(self.old_clamped_base, self.new_clamped_base),
            "monthly_employer": moved(*(m[0] for m in (self.old_monthly, self.new_monthly))),
            "monthly_employee": moved(*(m[1] for m in (self.old_monthly, self.new_monthly))),
            "requests_outside": list(self.requests_outside), "note": self.note,
            **self._rates_data(),
        }

    def _rates_data(self) -> dict[str, Any]:
        if self.old_rates is None or self.new_rates is None:
            return {}
        was, now = self.old_rates, self.new_rates
        return {"rates": {"employer": {"from": str(was.employer_rate), "to": str(now.employer_rate)},
                          "employee": {"from": str(was.employee_rate), "to": str(now.employee_rate)},
                          "source": {"from": was.source, "to": now.source},
                          "verified": {"from": was.verified, "to": now.verified}},
                "requests_repriced": list(self.requests_repriced)}


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
    # Base limits taken again from an admin's load (signal policy_updated), oldest first.
    figures_recomputed: tuple[FiguresRecomputed, ...] = ()


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
            now: datetime, si_satisfied: bool = False, owner: str | None = None,
            figures_recomputed: Sequence[FiguresRecomputed] = ()) -> OnboardingView:
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
        now=now, owner=owner or inp.created_by, figures_recomputed=tuple(figures_recomputed),
    )


def answer_of(view: OnboardingView, recorded: Sequence[Event]) -> ActionAnswer:
    return ActionAnswer(view=replace(view, events=()), recorded=tuple(recorded),
                        event_count=len(view.events))


_KIND_ZH = {"provisional": "暂按上期执行", "verified": "已核实", "not verified": "未核实"}


def _rates_kind_zh(rates: RatesRef) -> str:
    return "已核实" if rates.verified else "未核实"


def _kind(limits: BaseLimitsRef) -> str:
    return "provisional" if limits.provisional else (
        "verified" if limits.verified else "not verified")
