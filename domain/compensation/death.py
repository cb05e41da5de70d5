"""The items of a work-related death (因工死亡): funeral subsidy, one-time death subsidy and the
dependants' pensions, all paid by the fund (Reg. art. 39; 2003: art. 37).

Death during the paid suspension period (停工留薪期) gives all three (art. 39 ¶2). A grade 1-4
worker who dies after it: the funeral subsidy and the dependants' pensions, no one-time death
subsidy (art. 39 ¶3).
"""

from __future__ import annotations

from decimal import Decimal

from domain.compensation.dependants import shares
from domain.compensation.items import Answer, PolicyRow
from domain.compensation.money import fen, money


def death_items(answer: Answer) -> None:
    """Funeral subsidy, one-time death subsidy (unless art. 39 ¶3) and the dependants' pensions."""
    req, rules = answer.req, answer.rules
    a = answer.regional_average()
    after = req.died_after_suspension is True
    timing = rules.article("death_after_suspension" if after else "death_during_suspension")
    answer.add("funeral_subsidy", a * rules.funeral_months, "fund",
               f"{rules.article('funeral_subsidy')}; {timing}",
               f"{rules.funeral_months} months × A {money(a)}")
    if req.died_after_suspension is None:
        answer.warnings.append(
            "died_after_suspension not given: death during the paid suspension period assumed, with "
            f"all three items ({timing}); a grade 1-4 worker who died after it has no one-time death "
            f"subsidy ({rules.article('death_after_suspension')})")
    if after:
        answer.notes.append(
            f"grade {req.grade} worker who died after the paid suspension period ended: funeral "
            "subsidy and dependants' pensions only, no one-time death subsidy "
            f"({rules.article('death_after_suspension')})")
    else:
        _death_subsidy(answer, timing)
    _dependants(answer, timing)
    answer.ignored("average_wage_before_employment_ends", "retirement_date")


def _death_subsidy(answer: Answer, timing: str) -> None:
    rules, a = answer.rules, answer.regional_average()
    article = f"{rules.article('one_time_death_subsidy')}; {timing}"
    if rules.death_subsidy == "national_income_20x":
        income = answer.tables.national_income(answer.req.injury_date.year - 1)
        answer.rows.append(PolicyRow("national_income", "national", str(income.year),
                                     money(income.amount), income.source, income.verified))
        if not income.verified:
            answer.warnings.append(f"national income {income.year} used with a warning: not "
                                   f"verified ({income.source})")
        answer.add("one_time_death_subsidy", income.amount * 20, "fund", article,
                   f"20 × {money(income.amount)} (national urban per-capita disposable income "
                   f"{income.year}, the year before the injury)")
    else:
        answer.add("one_time_death_subsidy", a * 48, "fund", article,
                   f"48 months × A {money(a)} (the 2003 Regulations set 48-60 months)")
        answer.warnings.append(f"injury before 2011: the death subsidy was 48-60 months of A as the "
                               f"local government fixed it; 48 months is the floor (60 months would be "
                               f"{money(fen(a * 60))}); check the local rule")


def _dependants(answer: Answer, timing: str) -> None:
    """One pension per dependant; the sum capped at the deceased's own wage, the cut shared."""
    if not answer.req.dependants:
        answer.notes.append("no dependants given: no dependants' pension")
        return
    answer.shares = shares(answer.req.dependants, answer.basis, answer.own, answer.rules)
    uncapped = sum((s.uncapped for s in answer.shares), start=Decimal("0.00"))
    total = sum((s.amount for s in answer.shares), start=Decimal("0.00"))
    parts = " + ".join(f"{s.relation} {s.percent} %" for s in answer.shares)
    percent = sum(s.percent for s in answer.shares)
    shown = f"{parts} = {percent} % × W {money(answer.basis)} = {money(uncapped)}"
    if total < uncapped:
        shown += (f", capped at the deceased's own wage {money(answer.own)} (Reg. art. 39(2): the "
                  "pensions together may not exceed 生前的工资, read as the 12-month average before "
                  "the injury); the cut is shared in proportion to each pension (see "
                  "dependant_pensions)")
    answer.add("dependant_pension", total, "fund",
               f"{answer.rules.article('dependant_pension')}; {timing}", shown, "monthly")
    answer.notes.append("each dependant must have relied on the deceased for their main livelihood "
                        "and meet MOLSS Order 18 art. 3 (age or incapacity); not checked here")
