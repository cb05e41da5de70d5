"""The line items of a compensation estimate and the Answer that collects them (the items are
made in disability.py, termination.py and death.py from the rule set and the data rows).

Codes are stable (the API and its clients use them): suspension_wages, one_time_disability_subsidy,
monthly_disability_allowance, minimum_wage_top_up, nursing_care, one_time_medical_subsidy,
one_time_employment_subsidy, funeral_subsidy, one_time_death_subsidy, dependant_pension,
late_period_medical_expenses (a ledger bill or hospital stay within a late application's period,
late_period.py), late_period_dependant_pension (a death's pension months within that period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from domain.compensation.data import CompensationTables, WageScope
from domain.compensation.money import FEN, fen, money
from domain.compensation.rules import Payer, RuleSet
from domain.shared.errors import RuleViolation

if TYPE_CHECKING:
    from domain.compensation.payloads import DependantShare, EstimateRequest

__all__ = ["FEN", "Answer", "Choice", "Item", "PolicyRow", "check_wage", "fen", "money"]

Frequency = Literal["once", "monthly"]
NURSING_WORDS = {"complete": "completely unable to care for oneself",
                 "mostly": "mostly unable to care for oneself", "partly": "partly unable to care for oneself"}
MAX_MONTHLY_WAGE = Decimal("1000000")   # above this a monthly wage is a typo, not a wage
MAX_AVERAGE_WAGE = Decimal("200000")    # no published regional average comes near this


@dataclass(frozen=True)
class Item:
    """One statutory line item: amount in yuan (fen), who pays it, the article and the formula."""

    code: str
    amount: Decimal
    payer: Payer
    article: str
    formula: str
    frequency: Frequency


@dataclass(frozen=True)
class Choice:
    """One option of a grade 5-6 worker (Reg. art. 36): a code, its article, when it applies, items."""

    code: str
    article: str
    condition: str
    items: list[Item]


@dataclass(frozen=True)
class PolicyRow:
    """A figure the estimate used and where it came from; verified None = given by the caller."""

    kind: str
    region: str
    period: str
    value: str
    source: str
    verified: bool | None


def check_wage(value: Decimal, field: str, limit: Decimal = MAX_MONTHLY_WAGE) -> Decimal:
    """A monthly wage figure: finite, not negative, not absurd; RuleViolation naming the field."""
    if not value.is_finite() or value < 0:
        raise RuleViolation(field, "wage.negative", f"{field} {value}: a wage must be a number >= 0")
    if value > limit:
        raise RuleViolation(field, "wage.absurd",
                            f"{field} {value}: more than {limit} yuan a month is not a plausible figure")
    return value


class Answer:
    """Collects the items, warnings, notes and policy rows of one estimate."""

    def __init__(self, req: EstimateRequest, rules: RuleSet, tables: CompensationTables,
                 region: str) -> None:
        self.req, self.rules, self.tables, self.region = req, rules, tables, region
        self.items: list[Item] = []
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.rows = [PolicyRow("rule_set", "national", f"{rules.valid_from} to {rules.valid_to or '…'}",
                               rules.name, rules.source, rules.verified)]
        if not rules.verified:
            self.warnings.append(f"rule set {rules.name} used with a warning: {rules.source}")
        self.basis = self.own = Decimal(0)
        self._average: Decimal | None = None
        self.options: list[Choice] = []
        self.shares: tuple[DependantShare, ...] = ()

    def add(self, code: str, amount: Decimal, payer: Payer, article: str, formula: str,
            frequency: Frequency = "once", into: list[Item] | None = None) -> None:
        (self.items if into is None else into).append(
            Item(code, fen(amount), payer, article, formula, frequency))

    def regional_average(self) -> Decimal:
        """A: the request's figure, else the data row in force on the injury date; else refuse."""
        if self._average is None:
            self._average = self.figure("regional", self.req.regional_average_monthly_wage,
                                        "regional_average_monthly_wage", self.req.injury_date)
        if self._average is None:
            raise RuleViolation(
                "regional_average_monthly_wage", "compensation.average_wage_missing",
                f"no regional average monthly wage on file for {self.region} on "
                f"{self.req.injury_date}: pass regional_average_monthly_wage (the 统筹地区 "
                "previous-year average from the local notice)")
        return self._average

    def figure(self, scope: WageScope, given: Decimal | None, field: str, on: date) -> Decimal | None:
        """A wage figure from the request (preferred) or the data rows, recorded with its source."""
        row = self.tables.wage_figure(self.region, scope, on)
        if given is not None:
            check_wage(given, field, MAX_AVERAGE_WAGE)
            if given <= 0:
                raise RuleViolation(field, "wage.zero", f"{field} must be above 0")
            self.rows.append(PolicyRow(field, self.region, "as given", money(given),
                                       "given in the request", None))
            if row is not None and row.monthly != given:
                self.warnings.append(f"{field} {money(given)} differs from the figure on file "
                                     f"{money(row.monthly)} ({row.source}); the request's figure was used")
            return fen(given)
        if row is None:
            return None
        self.rows.append(PolicyRow(field, self.region, f"{row.period_start or '…'} to "
                                   f"{row.period_end or '…'}", money(row.monthly), row.source, row.verified))
        if not row.verified:
            self.warnings.append(f"{field} {money(row.monthly)} used with a warning: not verified "
                                 f"against the official notice ({row.source})")
        return fen(row.monthly)

    def suspension(self, own: Decimal) -> None:
        """Original pay during paid suspension, by the employer, no 60-300 % bound (Reg. art. 33)."""
        months, article = self.req.suspension_months, self.rules.article("suspension_wages")
        if months is None:
            self.notes.append(f"suspension_wages: during paid suspension the employer keeps paying the "
                              f"original wage {money(own)} a month ({article}); pass suspension_months "
                              "to include the total")
            return
        if months > 12:
            self.warnings.append(f"{months} months of paid suspension: beyond 12 months needs the city "
                                 f"labour-ability appraisal committee's confirmation ({article})")
        if months:
            self.add("suspension_wages", own * months, "employer", article,
                     f"original wage {money(own)} × {months} months (no 60-300 % bound)")

    def ignored(self, *fields: str) -> None:
        """A warning for each field given that this estimate does not use."""
        for name in fields:
            if getattr(self.req, name) is not None:
                self.warnings.append(f"{name} was ignored: it applies only to the one-time medical "
                                     "and employment subsidies when employment ends (grades 5-10)")
