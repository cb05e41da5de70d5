"""Medical-bill reconciliation after a work-injury determination (医保先行支付 / 工伤报销).

statutes.md §3: once the injury is recognised, costs within the injury catalogues (E) are the injury
fund's (SIL art. 30 ¶1), and what basic medical insurance paid first (M) is refunded to it. The four
cases of 社会保险基金先行支付暂行办法 art. 5:
  (1) enrolled, medical insurance paid: the injury fund refunds M and pays max(0, E − M − T);
  (2) enrolled, medical insurance did not pay: the injury fund pays max(0, E − T);
  (3) not enrolled, medical insurance paid: the employer repays M and pays the rest within 5 working
      days of the agency's demand, else the injury fund advances them and recovers them;
  (4) not enrolled, medical insurance did not pay: the employer pays, else the fund advances.
T is what a third party has already paid (SIL art. 42; no double recovery). Costs outside the
catalogues (amount − E) are not payable by the fund.

Two more items of the fund (Reg. art. 30 ¶4; SIL art. 38 (2), (3)) share the ledger, though medical
insurance never pays them: the hospital food allowance (住院伙食补助费), days in hospital × the
pooling region's daily standard, and travel, food and lodging for treatment outside the pooling
region (统筹地区以外就医交通食宿费), payable only with a hospital's certificate and the agency's
consent. Both standards are set by each region's government (art. 30 ¶4): HR enters the daily
standard with the document it comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from domain.shared.errors import RuleViolation

PaidBy = Literal["medical_insurance_card", "employee", "employer"]
PAID_BY = ("medical_insurance_card", "employee", "employer")
Kind = Literal["medical", "hospital_food", "travel"]
KINDS = ("medical", "hospital_food", "travel")
KIND_ZH = {"medical": "医疗费", "hospital_food": "住院伙食补助费", "travel": "统筹地区以外就医交通食宿费"}
KIND_ARTICLE = {"hospital_food": "Reg. art. 30 ¶4; SIL art. 38 (2)",
                "travel": "Reg. art. 30 ¶4; SIL art. 38 (3)"}
MAX_BILL = Decimal("100000000")
MAX_DAILY_STANDARD = Decimal("1000.00")  # a guard against a typed total; regional standards are tens
FEN = Decimal("0.01")
ZERO = Decimal("0.00")
_ARTICLES = {
    1: "先行支付暂行办法 art. 5 case (1); SIL art. 30 ¶1",
    2: "先行支付暂行办法 art. 5 case (2); Reg. art. 30 ¶3",
    3: "先行支付暂行办法 art. 5 case (3); Reg. art. 62 ¶2; SIL art. 41",
    4: "先行支付暂行办法 art. 5 case (4); Reg. art. 62 ¶2; SIL art. 41",
}


@dataclass(frozen=True)
class Bill:
    """One medical bill as entered: the invoice, who paid at the time and the settlement slip."""

    entry_id: str
    invoice_number: str
    hospital: str
    date: date
    amount: Decimal                          # invoice total, as claimed
    eligible_amount: Decimal                 # E: within the injury catalogues (Reg. art. 30 ¶3)
    paid_by: PaidBy
    medical_insurance_amount: Decimal = ZERO  # M: the medical-insurance fund's payment per the slip
    slip_total: Decimal | None = None        # total costs shown on the settlement slip
    third_party_amount: Decimal = ZERO       # T: already paid by a liable third party
    file_hash: str | None = None
    kind: Kind = "medical"
    stay: HospitalStay | None = None          # hospital_food: the stay and the daily standard
    approval_reference: str = ""              # travel: the agency's consent (经办机构同意)


@dataclass(frozen=True)
class HospitalStay:
    """A stay in hospital for the injury and the region's daily food-allowance standard."""

    admitted_on: date
    discharged_on: date
    daily_standard: Decimal
    standard_source: str                      # the regional document the standard comes from

    @property
    def days(self) -> int:
        """Days in hospital: discharge date − admission date (the day of admission counts, the day
        of discharge does not), a same-day stay counting one."""
        return max((self.discharged_on - self.admitted_on).days, 1)

    @property
    def allowance(self) -> Decimal:
        return _fen(self.daily_standard * self.days)

    def overlaps(self, other: HospitalStay) -> bool:
        """Whether the two share a counted day (a same-day stay counts its one day)."""
        return self.admitted_on < other._end and other.admitted_on < self._end

    @property
    def _end(self) -> date:
        return self.admitted_on + timedelta(days=self.days)


@dataclass(frozen=True)
class BillResult:
    """What happens to one bill: the art. 5 case, who owes what to whom, and why."""

    entry_id: str
    invoice_number: str
    hospital: str
    case: int | None                          # 1-4, None when the injury is not recognised
    medical_insurance_recovery: Decimal       # M, to return to the medical-insurance fund
    refund: Decimal                           # max(0, E − M − T), to whoever paid
    refund_to: Literal["employee", "employer"] | None
    injury_fund_owes: Decimal
    employer_owes: Decimal
    outside_catalogue: Decimal
    article: str
    explanation: str


@dataclass(frozen=True)
class ReviewItem:
    """A work item for HR: a bill whose figures do not agree."""

    entry_id: str
    invoice_number: str
    code: str
    message: str


@dataclass(frozen=True)
class LedgerTotals:
    medical_insurance_recovery: Decimal
    refund_to_employee: Decimal
    refund_to_employer: Decimal
    injury_fund_owes: Decimal
    employer_owes: Decimal
    outside_catalogue: Decimal


@dataclass(frozen=True)
class Reconciliation:
    recognised: bool
    si_enrolled: bool
    bills: tuple[BillResult, ...]
    totals: LedgerTotals
    review_items: tuple[ReviewItem, ...]


def check_bill(bill: Bill, prefix: str = "") -> None:
    """Amounts in range and consistent; RuleViolation naming the field."""
    for name in ("entry_id", "invoice_number", "hospital"):
        if not str(getattr(bill, name) or "").strip():
            raise RuleViolation(f"{prefix}{name}", "expense.missing", f"{name} must not be empty")
    if bill.paid_by not in PAID_BY:
        raise RuleViolation(f"{prefix}paid_by", "expense.paid_by", f"paid_by: one of {', '.join(PAID_BY)}")
    if not bill.amount.is_finite() or not ZERO < bill.amount <= MAX_BILL:
        raise RuleViolation(f"{prefix}amount", "expense.amount",
                            f"amount {bill.amount}: a bill is above 0 and at most {MAX_BILL}")
    for name in ("eligible_amount", "medical_insurance_amount", "third_party_amount"):
        value: Decimal = getattr(bill, name)
        if not value.is_finite() or not ZERO <= value <= bill.amount:
            raise RuleViolation(f"{prefix}{name}", "expense.amount",
                                f"{name} {value} must lie between 0 and the bill's amount {bill.amount}")
    if bill.medical_insurance_amount + bill.third_party_amount > bill.amount:
        raise RuleViolation(f"{prefix}third_party_amount", "expense.overpaid",
                            f"medical insurance {bill.medical_insurance_amount} and the third party "
                            f"{bill.third_party_amount} together paid more than the bill {bill.amount}")
    if bill.slip_total is not None and (not bill.slip_total.is_finite() or bill.slip_total < 0):
        raise RuleViolation(f"{prefix}slip_total", "expense.amount", "slip_total must be >= 0")
    if bill.kind not in KINDS:
        raise RuleViolation(f"{prefix}kind", "expense.kind", f"kind: one of {', '.join(KINDS)}")
    if bill.kind != "medical":
        _check_fund_item(bill, prefix)


def _check_fund_item(bill: Bill, prefix: str) -> None:
    """A food allowance or a travel cost: medical insurance pays neither (SIL art. 38 (2), (3)); a food
    allowance is its stay's days × the daily standard."""
    if bill.medical_insurance_amount or bill.slip_total is not None:
        field = "medical_insurance_amount" if bill.medical_insurance_amount else "slip_total"
        raise RuleViolation(f"{prefix}{field}", "expense.not_medical_insurance",
                            f"{field}: medical insurance does not pay a {KIND_ZH[bill.kind]} "
                            f"({bill.kind}); leave it empty")
    if bill.paid_by == "medical_insurance_card":
        raise RuleViolation(f"{prefix}paid_by", "expense.not_medical_insurance",
                            f"paid_by: medical insurance does not pay a {KIND_ZH[bill.kind]} "
                            f"({bill.kind}); employee or employer")
    if bill.kind == "travel":
        return
    stay = bill.stay
    if stay is None:
        raise RuleViolation(f"{prefix}admitted_on", "expense.stay_missing",
                            "a hospital food allowance needs admitted_on, discharged_on and "
                            "daily_standard")
    if stay.discharged_on < stay.admitted_on:
        raise RuleViolation(f"{prefix}discharged_on", "expense.stay_order",
                            f"discharged_on {stay.discharged_on} is before admitted_on {stay.admitted_on}")
    if not stay.daily_standard.is_finite() or not ZERO < stay.daily_standard <= MAX_DAILY_STANDARD:
        raise RuleViolation(f"{prefix}daily_standard", "expense.daily_standard",
                            f"daily_standard {stay.daily_standard}: the region's yuan per day, above 0 "
                            f"and at most {MAX_DAILY_STANDARD}")
    if not stay.standard_source.strip():
        raise RuleViolation(f"{prefix}standard_source", "expense.standard_source",
                            "standard_source: name the regional document that sets the daily standard "
                            "(Reg. art. 30 ¶4 leaves it to the pooling region)")
    if bill.amount != stay.allowance:
        raise RuleViolation(f"{prefix}amount", "expense.allowance_mismatch",
                            f"amount {bill.amount} is not {stay.days} days × {stay.daily_standard} = "
                            f"{stay.allowance}")


def check_duplicate(bill: Bill, earlier: Iterable[Bill]) -> None:
    """Refuse a bill already entered: same invoice number and hospital, or the same file."""
    for other in earlier:
        if other.entry_id == bill.entry_id:
            continue
        if (other.kind, invoice_key(other.invoice_number), hospital_key(other.hospital)) == (
                bill.kind, invoice_key(bill.invoice_number), hospital_key(bill.hospital)):
            raise RuleViolation(
                "invoice_number", "expense.duplicate_invoice",
                f"invoice {bill.invoice_number} of {bill.hospital} is already entry {other.entry_id} "
                f"({other.date}, {other.amount}); an invoice is reimbursed once")
        if bill.stay and other.stay and bill.stay.overlaps(other.stay):
            raise RuleViolation(
                "admitted_on", "expense.stay_overlap",
                f"the stay {bill.stay.admitted_on} to {bill.stay.discharged_on} overlaps entry "
                f"{other.entry_id} ({other.hospital}, {other.stay.admitted_on} to "
                f"{other.stay.discharged_on}); a day in hospital earns one food allowance")
        if bill.file_hash and other.file_hash and \
                bill.file_hash.strip().lower() == other.file_hash.strip().lower():
            raise RuleViolation(
                "file_hash", "expense.duplicate_file",
                f"the same file was already entered as entry {other.entry_id} (invoice "
                f"{other.invoice_number} of {other.hospital}, {other.date})")


def review_items(bill: Bill) -> list[ReviewItem]:
    """Figures that disagree: claimed amount vs the settlement slip; M above what the fund bears."""
    items = []
    if bill.slip_total is not None and bill.slip_total != bill.amount:
        items.append(ReviewItem(bill.entry_id, bill.invoice_number, "expense.slip_mismatch",
                                f"claimed amount {bill.amount} differs from the medical-insurance "
                                f"settlement slip's {bill.slip_total}: check before claiming"))
    if bill.kind == "travel" and not bill.approval_reference.strip():
        items.append(ReviewItem(bill.entry_id, bill.invoice_number, "expense.travel_unapproved",
                                "travel for treatment outside the pooling region is payable only with "
                                "a hospital's certificate and the agency's consent (Reg. art. 30 ¶4): "
                                "record the consent's reference; until then nothing is counted"))
    bears = bill.eligible_amount - bill.third_party_amount
    if bill.medical_insurance_amount > max(bears, ZERO):
        items.append(ReviewItem(bill.entry_id, bill.invoice_number, "expense.insurance_above_eligible",
                                f"medical insurance paid {bill.medical_insurance_amount}, more than the "
                                f"injury-eligible amount {bears} (E − T): confirm what the agency refunds"))
    return items


def reconcile(bills: Sequence[Bill], *, recognised: bool, si_enrolled: bool) -> Reconciliation:
    """Per bill: recovery for medical insurance, what the injury fund or employer owes, refunds."""
    for i, bill in enumerate(bills):
        check_bill(bill, f"bills[{i}].")
        check_duplicate(bill, bills[:i])
    results = tuple(_one(b, recognised, si_enrolled) for b in bills)
    reviews = tuple(r for b in bills for r in review_items(b))
    return Reconciliation(recognised, si_enrolled, results, _totals(results), reviews)


def _one(bill: Bill, recognised: bool, enrolled: bool) -> BillResult:
    if not recognised:
        return BillResult(bill.entry_id, bill.invoice_number, bill.hospital, None, ZERO, ZERO, None,
                          ZERO, ZERO, ZERO, "SIL art. 30 ¶1",
                          "not recognised as a work injury: the injury fund owes nothing and the "
                          "medical-insurance settlement stands")
    if bill.kind != "medical":
        return _fund_item(bill, enrolled)
    m, t, e = bill.medical_insurance_amount, bill.third_party_amount, bill.eligible_amount
    case = (1 if m else 2) if enrolled else (3 if m else 4)
    payee: Literal["employee", "employer"] = "employer" if bill.paid_by == "employer" else "employee"
    refund = _fen(max(ZERO, e - m - t))
    if not enrolled and payee == "employer":
        refund = ZERO  # the employer paid the bill itself and bears it
    owed = _fen(m) + refund
    shown = f"max(0, E {e} − M {m} − T {t}) = {refund} to the {payee}" if refund or payee == "employee" \
        else "nothing to refund: the employer paid and bears the bill"
    if enrolled:
        who = (f"the injury fund refunds M {m} to the medical-insurance fund and pays " if m
               else "the injury fund pays ") + shown
    else:
        who = ((f"the employer repays M {m} to the medical-insurance fund and pays " if m
                else "the employer pays ") + shown +
               "; within 5 working days of the agency's demand, else the injury fund advances it and "
               "recovers it from the employer")
    outside = _fen(bill.amount - e)
    if outside:
        who += f"; {outside} outside the injury catalogues is not payable by the fund"
    return BillResult(
        bill.entry_id, bill.invoice_number, bill.hospital, case, _fen(m), refund,
        payee if refund else None, owed if enrolled else ZERO, ZERO if enrolled else owed,
        outside, _ARTICLES[case] + ("; SIL art. 42" if t else ""), who)


def _fund_item(bill: Bill, enrolled: bool) -> BillResult:
    """A food allowance or a travel cost: the fund pays it to whoever paid (the employer when it did
    not enrol, Reg. art. 62 ¶2); travel without the agency's consent counts nothing yet."""
    approved = bill.kind != "travel" or bool(bill.approval_reference.strip())
    e = bill.eligible_amount if approved else ZERO
    t = bill.third_party_amount
    payee: Literal["employee", "employer"] = "employer" if bill.paid_by == "employer" else "employee"
    refund = _fen(max(ZERO, e - t))
    if not enrolled and payee == "employer":
        refund = ZERO
    if bill.stay is not None:
        basis = (f"{bill.stay.days} days in hospital ({bill.stay.admitted_on} to "
                 f"{bill.stay.discharged_on}) × {bill.stay.daily_standard} a day "
                 f"({bill.stay.standard_source}) = {bill.amount}")
    elif approved:
        basis = f"travel approved ({bill.approval_reference.strip()}): {e} within the standard"
    else:
        basis = "travel without the agency's consent: nothing is payable until it is recorded"
    shown = f"max(0, {e} − T {t}) = {refund} to the {payee}" if refund or payee == "employee" \
        else "nothing to refund: the employer paid and bears it"
    who = f"{basis}; " + (f"the injury fund pays {shown}" if enrolled else
                          f"the employer pays {shown}, else the injury fund advances it and recovers "
                          "it from the employer")
    outside = _fen(bill.amount - e)
    if outside:
        why = "above the standard" if approved else "not approved"
        who += f"; {outside} is not payable by the fund ({why})"
    article = KIND_ARTICLE[bill.kind] + ("" if enrolled else "; Reg. art. 62 ¶2; SIL art. 41")
    return BillResult(
        bill.entry_id, bill.invoice_number, bill.hospital, 2 if enrolled else 4, ZERO, refund,
        payee if refund else None, refund if enrolled else ZERO, ZERO if enrolled else refund,
        outside, article + ("; SIL art. 42" if t else ""), who)


def _totals(results: Iterable[BillResult]) -> LedgerTotals:
    rows = list(results)

    def total(pick: Callable[[BillResult], Decimal]) -> Decimal:
        return sum((pick(r) for r in rows), ZERO)

    return LedgerTotals(
        medical_insurance_recovery=total(lambda r: r.medical_insurance_recovery),
        refund_to_employee=total(lambda r: r.refund if r.refund_to == "employee" else ZERO),
        refund_to_employer=total(lambda r: r.refund if r.refund_to == "employer" else ZERO),
        injury_fund_owes=total(lambda r: r.injury_fund_owes),
        employer_owes=total(lambda r: r.employer_owes),
        outside_catalogue=total(lambda r: r.outside_catalogue),
    )


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def invoice_key(number: str) -> str:
    return "".join(number.split()).upper()


def stored_invoice_key(kind: str, number: str) -> str:
    """The key the ledger's unique constraint holds: a stay's admission number or a travel ticket
    carries its kind, so it never collides with a medical invoice's number."""
    return invoice_key(number) if kind == "medical" else f"{kind[0].upper()}:{invoice_key(number)}"


def hospital_key(name: str) -> str:
    return "".join(name.split()).casefold()
