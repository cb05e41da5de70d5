"""The SI stop's rules: its deadline, who may do each step and when (maker-checker as for
enrolment: domain.onboarding.rules.check_four_eyes)."""

from __future__ import annotations

from datetime import date, timedelta

from domain.separation.payloads import (
    LeaveCorrection,
    StopDeadline,
    StopDeadlineRule,
    StopOutcome,
    StopStatus,
    StopStep,
)
from domain.shared.calendar import HolidayCalendar, ending_on
from domain.shared.errors import ActionRefused, Forbidden, RuleViolation
from domain.shared.input_rules import check_plain_text
from domain.shared.people import Actor

ARTICLE = "《社会保险法》第五十八条（用人单位办理社会保险登记及变更）"
REMINDER_LEAD = timedelta(days=3)  # product rule, as for the monthly payment
ROLES: dict[str, frozenset[str]] = {
    "record_leave": frozenset({"hr", "hr_manager", "admin"}),
    "submit_stop": frozenset({"hr", "admin"}),
    "approve_stop": frozenset({"hr_manager"}),
    "reject_stop": frozenset({"hr_manager"}),
    "revoke_stop": frozenset({"hr", "hr_manager", "admin"}),
    "record_stop_outcome": frozenset({"hr", "hr_manager"}),
    "read_stop": frozenset({"hr", "hr_manager", "admin"}),
    "correct_leave": frozenset({"hr", "hr_manager", "admin"}),
}
STATUSES: dict[str, tuple[StopStatus, ...]] = {
    "submit_stop": (StopStatus.awaiting_submission,),
    "approve_stop": (StopStatus.submitted,),
    "reject_stop": (StopStatus.submitted,),
    "revoke_stop": (StopStatus.submitted, StopStatus.approved),
    "record_stop_outcome": (StopStatus.executing,),
}


def stop_id(employee_id: str, employment: int) -> str:
    return f"si-stop-{employee_id}" + (f"~{employment}" if employment > 1 else "")


def check_role(action: str, actor: Actor) -> None:
    roles = ROLES[action]
    if actor.role not in roles:
        raise Forbidden("role.forbidden", f"role '{actor.role}' may not "
                        f"{action.replace('_', ' ')}; allowed: {', '.join(sorted(roles))}", "role")


def check_step(action: str, status: StopStatus, step: StopStep,
               submitted_by: str | None) -> None:
    """403 for the role or the maker reviewing their own stop, 409 for the status, 422 for a
    rejection or revocation without its reason."""
    check_role(action, step.actor)
    if status not in STATUSES[action]:
        raise ActionRefused("status.conflict", f"cannot {action.replace('_', ' ')}: the stop is "
                            f"{status.value}", "status", {"status": status.value})
    if action in ("approve_stop", "reject_stop") and step.actor.name == submitted_by:
        raise Forbidden("four_eyes.same_principal", f"'{step.actor.name}' submitted this stop and "
                        "may not review it: a different hr_manager must", "actor")
    if action in ("reject_stop", "revoke_stop") and not step.note.strip():
        raise RuleViolation("note", "note.required", "say why (note)")
    check_plain_text(step.note, "note")


# Until HR's task at the bureau opens, the stop is ours to change; a submitted or approved one goes
# back to submission (its checker approved another day). From then on the bureau may have it.
CORRECTABLE = (StopStatus.awaiting_submission, StopStatus.submitted, StopStatus.approved)


def check_correction(status: StopStatus, leave_date: date, correction: LeaveCorrection) -> None:
    """403 for the role, 409 once the stop is with the bureau (its task opened, or stopped) or
    when it has another day than the record the correction was made from (two corrections at
    once), 422 for a reason missing or not plain text. The day the stop already has is accepted
    (a repeated call) and changes nothing."""
    check_role("correct_leave", correction.actor)
    if correction.leave_date == leave_date:
        return
    if correction.before is not None and correction.before != leave_date:
        raise ActionRefused("leave.changed", f"the SI stop has the leave on {leave_date}, not "
                            f"{correction.before}: read the record again before correcting it",
                            "leave_date", {"leave_date": leave_date.isoformat()})
    if status not in CORRECTABLE:
        raise ActionRefused(
            "leave.correction_at_bureau",
            f"the SI stop for the leave on {leave_date} is {status.value}: the bureau may have "
            "that day already, so correct it with the bureau first; Caseguard cannot change a "
            "stop the bureau holds", "leave_date", {"status": status.value})
    if not correction.reason.strip():
        raise RuleViolation("reason", "reason.required", "say why the leave day is corrected")
    check_plain_text(correction.reason, "reason")


def check_outcome(status: StopStatus, outcome: StopOutcome) -> None:
    check_role("record_stop_outcome", outcome.actor)
    if status is not StopStatus.executing:
        raise ActionRefused("status.conflict", f"cannot record the bureau's answer: the stop is "
                            f"{status.value}", "status", {"status": status.value})
    if not outcome.reference.strip():
        raise RuleViolation("reference", "reference.required",
                            "reference must give the bureau's number for the stop")
    if not outcome.receipt_document:
        raise RuleViolation("receipt_document", "receipt_document.required",
                            "attach the bureau's receipt (kind bureau_receipt) first")
    check_plain_text(outcome.reference, "reference")


def stop_deadline(leave_date: date, rule: StopDeadlineRule, cal: HolidayCalendar,
                  lead: timedelta = REMINDER_LEAD) -> StopDeadline:
    """By the month's last day (month_end) or `days` after leaving, moved past rest days."""
    if rule.rule == "days" and rule.days is not None:
        last = leave_date + timedelta(days=rule.days)
    else:
        following = date(leave_date.year + leave_date.month // 12, leave_date.month % 12 + 1, 1)
        last = following - timedelta(days=1)
    counted = ending_on(last, cal)
    due = counted.due_at()
    return StopDeadline(due_at=due, raw_due_at=counted.raw_due_at(), reminder_at=due - lead,
                        source=rule.source, verified=rule.verified,
                        calendar_verified=counted.calendar_verified, article=ARTICLE)
