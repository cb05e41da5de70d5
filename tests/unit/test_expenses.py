"""Medical-bill reconciliation: the four cases of the advance-payment measures, duplicates, reviews."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.compensation.expenses import Bill, check_duplicate, reconcile, review_items
from domain.shared.errors import RuleViolation

D = Decimal
CARD = Bill(entry_id="E1", invoice_number="No 0012345", hospital="Shenzhen People's Hospital",
            date=date(2025, 3, 2), amount=D("10000.00"), eligible_amount=D("9000.00"),
            paid_by="medical_insurance_card", medical_insurance_amount=D("6000.00"),
            slip_total=D("10000.00"), file_hash="abc123")
CASH = Bill(entry_id="E2", invoice_number="INV-2", hospital="Clinic", date=date(2025, 3, 5),
            amount=D("2000.00"), eligible_amount=D("2000.00"), paid_by="employee")
ADVANCED = Bill(entry_id="E3", invoice_number="INV-3", hospital="Clinic", date=date(2025, 3, 6),
                amount=D("5000.00"), eligible_amount=D("4500.00"), paid_by="employer")


def one(bill: Bill, *, enrolled: bool, recognised: bool = True):  # type: ignore[no-untyped-def]
    return reconcile([bill], recognised=recognised, si_enrolled=enrolled).bills[0]


def test_case_1_enrolled_medical_insurance_paid_first() -> None:
    r = one(CARD, enrolled=True)
    assert (r.case, r.medical_insurance_recovery, r.refund, r.refund_to) == (
        1, D("6000.00"), D("3000.00"), "employee")
    assert (r.injury_fund_owes, r.employer_owes, r.outside_catalogue) == (D("9000.00"), 0, D("1000.00"))
    assert "art. 5 case (1)" in r.article and "max(0, E 9000.00 − M 6000.00 − T 0.00)" in r.explanation


def test_case_2_enrolled_medical_insurance_did_not_pay() -> None:
    r = one(ADVANCED, enrolled=True)
    assert (r.case, r.medical_insurance_recovery, r.refund, r.refund_to, r.injury_fund_owes) == (
        2, 0, D("4500.00"), "employer", D("4500.00"))
    assert r.outside_catalogue == D("500.00")


def test_case_3_not_enrolled_medical_insurance_paid_first() -> None:
    r = one(CARD, enrolled=False)
    assert (r.case, r.medical_insurance_recovery, r.refund, r.refund_to) == (
        3, D("6000.00"), D("3000.00"), "employee")
    assert (r.injury_fund_owes, r.employer_owes) == (0, D("9000.00"))
    assert "5 working days" in r.explanation and "advances" in r.explanation
    assert "Reg. art. 62 ¶2" in r.article


def test_case_4_not_enrolled_nothing_paid_by_medical_insurance() -> None:
    r = one(CASH, enrolled=False)
    assert (r.case, r.refund, r.refund_to, r.employer_owes, r.injury_fund_owes) == (
        4, D("2000.00"), "employee", D("2000.00"), 0)
    own = one(replace(ADVANCED, medical_insurance_amount=D("1000.00")), enrolled=False)
    assert (own.refund, own.refund_to, own.employer_owes) == (0, None, D("1000.00"))  # repays M only


def test_third_party_payments_are_not_paid_twice() -> None:
    r = one(replace(CARD, third_party_amount=D("2500.00")), enrolled=True)
    assert r.refund == D("500.00") and r.article.endswith("SIL art. 42")


def test_not_recognised_nobody_owes_anything() -> None:
    r = one(CARD, enrolled=True, recognised=False)
    assert r.case is None and r.injury_fund_owes == r.refund == r.medical_insurance_recovery == 0
    assert "settlement stands" in r.explanation


def test_ledger_totals() -> None:
    result = reconcile([CARD, CASH, ADVANCED], recognised=True, si_enrolled=True)
    t = result.totals
    assert (t.medical_insurance_recovery, t.refund_to_employee, t.refund_to_employer) == (
        D("6000.00"), D("5000.00"), D("4500.00"))
    assert (t.injury_fund_owes, t.employer_owes, t.outside_catalogue) == (
        D("15500.00"), 0, D("1500.00"))
    assert result.review_items == ()


@pytest.mark.parametrize("again", [
    replace(CARD, entry_id="E9", invoice_number="no0012345 ", hospital="shenzhen people's  hospital"),
    replace(CASH, entry_id="E9", invoice_number="NO 0012345", hospital=CARD.hospital),
])
def test_a_duplicate_invoice_is_refused_naming_the_earlier_entry(again: Bill) -> None:
    with pytest.raises(RuleViolation) as err:
        reconcile([CARD, again], recognised=True, si_enrolled=True)
    assert err.value.field == "invoice_number" and "entry E1" in err.value.message


def test_the_same_file_twice_is_refused() -> None:
    again = replace(CASH, file_hash="ABC123 ")
    with pytest.raises(RuleViolation) as err:
        check_duplicate(again, [CARD])
    assert err.value.field == "file_hash" and "entry E1" in err.value.message
    check_duplicate(replace(CASH, invoice_number="INV-2", hospital="Other clinic"), [CASH])


def test_slip_mismatch_and_insurance_above_eligible_become_review_items() -> None:
    assert review_items(CARD) == []
    mismatch = review_items(replace(CARD, slip_total=D("9800.00")))
    assert [r.code for r in mismatch] == ["expense.slip_mismatch"]
    assert "10000.00" in mismatch[0].message and "9800.00" in mismatch[0].message
    above = reconcile([replace(CARD, eligible_amount=D("5000.00"))], recognised=True, si_enrolled=True)
    assert [r.code for r in above.review_items] == ["expense.insurance_above_eligible"]


@pytest.mark.parametrize(("change", "field"), [
    ({"amount": D("0")}, "bills[0].amount"),
    ({"eligible_amount": D("10000.01")}, "bills[0].eligible_amount"),
    ({"medical_insurance_amount": D("-1")}, "bills[0].medical_insurance_amount"),
    ({"third_party_amount": D("4500")}, "bills[0].third_party_amount"),
    ({"invoice_number": " "}, "bills[0].invoice_number"),
    ({"paid_by": "cash"}, "bills[0].paid_by"),
])
def test_bad_bills_name_the_field(change: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(RuleViolation) as err:
        reconcile([replace(CARD, **change)], recognised=True, si_enrolled=True)
    assert err.value.field == field
