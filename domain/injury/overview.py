"""What GET shows of an injury case: deadlines with status, open tasks with owner, late costs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from domain.injury.clocks import (
    deadline_views,
    employee_application_deadline,
    is_overdue,
    local_date,
    window_start,
)
from domain.injury.late_costs import EmployerCosts, late_application_costs, late_rule
from domain.injury.payloads import CaseInput
from domain.injury.rules import allowed_actions
from domain.injury.si_consequences import covered, si_consequences, standing_view
from domain.injury.state import (
    TERMINAL,
    CaseState,
    Stage,
    Task,
)
from domain.injury.views import (
    CaseDeadlineRow,
    CaseProjection,
    CaseView,
)
from domain.shared import statutes
from domain.shared.events import Event

_FLAG_TASKS = {
    "courier_notice": ("Send the return-to-work notice on paper by courier (EMS/SF) and record "
                       "carrier and tracking number", "hr"),
    "contact_employee": ("Reach the employee: call the emergency contact or make a home visit, "
                         "and record it", "hr"),
    "review_answer": ("The employee answered the return-to-work notice: review the answer", "hr"),
    "courier_returned": ("A paper notice came back undelivered: try another address or a home "
                         "visit", "hr"),
    "courier_decision": ("The employee did not acknowledge a decision notice: send it by courier",
                         "hr"),
    # An activity gave up (Task.reason says why): HR does its work by hand.
    "form_by_hand": ("Fill the form in by hand: the 工伤认定申请表 could not be generated; file it "
                     "as material application_form", "hr"),
    "diagnosis_by_hand": ("Get the diagnosis certificate from the hospital and file it as material "
                          "diagnosis: it could not be fetched", "hr"),
    "submit_by_hand": ("Submit the determination application at the authority's counter or by "
                       "post: the electronic submission failed", "hr"),
    "benefit_claim_by_hand": ("Claim the work-injury benefits from the SI fund by hand: the "
                              "electronic claim failed", "hr"),
    "courier_tracking_by_hand": ("Track the paper notice on the courier's site and record its "
                                 "delivery: registering it for tracking failed", "hr"),
}


def open_tasks(inp: CaseInput, state: CaseState, now: datetime) -> tuple[Task, ...]:
    """Who has to do what next, from the stage and the events that raised a task."""
    if state.stage in TERMINAL:
        return ()
    hr, d = state.owner or inp.created_by, state.deadlines
    tasks: list[Task] = []

    def add(code: str, title: str, owner_role: str = "hr", owner: str = hr,
            deadline: str = "") -> None:
        due = d.get(deadline)
        tasks.append(Task(code=code, title=title, owner_role=owner_role, owner=owner,
                          since=due.started_at if due else now,
                          due_at=due.due_at if due else None, article=due.article if due else ""))

    provided = set(state.provided)
    if state.stage in (Stage.reported, Stage.materials_filed):
        if any(m.required and m.code not in provided for m in inp.materials):
            add("file_materials", "File the missing determination materials", deadline="materials_filed")
        add("apply_determination", "Apply for the work-injury determination",
            deadline="determination_application")
    det = state.determination
    if state.stage == Stage.determination_applied and det is not None and det.paused_on:
        add("await_conclusion", "The determination is suspended (art. 20 ¶3): record the "
            "court's or authority's conclusion when it is made (resume_determination)")
    elif state.stage == Stage.determination_applied and det is not None \
            and det.accepted_on is None and "determination_acceptance" in d:
        add("await_acceptance", "Accept the application or list what is missing (15 days)",
            "authority", "injury-determination authority", deadline="determination_acceptance")
    elif state.stage == Stage.determination_applied:
        add("await_determination", "Decide the work-injury determination", "authority",
            "injury-determination authority", deadline="determination_decision")
    if state.stage == Stage.determination_decided and det is not None:
        if det.recognised:
            add("next_step", "Start the paid suspension period, apply for appraisal, or close")
        else:
            add("decide_review", "Decide whether to seek administrative review, or close",
                deadline="administrative_review")
    if state.suspension is not None and state.suspension.ended_on is None:
        add("track_return", "Return to work or extend the paid suspension period",
            deadline="suspension_end")
    if state.stage == Stage.appraisal and state.appraisals:
        latest = state.appraisals[-1]
        if latest.concluded_on is None:
            name = "reappraisal_conclusion" if latest.round > 1 else "appraisal_conclusion"
            add("await_appraisal", "Conclude the labour-ability appraisal", "authority",
                "labour-ability appraisal committee", deadline=name)
        else:
            add("next_step", "Request re-appraisal, open the settlement negotiation, or close",
                deadline="reappraisal_request" if latest.round == 1 else "")
    if state.stage == Stage.settlement and state.settlement is not None:
        if state.settlement.agreed_amount is None:
            add("reach_agreement", "Reach a settlement agreement", deadline="settlement_agreement")
        else:
            add("pay_settlement", "Pay the agreed settlement")
    if state.stage == Stage.paid:
        add("close", "Close the case")
    for flag, since in state.flags.items():
        title, role = _FLAG_TASKS.get(flag, (flag, "hr"))
        tasks.append(Task(code=flag, title=title, owner_role=role, owner=hr, since=since,
                          reason=state.flag_reasons.get(flag, "")))
    return tuple(tasks)


def employer_late_costs(inp: CaseInput, state: CaseState) -> EmployerCosts | None:
    """The late application's employer-borne period (Reg. art. 17 ¶4) by the region's rule
    (domain/injury/late_costs.py): from the accident (or the diagnosis of an occupational disease)
    to acceptance nationally; None while nothing is filed or when filed in time. The employer's
    last day is the case's own deadline: holiday-adjusted (Civil Code art. 203) or extended."""
    deadline, det = state.deadlines.get("determination_application"), state.determination
    if deadline is None or det is None:
        return None
    last_day = local_date(deadline.due_at) - timedelta(days=1)
    start = window_start(inp)
    if det.applied_on <= last_day or det.applied_on < start:
        return None  # in time (the rule's checks would refuse what the case cannot hold anyway)
    accepted_on = det.accepted_on if det.accepted_on is None or det.accepted_on >= det.applied_on \
        else det.applied_on
    return late_application_costs(inp.late_rule_key, start, det.applied_on,
                                  accepted_on=accepted_on, extended_until=last_day)


def late_application(inp: CaseInput, state: CaseState, now: datetime) -> dict[str, Any] | None:
    """Once the employer's 30-day window is missed: who bears which costs, and the employee's window."""
    deadline = state.deadlines.get("determination_application")
    if deadline is None or deadline.status(now) != "missed":
        return None
    # the case does not keep this clock (nothing alarms on it), so count it here when absent
    employee = state.deadlines.get("employee_application") or employee_application_deadline(inp)
    costs = employer_late_costs(inp, state)
    if costs is None:  # not filed yet: the period runs on
        return {
            "employer_bears_costs_from": window_start(inp).isoformat(),
            "employer_bears_costs_until": None, "ongoing": True,
            "article": statutes.DETERMINATION_APPLICATION.article,
            "ends_on": late_rule(inp.late_rule_key).ends_on,
            "rule_article": late_rule(inp.late_rule_key).article,
            "rule_source": late_rule(inp.late_rule_key).source, "rule_region": inp.late_rule_key,
            "note": "qualifying costs from the accident until the application is accepted are "
                    "the employer's (some regions count to receipt or filing)",
            "employee_application_due_at": employee.due_at.isoformat(),
            "calendar_verified": employee.calendar_verified and deadline.calendar_verified,
        }
    return {**late_costs_data(costs), "article": statutes.DETERMINATION_APPLICATION.article,
            "rule_region": inp.late_rule_key,
            "employee_application_due_at": employee.due_at.isoformat(),
            "calendar_verified": employee.calendar_verified and deadline.calendar_verified}


def late_costs_data(costs: EmployerCosts) -> dict[str, Any]:
    """The employer-borne period as the view and the evidence event show it."""
    return {"employer_bears_costs_from": costs.since.isoformat(),
            "employer_bears_costs_until": costs.until.isoformat() if costs.until else None,
            "ongoing": costs.until is None, "ends_on": costs.rule.ends_on,
            "rule_article": costs.rule.article, "rule_source": costs.rule.source,
            "note": costs.explanation}


def late_costs_event(inp: CaseInput, state: CaseState) -> dict[str, Any] | None:
    """The `late_application_costs` evidence event, once the period's end is known (at the
    acceptance, or at the filing where the region ends it there); None otherwise."""
    costs = employer_late_costs(inp, state)
    if costs is None or costs.until is None:
        return None
    return late_costs_data(costs)


def view_of(inp: CaseInput, state: CaseState, events: Sequence[Event], now: datetime) -> CaseView:
    e = inp.employee
    provided = set(state.provided)
    materials = tuple({"code": m.code, "label_zh": m.label_zh, "label_en": m.label_en,
                       "required": m.required, "provided": m.code in provided,
                       "condition": m.condition, "source": m.source} for m in inp.materials)
    return CaseView(
        id=f"case-{inp.case_id}", stage=state.stage, employee_id=e.employee_id,
        employee_name=e.name, department=e.department, region=inp.region,
        accident_at=inp.accident_at, reported_at=inp.reported_at, location=inp.location,
        injury=inp.injury, si_enrolled=covered(inp, state), deadlines=deadline_views(state, now),
        tasks=open_tasks(inp, state, now), allowed_actions=allowed_actions(state, now),
        materials=materials,
        missing_materials=tuple(m.code for m in inp.materials
                                if m.required and m.code not in provided),
        determination=state.determination, suspension=state.suspension,
        appraisals=state.appraisals, settlement=state.settlement, couriers=state.couriers,
        disputes=state.disputes, notices=state.notices,
        late_application=late_application(inp, state, now), events=tuple(events),
        overdue=any(is_overdue(d, now) for d in state.deadlines.values()),
        closed_reason=state.closed_reason, now=now, owner=state.owner or inp.created_by,
        si_standing=standing_view(inp, state),
        si_consequences=si_consequences(inp.si_standing, covered(inp, state)))


def projection(inp: CaseInput, state: CaseState, events: Sequence[Event],
               final_view: CaseView | None = None) -> CaseProjection:
    """The write of new events and list rows; the closing write (final_view) also keeps what the
    closed case's bundle reads from its input."""
    e = inp.employee
    return CaseProjection(
        case_id=f"case-{inp.case_id}", employee_id=e.employee_id, employee_name=e.name,
        department=e.department, region=inp.region, accident_at=inp.accident_at,
        stage=state.stage.value, created_by=inp.created_by,
        deadlines=tuple(CaseDeadlineRow(name=d.name, due_at=d.due_at, met_at=d.met_at,
                                        kind=d.kind, article=d.article,
                                        # a suspended period (art. 20 ¶3) is not open in lists
                                        active=d.active and not d.paused)
                        for d in state.deadlines.values()),
        events=tuple(events), final_view=final_view,
        final_input=replace(inp, carried=None) if final_view is not None else None,
        owner=state.owner)


def case_outcome(inp: CaseInput, state: CaseState, now: datetime) -> dict[str, Any]:
    """The structured record a finished case leaves for the dispute history (历史纠纷数据库)."""
    latest = state.appraisals[-1] if state.appraisals else None
    settlement = state.settlement
    offers = settlement.offers if settlement else ()
    det = state.determination
    return {
        "cause": inp.description, "injury": inp.injury, "location": inp.location,
        "region": inp.region, "accident_on": local_date(inp.accident_at).isoformat(),
        "si_enrolled": covered(inp, state), "traffic_accident": inp.traffic_accident,
        "recognised": det.recognised if det else None,
        "grade": latest.grade if latest and latest.concluded_on else None,
        "no_disability": bool(latest and latest.no_disability),
        "suspension_months": (state.suspension.months + state.suspension.extended_months)
        if state.suspension else None,
        "employer_offers": [str(o.amount) for o in offers if o.party == "employer"],
        "employee_demands": [str(o.amount) for o in offers if o.party == "employee"],
        "agreed_amount": str(settlement.agreed_amount) if settlement and settlement.agreed_amount
        is not None else None,
        "paid_amount": str(settlement.paid_amount) if settlement else None,
        "disputes": [d.event for d in state.disputes],
        "duration_days": (now - inp.accident_at).days,
        "outcome": state.stage.value, "reason": state.closed_reason,
        "missed_deadlines": sorted(d.name for d in state.deadlines.values()
                                   if d.kind != "right" and d.status(now) == "missed"),
    }
