"""The tools beside the two processes: the expense ledger, the compensation estimate, the dispute
history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from domain.compensation.expenses import ReviewItem
from domain.compensation.items import Item, PolicyRow
from domain.compensation.late_period import LatePeriodCosts
from domain.compensation.payloads import (
    DependantShare,
    NegotiationRange,
    Option,
    Totals,
    WageBasis,
)

# ---- the expense ledger ------------------------------------------------------------------------


class ExpenseEntryOut(BaseModel):
    """A stored bill: money in yuan; `eligible_assumed` when eligible_amount was not given; a
    hospital_food entry's stay and daily standard, a travel entry's consent."""

    id: str
    case_id: str
    invoice_number: str
    hospital: str
    bill_date: date
    amount: Decimal
    eligible_amount: Decimal | None
    paid_by: str
    medical_insurance_amount: Decimal
    slip_total: Decimal | None
    third_party_amount: Decimal
    document_id: str | None
    file_sha256: str | None
    note: str
    entered_by: str
    entered_at: datetime
    eligible_assumed: bool
    kind: str
    kind_zh: str
    admitted_on: date | None
    discharged_on: date | None
    stay_days: int | None
    daily_standard: Decimal | None
    standard_source: str | None
    approval_reference: str | None


class ExpenseRecorded(BaseModel):
    entry: ExpenseEntryOut
    review_items: list[ReviewItem]


class ReconciliationOut(BaseModel):
    """What happens to one bill: the art. 5 case (1-4; none unless recognised), who owes what."""

    invoice_number: str
    hospital: str
    case: int | None
    medical_insurance_recovery: Decimal
    refund: Decimal
    refund_to: str | None
    injury_fund_owes: Decimal
    employer_owes: Decimal
    outside_catalogue: Decimal
    article: str
    explanation: str


class LedgerEntryOut(ExpenseEntryOut):
    reconciliation: ReconciliationOut


class LedgerDeterminationOut(BaseModel):
    recognised: bool | None
    decided_on: date | None
    reference: str


class LedgerTotalsOut(BaseModel):
    bills: str = Field(description="how many bills (a count, as text)")
    amount: Decimal
    medical_insurance_recovery: Decimal
    refund_to_employee: Decimal
    refund_to_employer: Decimal
    injury_fund_owes: Decimal
    employer_owes: Decimal
    outside_catalogue: Decimal


class LedgerOut(BaseModel):
    """The case's bills reconciled on a basis (provisional, recognised, not_recognised)."""

    case_id: str
    si_enrolled: bool
    determination: LedgerDeterminationOut
    basis: str
    label: str
    entries: list[LedgerEntryOut]
    totals: LedgerTotalsOut
    review_items: list[ReviewItem]
    notes: list[str]


# ---- the compensation estimate -----------------------------------------------------------------


class RuleSetOut(BaseModel):
    name: str
    title: str


class EstimateTotals(BaseModel):
    once: Totals
    monthly: Totals


class EstimateOut(BaseModel):
    """The statutory items (payer, article, formula), totals by payer, the figures used and their
    sources; apart, the negotiation answers: 法定金额, 企业应承担 and 协商区间 with each bound's
    reason and basis (Chinese first), the civil claim against a liable third party, and the
    figures used that are not verified."""

    rule_set: RuleSetOut
    wage_basis: WageBasis
    items: list[Item]
    totals: EstimateTotals
    warnings: list[str]
    notes: list[str]
    policy_rows: list[PolicyRow]
    suggested_negotiation_range: NegotiationRange
    options: list[Option] = Field(description="grades 5-6 (Reg. art. 36): keep_employment and "
                                  "end_employment, each with its own items and totals (the common "
                                  "items plus its own), never added together")
    dependant_pensions: list[DependantShare] = Field(description="a death: each dependant's pension, "
                                                     "the cut the cap takes shared in proportion")
    late_period: LatePeriodCosts | None = Field(
        default=None, description="a late determination application (Reg. art. 17 ¶4): the fund's "
        "costs within the employer's period, moved to the employer (also in items), and those "
        "after it, which stay with the fund; provisional, up to today, until the period's end is known")


class AppraisalUsed(BaseModel):
    round: int
    grade: int | None
    concluded_on: date | None
    reference: str


class CaseBasis(BaseModel):
    """What the estimate took from the case, and where the grade and suspension months came from."""

    id: str
    region: str
    injury_date: date
    si_enrolled: bool
    grade: int | None
    grade_source: Literal["override", "appraisal"] | None   # None: a death without a grade
    death: bool = False
    died_after_suspension: bool | None = None
    died_on: date | None = None
    appraisal: AppraisalUsed | None
    suspension_months: int | None
    suspension_months_source: Literal["given", "case"] | None


class CaseEstimateOut(EstimateOut):
    case: CaseBasis


# ---- the dispute history -----------------------------------------------------------------------


class DisputeOut(BaseModel):
    """A finished dispute: a closed or withdrawn case (source "case") or an imported row."""

    id: int
    source: str
    case_id: str | None
    import_batch: str | None
    import_row: int | None
    reference: str
    cause: str
    injury: str
    location: str
    region: str
    accident_on: date | None
    closed_on: date | None
    si_enrolled: bool | None
    traffic_accident: bool | None
    recognised: bool | None
    grade: int | None
    no_disability: bool
    suspension_months: int | None
    employer_offers: list[Decimal]
    employee_demands: list[Decimal]
    agreed_amount: Decimal | None
    paid_amount: Decimal | None
    duration_days: int | None
    outcome: str
    disputes: list[str]
    missed_deadlines: list[str]
    notes: str
    recorded_by: str
    recorded_at: datetime


class SimilarDisputeOut(DisputeOut):
    score: float
    match: dict[str, float]


class SimilarQuery(BaseModel):
    injury: str
    grade: int | None
    si_enrolled: bool | None
    region: str | None
    traffic_accident: bool | None


class AgreedSummary(BaseModel):
    """What the matches settled for: how many agreed, lowest, median, highest."""

    agreed_count: int
    agreed_min: Decimal | None
    agreed_median: Decimal | None
    agreed_max: Decimal | None


class SimilarDisputes(BaseModel):
    query: SimilarQuery
    searched: int
    items: list[SimilarDisputeOut]
    summary: AgreedSummary


class DisputePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[DisputeOut]


class ImportEvidence(BaseModel):
    subject_id: str
    seq: int
    entry_hash: str


class DisputesImported(BaseModel):
    batch_id: str
    rows: int
    sha256: str
    evidence: ImportEvidence
