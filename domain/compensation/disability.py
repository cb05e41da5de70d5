"""The items of a disability (grades 1-10): the one-time disability subsidy, the monthly allowance
(grades 1-4; grades 5-6 as one of two options), the nursing fee and, when employment ends, the
termination subsidies (Reg. arts. 34-37; 2003: arts. 32-35).

Grades 5-6 (Reg. art. 36) show both choices apart: keep the job with the monthly allowance (¶1),
or, when the worker asks to end the employment, the two one-time subsidies (¶2).
"""

from __future__ import annotations

from domain.compensation.items import NURSING_WORDS, Answer, Choice, Item
from domain.compensation.money import money
from domain.compensation.rules import Payer
from domain.compensation.termination import termination_items


def disability_items(answer: Answer) -> None:
    """Disability subsidy, allowance or the grade 5-6 options, nursing, termination (Reg. 34-37)."""
    grade, w, rules = answer.req.grade, answer.basis, answer.rules
    assert grade is not None
    n = rules.disability_months[grade]
    answer.add("one_time_disability_subsidy", w * n, "fund",
               rules.article("one_time_disability_subsidy", grade), f"{n} months × W {money(w)}")
    ends = answer.req.contract_ends
    if grade <= 4:
        _allowance(answer, grade, answer.items)
    elif grade <= 6:
        _grade_5_6_options(answer, grade)
    if answer.req.nursing_level is not None:
        pct, a = rules.nursing_percent[answer.req.nursing_level], answer.regional_average()
        answer.add("nursing_care", a * pct / 100, "fund", rules.article("nursing_care"),
                   f"{pct} % × A {money(a)} ({NURSING_WORDS[answer.req.nursing_level]})", "monthly")
    if grade <= 4 and ends is not None:
        answer.warnings.append("grades 1-4 keep the employment relationship (Reg. art. 35): "
                               "contract_ends was ignored and no termination subsidies apply")
    elif grade >= 7 and ends is None:
        answer.notes.append("the one-time medical and employment subsidies are due only when "
                            "employment ends (Reg. art. 37); pass contract_ends to include them")
    elif grade >= 7:
        termination_items(answer, grade, answer.items, required=True)
    if grade <= 4 or (grade >= 7 and ends is None):
        answer.ignored("average_wage_before_employment_ends", "retirement_date")


def _grade_5_6_options(answer: Answer, grade: int) -> None:
    """Both choices of Reg. art. 36, each apart: keep the job with the monthly allowance (¶1),
    or, when the worker asks to end the employment, the two one-time subsidies (¶2)."""
    keep: list[Item] = []
    _allowance(answer, grade, keep)
    answer.options.append(Choice(
        "keep_employment", answer.rules.article("monthly_disability_allowance", grade),
        "the employment relationship is kept; the employer arranges suitable work or, if it "
        "cannot, pays the monthly allowance", keep))
    end: list[Item] = []
    if answer.req.contract_ends is None:
        answer.notes.append("grades 5-6, end_employment option: no date employment ends "
                            "(contract_ends), so its figures are those in force on the injury date")
    if termination_items(answer, grade, end, required=answer.req.contract_ends is not None):
        answer.options.append(Choice(
            "end_employment", answer.rules.article("termination", grade),
            "only if the worker asks to end the employment: the monthly allowance stops and "
            "the two one-time subsidies replace it", end))


def _allowance(answer: Answer, grade: int, into: list[Item]) -> None:
    w, pct = answer.basis, answer.rules.allowance_percent[grade]
    payer: Payer = "fund" if grade <= 4 else "employer"
    article = answer.rules.article("monthly_disability_allowance", grade)
    condition = "" if grade <= 4 else (" (only if the employer cannot arrange suitable work; the "
                                       "employer also pays the SI contributions on it)")
    answer.add("monthly_disability_allowance", w * pct / 100, payer, article,
               f"{pct} % × W {money(w)}{condition}", "monthly", into)
    allowance = into[-1].amount
    minimum = answer.figure("minimum", answer.req.minimum_monthly_wage, "minimum_monthly_wage",
                            answer.req.injury_date)
    if minimum is None:
        answer.warnings.append(f"no minimum wage on file for {answer.region}: the top-up of the "
                               "allowance to the local minimum wage was not checked; pass "
                               "minimum_monthly_wage")
    elif allowance < minimum:
        answer.add("minimum_wage_top_up", minimum - allowance, payer, article,
                   f"minimum wage {money(minimum)} − allowance {money(allowance)}", "monthly", into)
