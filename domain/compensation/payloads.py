"""Compensation estimate payloads: the request and the estimate it answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from domain.compensation.items import Item, PolicyRow
from domain.compensation.late_period import FundCost, LatePeriod, LatePeriodCosts
from domain.compensation.third_party import ThirdPartyClaim, ThirdPartyEstimate


@dataclass(frozen=True)
class Dependant:
    """A relative the deceased supported (MOLSS Order 18); +10 % for an orphan or lone elder."""

    relation: str
    orphan_or_lone_elder: bool = False


@dataclass(frozen=True)
class EstimateRequest:
    """What the calculator needs: a grade (1-10) or a death, the wages and the region."""

    region: str
    injury_date: date
    si_enrolled: bool
    grade: int | None = None
    death: bool = False
    monthly_wage: Decimal | None = None
    wages_12_months: tuple[Decimal, ...] | None = None
    regional_average_monthly_wage: Decimal | None = None
    provincial_average_monthly_wage: Decimal | None = None
    minimum_monthly_wage: Decimal | None = None
    contract_ends: date | None = None
    dependants: tuple[Dependant, ...] = ()
    nursing_level: str | None = None
    suspension_months: int | None = None
    third_party_liable: bool = False
    # a death: None = not said (all three items, with a warning), False = during the paid
    # suspension period (Reg. art. 39 ¶2), True = after it, which needs the grade 1-4 (¶3)
    died_after_suspension: bool | None = None
    died_on: date | None = None   # a death's day: within a late application's period, art. 17 ¶4
    # Guangdong art. 35: the average monthly contribution wage of the 12 months before employment ends
    average_wage_before_employment_ends: Decimal | None = None
    # the worker's statutory retirement date (Zhejiang art. 27 ¶2: the employment subsidy's reduction)
    retirement_date: date | None = None
    third_party: ThirdPartyClaim | None = None   # the civil claim's inputs (negotiation.py)
    offer: Decimal | None = None                 # what the employer offered, to place in the range
    service_months: int | None = None            # length of service, for LCL art. 47
    # a late application (Reg. art. 17 ¶4): the employer's period, and the fund's costs by day
    late_period: LatePeriod | None = None
    fund_costs: tuple[FundCost, ...] = ()


@dataclass(frozen=True)
class WageBasis:
    """本人工资 W: the pre-injury monthly average bounded to 60-300 % of the regional average A."""

    own_average: Decimal
    months: int
    regional_average: Decimal
    floor: Decimal
    cap: Decimal
    basis: Decimal
    bound: Literal["floor", "cap"] | None
    article: str
    formula: str


@dataclass(frozen=True)
class Totals:
    fund: Decimal
    employer: Decimal
    total: Decimal


@dataclass(frozen=True)
class Reason:
    """One step of the negotiation answer, Chinese first, with its basis."""

    topic: Literal["statutory", "employer", "low", "risk", "high", "third_party", "offer", "warning"]
    zh: str
    en: str
    basis: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class NegotiationRange:
    """Three answers: 法定金额, 企业应承担 and 协商区间 (low, high), each bound from a rule."""

    low: Decimal
    high: Decimal
    label: str
    basis: str
    statutory_amount: Decimal = Decimal("0.00")
    employer_share: Decimal = Decimal("0.00")
    fund_share: Decimal = Decimal("0.00")
    reasons: tuple[Reason, ...] = ()
    third_party: ThirdPartyEstimate | None = None
    offer: Decimal | None = None
    unverified: tuple[str, ...] = ()


@dataclass(frozen=True)
class DependantShare:
    """One dependant's monthly pension: the percentage of W, the cut the cap takes, the amount."""

    relation: str
    orphan_or_lone_elder: bool
    percent: int
    uncapped: Decimal
    cut: Decimal
    amount: Decimal
    formula: str


@dataclass(frozen=True)
class Option:
    """One of the choices the law leaves to the worker (grades 5-6, Reg. art. 36): its own items;
    `once` and `monthly` are what the choice comes to in all (the estimate's items plus these)."""

    code: str
    article: str
    condition: str
    items: tuple[Item, ...]
    once: Totals
    monthly: Totals


@dataclass(frozen=True)
class Estimate:
    rule_set: str
    rule_set_title: str
    wage_basis: WageBasis
    items: tuple[Item, ...]
    once: Totals
    monthly: Totals
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    policy_rows: tuple[PolicyRow, ...]
    suggested_negotiation_range: NegotiationRange
    options: tuple[Option, ...] = ()
    dependant_pensions: tuple[DependantShare, ...] = ()
    late_period: LatePeriodCosts | None = None
