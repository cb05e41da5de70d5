"""Which HR action an injury case takes in which stage, and what each checks (pure, no I/O).

`check_action` raises RuleViolation (422: bad input) or ActionRefused (409: not now, naming the
stage and the allowed actions); the workflow's validator calls it, so a refused action leaves
nothing in the history. `domain/injury/actions.py` applies an accepted action to the state.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.injury.payloads import CaseAction, CaseInput
from domain.injury.state import TERMINAL, CaseState, Stage
from domain.shared import statutes
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import ActionRefused, Forbidden, RuleViolation
from domain.shared.input_rules import check_date_in_window
from domain.shared.people import Actor

S = Stage
ACTION_STAGES: dict[str, frozenset[Stage]] = {
    "file_materials": frozenset({S.reported, S.materials_filed, S.determination_applied}),
    "apply_determination": frozenset({S.reported, S.materials_filed}),
    "record_determination": frozenset({S.determination_applied, S.determination_decided}),
    "grant_extension": frozenset({S.reported, S.materials_filed, S.appraisal}),
    "start_suspension": frozenset({S.determination_decided}),
    "extend_suspension": frozenset({S.suspension, S.appraisal}),
    "record_return": frozenset({S.suspension, S.appraisal}),
    "record_courier_notice": frozenset(set(Stage) - TERMINAL),
    "record_contact": frozenset(set(Stage) - TERMINAL),
    "apply_appraisal": frozenset({S.determination_decided, S.suspension, S.returned}),
    "record_appraisal": frozenset({S.appraisal}),
    "request_reappraisal": frozenset({S.appraisal}),
    "open_negotiation": frozenset({S.returned, S.appraisal}),
    "record_offer": frozenset({S.settlement}),
    "record_agreement": frozenset({S.settlement}),
    "record_payment": frozenset({S.settlement}),
    "record_dispute": frozenset(set(Stage) - TERMINAL),
    "withdraw": frozenset(set(Stage) - TERMINAL),
    "close": frozenset({S.determination_decided, S.returned, S.appraisal, S.paid}),
}
ACTIONS = tuple(ACTION_STAGES)
HR_ROLES = frozenset({"hr", "hr_manager", "admin"})
CASE_ROLES: dict[str, frozenset[str]] = {
    "open_case": HR_ROLES, "read": frozenset({"hr", "hr_manager", "manager", "admin"}),
    **dict.fromkeys(ACTIONS, HR_ROLES),
}
COURIER_PURPOSES = ("return_to_work", "determination", "appraisal", "other")
DISPUTE_EVENTS = ("arose", "mediation", "arbitration_filed", "award", "lawsuit", "judgment",
                  "administrative_review", "resolved")
_TRACKING = re.compile(r"^[A-Za-z0-9]{6,30}$")


def action_name(path_name: str) -> str:
    """`record-appraisal` (URL) → `record_appraisal`; unknown names are a 404 at the API."""
    return path_name.replace("-", "_")


def check_role(action: str, actor: Actor) -> None:
    roles = CASE_ROLES[action]
    if actor.role not in roles:
        raise Forbidden("role.forbidden", f"role '{actor.role}' may not "
                        f"{action.replace('_', ' ')}; allowed: {', '.join(sorted(roles))}", "role")


def allowed_actions(state: CaseState, now: datetime | None = None) -> tuple[str, ...]:
    """The actions the case takes now: the stage allows them, their preconditions hold, and (given
    `now`) no window has closed on them and an extension still has room."""
    return tuple(a for a in ACTIONS if state.stage in ACTION_STAGES[a]
                 and _precondition(a, state) is None and not _exhausted(a, state, now))


def _exhausted(name: str, state: CaseState, now: datetime | None) -> bool:
    if name == "extend_suspension" and state.suspension is not None:
        return state.suspension.extended_months >= statutes.SUSPENSION_EXTENSION_MAX_MONTHS
    if name == "request_reappraisal" and now is not None:
        window = state.deadlines.get("reappraisal_request")
        return window is not None and window.status(now) == "missed"
    return False


def check_action(inp: CaseInput, state: CaseState, action: CaseAction, now: datetime) -> None:
    """422 for bad input, 409 for an action the case cannot take now; nothing else."""
    name, today = action.action, now.astimezone(SHANGHAI).date()
    if name not in ACTION_STAGES:
        raise RuleViolation("action", "action.unknown",
                            f"unknown action '{name}'; actions: {', '.join(ACTIONS)}")
    check_role(name, action.actor)
    why_not = _precondition(name, state) if state.stage in ACTION_STAGES[name] else \
        f"the case is in stage '{state.stage.value}'"
    if why_not is not None:
        raise ActionRefused("stage.conflict", f"cannot {name.replace('_', ' ')}: {why_not}",
                            "stage", {"stage": state.stage.value,
                                      "allowed_actions": list(allowed_actions(state, now))})
    _check_on(inp, action, today)
    _INPUT_CHECKS.get(name, _no_check)(inp, state, action, today)


# ---- preconditions beyond the stage (409) -------------------------------------------------


def _precondition(name: str, state: CaseState) -> str | None:
    det, latest = state.determination, (state.appraisals[-1] if state.appraisals else None)
    recognised = det is not None and det.recognised is True
    suspended = state.suspension is not None and state.suspension.ended_on is None
    if name == "record_determination" and det is not None and det.recognised is True:
        return "the determination is recorded as recognised; a review outcome is a dispute record"
    if name in ("start_suspension", "apply_appraisal") and state.stage == S.determination_decided \
            and not recognised:
        return "the injury was not recognised as a work injury"
    if name == "start_suspension" and state.suspension is not None:
        return "the paid suspension period has already started"
    if name in ("extend_suspension", "record_return") and not suspended:
        return "no paid suspension period is running"
    if name == "grant_extension" and state.stage == S.appraisal and (latest is None or latest.concluded_on):
        return "no appraisal is awaiting its conclusion"
    if name == "record_appraisal" and (latest is None or latest.concluded_on is not None):
        return "no appraisal is awaiting its conclusion"
    if name == "request_reappraisal" and (latest is None or latest.concluded_on is None
                                          or latest.round > 1):
        return "re-appraisal needs a first-round conclusion (the provincial one is final)"
    unconcluded = latest is None or latest.concluded_on is None
    if name in ("open_negotiation", "close") and state.stage == S.appraisal and unconcluded:
        return "the appraisal has no conclusion yet"
    if name == "record_payment" and (state.settlement is None or state.settlement.agreed_amount is None):
        return "no settlement agreement is recorded"
    return None


# ---- input checks (422) -------------------------------------------------------------------


def _no_check(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    return None


def _check_on(inp: CaseInput, action: CaseAction, today: date) -> None:
    if action.on is None:
        return
    if action.on > today:
        raise RuleViolation("on", "on.future", f"on ({action.on}) is after today ({today})")
    accident_day = inp.accident_at.astimezone(SHANGHAI).date()
    if action.on < accident_day:
        raise RuleViolation("on", "on.before_accident",
                            f"on ({action.on}) is before the accident ({accident_day})")


def require_text(value: str, field: str) -> None:
    if not value.strip():
        raise RuleViolation(field, f"{field}.required", f"{field} must not be empty")


def _materials(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    if not action.materials:
        raise RuleViolation("materials", "materials.required", "name at least one checklist item")
    known = [m.code for m in inp.materials]
    unknown = [c for c in action.materials if c not in known]
    if unknown:
        raise RuleViolation("materials", "materials.unknown",
                            f"unknown checklist item(s) {', '.join(unknown)}; items: {', '.join(known)}")


def _apply(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    provided = set(state.provided)
    missing = [m for m in inp.materials if m.required and m.code not in provided]
    if missing and not action.override_reason.strip():
        raise ActionRefused(
            "materials.missing",
            "the determination application lacks: " + "、".join(m.label_zh for m in missing)
            + " (" + ", ".join(m.code for m in missing) + "); file them, or give override_reason",
            "materials", {"missing": [m.code for m in missing]})


def _determination(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    if action.recognised is None:
        raise RuleViolation("recognised", "recognised.required", "recognised must be true or false")


def _extension(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    target = action.deadline or "determination_application"
    if target not in ("determination_application", "appraisal_conclusion"):
        raise RuleViolation("deadline", "deadline.not_extendable", "only determination_application "
                            "(art. 17) and appraisal_conclusion (art. 25) can be extended")
    if target == "appraisal_conclusion" and len(state.appraisals) > 1:
        target = "reappraisal_conclusion"
    current = state.deadlines.get(target)
    if current is None or current.met_at is not None:
        raise ActionRefused("deadline.not_open", f"{target} is not an open deadline of this case",
                            "deadline", {"deadline": target})
    if action.until is None:
        raise RuleViolation("until", "until.required", "until (the new last day) is required")
    check_date_in_window(action.until, "until")  # 9999-12-31 + 1 day crashed the workflow task
    current_last = current.due_at.astimezone(SHANGHAI).date()
    if action.until <= current_last - _ONE_DAY:
        raise RuleViolation("until", "until.not_later",
                            f"until ({action.until}) must be after the current deadline")
    if target in ("appraisal_conclusion", "reappraisal_conclusion"):  # Reg. art. 29: same limits
        first = state.appraisals[-1].applied_on
        extra = timedelta(days=statutes.APPRAISAL_EXTENSION_MAX_DAYS)
        limit = statutes.APPRAISAL_CONCLUSION.period(first, state.calendar).end + extra
        if action.until > limit:
            raise RuleViolation("until", "until.beyond_maximum",
                                f"the appraisal period can be extended by at most "
                                f"{statutes.APPRAISAL_EXTENSION_MAX_DAYS} days, to {limit} "
                                f"({statutes.APPRAISAL_CONCLUSION.article})")


def _months(limit: int, used: int) -> Callable[[CaseInput, CaseState, CaseAction, date], None]:
    def check(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
        if action.months is None or action.months < 1:
            raise RuleViolation("months", "months.required", "months must be a whole number >= 1")
        already = used if used >= 0 else (state.suspension.extended_months if state.suspension else 0)
        if already + action.months > limit:
            raise RuleViolation("months", "months.beyond_maximum",
                                f"{already + action.months} months exceed the legal maximum of {limit} "
                                f"({statutes.SUSPENSION_ARTICLE})")
    return check


def _return(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    assert state.suspension is not None
    if action.on is not None and action.on < state.suspension.started_on:
        raise RuleViolation("on", "on.before_suspension",
                            f"on ({action.on}) is before the suspension started "
                            f"({state.suspension.started_on})")


def _courier(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    require_text(action.carrier, "carrier")
    if not _TRACKING.match(action.tracking_number):
        raise RuleViolation("tracking_number", "tracking_number.format",
                            "tracking_number must be 6-30 letters or digits")
    if action.purpose not in COURIER_PURPOSES:
        raise RuleViolation("purpose", "purpose.unknown",
                            f"purpose must be one of {', '.join(COURIER_PURPOSES)}")
    if any(c.tracking_number == action.tracking_number for c in state.couriers):
        raise ActionRefused("courier.duplicate", f"tracking number {action.tracking_number} is "
                            "already recorded", "tracking_number")


def _grade(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    grade = action.grade
    if grade == "none":
        return
    if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 10:
        raise RuleViolation("grade", "grade.range",
                            "grade must be a disability grade from 1 to 10, or \"none\" "
                            "(Regs. art. 22; GB/T 16180)")


def _reappraisal(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    window = state.deadlines.get("reappraisal_request")
    requested = action.on or today  # the day it was requested, which HR may record later
    if window is not None and window.status(datetime.combine(requested, datetime.max.time(), SHANGHAI)) \
            == "missed":
        raise ActionRefused("reappraisal.window_closed", "the 15-day re-appraisal window closed "
                            f"at {window.due_at.isoformat()} ({window.article})", "on",
                            {"due_at": window.due_at.isoformat()})


def _offer(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    if action.party not in ("employer", "employee"):
        raise RuleViolation("party", "party.unknown", "party must be employer or employee")
    _amount(inp, state, action, today)


def _amount(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    if action.amount is None or action.amount <= Decimal("0"):
        raise RuleViolation("amount", "amount.positive", "amount must be a positive sum in yuan")


def _dispute(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    if action.event not in DISPUTE_EVENTS:
        raise RuleViolation("event", "event.unknown", f"event must be one of {', '.join(DISPUTE_EVENTS)}")
    require_text(action.note or action.reason, "note")


def _reason(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    require_text(action.reason, "reason")


def _contact(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    require_text(action.note, "note")


_INPUT_CHECKS = {
    "file_materials": _materials,
    "apply_determination": _apply,
    "record_determination": _determination,
    "grant_extension": _extension,
    "start_suspension": _months(statutes.SUSPENSION_MAX_MONTHS, 0),
    "extend_suspension": _months(statutes.SUSPENSION_EXTENSION_MAX_MONTHS, -1),
    "record_return": _return,
    "record_courier_notice": _courier,
    "record_contact": _contact,
    "record_appraisal": _grade,
    "request_reappraisal": _reappraisal,
    "record_offer": _offer,
    "record_agreement": _amount,
    "record_payment": _amount,
    "record_dispute": _dispute,
    "withdraw": _reason,
    "close": _reason,
}


_ONE_DAY = timedelta(days=1)
