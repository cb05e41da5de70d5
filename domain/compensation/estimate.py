"""The work-injury compensation estimate: wage basis, items per payer, totals and a negotiation range."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Literal

from domain.compensation.data import CompensationTables
from domain.compensation.death import death_items
from domain.compensation.disability import disability_items
from domain.compensation.items import Answer, Choice, Item, PolicyRow, check_wage, fen, money
from domain.compensation.late_period import LatePeriodCosts, late_period_costs
from domain.compensation.negotiation import negotiation
from domain.compensation.payloads import (
    Dependant,
    DependantShare,
    Estimate,
    EstimateRequest,
    NegotiationRange,
    Option,
    Totals,
    WageBasis,
)
from domain.compensation.rules import NURSING_LEVELS, rule_set_for
from domain.shared.errors import RuleViolation

__all__ = [
    "Dependant", "DependantShare", "Estimate", "EstimateRequest", "Item", "NegotiationRange", "Option",
    "PolicyRow", "Totals", "WageBasis", "estimate", "wage_basis",
]

LATE_MEDICAL = "late_period_medical_expenses"   # a ledger bill within the late period (art. 17 ¶4)
LATE_PENSION = "late_period_dependant_pension"  # pension months within the late period (art. 17 ¶4)
ZHEJIANG_UNENROLLED_MULTIPLES = {1: 16, 2: 14, 3: 12, 4: 10}  # 浙江省工伤保险条例 art. 34


def wage_basis(own_average: Decimal, regional_average: Decimal, months: int = 12,
               article: str = "Reg. art. 64") -> WageBasis:
    """W = clamp(own average, 60 % × A, 300 % × A), all in fen (Reg. art. 64; statutes.md §2.1)."""
    floor, cap = fen(regional_average * Decimal("0.6")), fen(regional_average * 3)
    basis = min(max(own_average, floor), cap)
    bound: Literal["floor", "cap"] | None = (
        "floor" if own_average < floor else "cap" if own_average > cap else None)
    outcome = {"floor": "below the floor, so W = the floor", "cap": "above the cap, so W = the cap",
               None: "within the bounds"}[bound]
    formula = (f"{months}-month average {money(own_average)}; regional average A "
               f"{money(regional_average)}: floor 60 % × A = {money(floor)}, cap 300 % × A = "
               f"{money(cap)}; {outcome}: W = {money(basis)}")
    return WageBasis(own_average, months, regional_average, floor, cap, basis, bound, article, formula)


def estimate(req: EstimateRequest, tables: CompensationTables | None = None) -> Estimate:
    """Statutory items with payer, article and formula; totals by payer (Reg. arts. 33-39, 62, 64)."""
    tables = tables or CompensationTables.bundled()
    region = tables.region_key(req.region)
    rules = rule_set_for(req.injury_date)
    _check_shape(req)
    own, months = _own_average(req)
    answer = Answer(req, rules, tables, region)
    wage = wage_basis(own, answer.regional_average(), months, rules.article("wage_basis"))
    answer.basis, answer.own = wage.basis, own
    if months < 12:
        answer.warnings.append(f"only {months} months of wages given: averaged over {months} months "
                               "(common practice, not fixed by statute; statutes.md §2.1)")
    answer.suspension(own)
    if req.death:
        death_items(answer)
    else:
        disability_items(answer)
    late = _late_period(answer)
    province = tables.provinces.get(region, region)  # a city follows its province's regulation
    answer.notes.extend(_legal_notes(req, province, rules.article("not_enrolled")))
    items = _payers(answer.items, answer)
    once = _totals(i for i in items if i.frequency == "once")
    monthly = _totals(i for i in items if i.frequency == "monthly")
    return Estimate(
        rule_set=rules.name, rule_set_title=rules.title, wage_basis=wage, items=items, once=once,
        monthly=monthly, warnings=tuple(answer.warnings), notes=tuple(answer.notes),
        policy_rows=tuple(answer.rows),
        suggested_negotiation_range=negotiation(req, answer.items, once, wage, tables),
        options=tuple(_option(c, items, answer) for c in answer.options),
        dependant_pensions=answer.shares, late_period=late,
    )


def _late_period(answer: Answer) -> LatePeriodCosts | None:
    """Fund costs within a late application's period become the employer's items (Reg. art. 17 ¶4)."""
    req = answer.req
    if req.late_period is None:
        return None
    late = late_period_costs(req.late_period, req.fund_costs)
    for moved in late.moved:
        answer.add(LATE_MEDICAL, moved.amount, "employer", moved.article, moved.formula)
    if late.provisional:
        answer.warnings.append(late.label)
    else:
        answer.notes.append(late.label)
    if req.death:
        _death_in_late_period(answer, late)
    else:
        answer.notes.append(
            "the estimate's fund items (disability subsidy and allowance, nursing care, the one-time "
            "medical subsidy) arise at the labour-ability appraisal or later, which follows the "
            f"determination and so the late period ({late.last_day}): they stay with the fund")
    return late


def _death_in_late_period(answer: Answer, late: LatePeriodCosts) -> None:
    """A death's items arise at the death (Reg. art. 39): one within the employer's late period is
    the employer's (art. 17 ¶4), and so are the dependants' pension months that begin within it."""
    died_on, span = answer.req.died_on, f"{late.since} to {late.last_day}"
    if not answer.req.si_enrolled:
        return  # every item is the employer's already (Reg. art. 62 ¶2): nothing moves
    if died_on is None:
        answer.warnings.append(
            "late application and a death: the funeral subsidy, the one-time death subsidy and the "
            f"dependants' pension arise at the death; if it fell within the late period ({span}) "
            f"they are the employer's ({late.rule_article}); give died_on to count them. The "
            "estimate leaves them with the fund")
        return
    if not late.since <= died_on <= late.last_day:
        answer.notes.append(f"died on {died_on}, after the late period ({span}): the death's items "
                            f"arise after it and stay with the fund ({late.rule_article})")
        return
    day = (died_on - late.since).days + 1
    why = (f"died on {died_on}, day {day} of the late period ({span}"
           f"{', provisional: up to today' if late.provisional else ''}): arises within it, so the "
           "employer's, not the fund's")
    article = late.rule_article
    for i, item in enumerate(answer.items):
        if item.code in ("funeral_subsidy", "one_time_death_subsidy"):
            answer.items[i] = replace(item, payer="employer", article=f"{item.article}; {article}",
                                      formula=f"{item.formula}; {why}")
    pension = next((i for i in answer.items if i.code == "dependant_pension"), None)
    months = _pension_months_within(died_on, late.last_day)
    if pension is not None and months:
        answer.add(LATE_PENSION, pension.amount * months, "employer",
                   f"{pension.article}; {article}",
                   f"{months} month(s) × {money(pension.amount)}: the pension months from the month "
                   f"after the death ({died_on}) to the end of the late period ({late.last_day}) are "
                   "the employer's (paid from the month after the death, as the regions pay it; "
                   "check the local rule); the fund's pension runs after them")
    if late.provisional:
        answer.warnings.append(f"{why}; the period's end is not known yet, so this is provisional")


def _pension_months_within(died_on: date, last_day: date) -> int:
    """Months whose first day falls after the death and on or before the period's last day."""
    first = date(died_on.year + died_on.month // 12, died_on.month % 12 + 1, 1)
    if first > last_day:
        return 0
    return (last_day.year - first.year) * 12 + last_day.month - first.month + 1


def _payers(items: Iterable[Item], answer: Answer) -> tuple[Item, ...]:
    return tuple(items if answer.req.si_enrolled else (_employer_pays(i, answer) for i in items))


def _option(choice: Choice, common: tuple[Item, ...], answer: Answer) -> Option:
    """A grade 5-6 choice: its own items; totals of the common items plus these (never both choices)."""
    own = _payers(choice.items, answer)
    every = (*common, *own)
    return Option(code=choice.code, article=choice.article, condition=choice.condition, items=own,
                  once=_totals(i for i in every if i.frequency == "once"),
                  monthly=_totals(i for i in every if i.frequency == "monthly"))


def _check_shape(req: EstimateRequest) -> None:
    _check_death(req)
    if req.grade is not None and (isinstance(req.grade, bool) or req.grade not in range(1, 11)):
        raise RuleViolation("grade", "grade.out_of_range",
                            f"grade {req.grade}: disability grades run from 1 (most severe) to 10")
    if req.contract_ends is not None and req.contract_ends < req.injury_date:
        raise RuleViolation("contract_ends", "compensation.contract_ends_before_injury",
                            f"contract_ends {req.contract_ends} is before the injury date {req.injury_date}")
    if req.death and req.nursing_level is not None:
        raise RuleViolation("nursing_level", "compensation.nursing_after_death",
                            "a nursing-care level applies to a living worker, not to a death")
    if req.nursing_level is not None and req.nursing_level not in NURSING_LEVELS:
        raise RuleViolation("nursing_level", "compensation.nursing_level",
                            f"nursing_level {req.nursing_level!r}: one of {', '.join(NURSING_LEVELS)}")
    if req.dependants and not req.death:
        raise RuleViolation("dependants", "compensation.dependants_without_death",
                            "dependants draw a pension only after a work-related death (Reg. art. 39)")
    if req.suspension_months is not None and not 0 <= req.suspension_months <= 24:
        raise RuleViolation("suspension_months", "compensation.suspension_too_long",
                            f"suspension_months {req.suspension_months}: paid suspension lasts at most "
                            "12 months, extendable by at most 12 (Reg. art. 33)")


def _check_death(req: EstimateRequest) -> None:
    """A grade, or a death; a death with a grade only after the suspension period (Reg. art. 39)."""
    if req.died_on is not None and not req.death:
        raise RuleViolation("died_on", "compensation.died_on_without_death",
                            "died_on applies only to a work-related death (death: true)")
    if req.died_on is not None and req.died_on < req.injury_date:
        raise RuleViolation("died_on", "compensation.died_before_injury",
                            f"died_on {req.died_on} is before the injury date {req.injury_date}")
    if req.died_after_suspension is not None and not req.death:
        raise RuleViolation("died_after_suspension", "compensation.timing_without_death",
                            "died_after_suspension applies only to a work-related death (Reg. art. 39)")
    if req.death and req.died_after_suspension:
        if req.grade is None or isinstance(req.grade, bool) or req.grade not in range(1, 5):
            raise RuleViolation(
                "grade", "compensation.death_after_suspension_grade",
                f"grade {req.grade}: a death after the paid suspension period carries benefits only "
                "for a worker appraised at grade 1-4 (Reg. art. 39 ¶3); give that grade")
        return
    if req.death == (req.grade is not None):
        raise RuleViolation("grade", "compensation.grade_or_death",
                            "give either a disability grade (1-10) or death, not both and not neither "
                            "(a grade with death only with died_after_suspension, Reg. art. 39 ¶3)")


def _own_average(req: EstimateRequest) -> tuple[Decimal, int]:
    if (req.monthly_wage is None) == (req.wages_12_months is None):
        raise RuleViolation("monthly_wage", "compensation.wage_missing",
                            "give either monthly_wage (the 12-month average) or wages_12_months, not both")
    if req.monthly_wage is not None:
        average, months, field = check_wage(req.monthly_wage, "monthly_wage"), 12, "monthly_wage"
    else:
        wages = req.wages_12_months or ()
        if not 1 <= len(wages) <= 12:
            raise RuleViolation("wages_12_months", "compensation.wage_months",
                                f"wages_12_months has {len(wages)} entries: give 1 to 12 monthly wages")
        for wage in wages:
            check_wage(wage, "wages_12_months")
        average, months, field = sum(wages, Decimal(0)) / len(wages), len(wages), "wages_12_months"
    if average <= 0:
        raise RuleViolation(field, "wage.zero", f"{field}: the average monthly wage must be above 0")
    return fen(average), months


def _employer_pays(item: Item, answer: Answer) -> Item:
    """Not enrolled: the employer pays every item at the same standard (Reg. art. 62 ¶2)."""
    if item.payer == "employer":
        return item
    return replace(item, payer="employer",
                   article=f"{item.article}; {answer.rules.article('not_enrolled')} (not enrolled)")


def _totals(items: Iterable[Item]) -> Totals:
    fund = employer = Decimal("0.00")
    for item in items:
        fund += item.amount if item.payer == "fund" else 0
        employer += item.amount if item.payer == "employer" else 0
    return Totals(fund=fund, employer=employer, total=fund + employer)


def _legal_notes(req: EstimateRequest, province: str, not_enrolled: str) -> list[str]:
    """How the law treats an unenrolled employer (Reg. 62, SIL 41) and a liable third party (SIL
    42), with the province's own rules."""
    notes = []
    if not req.si_enrolled:
        notes.append(
            "not enrolled in work-injury insurance: the employer pays every item at the statutory "
            f"standard ({not_enrolled}; SIL art. 41). If it does not pay, the worker may ask the fund "
            "to advance the fund items, which the fund then recovers from the employer (SIL art. 41; "
            "先行支付暂行办法 arts. 6-8). After the employer enrols and pays the arrears, the fund covers "
            "only newly arising costs (Reg. art. 62 ¶3).")
        if province == "zhejiang" and not req.death and req.grade is not None and req.grade <= 4:
            notes.append(
                f"Zhejiang art. 34: for an unenrolled grade {req.grade} worker the employer may instead pay "
                f"a lump sum of {ZHEJIANG_UNENROLLED_MULTIPLES[req.grade]} × the provincial previous-year "
                "annual average wage at the time of injury")
    if req.third_party_liable:
        notes.append(
            "third party liable: SIL art. 42 concerns medical costs only. If the third party does not "
            "pay them or cannot be identified, the injury fund advances the medical costs and recovers "
            "them from the third party; medical costs the third party paid are not paid twice "
            "(statutes.md §3). The items above are listed at the statutory standard; nothing is "
            "deducted for the third party's share. A commuting traffic accident counts as a work "
            "injury only where the worker was not mainly responsible (Reg. art. 14(6)).")
        if province == "zhejiang":
            notes.append(
                "Zhejiang art. 32: the worker may claim from the third party first and then the "
                "shortfall up to the statutory benefits from the fund or employer, or claim from the "
                "fund or employer directly, which then recover from the third party.")
    return notes
