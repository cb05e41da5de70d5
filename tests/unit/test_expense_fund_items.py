"""The ledger's other fund items (Reg. art. 30 ¶4; SIL art. 38 (2), (3)): a hospital stay's food
allowance and travel for treatment outside the pooling region, worked to the fen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.compensation.expenses import (
    Bill,
    HospitalStay,
    check_bill,
    check_duplicate,
    reconcile,
    review_items,
    stored_invoice_key,
)
from domain.compensation.late_period import LatePeriod, fund_costs_of, late_period_costs
from domain.injury.late_costs import late_rule
from domain.shared.errors import RuleViolation
from domain.shared.labels import REFUSALS

D = Decimal
SOURCE = "某市人社局关于工伤职工住院伙食补助费标准的通知（示例文号）"
STAY = HospitalStay(date(2026, 3, 2), date(2026, 3, 19), D("35.50"), SOURCE)  # 17 days
FOOD = Bill(entry_id="F1", invoice_number="ZY-2026-0042", hospital="市第一人民医院",
            date=date(2026, 3, 19), amount=D("603.50"), eligible_amount=D("603.50"),
            paid_by="employee", kind="hospital_food", stay=STAY)
TRAVEL = Bill(entry_id="T1", invoice_number="G1234-0305", hospital="北京积水潭医院",
              date=date(2026, 3, 5), amount=D("1280.00"), eligible_amount=D("1100.00"),
              paid_by="employee", kind="travel", approval_reference="深人社工伤异地〔2026〕17号")


def one(bill: Bill, *, enrolled: bool = True, recognised: bool = True):  # type: ignore[no-untyped-def]
    return reconcile([bill], recognised=recognised, si_enrolled=enrolled).bills[0]


def test_a_stay_counts_the_admission_day_not_the_discharge_day() -> None:
    assert (STAY.days, STAY.allowance) == (17, D("603.50"))  # 17 × 35.50
    same_day = replace(STAY, discharged_on=STAY.admitted_on)
    assert (same_day.days, same_day.allowance) == (1, D("35.50"))


def test_the_fund_pays_a_food_allowance_to_whoever_paid_when_enrolled() -> None:
    r = one(FOOD)
    assert (r.case, r.injury_fund_owes, r.employer_owes, r.refund, r.refund_to) == (
        2, D("603.50"), 0, D("603.50"), "employee")
    assert r.article.startswith("Reg. art. 30 ¶4; SIL art. 38 (2)")
    assert "17 days in hospital (2026-03-02 to 2026-03-19) × 35.50 a day" in r.explanation
    assert SOURCE in r.explanation


def test_the_employer_pays_a_food_allowance_when_it_did_not_enrol() -> None:
    r = one(FOOD, enrolled=False)
    assert (r.case, r.injury_fund_owes, r.employer_owes) == (4, 0, D("603.50"))
    assert "Reg. art. 62 ¶2" in r.article and "advances" in r.explanation


def test_approved_travel_is_paid_within_the_standard_and_the_rest_is_not() -> None:
    r = one(TRAVEL)
    assert (r.injury_fund_owes, r.outside_catalogue) == (D("1100.00"), D("180.00"))
    assert "SIL art. 38 (3)" in r.article and "above the standard" in r.explanation
    assert review_items(TRAVEL) == []


def test_travel_without_the_agencys_consent_counts_nothing_and_asks_for_it() -> None:
    unapproved = replace(TRAVEL, approval_reference="")
    r = one(unapproved)
    assert (r.injury_fund_owes, r.employer_owes, r.outside_catalogue) == (0, 0, D("1280.00"))
    assert [i.code for i in review_items(unapproved)] == ["expense.travel_unapproved"]


def test_not_recognised_owes_nothing_for_fund_items() -> None:
    assert one(FOOD, recognised=False).injury_fund_owes == 0


def test_a_third_partys_payment_is_not_paid_twice() -> None:
    r = one(replace(FOOD, third_party_amount=D("100.00")))
    assert (r.injury_fund_owes, r.article.endswith("SIL art. 42")) == (D("503.50"), True)


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"medical_insurance_amount": D("10.00")}, "medical_insurance_amount", "expense.not_medical_insurance"),
    ({"slip_total": D("603.50")}, "slip_total", "expense.not_medical_insurance"),
    ({"amount": D("600.00"), "eligible_amount": D("600.00")}, "amount", "expense.allowance_mismatch"),
    ({"stay": None}, "admitted_on", "expense.stay_missing"),
    ({"stay": replace(STAY, discharged_on=date(2026, 3, 1))}, "discharged_on", "expense.stay_order"),
    ({"stay": replace(STAY, daily_standard=D("0"))}, "daily_standard", "expense.daily_standard"),
    ({"stay": replace(STAY, daily_standard=D("1000.01"))}, "daily_standard", "expense.daily_standard"),
    ({"stay": replace(STAY, standard_source="  ")}, "standard_source", "expense.standard_source"),
    ({"kind": "parking"}, "kind", "expense.kind"),
    ({"paid_by": "medical_insurance_card"}, "paid_by", "expense.not_medical_insurance"),
])
def test_a_bad_food_allowance_is_refused_naming_the_field(change, field, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as refused:
        check_bill(replace(FOOD, **change))
    assert (refused.value.field, refused.value.code) == (field, code) and code in REFUSALS


def test_overlapping_stays_are_refused_and_adjacent_ones_are_not() -> None:
    later = replace(FOOD, entry_id="F2", invoice_number="ZY-2026-0077", hospital="康复医院",
                    stay=replace(STAY, admitted_on=date(2026, 3, 18), discharged_on=date(2026, 4, 1)))
    with pytest.raises(RuleViolation) as refused:
        check_duplicate(later, [FOOD])
    assert refused.value.code == "expense.stay_overlap" and "F1" in refused.value.message
    transfer = replace(later, stay=replace(later.stay, admitted_on=date(2026, 3, 19)))  # type: ignore[arg-type]
    check_duplicate(transfer, [FOOD])  # discharged and admitted elsewhere the same day
    day_case = replace(later, stay=replace(STAY, admitted_on=date(2026, 5, 4),
                                           discharged_on=date(2026, 5, 4)))
    with pytest.raises(RuleViolation):
        check_duplicate(replace(day_case, entry_id="F3", invoice_number="ZY-3"), [day_case])


def test_an_admission_number_never_collides_with_a_medical_invoice() -> None:
    medical = replace(FOOD, entry_id="M1", kind="medical", stay=None)
    check_duplicate(FOOD, [medical])
    assert stored_invoice_key("hospital_food", "zy 2026") == "H:ZY2026"
    assert stored_invoice_key("medical", "zy 2026") == "ZY2026"


def test_a_stay_across_the_late_periods_end_is_split_by_days() -> None:
    """Accident 2026-03-02, accepted 2026-03-10 (national reading: the acceptance day is the
    employer's): days 1-9 of 17 (2026-03-02 … 2026-03-10) are the employer's, 9 × 35.50 = 319.50."""
    period = LatePeriod(date(2026, 3, 2), date(2026, 3, 10), late_rule("national"), date(2026, 6, 1))
    ledger = reconcile([FOOD], recognised=True, si_enrolled=True)
    costs = fund_costs_of([FOOD], ledger, period.last_day)
    assert [(c.on, c.amount) for c in costs] == [(date(2026, 3, 2), D("319.50")),
                                                  (date(2026, 3, 11), D("284.00"))]
    result = late_period_costs(period, costs)
    assert result.moved_total == D("319.50") and "days 1-9 of 17" in result.moved[0].reference
    whole = fund_costs_of([FOOD], ledger, date(2026, 4, 30))
    assert [(c.on, c.amount) for c in whole] == [(date(2026, 3, 2), D("603.50"))]


@given(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(0, 400),
       st.decimals(D("0.01"), D("1000.00"), places=2), st.integers(-5, 405))
def test_a_split_stay_keeps_every_fen_and_each_part_follows_its_days(
        admitted: date, length: int, standard: Decimal, cut: int) -> None:
    stay = HospitalStay(admitted, admitted + timedelta(days=length), standard, SOURCE)
    assert stay.days == max(length, 1) and stay.allowance == (standard * stay.days).quantize(D("0.01"))
    food = replace(FOOD, date=stay.discharged_on, amount=stay.allowance,
                   eligible_amount=stay.allowance, stay=stay)
    check_bill(food)
    costs = fund_costs_of([food], reconcile([food], recognised=True, si_enrolled=True),
                          admitted + timedelta(days=cut))
    assert sum(c.amount for c in costs) == stay.allowance
    assert all(c.amount >= 0 for c in costs) and len(costs) in (1, 2)
