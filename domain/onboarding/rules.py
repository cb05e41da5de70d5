"""Who may do what to an onboarding, and in which status: pure checks shared by API and workflow."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from domain.contributions.rules import DEFAULT_DEADLINE_RULE
from domain.onboarding import policy
from domain.onboarding.back_payment import back_payment_by_month
from domain.onboarding.payloads import BaseLimitsRef, BureauOutcome, OnboardingInput, SubmitEnrollment
from domain.onboarding.state import CostEstimate, CostItem, EnrollmentRequest, Status
from domain.shared.calendar import LEGACY_CALENDAR
from domain.shared.errors import ActionRefused, Forbidden, RuleViolation
from domain.shared.people import Actor

ACTION_ROLES: dict[str, frozenset[str]] = {
    "register": frozenset({"hr", "admin"}),
    "submit_enrollment": frozenset({"hr", "admin"}),
    "approve_enrollment": frozenset({"hr_manager"}),
    "reject_enrollment": frozenset({"hr_manager"}),
    "revoke_enrollment": frozenset({"hr", "hr_manager", "admin"}),
    "request_withdrawal": frozenset({"hr", "hr_manager", "admin"}),
    "record_withdrawal_answer": frozenset({"hr", "hr_manager", "admin"}),
    "record_delay_reason": frozenset({"hr", "hr_manager", "admin"}),
    "record_bureau_outcome": frozenset({"hr", "hr_manager"}),
    "cancel": frozenset({"hr", "hr_manager", "admin"}),
    "assign": frozenset({"hr", "hr_manager", "admin"}),
    "add_document": frozenset({"hr", "hr_manager", "admin"}),
    "read_document": frozenset({"hr", "hr_manager", "admin"}),
    "export_bundle": frozenset({"hr", "hr_manager", "admin"}),
    "read": frozenset({"hr", "hr_manager", "manager", "admin"}),
    "load_calendar": frozenset({"admin"}),
    "load_policy": frozenset({"admin"}),
}

ACTION_STATUSES: dict[str, frozenset[Status]] = {
    "submit_enrollment": frozenset({Status.awaiting_enrollment}),
    "approve_enrollment": frozenset({Status.enrollment_submitted}),
    "reject_enrollment": frozenset({Status.enrollment_submitted}),
    "revoke_enrollment": frozenset({Status.enrollment_submitted, Status.enrollment_approved}),
    "request_withdrawal": frozenset({Status.enrolled}),
    "record_withdrawal_answer": frozenset({Status.withdrawal_requested}),
    "record_delay_reason": frozenset(set(Status) - {Status.cancelled}),
    "assign": frozenset(set(Status) - {Status.cancelled}),
    "record_bureau_outcome": frozenset({Status.enrollment_executing}),
    "cancel": frozenset(
        {Status.awaiting_enrollment, Status.enrollment_submitted, Status.enrollment_approved}
    ),
}

_WHY_NOT: dict[Status, str] = {
    Status.enrollment_executing: "the enrolment is being executed at the SI bureau",
    Status.enrolled: "the enrolment was executed at the SI bureau; it can only be withdrawn there "
    "(POST …/enrollment/withdrawal) within the bureau's window",
    Status.cancelled: "the onboarding was cancelled",
}


def check_role(action: str, actor: Actor) -> None:
    """403 unless the actor's role may perform the action."""
    roles = ACTION_ROLES[action]
    if actor.role not in roles:
        raise Forbidden(
            "role.forbidden",
            f"role '{actor.role}' may not {action.replace('_', ' ')}; allowed: {', '.join(sorted(roles))}",
            field="role",
        )


def allowed_actions(status: Status) -> list[str]:
    return sorted(a for a, statuses in ACTION_STATUSES.items() if status in statuses)


def check_status(action: str, status: Status) -> None:
    """409 naming the status and the allowed actions unless the action fits the status."""
    if status in ACTION_STATUSES[action]:
        return
    why = _WHY_NOT.get(status, f"the onboarding is in status '{status.value}'")
    raise ActionRefused(
        "status.conflict",
        f"cannot {action.replace('_', ' ')}: {why}",
        field="status",
        details={"status": status.value, "allowed_actions": allowed_actions(status)},
    )


def check_four_eyes(actor: Actor, request: EnrollmentRequest) -> None:
    """The reviewer must be a different principal from the submitter (maker-checker)."""
    if actor.name == request.submitted_by:
        raise Forbidden(
            "four_eyes.same_principal",
            f"'{actor.name}' submitted enrolment request #{request.number} and may not review it: "
            "a different hr_manager must approve or reject",
            field="actor",
        )


def check_withdrawal_window(now: datetime, request: EnrollmentRequest) -> None:
    """409 once the bureau's withdrawal window (申请撤销期限) has closed."""
    ends = request.withdrawal_window_ends
    if ends is not None and now >= ends:
        raise ActionRefused(
            "withdrawal.window_closed",
            f"the bureau's withdrawal window for enrolment #{request.number} closed at "
            f"{ends.isoformat()}; the enrolment stands",
            field="withdrawal_window",
            details={"withdrawal_window_ends": ends.isoformat()},
        )


def require_text(value: str, field: str) -> None:
    """422 unless a free-text field (a reason, a note) says something."""
    if not (value or "").strip():
        raise RuleViolation(field, f"{field}.required", f"{field} is required and may not be blank")


def require_choice(value: str | None, field: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise RuleViolation(field, f"{field}.choice", f"{field} must be one of {', '.join(choices)}")


def check_base(base: Decimal, limits: BaseLimitsRef, field: str = "contribution_base") -> None:
    """The base lies within the region's lower and upper limits for the period (statutes.md §4)."""
    if limits.lower <= base <= limits.upper:
        return
    note = "" if limits.verified else " (limits not yet verified against the official notice)"
    raise RuleViolation(
        field,
        "contribution_base.out_of_range",
        f"{field} {base} is outside the limits {limits.lower}–{limits.upper} for "
        f"{limits.period_start}–{limits.period_end}{note}; source: {limits.source}",
    )


def back_payment_cost(inp: OnboardingInput, base: Decimal, as_of: date,
                      by_month: bool = False) -> CostEstimate:
    """What a back-payment (补缴) enrolment costs on `as_of`: premiums owed plus SIL art. 86 late
    fee; `by_month` (patch 2026-12-monthly-late-fee): each month's fee from its own due date."""
    rates = policy.ContributionRates(
        region=inp.region, employer=inp.rates.employer_rate, employee=inp.rates.employee_rate,
        source=inp.rates.source, verified=inp.rates.verified)
    if by_month:
        estimate = back_payment_by_month(
            base=base, rates=rates, hire_date=inp.hire_date, as_of=as_of,
            rule=inp.payment_rule or DEFAULT_DEADLINE_RULE, cal=inp.calendar or LEGACY_CALENDAR,
            registration_due=inp.si_registration.due_at)
    else:
        estimate = policy.back_payment_estimate(
            base=base, rates=rates, months_owed=policy.months_owed(inp.hire_date, as_of),
            days_late=max(0, (as_of - inp.si_registration.due_at.date()).days))
    return CostEstimate(
        total=estimate.total,
        items=tuple(CostItem(i.code, i.amount, i.formula, i.article) for i in estimate.items),
        as_of=as_of,
        verified=estimate.verified,
    )


def check_submission(inp: OnboardingInput, action: SubmitEnrollment, today: date,
                     by_month: bool = False) -> None:
    """Base within limits; a back payment only with a confirmation equal to today's estimate."""
    require_choice(action.type, "type", ("new", "back_payment"))
    check_base(action.contribution_base, inp.base_limits)
    if action.type != "back_payment":
        return
    estimate = back_payment_cost(inp, action.contribution_base, today, by_month)
    if action.confirm_cost is not None and action.confirm_cost == estimate.total:
        return
    raise ActionRefused(
        "back_payment.confirmation_required",
        f"a back payment (补缴) costs an estimated {estimate.total} yuan as of {today}: submit "
        f"again with confirm_cost={estimate.total} to confirm it, or choose type 'new'",
        field="confirm_cost",
        details={"estimate": _estimate_json(estimate)},
    )


def _estimate_json(estimate: CostEstimate) -> dict[str, object]:
    return {
        "total": str(estimate.total),
        "as_of": estimate.as_of.isoformat(),
        "verified": estimate.verified,
        "items": [
            {"code": i.code, "amount": str(i.amount), "formula": i.formula, "article": i.article}
            for i in estimate.items
        ],
    }


def check_bureau_outcome(request: EnrollmentRequest, outcome: BureauOutcome) -> None:
    """An outcome is recorded only for an enrolment waiting by hand; accepted takes the bureau's
    reference and a receipt document, rejected the bureau's reason."""
    if request.bureau_task_opened_at is None:
        raise RuleViolation("outcome", "bureau_outcome.not_manual",
                            f"enrolment request #{request.number} went to the SI bureau through "
                            "its gateway; its answer comes from there, not by hand")
    require_choice(outcome.outcome, "outcome", ("accepted", "rejected"))
    if outcome.outcome == "accepted":
        require_text(outcome.reference, "reference")
        require_text(outcome.receipt_document, "receipt_document")
    else:
        require_text(outcome.reason, "reason")


def recorded_by_hand(actor: Actor) -> str:
    """The source of a bureau answer HR recorded, as the evidence shows it."""
    return f"由 {actor.name} 从社保经办平台录入 (recorded by {actor.name} from the bureau's portal)"
