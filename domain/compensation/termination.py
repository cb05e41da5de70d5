"""Provincial adjustments to the grade 5-10 termination subsidies (statutes.md §2.6).

- Guangdong art. 35: with the worker's own wage W as the base, the average monthly contribution
  wage of the 12 months before employment ends replaces W when it is higher, still no more than
  300 % of the regional average (the 60 % floor cannot bind: W is already at least that).
- Zhejiang art. 27 ¶2: less than 5 years before the statutory retirement date, the employment
  subsidy falls by 20 % per year of age (AgeReduction in data.py says how the years are counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.compensation.data import AgeReduction, SubsidyTable
from domain.compensation.items import Answer, Item, PolicyRow, check_wage
from domain.compensation.money import fen, money
from domain.shared.errors import RuleViolation


@dataclass(frozen=True)
class Adjusted:
    """A base or a factor after a provincial rule, and how it was reached (for the formula)."""

    value: Decimal
    formula: str


def end_average_base(w: Decimal, end_average: Decimal, cap: Decimal, article: str) -> Adjusted:
    """The higher of W and the 12-month average before employment ends, capped (Guangdong art. 35)."""
    if end_average <= w:
        return Adjusted(w, f"W {money(w)} (not below the 12-month average before employment ends "
                           f"{money(end_average)}; {article})")
    base = min(end_average, cap)
    capped = f", capped at 300 % × A {money(cap)}" if end_average > cap else ""
    return Adjusted(base, f"12-month average before employment ends {money(end_average)}{capped}, "
                          f"above W {money(w)} ({article})")


def full_years(start: date, end: date) -> int:
    """Completed years from `start` to `end` (0 if end is not after start)."""
    if end <= start:
        return 0
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def age_factor(ends: date, retirement: date, rule: AgeReduction) -> Adjusted:
    """The share of the employment subsidy still due when employment ends on `ends`."""
    left = full_years(ends, retirement)
    if ends >= retirement:
        steps = rule.within_years
    elif rule.counting == "started_years":
        steps = max(rule.within_years - left, 0)
    else:  # completed years past the mark `within_years` before retirement
        whole = (ends.month, ends.day) == (retirement.month, retirement.day)
        steps = max(rule.within_years - left - (0 if whole else 1), 0)
    factor = max(Decimal(100 - rule.percent_per_year * steps), Decimal(0)) / 100
    if steps == 0:
        why = (f"{left} full years from the end of employment {ends} to the retirement date "
               f"{retirement}: no reduction")
    else:
        why = (f"{left} full years from the end of employment {ends} to the retirement date "
               f"{retirement}: {steps} × {rule.percent_per_year} % off, {factor * 100:.0f} % due")
    return Adjusted(factor, f"{why} ({rule.article})")


def termination_items(answer: Answer, grade: int, into: list[Item], required: bool) -> bool:
    """One-time medical (fund) and employment (employer) subsidies: provincial tables, with
    Guangdong's art. 35 base and Zhejiang's art. 27 ¶2 age reduction; False if not shown."""
    try:
        table = answer.tables.subsidy_table(answer.region, answer.req.injury_date)
    except RuleViolation as missing:
        if required:
            raise
        answer.notes.append(f"the end_employment option is not shown: {missing.message}")
        return False
    found = _base(answer, table, required)
    if found is None:
        return False
    base, label = found
    answer.rows.append(PolicyRow("termination_subsidies", answer.region, f"{table.period_start or '…'} "
                                 f"to {table.period_end or '…'}", table.article, table.source,
                                 table.verified))
    if not table.verified:
        answer.warnings.append(f"{answer.region} termination-subsidy table used with a warning: not "
                               f"verified ({table.source})")
    answer.notes.extend(table.notes)
    article = f"{answer.rules.article('termination', grade)}; {table.article}"
    months = table.medical_months[grade]
    answer.add("one_time_medical_subsidy", base * months, answer.rules.medical_subsidy_payer, article,
               f"{months} months × {label}", into=into)
    months, factor = table.employment_months[grade], _age(answer, table)
    answer.add("one_time_employment_subsidy", base * months * factor.value, "employer", article,
               f"{months} months × {label}" + (
                   "" if factor.formula == "" else f" × {factor.value:.2f}: {factor.formula}"),
               into=into)
    return True


def _base(answer: Answer, table: SubsidyTable, required: bool) -> tuple[Decimal, str] | None:
    """The base and its label; None (with a note) if a figure is missing and not required."""
    end_average = answer.req.average_wage_before_employment_ends
    if end_average is not None:
        check_wage(end_average, "average_wage_before_employment_ends")
    if table.base == "own_wage":
        if table.end_average_article is None or end_average is None:
            if table.end_average_article is not None:
                answer.notes.append(
                      f"{table.end_average_article}: if W is below the average monthly contribution "
                      "wage of the 12 months before employment ends, that average is the base (within "
                      "60-300 % of A); pass average_wage_before_employment_ends to apply it")
            elif end_average is not None:
                _ignored_here(answer, "average_wage_before_employment_ends")
            return answer.basis, f"W {money(answer.basis)}"
        cap = fen(answer.regional_average() * 3)
        adjusted = end_average_base(answer.basis, fen(end_average), cap, table.end_average_article)
        return adjusted.value, f"base {money(adjusted.value)}: {adjusted.formula}"
    if end_average is not None:
        _ignored_here(answer, "average_wage_before_employment_ends")
    if table.base == "regional_average":
        a = answer.regional_average()
        return a, f"A {money(a)}"
    on = answer.req.contract_ends or answer.req.injury_date
    found = answer.figure("provincial", answer.req.provincial_average_monthly_wage,
                          "provincial_average_monthly_wage", on)
    if found is None and required:
        raise RuleViolation(
            "provincial_average_monthly_wage", "compensation.provincial_average_missing",
            f"{answer.region} bases the termination subsidies on the provincial previous-year "
            "average monthly wage when employment ends; none on file: pass "
            "provincial_average_monthly_wage")
    if found is None:
        answer.notes.append(f"{answer.region} bases the termination subsidies on the provincial "
                            "previous-year average monthly wage when employment ends; none on file, "
                            "so that option is not shown: pass provincial_average_monthly_wage")
        return None
    return found, f"provincial average P {money(found)}"


def _ignored_here(answer: Answer, name: str) -> None:
    """A warning: the region's table does not use this field."""
    answer.warnings.append(f"{name} was ignored: {answer.region}'s termination subsidies do not use it")


def _age(answer: Answer, table: SubsidyTable) -> Adjusted:
    """The share of the employment subsidy due, by the table's age rule (Zhejiang art. 27 ¶2)."""
    rule, retirement, ends = table.employment_age_reduction, answer.req.retirement_date, \
        answer.req.contract_ends
    if rule is None:
        if retirement is not None:
            _ignored_here(answer, "retirement_date")
        return Adjusted(Decimal(1), "")
    if retirement is None or ends is None:
        missing = " and ".join(n for n, v in (("contract_ends", ends), ("retirement_date", retirement))
                               if v is None)
        answer.notes.append(f"{rule.article}: the employment subsidy falls near retirement; not "
                            f"applied: pass {missing}")
        return Adjusted(Decimal(1), "")
    factor = age_factor(ends, retirement, rule)
    if factor.value == 0:
        answer.warnings.append("employment ends on or after the statutory retirement date: no "
                               "employment subsidy; a worker drawing a pension may get neither "
                               "subsidy (statutes.md §2.6, the 2014 Zhejiang rule)")
    return factor
