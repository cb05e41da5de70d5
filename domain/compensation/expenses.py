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
catalogues (amount − E) are not payable by the fund. Pure: the ledger's storage comes later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from domain.shared.errors import RuleViolation

PaidBy = Literal["medical_insurance_card", "employee", "employer"]
PAID_BY = ("medical_insurance_card", "employee", "employer")
MAX_BILL = Decimal("100000000")
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


def check_duplicate(bill: Bill, earlier: Iterable[Bill]) -> None:
    """Refuse a bill already entered: same invoice number and hospital, or the same file."""
    for other in earlier:
        if other.entry_id == bill.entry_id:
            continue
        if (invoice_key(other.invoice_number), hospital_key(other.hospital)) == (
                invoice_key(bill.invoice_number), hospital_key(bill.hospital)):
            raise RuleViolation(
                "invoice_number", "expense.duplicate_invoice",
                f"invoice {bill.invoice_number} of {bill.hospital} is already entry {other.entry_id} "
                f"({other.date}, {other.amount}); an invoice is reimbursed once")
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


def hospital_key(name: str) -> str:
    return "".join(name.split()).casefold()
