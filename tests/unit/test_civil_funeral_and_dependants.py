"""The civil claim of a death or a disability: funeral costs (SPC PI art. 14) and dependants' living
costs (arts. 16-17, 2022 text), worked to the fen; the compulsory insurer still pays first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.compensation.third_party import (
    CivilDependant,
    ThirdPartyClaim,
    civil_claim,
    dependants_living_costs,
    support_years,
)
from domain.shared.errors import RuleViolation

D = Decimal
ACCIDENT = date(2026, 3, 10)
# 同等责任 (50 %), a 65-year-old victim (15 years), no medical costs
CLAIM = ThirdPartyClaim(liability_share=D("0.5"), age=65, urban_income=D("60000"),
                        lost_income=D("18000"), nursing=D("3000"), transport=D("500"),
                        mental_distress=D("10000"))
CHILD, PARENT = CivilDependant(age=8, supporters=2), CivilDependant(age=70, supporters=3)


def items(claim: ThirdPartyClaim, grade: int | None = None, death: bool = True
          ) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    civil = civil_claim(claim, grade, death=death, accident_date=ACCIDENT)
    return {i.code: (i.damage, i.insurer, i.claim) for i in civil.items}


@pytest.mark.parametrize(("age", "years"), [(0, 18), (8, 10), (17, 1), (18, 20), (61, 19), (75, 5)])
def test_support_years_to_eighteen_or_twenty_less_old_age(age: int, years: int) -> None:
    assert support_years(age) == years   # art. 17 ¶1


def test_a_death_with_funeral_costs_and_two_dependants_to_the_fen() -> None:
    claim = replace(CLAIM, average_monthly_wage=D("10000"), urban_consumption=D("40000"),
                    dependants=(CHILD, PARENT))
    got = items(claim)
    # the 180,000 death-and-disability limit: lost income, nursing, transport (21,500), then the
    # death compensation takes the remaining 158,500; nothing is left for the items after it
    assert got["death_compensation"] == (D("900000.00"), D("158500.00"), D("370750.00"))
    # art. 14: 10,000 × 6 months, × 50 %
    assert got["funeral_costs"] == (D("60000.00"), D("0.00"), D("30000.00"))
    # art. 17: child 40,000 ÷ 2 supporters × 10 years + parent (age 70) 40,000 ÷ 3 × 10 years;
    # 33,333.33 a year is below the 40,000 cap: 333,333.33 in all, × 50 % = 166,666.67 (half up)
    assert got["dependants_living_costs"] == (D("333333.33"), D("0.00"), D("166666.67"))
    civil = civil_claim(claim, None, death=True, accident_date=ACCIDENT)
    assert not any("丧葬费" in n or "被扶养人" in n for n in civil.notes)
    living = next(i for i in civil.items if i.code == "dependants_living_costs")
    assert "arts. 16-17" in living.article and "÷ 3 × 10 years" in living.formula


def test_the_yearly_total_is_capped_at_the_urban_consumption() -> None:
    kids_and_grandmother = (CivilDependant(5), CivilDependant(10), CivilDependant(80))
    total, formula = dependants_living_costs(kids_and_grandmother, D("30000"), 100)
    # years 1-5: 3 × 30,000, years 6-8: 2 × 30,000, both capped at 30,000; years 9-13: 30,000
    assert total == D("390000.00")
    assert "capped at 30000.00 in 8 of 13 years (art. 17 ¶4)" in formula


def test_a_disability_uses_the_civil_grade_coefficient() -> None:
    claim = replace(CLAIM, age=35, urban_consumption=D("30000"), civil_grade=7,
                    dependants=(CivilDependant(age=10, supporters=2),))
    # grade 7 = 40 %: 30,000 × 40 % ÷ 2 × 8 years = 48,000; the insurer's limit is spent before
    got = items(claim, death=False)
    assert got["dependants_living_costs"][0] == D("48000.00")
    assert "funeral_costs" not in got


@settings(max_examples=60, deadline=None)
@given(ages=st.lists(st.integers(0, 100), min_size=1, max_size=6),
       supporters=st.integers(1, 4), percent=st.sampled_from([10, 40, 100]),
       consumption=st.decimals(min_value=1, max_value=100000, places=2))
def test_the_total_never_exceeds_either_bound(ages: list[int], supporters: int, percent: int,
                                              consumption: Decimal) -> None:
    dependants = tuple(CivilDependant(a, supporters) for a in ages)
    total, _ = dependants_living_costs(dependants, consumption, percent)
    uncapped = sum(consumption * percent / 100 / supporters * support_years(a) for a in ages)
    longest = max(support_years(a) for a in ages)
    assert total <= min(uncapped, consumption * longest) + D("0.01")
    assert total >= consumption * percent / 100 / supporters * longest - D("0.01")


@pytest.mark.parametrize(("change", "field"), [
    ({"dependants": (CHILD,)}, "third_party.urban_consumption"),
    ({"dependants": (CivilDependant(8, supporters=0),), "urban_consumption": D(1)},
     "third_party.dependants[0].supporters"),
    ({"dependants": (CivilDependant(131),), "urban_consumption": D(1)}, "third_party.dependants[0].age"),
    ({"dependants": (CHILD,) * 11, "urban_consumption": D(1)}, "third_party.dependants"),
    ({"average_monthly_wage": D(-1)}, "third_party.average_monthly_wage"),
])
def test_bad_dependant_inputs_are_refused_by_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(RuleViolation) as err:
        civil_claim(replace(CLAIM, **change), None, death=True, accident_date=ACCIDENT)
    assert err.value.field == field


def test_a_funeral_wage_without_a_death_and_dependants_without_a_loss_are_refused() -> None:
    with pytest.raises(RuleViolation) as err:
        civil_claim(replace(CLAIM, average_monthly_wage=D("9000")), 7, death=False,
                    accident_date=ACCIDENT)
    assert err.value.field == "third_party.average_monthly_wage"
    with pytest.raises(RuleViolation) as err:
        civil_claim(replace(CLAIM, urban_consumption=D("30000"), dependants=(CHILD,)), None,
                    death=False, accident_date=ACCIDENT)
    assert err.value.field == "third_party.dependants"
    assert "grade" in err.value.message


def test_property_damage_takes_the_property_limit_first() -> None:
    # 有责: the insurer pays up to 2,000 of the e-bike; the rest 1,500 × 50 %
    got = items(replace(CLAIM, property_damage=D("3500")), grade=9, death=False)
    assert got["property_damage"] == (D("3500.00"), D("2000.00"), D("750.00"))
    not_liable = civil_claim(replace(CLAIM, property_damage=D("3500"), liability_share=D(0)), 9,
                             death=False, accident_date=ACCIDENT)
    damage = next(i for i in not_liable.items if i.code == "property_damage")
    assert (damage.insurer, damage.claim) == (D("100.00"), D("0.00"))  # 无责: 100, no share
    assert any("财产损失赔偿限额 100.00" in n for n in not_liable.notes)
