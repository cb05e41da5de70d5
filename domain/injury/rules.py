"""Which HR action an injury case takes in which stage, and what each checks (pure, no I/O).

`check_action` raises RuleViolation (422: bad input) or ActionRefused (409: not now, naming the
stage and the allowed actions); the workflow's validator calls it, so a refused action leaves
nothing in the history. `domain/injury/actions.py` applies an accepted action to the state.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import assert_never

from domain.injury.late_costs import check_appraisal_extension
from domain.injury.payloads import (
    ACTION_TYPES,
    ApplyAppraisal,
    ApplyDetermination,
    CaseAction,
    CaseInput,
    CloseCase,
    ExtendSuspension,
    FileMaterials,
    GrantExtension,
    OpenNegotiation,
    OverrideSiStanding,
    PauseDetermination,
    RecordAcceptance,
    RecordAgreement,
    RecordAppraisal,
    RecordBenefitClaim,
    RecordContact,
    RecordCourierNotice,
    RecordCourierStatus,
    RecordDetermination,
    RecordDispute,
    RecordOffer,
    RecordPayment,
    RecordReturn,
    RequestReappraisal,
    ResumeDetermination,
    StartSuspension,
    WithdrawCase,
)
from domain.injury.si_consequences import covered
from domain.injury.state import TERMINAL, CaseState, Stage
from domain.shared import statutes
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import ActionRefused, Forbidden, RuleViolation
from domain.shared.input_rules import check_date_in_window
from domain.shared.people import Actor, AssignOwner

S = Stage
ACTION_STAGES: dict[str, frozenset[Stage]] = {
    "file_materials": frozenset({S.reported, S.materials_filed, S.determination_applied}),
    "apply_determination": frozenset({S.reported, S.materials_filed}),
    "record_acceptance": frozenset({S.determination_applied}),
    "record_determination": frozenset({S.determination_applied, S.determination_decided}),
    "pause_determination": frozenset({S.determination_applied}),
    "resume_determination": frozenset({S.determination_applied}),
    "grant_extension": frozenset({S.reported, S.materials_filed, S.appraisal}),
    "start_suspension": frozenset({S.determination_decided}),
    "extend_suspension": frozenset({S.suspension, S.appraisal}),
    "record_return": frozenset({S.suspension, S.appraisal}),
    "record_courier_notice": frozenset(set(Stage) - TERMINAL),
    "record_courier_status": frozenset(set(Stage) - TERMINAL),
    "record_benefit_claim": frozenset({S.appraisal, S.settlement, S.paid}),
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
    "override_si_standing": frozenset(set(Stage) - TERMINAL),
}
ACTIONS = tuple(ACTION_STAGES)
HR_ROLES = frozenset({"hr", "hr_manager", "admin"})
CASE_ROLES: dict[str, frozenset[str]] = {
    "open_case": HR_ROLES, "read": frozenset({"hr", "hr_manager", "manager", "admin"}),
    "assign": HR_ROLES,
    **dict.fromkeys(ACTIONS, HR_ROLES),
}
COURIER_PURPOSES = ("return_to_work", "determination", "appraisal", "other")
COURIER_STATUSES = ("posted", "in_transit", "signed", "returned")
DISPUTE_EVENTS = ("arose", "mediation", "arbitration_filed", "award", "lawsuit", "judgment",
                  "administrative_review", "resolved")
_TRACKING = re.compile(r"^[A-Za-z0-9]{6,30}$")


def action_name(path_name: str) -> str:
    """`record-appraisal` (URL) → `record_appraisal`; unknown names are a 404 at the API."""
    return path_name.replace("-", "_")


def action_type(name: str) -> type[CaseAction]:
    """The type of the action named `name` (`record_appraisal` → RecordAppraisal); 422 if none."""
    if name not in ACTION_TYPES:
        raise RuleViolation("action", "action.unknown",
                            f"unknown action '{name}'; actions: {', '.join(ACTIONS)}")
    return ACTION_TYPES[name]


def check_role(action: str, actor: Actor) -> None:
    roles = CASE_ROLES[action]
    if actor.role not in roles:
        raise Forbidden("role.forbidden", f"role '{actor.role}' may not "
                        f"{action.replace('_', ' ')}; allowed: {', '.join(sorted(roles))}", "role")


def check_assign(state: CaseState, action: AssignOwner) -> None:
    """403 for a role that may not assign, 409 for a closed case, 422 for no owner."""
    check_role("assign", action.actor)
    if state.stage in TERMINAL:
        raise ActionRefused("stage.conflict", f"cannot assign: the case is {state.stage.value}",
                            "stage", details={"stage": state.stage.value})
    if not action.owner.strip():
        raise RuleViolation("owner", "owner.required", "owner must name a person")


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
    """422 for bad input, 409 for an action the case cannot take now; nothing else. (An unknown
    action has no type: action_type refuses it, and the Update cannot decode it.)"""
    name, today = action.action, now.astimezone(SHANGHAI).date()
    check_role(name, action.actor)
    why_not = _precondition(name, state) if state.stage in ACTION_STAGES[name] else \
        f"the case is in stage '{state.stage.value}'"
    if why_not is not None:
        raise ActionRefused("stage.conflict", f"cannot {name.replace('_', ' ')}: {why_not}",
                            "stage", {"stage": state.stage.value,
                                      "allowed_actions": list(allowed_actions(state, now))})
    _check_on(inp, action, today)
    _check_input(inp, state, action, today)


# ---- preconditions beyond the stage (409) -------------------------------------------------


def _precondition(name: str, state: CaseState) -> str | None:
    det, latest = state.determination, (state.appraisals[-1] if state.appraisals else None)
    recognised = det is not None and det.recognised is True
    suspended = state.suspension is not None and state.suspension.ended_on is None
    if name == "record_acceptance" and det is not None and det.accepted_on is not None:
        return (f"the authority's acceptance is already recorded (on {det.accepted_on}, "
                f"{det.reference or 'no reference'})")
    decision = state.deadlines.get("determination_decision")
    if name == "pause_determination" and (decision is None or decision.met_at is not None
                                          or not decision.active):
        return "the authority has not accepted the application: no decision period is running"
    if name == "pause_determination" and det is not None and det.paused_on is not None:
        return f"the decision period is already suspended (since {det.paused_on})"
    if name == "resume_determination" and (det is None or det.paused_on is None):
        return "the decision period is not suspended"
    if name == "record_courier_status" and not state.couriers:
        return "no paper notice is recorded (record_courier_notice first)"
    if name == "record_benefit_claim" and (latest is None or latest.grade is None):
        return "no appraisal concluded with a grade: there is nothing to claim yet"
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


def _check_input(inp: CaseInput, state: CaseState, action: CaseAction, today: date) -> None:
    match action:
        case FileMaterials():
            _materials(inp, action)
        case ApplyDetermination():
            _apply(inp, state, action)
        case RecordAcceptance():
            _acceptance(state, action)
        case RecordDetermination():
            _determination(action)
            _received(action.received_on, action.on or today, today, "decision")
        case PauseDetermination():
            _pause(state, action)
        case ResumeDetermination():
            _resume(state, action)
        case RecordCourierStatus():
            _courier_status(state, action)
        case RecordBenefitClaim():
            _benefit_claim(action)
        case GrantExtension():
            _extension(state, action)
        case StartSuspension():
            _months(action.months, 0, statutes.SUSPENSION_MAX_MONTHS)
        case ExtendSuspension():
            extended = state.suspension.extended_months if state.suspension else 0
            _months(action.months, extended, statutes.SUSPENSION_EXTENSION_MAX_MONTHS)
        case RecordReturn():
            _return(state, action)
        case RecordCourierNotice():
            _courier(state, action)
        case RecordContact():
            require_text(action.note, "note")
        case RecordAppraisal():
            _grade(action)
            _received(action.received_on, action.on or today, today, "conclusion")
        case RequestReappraisal():
            _reappraisal(state, action, today)
        case RecordOffer():
            _offer(action)
        case RecordAgreement() | RecordPayment():
            _amount(action.amount)
        case RecordDispute():
            _dispute(action)
        case WithdrawCase() | CloseCase():
            require_text(action.reason, "reason")
        case OverrideSiStanding():
            _si_override(inp, state, action)
        case OpenNegotiation():
            _invitation(action, today)
        case ApplyAppraisal():
            pass  # the stage and the preconditions are all they need
        case _:
            assert_never(action)


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


def _materials(inp: CaseInput, action: FileMaterials) -> None:
    if not action.materials:
        raise RuleViolation("materials", "materials.required", "name at least one checklist item")
    known = [m.code for m in inp.materials]
    unknown = [c for c in action.materials if c not in known]
    if unknown:
        raise RuleViolation("materials", "materials.unknown",
                            f"unknown checklist item(s) {', '.join(unknown)}; items: {', '.join(known)}")


def _apply(inp: CaseInput, state: CaseState, action: ApplyDetermination) -> None:
    provided = set(state.provided)
    missing = [m for m in inp.materials if m.required and m.code not in provided]
    if missing and not action.override_reason.strip():
        raise ActionRefused(
            "materials.missing",
            "the determination application lacks: " + "、".join(m.label_zh for m in missing)
            + " (" + ", ".join(m.code for m in missing) + "); file them, or give override_reason",
            "materials", {"missing": [m.code for m in missing]})


def _acceptance(state: CaseState, action: RecordAcceptance) -> None:
    require_text(action.reference, "reference")
    if action.on is None:
        raise RuleViolation("on", "on.required", "on: the day on the acceptance notice (受理日期)")
    applied = state.determination.applied_on if state.determination else None
    if applied is not None and action.on < applied:
        raise RuleViolation("on", "on.before_application",
                            f"on ({action.on}) is before the application ({applied})")


def _received(received_on: date | None, decided_on: date, today: date, what: str) -> None:
    """The day the party received a decision or conclusion (送达): not before it was made, not in
    the future (the review and re-appraisal windows run from it, Reg. art. 26, 55)."""
    if received_on is None:
        return
    check_date_in_window(received_on, "received_on")
    if received_on > today:
        raise RuleViolation("received_on", "received_on.future",
                            f"received_on ({received_on}) is after today ({today})")
    if received_on < decided_on:
        raise RuleViolation("received_on", "received_on.before_decision",
                            f"received_on ({received_on}) is before the {what} was made "
                            f"({decided_on})")


def _pause(state: CaseState, action: PauseDetermination) -> None:
    """A suspension names its reason (art. 20 ¶3) and is not dated before the acceptance."""
    require_text(action.reason, "reason")
    accepted_on = state.determination.accepted_on if state.determination else None
    if action.on is not None and accepted_on is not None and action.on < accepted_on:
        raise RuleViolation("on", "on.before_acceptance",
                            f"on ({action.on}) is before the acceptance ({accepted_on})")


def _resume(state: CaseState, action: ResumeDetermination) -> None:
    """The conclusion cannot be dated before the suspension it ends."""
    paused_on = state.determination.paused_on if state.determination else None
    if action.on is not None and paused_on is not None and action.on < paused_on:
        raise RuleViolation("on", "on.before_pause",
                            f"on ({action.on}) is before the suspension ({paused_on})")


def _courier_status(state: CaseState, action: RecordCourierStatus) -> None:
    known = [c.tracking_number for c in state.couriers]
    if action.tracking_number not in known:
        raise RuleViolation("tracking_number", "tracking_number.unknown",
                            f"no paper notice with tracking number {action.tracking_number!r}; "
                            f"recorded: {', '.join(known)}")
    if action.status not in COURIER_STATUSES:
        raise RuleViolation("status", "status.choice",
                            f"status must be one of {', '.join(COURIER_STATUSES)}")
    if action.status == "signed":
        require_text(action.signed_by, "signed_by")


def _benefit_claim(action: RecordBenefitClaim) -> None:
    if action.accepted is None:
        raise RuleViolation("accepted", "accepted.required", "accepted must be true or false")
    require_text(action.reference if action.accepted else action.reason,
                 "reference" if action.accepted else "reason")


def _determination(action: RecordDetermination) -> None:
    if action.recognised is None:
        raise RuleViolation("recognised", "recognised.required", "recognised must be true or false")


def _extension(state: CaseState, action: GrantExtension) -> None:
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
        # Reg. art. 25: at most 90 days from the committee's receipt of the application
        # (domain/injury/late_costs.py); the application day HR recorded is that receipt.
        check_appraisal_extension(state.appraisals[-1].applied_on, action.until, "until")


def _months(months: int | None, already: int, limit: int) -> None:
    if months is None or months < 1:
        raise RuleViolation("months", "months.required", "months must be a whole number >= 1")
    if already + months > limit:
        raise RuleViolation("months", "months.beyond_maximum",
                            f"{already + months} months exceed the legal maximum of {limit} "
                            f"({statutes.SUSPENSION_ARTICLE})")


def _return(state: CaseState, action: RecordReturn) -> None:
    assert state.suspension is not None
    if action.on is not None and action.on < state.suspension.started_on:
        raise RuleViolation("on", "on.before_suspension",
                            f"on ({action.on}) is before the suspension started "
                            f"({state.suspension.started_on})")


def _courier(state: CaseState, action: RecordCourierNotice) -> None:
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


def _grade(action: RecordAppraisal) -> None:
    grade = action.grade
    if grade == "none":
        return
    if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 10:
        raise RuleViolation("grade", "grade.range",
                            "grade must be a disability grade from 1 to 10, or \"none\" "
                            "(Regs. art. 22; GB/T 16180)")


def _reappraisal(state: CaseState, action: RequestReappraisal, today: date) -> None:
    window = state.deadlines.get("reappraisal_request")
    requested = action.on or today  # the day it was requested, which HR may record later
    if window is not None and window.status(datetime.combine(requested, datetime.max.time(), SHANGHAI)) \
            == "missed":
        raise ActionRefused("reappraisal.window_closed", "the 15-day re-appraisal window closed "
                            f"at {window.due_at.isoformat()} ({window.article})", "on",
                            {"due_at": window.due_at.isoformat()})


def _offer(action: RecordOffer) -> None:
    if action.party not in ("employer", "employee"):
        raise RuleViolation("party", "party.unknown", "party must be employer or employee")
    _amount(action.amount)


def _invitation(action: OpenNegotiation, today: date) -> None:
    """An invitation names a time to come and a place (product rule: else no invitation)."""
    if action.meeting_at is None:
        if action.place or action.bring:
            raise RuleViolation("meeting_at", "meeting.time_missing",
                                "an invitation needs meeting_at as well as the place")
        return
    require_text(action.place, "place")
    if action.meeting_at.tzinfo is None or action.meeting_at.astimezone(SHANGHAI).date() < today:
        raise RuleViolation("meeting_at", "meeting.past",
                            "meeting_at must be today or later, with its time zone")


def _amount(amount: Decimal | None) -> None:
    if amount is None or amount <= Decimal("0"):
        raise RuleViolation("amount", "amount.positive", "amount must be a positive sum in yuan")


def _dispute(action: RecordDispute) -> None:
    if action.event not in DISPUTE_EVENTS:
        raise RuleViolation("event", "event.unknown", f"event must be one of {', '.join(DISPUTE_EVENTS)}")
    require_text(action.note or action.reason, "note")


def _si_override(inp: CaseInput, state: CaseState, action: OverrideSiStanding) -> None:
    """An override names the new answer, says why and shows it (Regs. art. 62): never silent."""
    if action.si_enrolled is None:
        raise RuleViolation("si_enrolled", "si_enrolled.required", "si_enrolled must be true or false")
    require_text(action.reason, "reason")
    if not action.documents:
        raise RuleViolation("documents", "documents.required", "an override of the SI standing "
                            "needs a document (参保证明, the bureau's answer…): upload it to the "
                            "case and name it in documents")
    if action.si_enrolled == covered(inp, state):
        raise ActionRefused("si_standing.unchanged", "the case already counts the employee as "
                            + ("insured" if action.si_enrolled else "not insured"), "si_enrolled")


_ONE_DAY = timedelta(days=1)
