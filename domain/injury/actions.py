"""Apply an accepted HR action or outside event to an injury case's state (pure, no I/O).

Each function changes `CaseState` and returns the event to record: (kind, data). Checks live in
domain/injury/rules.py; the workflow calls a check in the validator and `apply_action` after.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, assert_never

from domain.employees.si_standing import SiStandingOverride
from domain.injury import pause
from domain.injury.clocks import counted, employee_application_deadline, met, retire_open, suspension_end
from domain.injury.payloads import (
    ApplyAppraisal,
    ApplyDetermination,
    AuthorityDecision,
    AuthorityReceipt,
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
from domain.injury.state import (
    Appraisal,
    CaseDeadline,
    CaseState,
    CourierNotice,
    CourierUpdate,
    Determination,
    DisputeRecord,
    Offer,
    Settlement,
    Stage,
    Suspension,
)
from domain.shared import calendar, statutes
from domain.shared.calendar import SHANGHAI

Data = dict[str, Any]
Change = tuple[str, Data]
RETURN_FLAGS = ("courier_notice", "contact_employee", "review_answer")
# Tasks HR does by hand when an activity gave up, and the material whose filing ends each.
FORM_BY_HAND, DIAGNOSIS_BY_HAND = "form_by_hand", "diagnosis_by_hand"
SUBMIT_BY_HAND, BENEFITS_BY_HAND = "submit_by_hand", "benefit_claim_by_hand"
TRACKING_BY_HAND = "courier_tracking_by_hand"
FILED_BY_HAND = {"application_form": FORM_BY_HAND, "diagnosis": DIAGNOSIS_BY_HAND}


def moment_of(on: date | None, now: datetime) -> datetime:
    """When an action happened: now, or noon Beijing time of an earlier day HR names."""
    if on is None or on >= now.astimezone(SHANGHAI).date():
        return now
    return datetime.combine(on, time(12), tzinfo=SHANGHAI)


def appraisal_deadline_name(state: CaseState) -> str:
    rounds = len(state.appraisals)
    return "reappraisal_conclusion" if rounds > 1 else "appraisal_conclusion"


def apply_action(inp: CaseInput, state: CaseState, action: CaseAction, now: datetime) -> Change:
    """Change the state for one accepted action; returns the event to record."""
    day = action.on or now.astimezone(SHANGHAI).date()
    at = moment_of(action.on, now)
    data = _change(inp, state, action, day, at)
    common = {"note": action.note or None, "documents": list(action.documents) or None,
              "on": day.isoformat()}
    return _EVENT_KINDS[action.action], {**data, **common}


def _change(inp: CaseInput, state: CaseState, a: CaseAction, day: date, at: datetime) -> Data:
    match a:
        case FileMaterials():
            return _file(inp, state, a, day, at)
        case ApplyDetermination():
            return _apply(state, a, day, at)
        case RecordAcceptance():
            return _acceptance(state, a, day, at)
        case RecordDetermination():
            return _decision(state, a, day, at)
        case RecordCourierStatus():
            return _tracked(state, a, at)
        case RecordBenefitClaim():
            return _claimed(state, a)
        case GrantExtension():
            return _extension(state, a)
        case StartSuspension():
            return _suspend(state, a, day, at)
        case ExtendSuspension():
            return _extend(state, a)
        case RecordReturn():
            return _return(state, day, at)
        case RecordCourierNotice():
            return _courier(state, a, day)
        case RecordContact():
            return _contact(state)
        case ApplyAppraisal():
            return _new_appraisal(state, day, at, round=1)
        case RecordAppraisal():
            return _conclude(state, a, day, at)
        case RequestReappraisal():
            return _reappraise(state, day, at)
        case OpenNegotiation():
            return _negotiate(inp, state, day, at)
        case RecordOffer():
            return _offer(state, a, day)
        case RecordAgreement():
            return _agree(state, a, day, at)
        case RecordPayment():
            return _pay(state, a, day)
        case RecordDispute():
            return _dispute(state, a, day, at)
        case WithdrawCase():
            return _finish(state, Stage.withdrawn, a.reason)
        case CloseCase():
            return _finish(state, Stage.closed, a.reason)
        case OverrideSiStanding():
            return _override_si(inp, state, a, day)
        case PauseDetermination():
            return pause.pause(state, day, a.reason, a.awaiting)
        case ResumeDetermination():
            return pause.resume(state, day, a.reference, at)
        case _:
            assert_never(a)


def gave_up(state: CaseState, flag: str, reason: str, at: datetime) -> None:
    """An activity gave up: HR does its work by hand (a task with the reason) until it is done."""
    state.flags[flag] = at
    state.flag_reasons[flag] = reason


def _done_by_hand(state: CaseState, *flags: str) -> None:
    for flag in flags:
        state.flags.pop(flag, None)
        state.flag_reasons.pop(flag, None)


def _file(inp: CaseInput, state: CaseState, a: FileMaterials, day: date, at: datetime) -> Data:
    state.provided = tuple(dict.fromkeys(state.provided + a.materials))
    _done_by_hand(state, *(FILED_BY_HAND[code] for code in a.materials if code in FILED_BY_HAND))
    missing = [m.code for m in inp.materials if m.required and m.code not in state.provided]
    if not missing:
        met(state, "materials_filed", at)
    if state.stage == Stage.reported:
        state.stage = Stage.materials_filed
    review = _supplemented(state, day, at)
    return {"materials": list(a.materials), "still_missing": missing,
            "acceptance_due_at": review.due_at.isoformat() if review else None}


def _supplemented(state: CaseState, day: date, at: datetime) -> CaseDeadline | None:
    """Materials filed after the authority answered without accepting and listed what was
    missing (工伤认定办法 art. 8): it has 15 days from the supplements to accept; the new
    acceptance review replaces the answered one."""
    name, det = statutes.DETERMINATION_ACCEPTANCE.name, state.determination
    review = state.deadlines.get(name)
    if state.stage != Stage.determination_applied or det is None or det.accepted_on is not None \
            or review is None or review.met_at is None:
        return None
    state.deadlines[name] = counted(
        statutes.DETERMINATION_ACCEPTANCE, day, at, "authority",
        "chase the authority: 15 days from the supplements to accept (工伤认定办法 art. 8)",
        cal=state.calendar)
    return state.deadlines[name]


def _apply(state: CaseState, a: ApplyDetermination, day: date, at: datetime) -> Data:
    state.determination = Determination(applied_on=day, simple_case=a.simple_case,
                                        override_reason=a.override_reason)
    met(state, "determination_application", at)
    met(state, "employee_application", at)
    if state.case_clocks:  # patch 2026-12-case-clocks
        state.deadlines[statutes.DETERMINATION_ACCEPTANCE.name] = counted(
            statutes.DETERMINATION_ACCEPTANCE, day, at, "authority",
            "chase the authority: it should accept or list what is missing within 15 days",
            cal=state.calendar)
    state.stage = Stage.determination_applied
    return {"simple_case": a.simple_case, "override_reason": a.override_reason or None}


def employer_window_missed(inp: CaseInput, state: CaseState) -> None:
    """The employer's 30 days ran out: the employee's own one-year window now matters (art. 17 ¶2)."""
    if "employee_application" not in state.deadlines:
        state.deadlines["employee_application"] = employee_application_deadline(inp)


def accepted(state: CaseState, receipt: AuthorityReceipt, today: date, at: datetime,
             decision_first_wins: bool = False) -> Change:
    """The authority accepted the application: its decision period starts (art. 20). A receipt
    that arrives after the decision itself (`decision_first_wins`) is recorded and opens nothing:
    the decided period stays met."""
    assert state.determination is not None
    on = receipt.accepted_on or today
    state.determination = replace(state.determination, reference=receipt.reference, accepted_on=on)
    met(state, statutes.DETERMINATION_ACCEPTANCE.name, at)
    if decision_first_wins and state.determination.decided_on is not None:
        return "determination_accepted", {"reference": receipt.reference,
                                          "accepted_on": on.isoformat(), "after_decision": True}
    window = statutes.DETERMINATION_DECISION_SIMPLE if state.determination.simple_case \
        else statutes.DETERMINATION_DECISION
    state.deadlines[window.name] = counted(window, on, at, "authority",
                                           "chase the authority; the period stops while it "
                                           "awaits another authority's conclusion (art. 20 ¶3)",
                                           cal=state.calendar)
    return "determination_accepted", {"reference": receipt.reference, "accepted_on": on.isoformat()}


def not_accepted(state: CaseState, at: datetime) -> None:
    """The authority answered without accepting (it lists what is missing): its 15-day acceptance
    review (工伤认定办法 art. 8) is answered; a new one starts when the application is refiled."""
    met(state, statutes.DETERMINATION_ACCEPTANCE.name, at)


def _acceptance(state: CaseState, a: RecordAcceptance, day: date, at: datetime) -> Data:
    """HR records the authority's acceptance of an application submitted by hand."""
    _, data = accepted(state, AuthorityReceipt(accepted=True, reference=a.reference,
                                               accepted_on=day), day, at, decision_first_wins=True)
    _done_by_hand(state, SUBMIT_BY_HAND)
    return {**data, "source": f"由 {a.actor.name} 依受理通知书登记 (recorded by {a.actor.name} "
                              "from the authority's acceptance notice)"}


def _tracked(state: CaseState, a: RecordCourierStatus, at: datetime) -> Data:
    """HR records what the courier's tracking shows (no courier gateway)."""
    update = CourierUpdate(tracking_number=a.tracking_number, status=a.status,  # type: ignore[arg-type]  # checked: COURIER_STATUSES
                           at=at, signed_by=a.signed_by, note=a.note,
                           source=f"由 {a.actor.name} 从快递查询登记 (recorded by {a.actor.name} "
                                  "from the courier's tracking)")
    change = courier_update(state, update)
    assert change is not None, "the rules checked the tracking number"
    return change[1]


def _claimed(state: CaseState, a: RecordBenefitClaim) -> Data:
    """HR records the SI fund's answer to a benefit claim made by hand."""
    state.benefit_claim = a.reference
    _done_by_hand(state, BENEFITS_BY_HAND)
    latest = state.appraisals[-1]
    return {"accepted": a.accepted, "reference": a.reference or None, "reason": a.reason or None,
            "grade": latest.grade, "source": f"由 {a.actor.name} 依经办机构答复登记 (recorded by "
                                             f"{a.actor.name} from the SI fund's answer)"}


def decided(state: CaseState, decision: AuthorityDecision, at: datetime) -> Change:
    """The determination decision, from the authority or recorded by HR."""
    earlier = state.determination or Determination(applied_on=decision.decided_on)
    # A signal has no validator: a receipt dated before the decision counts from the decision.
    received_on = max(decision.received_on or decision.decided_on, decision.decided_on)
    state.determination = replace(earlier, recognised=decision.recognised,
                                  decided_on=decision.decided_on,
                                  decision_reference=decision.reference, reason=decision.reason,
                                  received_on=received_on, paused_on=None, remaining_days=None)
    met(state, "determination_decision", at)
    met(state, statutes.DETERMINATION_ACCEPTANCE.name, at)
    _done_by_hand(state, SUBMIT_BY_HAND)
    materials = state.deadlines.get("materials_filed")
    if materials is not None and materials.met_at is None:  # nothing can be filed after a decision
        state.deadlines["materials_filed"] = replace(materials, active=False)
    if decision.recognised:
        met(state, "administrative_review", at)
        deadline = state.deadlines.get("employee_application")
        if deadline is not None and deadline.met_at is None:
            state.deadlines["employee_application"] = replace(deadline, active=False)
    elif "administrative_review" not in state.deadlines:
        state.deadlines["administrative_review"] = counted(
            statutes.ADMINISTRATIVE_REVIEW, received_on, at, "right",
            "the determination becomes final", cal=state.calendar)
    state.stage = Stage.determination_decided
    return "determination_decided", {"recognised": decision.recognised,
                                      "decided_on": decision.decided_on.isoformat(),
                                      "reference": decision.reference or None,
                                      "reason": decision.reason or None, "source": decision.source,
                                      **received(decision.received_on, decision.decided_on)}


def received(received_on: date | None, decided_on: date) -> Data:
    """What the evidence says about the day the party received a decision or conclusion (送达).

    The review (Reg. art. 55; 行政复议法) and re-appraisal (Reg. art. 26) windows run from it.
    Not given, it is taken to be the day the decision was made, the earliest it can be: the window
    shown then never runs longer than the party's real one, and a note says so. (Cases recorded
    before the field count exactly as they did.)"""
    if received_on is not None:
        return {"received_on": received_on.isoformat()}
    return {"received_on": decided_on.isoformat(),
            "received_on_note": "送达日期未登记，按作出之日计算期限（最早可能的送达日）; "
                                "receipt not recorded: the window counts from the decision date, "
                                "the earliest possible receipt"}


def _decision(state: CaseState, a: RecordDetermination, day: date, at: datetime) -> Data:
    assert a.recognised is not None
    return decided(state, AuthorityDecision(recognised=a.recognised, decided_on=day,
                                            reference=a.reference, reason=a.reason,
                                            source="recorded_by_hr", received_on=a.received_on),
                   at)[1]


def _extension(state: CaseState, a: GrantExtension) -> Data:
    assert a.until is not None
    target = a.deadline or "determination_application"
    name = appraisal_deadline_name(state) if target == "appraisal_conclusion" else target
    period = calendar.count_days(a.until, 0, state.calendar)
    old = state.deadlines[name]
    state.deadlines[name] = replace(old, due_at=period.due_at(), raw_due_at=period.raw_due_at(),
                                    calendar_verified=period.calendar_verified, extended=True)
    return {"deadline": name, "from": old.due_at.isoformat(),
            "to": state.deadlines[name].due_at.isoformat(), "reference": a.reference or None}


def _suspend(state: CaseState, a: StartSuspension, day: date, at: datetime) -> Data:
    assert a.months is not None
    state.suspension = Suspension(started_on=day, months=a.months)
    state.deadlines["suspension_end"] = suspension_end(day, a.months, at, state.return_day_rule,
                                                       cal=state.calendar)
    state.stage = Stage.suspension
    return {"months": a.months, "ends_at": state.deadlines["suspension_end"].due_at.isoformat()}


def _extend(state: CaseState, a: ExtendSuspension) -> Data:
    assert a.months is not None and state.suspension is not None
    s = replace(state.suspension, extended_months=state.suspension.extended_months + a.months)
    state.suspension = s
    old = state.deadlines["suspension_end"]
    new = suspension_end(s.started_on, s.months + s.extended_months, old.started_at,
                         state.return_day_rule, cal=state.calendar)
    state.deadlines["suspension_end"] = replace(new, extended=True)
    return {"months": a.months, "total_months": s.months + s.extended_months,
            "ends_at": new.due_at.isoformat(), "reference": a.reference or None}


def _end_suspension(state: CaseState, day: date, at: datetime, by: str) -> None:
    if state.suspension is not None and state.suspension.ended_on is None:
        state.suspension = replace(state.suspension, ended_on=day, ended_by=by)
        met(state, "suspension_end", at)


def _return(state: CaseState, day: date, at: datetime) -> Data:
    _end_suspension(state, day, at, "return")
    for flag in RETURN_FLAGS:
        state.flags.pop(flag, None)
    if state.stage == Stage.suspension:
        state.stage = Stage.returned
    return {}


def _courier(state: CaseState, a: RecordCourierNotice, day: date) -> Data:
    state.couriers += (CourierNotice(carrier=a.carrier, tracking_number=a.tracking_number,
                                     purpose=a.purpose, posted_on=day),)
    state.flags.pop("courier_notice" if a.purpose == "return_to_work" else "courier_decision", None)
    return {"carrier": a.carrier, "tracking_number": a.tracking_number, "purpose": a.purpose}


def courier_update(state: CaseState, update: CourierUpdate) -> Change | None:
    """A tracking event for a recorded paper notice; unknown numbers change nothing."""
    for i, notice in enumerate(state.couriers):
        if notice.tracking_number == update.tracking_number:
            state.couriers = state.couriers[:i] + (replace(
                notice, status=update.status, history=notice.history + (update,)),) \
                + state.couriers[i + 1:]
            if update.status == "returned":
                state.flags["courier_returned"] = update.at
            _done_by_hand(state, TRACKING_BY_HAND)  # the tracking reached the case after all
            return "courier_status", {"tracking_number": update.tracking_number,
                                      "status": update.status, "signed_by": update.signed_by or None,
                                      "proof_of_delivery": update.status == "signed",
                                      "source": update.source, "purpose": notice.purpose}
    return None


def _contact(state: CaseState) -> Data:
    for flag in ("contact_employee", "courier_returned", "review_answer"):
        state.flags.pop(flag, None)
    return {}


def _new_appraisal(state: CaseState, day: date, at: datetime, round: int) -> Data:
    state.appraisals += (Appraisal(applied_on=day, round=round),)
    name = appraisal_deadline_name(state)
    state.deadlines[name] = replace(
        counted(statutes.APPRAISAL_CONCLUSION, day, at, "authority",
                "chase the appraisal committee; it may extend by 30 days", cal=state.calendar),
        name=name)
    state.stage = Stage.appraisal
    return {"round": round}


def _conclude(state: CaseState, a: RecordAppraisal, day: date, at: datetime) -> Data:
    latest = state.appraisals[-1]
    grade = None if a.grade == "none" else int(a.grade or 0)
    received_on = a.received_on or day
    state.appraisals = state.appraisals[:-1] + (replace(
        latest, grade=grade, no_disability=grade is None, concluded_on=day, reference=a.reference,
        received_on=received_on),)
    met(state, appraisal_deadline_name(state), at)
    _end_suspension(state, day, at, "appraisal")
    _done_by_hand(state, BENEFITS_BY_HAND)  # the workflow claims again for this conclusion
    if latest.round == 1:
        state.deadlines["reappraisal_request"] = counted(
            statutes.REAPPRAISAL_REQUEST, received_on, at, "right", "the conclusion becomes final",
            cal=state.calendar)
    return {"round": latest.round, "grade": grade if grade is not None else "none",
            "reference": a.reference or None, **received(a.received_on, day)}


def _reappraise(state: CaseState, day: date, at: datetime) -> Data:
    met(state, "reappraisal_request", at)
    return _new_appraisal(state, day, at, round=2)


def _negotiate(inp: CaseInput, state: CaseState, day: date, at: datetime) -> Data:
    state.settlement = Settlement(opened_on=day)
    target = statutes.SETTLEMENT_TARGET
    state.deadlines[target.name] = counted(
        statutes.Window(target.name, days=inp.timing.settlement_target_days, article=target.article),
        day, at, "target", "escalated to the HR manager", cal=state.calendar)
    state.stage = Stage.settlement
    return {}


def _offer(state: CaseState, a: RecordOffer, day: date) -> Data:
    assert state.settlement is not None and a.amount is not None
    offer = Offer(party=a.party, amount=a.amount, on=day, note=a.note)
    state.settlement = replace(state.settlement, offers=state.settlement.offers + (offer,))
    return {"party": a.party, "amount": str(a.amount)}


def _agree(state: CaseState, a: RecordAgreement, day: date, at: datetime) -> Data:
    assert state.settlement is not None and a.amount is not None
    state.settlement = replace(state.settlement, agreed_amount=a.amount, agreed_on=day)
    met(state, "settlement_agreement", at)
    return {"amount": str(a.amount)}


def _pay(state: CaseState, a: RecordPayment, day: date) -> Data:
    s = state.settlement
    assert s is not None and s.agreed_amount is not None and a.amount is not None
    paid = s.paid_amount + a.amount
    state.settlement = replace(s, paid_amount=paid, paid_on=day if paid >= s.agreed_amount else None)
    if paid >= s.agreed_amount:
        state.stage = Stage.paid
    return {"amount": str(a.amount), "paid_total": str(paid),
            "outstanding": str(max(Decimal("0"), s.agreed_amount - paid))}


def _dispute(state: CaseState, a: RecordDispute, day: date, at: datetime) -> Data:
    state.disputes += (DisputeRecord(event=a.event, on=day, forum=a.forum, note=a.note or a.reason,
                                     recorded_by=a.actor.name),)
    if a.event == "arose" and not _open(state.deadlines.get("arbitration_claim")):
        state.deadlines["arbitration_claim"] = counted(
            statutes.ARBITRATION_CLAIM, day, at, "right", "the claim is time-barred",
            cal=state.calendar)
    if a.event in ("arbitration_filed", "lawsuit"):
        met(state, "arbitration_claim", at)
    if a.event == "administrative_review":
        met(state, "administrative_review", at)
    return {"event": a.event, "forum": a.forum or None, "reason": a.reason or None}


def _open(deadline: CaseDeadline | None) -> bool:
    return deadline is not None and deadline.met_at is None and deadline.active


def _finish(state: CaseState, stage: Stage, reason: str) -> Data:
    state.stage = stage
    state.closed_reason = reason
    retire_open(state)
    return {"reason": reason}


def _override_si(inp: CaseInput, state: CaseState, a: OverrideSiStanding, day: date) -> Data:
    was = covered(inp, state)
    assert a.si_enrolled is not None
    state.si_override = SiStandingOverride(si_enrolled=a.si_enrolled, reason=a.reason,
                                           documents=a.documents, by=a.actor.name, on=day)
    standing = inp.si_standing
    return {"si_enrolled": a.si_enrolled, "was": was, "reason": a.reason,
            "derived": standing.code if standing else None,
            "derived_source": standing.source if standing else None}


_EVENT_KINDS = {
    "file_materials": "materials_filed", "apply_determination": "determination_applied",
    "record_acceptance": "determination_accepted",
    "record_determination": "determination_decided",
    "record_courier_status": "courier_status", "record_benefit_claim": "benefit_claimed",
    "grant_extension": "extension_granted", "start_suspension": "suspension_started",
    "extend_suspension": "suspension_extended", "record_return": "return_recorded",
    "record_courier_notice": "courier_notice_recorded", "record_contact": "contact_recorded",
    "apply_appraisal": "appraisal_applied", "record_appraisal": "appraisal_concluded",
    "request_reappraisal": "reappraisal_requested", "open_negotiation": "negotiation_opened",
    "record_offer": "offer_recorded", "record_agreement": "agreement_recorded",
    "record_payment": "payment_recorded", "record_dispute": "dispute_recorded",
    "withdraw": "withdrawn", "close": "closed", "override_si_standing": "si_standing_overridden",
    "pause_determination": "determination_paused", "resume_determination": "determination_resumed",
}
