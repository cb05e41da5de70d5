"""Which HR action an injury case takes when: 422 for bad input, 409 naming the stage, 403 for roles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.injury.actions import appraisal_deadline_name
from domain.injury.clocks import alarms, is_overdue, local_date
from domain.injury.late_costs import appraisal_conclusion_limit
from domain.injury.rules import ACTION_STAGES, ACTIONS, allowed_actions, check_action
from domain.injury.si_consequences import covered
from domain.injury.state import TERMINAL, CaseState, Stage
from domain.shared.errors import ActionRefused, Forbidden, RuleViolation
from domain.shared.input_rules import LATEST_DATE
from domain.shared.people import Actor
from tests.unit.injury_driver import ACCIDENT, Case, act

MANAGER = Actor("li-manager", "manager")


def refused(case: Case, action: str, **fields: Any) -> ActionRefused:
    with pytest.raises(ActionRefused) as info:
        case.check(action, **fields)
    assert type(info.value) is ActionRefused, "a 409, not a 403"
    return info.value


def invalid(case: Case, action: str, **fields: Any) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        case.check(action, **fields)
    return info.value


def last_day(deadline) -> date:
    """The last day of a deadline whose due_at is 24:00 of that day."""
    return local_date(deadline.due_at) - timedelta(days=1)


# ---- stages --------------------------------------------------------------------------------

WRONG_STAGE = [(a, s) for a in ACTIONS for s in Stage if s not in ACTION_STAGES[a]]


@pytest.mark.parametrize(("action", "stage"), WRONG_STAGE, ids=[f"{a}@{s.value}" for a, s in WRONG_STAGE])
def test_an_action_in_a_stage_that_does_not_allow_it_is_a_stage_conflict(action, stage):
    case = Case()
    case.state = CaseState(stage=stage, deadlines=case.state.deadlines)
    error = refused(case, action)
    assert error.code == "stage.conflict"
    assert error.details == {"stage": stage.value, "allowed_actions": list(allowed_actions(case.state))}
    assert f"stage '{stage.value}'" in error.message
    assert action not in error.details["allowed_actions"]


def test_a_closed_or_withdrawn_case_allows_nothing():
    for stage in TERMINAL:
        assert allowed_actions(CaseState(stage=stage)) == ()


def test_a_new_case_allows_filing_applying_and_the_anytime_actions():
    assert set(allowed_actions(Case().state)) == {
        "file_materials", "apply_determination", "grant_extension", "record_courier_notice",
        "record_contact", "record_dispute", "withdraw", "override_si_standing"}


def test_an_unknown_action_is_bad_input():
    error = invalid(Case(), "approve_everything")
    assert (error.field, error.code) == ("action", "action.unknown")
    assert "file_materials" in error.message


# ---- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_a_manager_may_read_a_case_but_not_act_on_it(action):
    with pytest.raises(Forbidden) as info:
        Case().check(action, actor=MANAGER)
    assert info.value.http_status == 403
    assert (info.value.code, info.value.field) == ("role.forbidden", "role")
    assert "'manager'" in info.value.message and "hr_manager" in info.value.message


def test_the_role_is_checked_before_the_stage():
    case = Case()
    case.state.stage = Stage.closed
    with pytest.raises(Forbidden):
        case.check("record_payment", actor=MANAGER)


@pytest.mark.parametrize("role", ["hr", "hr_manager", "admin"])
def test_hr_roles_may_act(role):
    Case().check("record_contact", actor=Actor("someone", role), note="电话联系职工")


# ---- when it happened ----------------------------------------------------------------------


def test_an_action_dated_in_the_future_is_refused_on_on():
    case = Case()
    error = invalid(case, "record_contact", note="上门探望", on=case.today + timedelta(days=1))
    assert (error.field, error.code) == ("on", "on.future")


def test_an_action_dated_before_the_accident_is_refused_on_on():
    case = Case()
    error = invalid(case, "record_contact", note="上门探望", on=date(2025, 3, 2))
    assert (error.field, error.code) == ("on", "on.before_accident")


def test_an_action_dated_the_accident_day_or_today_is_fine():
    case = Case().wait(timedelta(days=5))
    case.check("record_contact", note="上门探望", on=date(2025, 3, 3))
    case.check("record_contact", note="上门探望", on=case.today)


def test_the_day_of_an_action_is_the_beijing_date():
    case = Case().go_to(datetime(2025, 3, 4, 16, 30, tzinfo=UTC))  # 00:30 on 5 March in Beijing
    case.check("record_contact", note="上门探望", on=date(2025, 3, 5))
    assert invalid(case, "record_contact", note="上门探望", on=date(2025, 3, 6)).code == "on.future"


# ---- materials and the application ---------------------------------------------------------


def test_filing_needs_at_least_one_item_of_the_checklist():
    case = Case()
    assert invalid(case, "file_materials").code == "materials.required"
    error = invalid(case, "file_materials", materials=("diagnosis", "selfie"))
    assert (error.field, error.code) == ("materials", "materials.unknown")
    assert "selfie" in error.message and "diagnosis" in error.message.split("items:")[1]


def test_applying_with_materials_missing_lists_them_and_is_a_conflict():
    case = Case().do("file_materials", materials=("application_form", "diagnosis"))
    error = refused(case, "apply_determination")
    assert error.code == "materials.missing" and error.field == "materials"
    assert error.details["missing"] == ["labour_relationship", "id_copy", "accident_report",
                                        "witness_statements"]
    assert "劳动关系" in error.message and "override_reason" in error.message


def test_applying_with_materials_missing_is_fine_with_a_reason():
    case = Case()
    case.check("apply_determination", override_reason="劳动合同原件在总部，随后补交")
    assert refused(case, "apply_determination", override_reason="   ").code == "materials.missing"


def test_applying_with_everything_filed_needs_no_reason():
    Case().file_all().check("apply_determination")


def test_a_decision_must_say_whether_the_injury_was_recognised():
    case = Case().apply()
    error = invalid(case, "record_determination")
    assert (error.field, error.code) == ("recognised", "recognised.required")
    case.check("record_determination", recognised=False)


def test_a_recognised_determination_is_not_recorded_twice():
    case = Case().recognised()
    error = refused(case, "record_determination", recognised=False)
    assert error.code == "stage.conflict" and "dispute" in error.message


def test_a_refused_determination_can_be_replaced_by_the_review_outcome():
    case = Case().apply().decide(recognised=False)
    assert "record_determination" in allowed_actions(case.state)
    case.do("record_determination", recognised=True, reference="复议决定001")
    assert case.state.determination.recognised is True


@pytest.mark.parametrize(("action", "fields"), [("start_suspension", {"months": 3}),
                                               ("apply_appraisal", {})], ids=lambda v: v or "")
def test_nothing_follows_an_injury_not_recognised_but_review_or_close(action, fields):
    case = Case().apply().decide(recognised=False)
    error = refused(case, action, **fields)
    assert "not recognised" in error.message
    assert "close" in error.details["allowed_actions"]


# ---- extensions ----------------------------------------------------------------------------


def test_an_extension_must_end_after_the_current_deadline():
    case = Case()
    current = last_day(case.deadline("determination_application"))
    assert current == date(2025, 4, 2)
    for until in (current, current - timedelta(days=10)):
        error = invalid(case, "grant_extension", until=until)
        assert (error.field, error.code) == ("until", "until.not_later")
    case.check("grant_extension", until=current + timedelta(days=1))


def test_an_extension_needs_its_new_last_day():
    assert invalid(Case(), "grant_extension").code == "until.required"


@pytest.mark.parametrize("until", [date(9999, 12, 31), date.max, date(1, 1, 1), LATEST_DATE
                                   + timedelta(days=1)])
def test_an_extension_to_a_day_outside_the_sane_window_is_refused(until):
    """9999-12-31 passed the check, then `until + 1 day` overflowed in the workflow task."""
    error = invalid(Case(), "grant_extension", until=until)
    assert (error.field, error.code) == ("until", "date.outside_window")


def test_an_extension_to_the_last_day_of_the_window_is_applied_without_overflow():
    case = Case().do("grant_extension", until=LATEST_DATE, reference="京人社延期002")
    assert last_day(case.deadline("determination_application")) >= LATEST_DATE


def test_only_the_two_extendable_deadlines_can_be_extended():
    error = invalid(Case(), "grant_extension", deadline="suspension_end", until=date(2025, 6, 1))
    assert (error.field, error.code) == ("deadline", "deadline.not_extendable")


def test_a_deadline_not_open_cannot_be_extended():
    case = Case()
    error = refused(case, "grant_extension", deadline="appraisal_conclusion", until=date(2025, 6, 1))
    assert error.code == "deadline.not_open" and error.details == {"deadline": "appraisal_conclusion"}


def test_the_appraisal_period_extends_to_at_most_90_days_from_receipt():
    """Reg. art. 25: 60 days from receipt of the application, 30 more when necessary, never later
    than 90 days from receipt (domain/injury/late_costs.py), whatever the holidays."""
    case = Case().appraising()
    received = case.state.appraisals[-1].applied_on
    limit = received + timedelta(days=90)
    assert limit == appraisal_conclusion_limit(received)
    error = invalid(case, "grant_extension", deadline="appraisal_conclusion",
                    until=limit + timedelta(days=1))
    assert (error.field, error.code) == ("until", "until.beyond_maximum")
    assert str(limit) in error.message and "art. 25" in error.message
    case.check("grant_extension", deadline="appraisal_conclusion", until=limit)


def test_the_re_appraisal_period_extends_by_at_most_30_days_too():
    case = Case().concluded().wait(timedelta(days=3)).do("request_reappraisal")
    assert appraisal_deadline_name(case.state) == "reappraisal_conclusion"
    limit = case.today + timedelta(days=90)  # Reg. art. 29: the same limits as art. 25
    error = invalid(case, "grant_extension", deadline="appraisal_conclusion",
                    until=limit + timedelta(days=1))
    assert error.code == "until.beyond_maximum"
    case.check("grant_extension", deadline="appraisal_conclusion", until=limit)


def test_no_extension_while_no_appraisal_is_awaiting_its_conclusion():
    case = Case().concluded()
    assert "grant_extension" not in allowed_actions(case.state)
    assert refused(case, "grant_extension", deadline="appraisal_conclusion",
                   until=date(2025, 9, 1)).code == "stage.conflict"


# ---- the paid suspension period ------------------------------------------------------------


def test_the_suspension_period_is_at_most_12_months():
    case = Case().recognised()
    error = invalid(case, "start_suspension", months=13)
    assert (error.field, error.code) == ("months", "months.beyond_maximum")
    assert "12" in error.message and "art. 33" in error.message
    case.check("start_suspension", months=12)


@pytest.mark.parametrize("months", [None, 0, -1])
def test_the_suspension_needs_a_number_of_months(months):
    assert invalid(Case().recognised(), "start_suspension", months=months).code == "months.required"


def test_extensions_of_the_suspension_add_up_to_at_most_12_months():
    case = Case().suspended(months=12).do("extend_suspension", months=6)
    error = invalid(case, "extend_suspension", months=7)
    assert error.code == "months.beyond_maximum" and "13 months" in error.message
    case.do("extend_suspension", months=6)
    assert invalid(case, "extend_suspension", months=1).code == "months.beyond_maximum"


def test_an_appraisal_conclusion_ends_the_suspension_so_it_cannot_be_extended():
    case = Case().suspended().do("apply_appraisal").wait(timedelta(days=10)).do("record_appraisal", grade=9)
    assert case.state.stage == Stage.appraisal
    assert refused(case, "extend_suspension", months=1).code == "stage.conflict"


def test_a_return_cannot_predate_the_suspension():
    case = Case().suspended()
    error = invalid(case, "record_return", on=case.state.suspension.started_on - timedelta(days=1))
    assert (error.field, error.code) == ("on", "on.before_suspension")
    case.check("record_return", on=case.state.suspension.started_on)


# ---- appraisal -----------------------------------------------------------------------------


@pytest.mark.parametrize("grade", [0, 11, -1, "3", "none ", True, False, None, 3.0])
def test_a_grade_outside_1_to_10_is_bad_input(grade):
    error = invalid(Case().appraising(), "record_appraisal", grade=grade)
    assert (error.field, error.code) == ("grade", "grade.range")


@pytest.mark.parametrize("grade", [1, 7, 10, "none"])
def test_a_grade_from_1_to_10_or_none_is_recorded(grade):
    Case().appraising().check("record_appraisal", grade=grade)


def test_re_appraisal_is_requested_within_15_days_of_the_conclusion():
    case = Case().concluded()
    window = case.deadline("reappraisal_request")
    case.go_to(window.due_at - timedelta(minutes=1)).check("request_reappraisal")
    case.go_to(window.due_at + timedelta(hours=1))
    error = refused(case, "request_reappraisal")
    assert error.code == "reappraisal.window_closed"
    assert error.details == {"due_at": window.due_at.isoformat()} and "art. 26" in error.message


def test_a_re_appraisal_requested_in_time_may_be_recorded_later():
    case = Case().concluded()
    window = case.deadline("reappraisal_request")
    case.go_to(window.due_at + timedelta(days=3))
    case.check("request_reappraisal", on=last_day(window))
    assert refused(case, "request_reappraisal",
                   on=last_day(window) + timedelta(days=1)).code == "reappraisal.window_closed"


def test_the_provincial_re_appraisal_is_final():
    case = Case().concluded().do("request_reappraisal").wait(timedelta(days=20))
    case.do("record_appraisal", grade=8)
    assert "request_reappraisal" not in allowed_actions(case.state)
    assert "final" in refused(case, "request_reappraisal").message


def test_negotiation_and_closing_wait_for_the_appraisal_conclusion():
    case = Case().appraising()
    assert "no conclusion" in refused(case, "open_negotiation").message
    assert "no conclusion" in refused(case, "close", reason="结案").message


# ---- settlement ----------------------------------------------------------------------------


def test_a_payment_needs_an_agreement_first():
    case = Case().settling().do("record_offer", party="employer", amount=Decimal("50000"))
    assert "record_payment" not in allowed_actions(case.state)
    error = refused(case, "record_payment", amount=Decimal("50000"))
    assert error.code == "stage.conflict" and "agreement" in error.message
    case.do("record_agreement", amount=Decimal("60000"))
    case.check("record_payment", amount=Decimal("60000"))


def test_an_offer_names_a_party_and_a_positive_amount():
    case = Case().settling()
    assert invalid(case, "record_offer", party="lawyer", amount=Decimal("1")).code == "party.unknown"
    for amount in (None, Decimal("0"), Decimal("-5")):
        error = invalid(case, "record_offer", party="employee", amount=amount)
        assert (error.field, error.code) == ("amount", "amount.positive")


# ---- paper notices by courier --------------------------------------------------------------


@pytest.mark.parametrize("number", ["", "12345", "EMS 1234567", "EMS-1234567", "顺丰12345678", "X" * 31])
def test_a_tracking_number_is_6_to_30_letters_or_digits(number):
    error = invalid(Case(), "record_courier_notice", carrier="EMS", tracking_number=number)
    assert (error.field, error.code) == ("tracking_number", "tracking_number.format")


@pytest.mark.parametrize("number", ["123456", "EMS1234567890CN", "SF" + "1" * 28])
def test_a_well_formed_tracking_number_is_accepted(number):
    Case().check("record_courier_notice", carrier="EMS", tracking_number=number)


def test_a_courier_notice_names_its_carrier_and_a_known_purpose():
    case = Case()
    assert invalid(case, "record_courier_notice", carrier=" ",
                   tracking_number="EMS1234567890CN").field == "carrier"
    error = invalid(case, "record_courier_notice", carrier="EMS", tracking_number="EMS1234567890CN",
                    purpose="birthday")
    assert (error.field, error.code) == ("purpose", "purpose.unknown")


def test_a_tracking_number_is_recorded_once():
    case = Case().do("record_courier_notice", carrier="EMS", tracking_number="EMS1234567890CN")
    error = refused(case, "record_courier_notice", carrier="SF", tracking_number="EMS1234567890CN")
    assert (error.code, error.field) == ("courier.duplicate", "tracking_number")
    assert error.http_status == 409


# ---- texts that must be given --------------------------------------------------------------


@pytest.mark.parametrize("action", ["withdraw", "close"])
def test_withdrawing_or_closing_needs_a_reason(action):
    case = Case().recognised()
    error = invalid(case, action, reason="  ")
    assert (error.field, error.code) == ("reason", "reason.required")
    case.check(action, reason="职工撤回申请")


def test_a_contact_record_needs_a_note():
    assert invalid(Case(), "record_contact").code == "note.required"


def test_a_dispute_names_a_known_event_and_says_what_happened():
    case = Case()
    assert invalid(case, "record_dispute", event="fight", note="x").code == "event.unknown"
    assert invalid(case, "record_dispute", event="arose").code == "note.required"
    case.check("record_dispute", event="arose", reason="职工对停工留薪期有异议")


# ---- property: what allowed_actions lists, check_action accepts -----------------------------


def _valid_fields(case: Case, name: str, data: st.DataObject) -> dict[str, Any] | None:
    """Sensible input for an allowed action, or None where no valid input exists right now."""
    s, draw = case.state, data.draw
    if name == "file_materials":
        codes = [m.code for m in case.inp.materials]
        return {"materials": tuple(draw(st.lists(st.sampled_from(codes), min_size=1, unique=True)))}
    if name == "apply_determination":
        return {"override_reason": "材料随后补交", "simple_case": draw(st.booleans())}
    if name == "record_determination":
        return {"recognised": draw(st.booleans())}
    if name == "grant_extension":
        target = "appraisal_conclusion" if s.stage == Stage.appraisal else "determination_application"
        current = s.deadlines[appraisal_deadline_name(s) if s.stage == Stage.appraisal else target]
        until = last_day(current) + timedelta(days=draw(st.integers(1, 20)))
        if s.stage == Stage.appraisal:
            if until > appraisal_conclusion_limit(s.appraisals[-1].applied_on):
                return None
        return {"deadline": target, "until": until}
    if name == "record_acceptance":  # the authority's acceptance of an application by hand
        return {"reference": "京人社工伤受字0042", "on": local_date(case.now)}
    if name == "start_suspension":
        return {"months": draw(st.integers(1, 12))}
    if name == "extend_suspension":
        room = 12 - s.suspension.extended_months
        return {"months": draw(st.integers(1, room))} if room else None
    if name == "record_courier_notice":
        return {"carrier": "EMS", "tracking_number": f"EMS{len(s.couriers) + 1:08d}CN",
                "purpose": draw(st.sampled_from(["return_to_work", "determination", "other"]))}
    if name == "record_courier_status":  # a recorded notice's tracking, read by hand
        notice = draw(st.sampled_from(s.couriers))
        status = draw(st.sampled_from(["in_transit", "signed", "returned"]))
        return {"tracking_number": notice.tracking_number, "status": status,
                "signed_by": "张三" if status == "signed" else ""}
    if name == "record_benefit_claim":
        accepted = draw(st.booleans())
        return {"accepted": accepted, "reference": "京工伤待遇0042" if accepted else "",
                "reason": "" if accepted else "材料不全"}
    if name == "record_contact":
        return {"note": "电话联系职工"}
    if name == "record_appraisal":
        return {"grade": draw(st.sampled_from([1, 4, 7, 10, "none"]))}
    if name == "request_reappraisal":
        return {} if case.now <= s.deadlines["reappraisal_request"].due_at else None
    if name == "record_offer":
        return {"party": draw(st.sampled_from(["employer", "employee"])), "amount": Decimal("30000")}
    if name in ("record_agreement", "record_payment"):
        return {"amount": Decimal(draw(st.sampled_from(["20000", "50000"])))}
    if name == "record_dispute":
        return {"event": draw(st.sampled_from(["arose", "mediation", "arbitration_filed"])),
                "note": "职工申请仲裁"}
    if name in ("withdraw", "close"):
        return {"reason": "结案"}
    if name == "pause_determination":
        return {"reason": "等待法院对劳动关系的判决", "awaiting": "某区人民法院"}
    if name == "resume_determination":
        return {"reference": "（2025）京0105民初123号"}
    if name == "override_si_standing":
        return {"si_enrolled": not covered(case.inp, s), "reason": "社保局出具参保证明",
                "documents": ("doc-1",)}
    return {}


SIDE_ACTIONS = frozenset({"withdraw", "close", "record_contact", "record_courier_notice", "record_dispute",
                          "record_courier_status", "record_benefit_claim", "override_si_standing"})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_allowed_action_with_valid_input_is_accepted(data):
    case = Case(ACCIDENT + timedelta(days=data.draw(st.integers(0, 700))))
    for _ in range(data.draw(st.integers(1, 40))):
        case.wait(timedelta(hours=data.draw(st.integers(0, 96))))
        allowed = allowed_actions(case.state)
        assert set(allowed) <= {a for a in ACTIONS if case.state.stage in ACTION_STAGES[a]}
        if case.state.stage in TERMINAL:
            assert allowed == ()
            assert not any(is_overdue(d, case.now) for d in case.state.deadlines.values())
            assert alarms(case.inp, case.state, case.now) == []
            break
        if case.state.stage == Stage.determination_applied and data.draw(st.booleans()):
            case.accept() if case.state.determination.accepted_on is None else case.decide(
                data.draw(st.booleans()))
            continue
        onward = [a for a in allowed if a not in SIDE_ACTIONS]  # mostly move the case on
        name = data.draw(st.sampled_from(onward if onward and data.draw(st.integers(0, 4)) else allowed))
        fields = _valid_fields(case, name, data)
        if fields is None:
            continue
        check_action(case.inp, case.state, act(name, **fields), case.now)  # must not raise
        case.do(name, **fields)
        found = alarms(case.inp, case.state, case.now)
        assert [a.at for a in found] == sorted(a.at for a in found)
        assert len({a.key for a in found}) == len(found)
        live = {n for n, d in case.state.deadlines.items() if d.active and d.met_at is None}
        assert {a.deadline for a in found} <= live
