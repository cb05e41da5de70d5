"""The compensation page's death inputs read into the case estimate's arguments (api/web/death_inputs.py)."""

from __future__ import annotations

import pytest

from api.errors import ApiError
from api.web.death_inputs import DEATH_FIELDS, death_args, pension_cap


def form(**given: str) -> dict[str, str]:
    return {f: given.get(f, "") for f in DEATH_FIELDS}


def test_rows_in_order_empty_rows_ignored_orphans_by_position() -> None:
    filled = form(**{"death": "yes", "died_after_suspension": "after",
                     "dependants[0].relation": "spouse", "dependants[2].relation": "parent",
                     "dependants[2].orphan_or_lone_elder": "yes",
                     "dependants[5].relation": "child"})
    assert death_args(filled) == {"death": True, "died_after_suspension": True,
                                  "dependant": ["spouse", "parent", "child"],
                                  "orphan_or_lone_elder": [2]}


def test_nothing_given_is_no_death_and_no_dependants() -> None:
    assert death_args(form()) == {"death": False, "died_after_suspension": None}
    assert death_args(form(death="yes", died_after_suspension="during"))["died_after_suspension"] \
        is False


def test_the_day_of_death_is_read_as_a_date() -> None:
    from datetime import date
    assert death_args(form(death="yes", died_on="2026-03-10"))["died_on"] == date(2026, 3, 10)


@pytest.mark.parametrize(("given", "field", "code"), [
    ({"dependants[3].relation": "cousin"}, "dependants[3].relation", "compensation.relation"),
    ({"dependants[1].orphan_or_lone_elder": "yes"}, "dependants[1].relation",
     "compensation.relation_missing"),
    ({"dependants[0].relation": "child", "dependants[0].orphan_or_lone_elder": "1"},
     "dependants[0].orphan_or_lone_elder", "dependant.orphan_invalid"),
    ({"died_after_suspension": "later"}, "died_after_suspension", "died_after_suspension.invalid"),
    ({"death": "true"}, "death", "death.invalid"),
    ({"died_on": "2026-02-30"}, "died_on", "died_on.invalid"),
])
def test_bad_input_names_its_field(given: dict[str, str], field: str, code: str) -> None:
    with pytest.raises(ApiError) as refused:
        death_args(form(**{"death": "yes", **given}))
    assert refused.value.field == field and refused.value.code == code
    assert field in refused.value.message


def test_the_cap_shows_what_it_cut() -> None:
    # W 5400 (the floor of 9000), own wage 4000: 40 % + 40 % = 4320.00, cut 320.00 to 4000.00
    result = {"wage_basis": {"own_average": "4000.00"}, "dependant_pensions": [
        {"uncapped": "2160.00", "amount": "2000.00"}, {"uncapped": "2160.00", "amount": "2000.00"}]}
    assert pension_cap(result) == {"cap": "4000.00", "uncapped": "4320.00", "total": "4000.00",
                                   "cut": "320.00", "applied": True}
    below = {"wage_basis": {"own_average": "6500.00"}, "dependant_pensions": [
        {"uncapped": "2600.00", "amount": "2600.00"}]}
    assert pension_cap(below)["applied"] is False  # type: ignore[index]
    assert pension_cap({"wage_basis": {}, "dependant_pensions": []}) is None
