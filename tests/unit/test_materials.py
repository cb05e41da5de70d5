"""The determination-application materials checklist (Regs. art. 18; regional rules)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.compensation.data import CompensationTables
from domain.injury.materials import (
    DEFAULT_REGION,
    Checklist,
    MaterialsTable,
    check_codes,
    checklist_for,
    missing,
)
from domain.shared.errors import RuleViolation

DATA = Path(__file__).resolve().parents[2] / "domain" / "data" / "injury_materials.json"
STATUTORY = ("application_form", "labour_relationship", "diagnosis")


def plain(region: str = "beijing", **facts: bool) -> Checklist:
    return checklist_for(region, traffic_accident=facts.get("traffic", False),
                         has_witnesses=facts.get("witnesses", False))


def document() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def test_the_national_list_starts_with_the_three_items_of_article_18():
    checklist = plain(DEFAULT_REGION)
    assert checklist.codes[:3] == STATUTORY
    assert checklist.codes == STATUTORY + ("id_copy", "accident_report")
    assert all("art. 18" in item.source for item in checklist.items[:3])
    assert "工伤保险条例" in checklist.source and "art. 18" in checklist.source


@pytest.mark.parametrize("region", ["beijing", "guangdong", "hainan", "  ", "", "Atlantis"])
def test_a_region_without_its_own_entry_falls_back_to_the_national_list(region: str):
    checklist = plain(region)
    assert checklist.region_used == DEFAULT_REGION
    assert checklist.items == plain(DEFAULT_REGION).items
    assert checklist.source == plain(DEFAULT_REGION).source


def test_zhejiang_replaces_two_items_in_place_and_keeps_the_rest():
    checklist = plain(" Zhejiang ")
    national = plain(DEFAULT_REGION)
    assert checklist.region_used == "zhejiang"
    assert checklist.codes == national.codes
    by_code = {item.code: item for item in checklist.items}
    assert "劳动人事关系" in by_code["labour_relationship"].label_zh
    assert "初诊诊断证明书" in by_code["diagnosis"].label_zh
    assert "浙江省工伤保险条例 art. 15" in by_code["diagnosis"].source
    assert by_code["application_form"] == national.items[0]
    assert checklist.source.startswith("浙江省工伤保险条例 (2017, amended 2020-09-24) art. 15")
    assert "工伤保险条例 (2010 revision) art. 18" in checklist.source


@pytest.mark.parametrize(("traffic", "witnesses", "extra"), [
    (False, False, ()),
    (False, True, ("witness_statements",)),
    (True, False, ("traffic_police_report",)),
    (True, True, ("witness_statements", "traffic_police_report")),
])
def test_conditional_items_appear_only_when_the_case_calls_for_them(traffic: bool, witnesses: bool,
                                                                    extra: tuple[str, ...]):
    checklist = plain(traffic=traffic, witnesses=witnesses)
    assert checklist.codes == STATUTORY + ("id_copy", "accident_report") + extra
    conditions = {item.code: item.condition for item in checklist.items}
    assert all(conditions[code] for code in extra)


def test_items_required_only_by_practice_are_marked_unverified():
    checklist = plain(traffic=True, witnesses=True)
    assert checklist.unverified == ("id_copy", "accident_report", "witness_statements",
                                    "traffic_police_report")
    assert checklist.verified is False
    for item in checklist.items:
        if item.code in checklist.unverified:
            assert item.source.startswith("practice, not statute text")


def test_a_list_of_statutory_items_only_is_verified():
    table = document()
    table["checklists"][0]["items"] = [i for i in table["checklists"][0]["items"]
                                       if i["code"] in STATUTORY]
    checklist = checklist_for("zhejiang", traffic_accident=True, has_witnesses=True,
                              table=MaterialsTable.from_json(table))
    assert checklist.codes == STATUTORY and checklist.unverified == () and checklist.verified


def test_missing_lists_required_items_not_provided_in_checklist_order():
    items = plain(traffic=True, witnesses=True).items
    gaps = missing(items, ["traffic_police_report", "application_form", "accident_report"])
    assert [item.code for item in gaps] == ["labour_relationship", "diagnosis", "id_copy",
                                            "witness_statements"]


def test_missing_ignores_items_that_are_not_required():
    items = tuple(replace(item, required=item.code != "id_copy") for item in plain().items)
    assert [item.code for item in missing(items, [])] == [c for c in plain().codes if c != "id_copy"]


def test_check_codes_returns_each_code_once_in_order():
    items = plain(witnesses=True).items
    assert check_codes(items, ["diagnosis", "application_form", "diagnosis"]) == (
        "diagnosis", "application_form")
    assert check_codes(items, []) == ()


def test_an_unknown_code_names_the_field_the_code_and_the_valid_codes():
    items = plain().items
    with pytest.raises(RuleViolation) as caught:
        check_codes(items, ["diagnosis", "x_ray", "traffic_police_report"], field="action.materials")
    error = caught.value
    assert error.field == "action.materials" and error.code == "materials.unknown"
    assert "'x_ray'" in error.message and "'traffic_police_report'" in error.message
    assert "'diagnosis'" not in error.message.split("valid codes")[0]
    assert "valid codes: application_form, labour_relationship, diagnosis, id_copy, accident_report" \
        in error.message


def test_a_single_string_is_one_code_not_its_letters():
    with pytest.raises(RuleViolation, match="'diagnosis_x' is not a material code"):
        check_codes(plain().items, "diagnosis_x")


@pytest.mark.parametrize(("path", "value", "message"), [
    (("checklists",), {}, "'checklists' must be a list"),
    (("checklists", 0, "region"), "", "entry 1 needs a non-empty 'region'"),
    (("checklists", 0, "source"), " ", "region 'default': 'source' must be a non-empty string"),
    (("checklists", 0, "verified"), "yes", "region 'default': 'verified' must be true or false"),
    (("checklists", 1, "items"), [], "region 'zhejiang': 'items' must be a non-empty list"),
    (("checklists", 0, "items", 1, "code"), "Labour", "region 'default' item 2: 'code' must be"),
    (("checklists", 0, "items", 5, "condition"), "rain",
     "region 'default' item 6 ('witness_statements'): 'condition' must be one of"),
    (("checklists", 1, "items", 0, "label_zh"), None,
     "region 'zhejiang' item 1 ('labour_relationship'): 'label_zh' must be a non-empty string"),
    (("checklists", 0, "items", 0, "required"), "yes",
     "('application_form'): 'required' must be true or false"),
    (("checklists", 0, "items", 2, "code"), "application_form",
     "region 'default': item code 'application_form' is listed twice"),
    (("checklists", 1, "region"), "DEFAULT", "region 'default' is listed twice"),
])
def test_a_malformed_document_is_refused_naming_the_region_and_item(path: tuple[Any, ...],
                                                                    value: Any, message: str):
    data = document()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValueError, match=re.escape(message)):
        MaterialsTable.from_json(data)


def test_a_document_without_the_national_entry_is_refused():
    data = document()
    data["checklists"] = data["checklists"][1:]
    with pytest.raises(ValueError, match="no 'default' \\(national\\) entry"):
        MaterialsTable.from_json(data)


def test_the_bundled_table_is_loaded_once_and_lists_its_regions():
    assert MaterialsTable.bundled() is MaterialsTable.bundled()
    assert MaterialsTable.bundled().regions() == ("zhejiang",)
    assert MaterialsTable.bundled() == MaterialsTable.from_json(copy.deepcopy(document()))


facts = st.fixed_dictionaries({
    "region": st.sampled_from(["default", "beijing", "zhejiang", "guangdong", "nowhere"]),
    "traffic_accident": st.booleans(), "has_witnesses": st.booleans()})


@given(facts, st.data())
def test_missing_is_empty_with_every_code_and_the_required_items_with_none(case: dict[str, Any],
                                                                           data: st.DataObject):
    items = checklist_for(case["region"], traffic_accident=case["traffic_accident"],
                          has_witnesses=case["has_witnesses"]).items
    codes = [item.code for item in items]
    assert missing(items, codes) == ()
    assert missing(items, []) == tuple(item for item in items if item.required)
    provided = data.draw(st.lists(st.sampled_from(codes)))
    gaps = missing(items, provided)
    assert {item.code for item in gaps} == set(codes) - set(provided)
    assert [item.code for item in gaps] == [c for c in codes if c in {i.code for i in gaps}]
    assert check_codes(items, provided) == tuple(dict.fromkeys(provided))


def test_a_city_without_a_list_of_its_own_takes_its_provinces():
    provinces = CompensationTables.bundled().provinces
    hangzhou = checklist_for("hangzhou", traffic_accident=False, has_witnesses=False,
                             provinces=provinces)
    assert hangzhou.region_used == "zhejiang" and "浙江省工伤保险条例" in hangzhou.source
    assert checklist_for("hangzhou", traffic_accident=False, has_witnesses=False).region_used == "default"
    guangzhou = checklist_for("guangzhou", traffic_accident=False, has_witnesses=False,
                              provinces=provinces)
    assert guangzhou.region_used == "default"  # Guangdong has no list on file: the national one
