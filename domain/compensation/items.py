"""The line items of a compensation estimate, built from the rule set and the data rows.

Codes are stable (the API and its clients use them): suspension_wages, one_time_disability_subsidy,
monthly_disability_allowance, minimum_wage_top_up, nursing_care, one_time_medical_subsidy,
one_time_employment_subsidy, funeral_subsidy, one_time_death_subsidy, dependant_pension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal

from domain.compensation.data import CompensationTables, WageScope
from domain.compensation.rules import DEPENDANT_RELATIONS, Payer, RuleSet
from domain.shared.errors import RuleViolation

if TYPE_CHECKING:
    from domain.compensation.payloads import EstimateRequest

FEN = Decimal("0.01")
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
class PolicyRow:
    """A figure the estimate used and where it came from; verified None = given by the caller."""

    kind: str
    region: str
    period: str
    value: str
    source: str
    verified: bool | None


def fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


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

    def add(self, code: str, amount: Decimal, payer: Payer, article: str, formula: str,
            frequency: Frequency = "once") -> None:
        self.items.append(Item(code, fen(amount), payer, article, formula, frequency))

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
        if grade <= 4 or (grade <= 6 and ends is None):
            self._allowance(grade)
        elif grade <= 6:
            self.notes.append("grades 5-6: the monthly allowance stops when employment ends; the "
                              "termination subsidies replace it (Reg. art. 36 ¶2)")
        if self.req.nursing_level is not None:
            pct, a = rules.nursing_percent[self.req.nursing_level], self.regional_average()
            self.add("nursing_care", a * pct / 100, "fund", rules.article("nursing_care"),
                     f"{pct} % × A {money(a)} ({NURSING_WORDS[self.req.nursing_level]})", "monthly")
        if grade <= 4 and ends is not None:
            self.warnings.append("grades 1-4 keep the employment relationship (Reg. art. 35): "
                                 "contract_ends was ignored and no termination subsidies apply")
        elif grade >= 5 and ends is None:
            self.notes.append("the one-time medical and employment subsidies are due only when "
                              "employment ends (Reg. arts. 36-37); pass contract_ends to include them")
        elif grade >= 5:
            self._termination(grade)

    def _allowance(self, grade: int) -> None:
        w, pct = self.basis, self.rules.allowance_percent[grade]
        payer: Payer = "fund" if grade <= 4 else "employer"
        article = self.rules.article("monthly_disability_allowance", grade)
        condition = "" if grade <= 4 else (" (only if the employer cannot arrange suitable work; the "
                                           "employer also pays the SI contributions on it)")
        self.add("monthly_disability_allowance", w * pct / 100, payer, article,
                 f"{pct} % × W {money(w)}{condition}", "monthly")
        allowance = self.items[-1].amount
        minimum = self.figure("minimum", self.req.minimum_monthly_wage, "minimum_monthly_wage",
                              self.req.injury_date)
        if minimum is None:
            self.warnings.append(f"no minimum wage on file for {self.region}: the top-up of the "
                                 "allowance to the local minimum wage was not checked; pass "
                                 "minimum_monthly_wage")
        elif allowance < minimum:
            self.add("minimum_wage_top_up", minimum - allowance, payer, article,
                     f"minimum wage {money(minimum)} − allowance {money(allowance)}", "monthly")

    def _termination(self, grade: int) -> None:
        """One-time medical (fund) and employment (employer) subsidies: provincial tables."""
        table = self.tables.subsidy_table(self.region, self.req.injury_date)
        self.rows.append(PolicyRow("termination_subsidies", self.region, f"{table.period_start or '…'} "
                                   f"to {table.period_end or '…'}", table.article, table.source,
                                   table.verified))
        if not table.verified:
            self.warnings.append(f"{self.region} termination-subsidy table used with a warning: not "
                                 f"verified ({table.source})")
        self.notes.extend(table.notes)
        if table.base == "own_wage":
            base, label = self.basis, "W"
        elif table.base == "regional_average":
            base, label = self.regional_average(), "A"
        else:
            assert self.req.contract_ends is not None
            found = self.figure("provincial", self.req.provincial_average_monthly_wage,
                                "provincial_average_monthly_wage", self.req.contract_ends)
            if found is None:
                raise RuleViolation(
                    "provincial_average_monthly_wage", "compensation.provincial_average_missing",
                    f"{self.region} bases the termination subsidies on the provincial previous-year "
                    "average monthly wage when employment ends; none on file: pass "
                    "provincial_average_monthly_wage")
            base, label = found, "provincial average P"
        article = f"{self.rules.article('termination', grade)}; {table.article}"
        for code, months, payer in (
                ("one_time_medical_subsidy", table.medical_months[grade], self.rules.medical_subsidy_payer),
                ("one_time_employment_subsidy", table.employment_months[grade], "employer")):
            self.add(code, base * months, payer, article, f"{months} months × {label} {money(base)}")

    def death(self) -> None:
        """Funeral subsidy, one-time death subsidy and dependants' pension, all by the fund (Reg. 39)."""
        rules, a, injured = self.rules, self.regional_average(), self.req.injury_date
        self.add("funeral_subsidy", a * rules.funeral_months, "fund", rules.article("funeral_subsidy"),
                 f"{rules.funeral_months} months × A {money(a)}")
        article = rules.article("one_time_death_subsidy")
        if rules.death_subsidy == "national_income_20x":
            income = self.tables.national_income(injured.year - 1)
            self.rows.append(PolicyRow("national_income", "national", str(income.year),
                                       money(income.amount), income.source, income.verified))
            if not income.verified:
                self.warnings.append(f"national income {income.year} used with a warning: not "
                                     f"verified ({income.source})")
            self.add("one_time_death_subsidy", income.amount * 20, "fund", article,
                     f"20 × {money(income.amount)} (national urban per-capita disposable income "
                     f"{income.year}, the year before the injury)")
        else:
            self.add("one_time_death_subsidy", a * 48, "fund", article,
                     f"48 months × A {money(a)} (the 2003 Regulations set 48-60 months)")
            self.warnings.append(f"injury before 2011: the death subsidy was 48-60 months of A as the "
                                 f"local government fixed it; 48 months is the floor (60 months would be "
                                 f"{money(fen(a * 60))}); check the local rule")
        self._dependants()

    def _dependants(self) -> None:
        if not self.req.dependants:
            self.notes.append("no dependants given: no dependants' pension")
            return
        parts, total = [], 0
        for i, dep in enumerate(self.req.dependants):
            if dep.relation not in DEPENDANT_RELATIONS:
                raise RuleViolation(f"dependants[{i}].relation", "compensation.relation",
                                    f"relation {dep.relation!r}: one of {', '.join(DEPENDANT_RELATIONS)}")
            pct = (40 if dep.relation == "spouse" else 30) + (10 if dep.orphan_or_lone_elder else 0)
            parts.append(f"{dep.relation} {pct} %")
            total += pct
        if sum(d.relation == "spouse" for d in self.req.dependants) > 1:
            raise RuleViolation("dependants", "compensation.two_spouses", "at most one spouse")
        uncapped = fen(self.basis * total / 100)
        shown = " + ".join(parts) + f" = {total} % × W {money(self.basis)} = {money(uncapped)}"
        if uncapped > self.own:
            shown += (f", capped at the deceased's own wage {money(self.own)} (the pensions together may "
                      "not exceed 生前的工资)")
        self.add("dependant_pension", min(uncapped, self.own), "fund",
                 self.rules.article("dependant_pension"), shown, "monthly")
        self.notes.append("each dependant must have relied on the deceased for their main livelihood "
                          "and meet MOLSS Order 18 art. 3 (age or incapacity); not checked here")
