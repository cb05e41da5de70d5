"""The line items of a compensation estimate, built from the rule set and the data rows.

Codes are stable (the API and its clients use them): suspension_wages, one_time_disability_subsidy,
monthly_disability_allowance, minimum_wage_top_up, nursing_care, one_time_medical_subsidy,
one_time_employment_subsidy, funeral_subsidy, one_time_death_subsidy, dependant_pension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from domain.compensation.data import CompensationTables, SubsidyTable, WageScope
from domain.compensation.money import FEN, fen, money
from domain.compensation.rules import Payer, RuleSet
from domain.compensation.termination import Adjusted, age_factor, end_average_base
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

    def disability(self) -> None:
        grade, w, rules = self.req.grade, self.basis, self.rules
        assert grade is not None
        n = rules.disability_months[grade]
        self.add("one_time_disability_subsidy", w * n, "fund",
                 rules.article("one_time_disability_subsidy", grade), f"{n} months × W {money(w)}")
        ends = self.req.contract_ends
        if grade <= 4:
            self._allowance(grade, self.items)
        elif grade <= 6:
            self._grade_5_6_options(grade)
        if self.req.nursing_level is not None:
            pct, a = rules.nursing_percent[self.req.nursing_level], self.regional_average()
            self.add("nursing_care", a * pct / 100, "fund", rules.article("nursing_care"),
                     f"{pct} % × A {money(a)} ({NURSING_WORDS[self.req.nursing_level]})", "monthly")
        if grade <= 4 and ends is not None:
            self.warnings.append("grades 1-4 keep the employment relationship (Reg. art. 35): "
                                 "contract_ends was ignored and no termination subsidies apply")
        elif grade >= 7 and ends is None:
            self.notes.append("the one-time medical and employment subsidies are due only when "
                              "employment ends (Reg. art. 37); pass contract_ends to include them")
        elif grade >= 7:
            self._termination(grade, self.items, required=True)
        if grade <= 4 or (grade >= 7 and ends is None):
            self._unused("average_wage_before_employment_ends", "retirement_date")

    def _grade_5_6_options(self, grade: int) -> None:
        """Both choices of Reg. art. 36, each apart: keep the job with the monthly allowance (¶1),
        or, when the worker asks to end the employment, the two one-time subsidies (¶2)."""
        keep: list[Item] = []
        self._allowance(grade, keep)
        self.options.append(Choice(
            "keep_employment", self.rules.article("monthly_disability_allowance", grade),
            "the employment relationship is kept; the employer arranges suitable work or, if it "
            "cannot, pays the monthly allowance", keep))
        end: list[Item] = []
        if self.req.contract_ends is None:
            self.notes.append("grades 5-6, end_employment option: no date employment ends "
                              "(contract_ends), so its figures are those in force on the injury date")
        if self._termination(grade, end, required=self.req.contract_ends is not None):
            self.options.append(Choice(
                "end_employment", self.rules.article("termination", grade),
                "only if the worker asks to end the employment: the monthly allowance stops and "
                "the two one-time subsidies replace it", end))

    def _unused(self, *fields: str) -> None:
        for name in fields:
            if getattr(self.req, name) is not None:
                self.warnings.append(f"{name} was ignored: it applies only to the one-time medical "
                                     "and employment subsidies when employment ends (grades 5-10)")

    def _allowance(self, grade: int, into: list[Item]) -> None:
        w, pct = self.basis, self.rules.allowance_percent[grade]
        payer: Payer = "fund" if grade <= 4 else "employer"
        article = self.rules.article("monthly_disability_allowance", grade)
        condition = "" if grade <= 4 else (" (only if the employer cannot arrange suitable work; the "
                                           "employer also pays the SI contributions on it)")
        self.add("monthly_disability_allowance", w * pct / 100, payer, article,
                 f"{pct} % × W {money(w)}{condition}", "monthly", into)
        allowance = into[-1].amount
        minimum = self.figure("minimum", self.req.minimum_monthly_wage, "minimum_monthly_wage",
                              self.req.injury_date)
        if minimum is None:
            self.warnings.append(f"no minimum wage on file for {self.region}: the top-up of the "
                                 "allowance to the local minimum wage was not checked; pass "
                                 "minimum_monthly_wage")
        elif allowance < minimum:
            self.add("minimum_wage_top_up", minimum - allowance, payer, article,
                     f"minimum wage {money(minimum)} − allowance {money(allowance)}", "monthly", into)

    def _termination(self, grade: int, into: list[Item], required: bool) -> bool:
        """One-time medical (fund) and employment (employer) subsidies: provincial tables, with
        Guangdong's art. 35 base and Zhejiang's art. 27 ¶2 age reduction (termination.py)."""
        try:
            table = self.tables.subsidy_table(self.region, self.req.injury_date)
        except RuleViolation as missing:
            if required:
                raise
            self.notes.append(f"the end_employment option is not shown: {missing.message}")
            return False
        found = self._termination_base(table, required)
        if found is None:
            return False
        base, label = found
        self.rows.append(PolicyRow("termination_subsidies", self.region, f"{table.period_start or '…'} "
                                   f"to {table.period_end or '…'}", table.article, table.source,
                                   table.verified))
        if not table.verified:
            self.warnings.append(f"{self.region} termination-subsidy table used with a warning: not "
                                 f"verified ({table.source})")
        self.notes.extend(table.notes)
        article = f"{self.rules.article('termination', grade)}; {table.article}"
        months = table.medical_months[grade]
        self.add("one_time_medical_subsidy", base * months, self.rules.medical_subsidy_payer, article,
                 f"{months} months × {label}", into=into)
        months, factor = table.employment_months[grade], self._age_factor(table)
        self.add("one_time_employment_subsidy", base * months * factor.value, "employer", article,
                 f"{months} months × {label}" + (
                     "" if factor.formula == "" else f" × {factor.value:.2f}: {factor.formula}"),
                 into=into)
        return True

    def _termination_base(self, table: SubsidyTable, required: bool) -> tuple[Decimal, str] | None:
        """The base and its label; None (with a note) if a figure is missing and not required."""
        end_average = self.req.average_wage_before_employment_ends
        if end_average is not None:
            check_wage(end_average, "average_wage_before_employment_ends")
        if table.base == "own_wage":
            if table.end_average_article is None or end_average is None:
                if table.end_average_article is not None:
                    self.notes.append(
                        f"{table.end_average_article}: if W is below the average monthly contribution "
                        "wage of the 12 months before employment ends, that average is the base (within "
                        "60-300 % of A); pass average_wage_before_employment_ends to apply it")
                elif end_average is not None:
                    self._unused_here("average_wage_before_employment_ends")
                return self.basis, f"W {money(self.basis)}"
            cap = fen(self.regional_average() * 3)
            adjusted = end_average_base(self.basis, fen(end_average), cap, table.end_average_article)
            return adjusted.value, f"base {money(adjusted.value)}: {adjusted.formula}"
        if end_average is not None:
            self._unused_here("average_wage_before_employment_ends")
        if table.base == "regional_average":
            a = self.regional_average()
            return a, f"A {money(a)}"
        on = self.req.contract_ends or self.req.injury_date
        found = self.figure("provincial", self.req.provincial_average_monthly_wage,
                            "provincial_average_monthly_wage", on)
        if found is None and required:
            raise RuleViolation(
                "provincial_average_monthly_wage", "compensation.provincial_average_missing",
                f"{self.region} bases the termination subsidies on the provincial previous-year "
                "average monthly wage when employment ends; none on file: pass "
                "provincial_average_monthly_wage")
        if found is None:
            self.notes.append(f"{self.region} bases the termination subsidies on the provincial "
                              "previous-year average monthly wage when employment ends; none on file, "
                              "so that option is not shown: pass provincial_average_monthly_wage")
            return None
        return found, f"provincial average P {money(found)}"

    def _unused_here(self, name: str) -> None:
        self.warnings.append(f"{name} was ignored: {self.region}'s termination subsidies do not use it")

    def _age_factor(self, table: SubsidyTable) -> Adjusted:
        rule, retirement, ends = table.employment_age_reduction, self.req.retirement_date, \
            self.req.contract_ends
        if rule is None:
            if retirement is not None:
                self._unused_here("retirement_date")
            return Adjusted(Decimal(1), "")
        if retirement is None or ends is None:
            missing = " and ".join(n for n, v in (("contract_ends", ends), ("retirement_date", retirement))
                                   if v is None)
            self.notes.append(f"{rule.article}: the employment subsidy falls near retirement; not "
                              f"applied: pass {missing}")
            return Adjusted(Decimal(1), "")
        factor = age_factor(ends, retirement, rule)
        if factor.value == 0:
            self.warnings.append("employment ends on or after the statutory retirement date: no "
                                 "employment subsidy; a worker drawing a pension may get neither "
                                 "subsidy (statutes.md §2.6, the 2014 Zhejiang rule)")
        return factor
