"""POST /api/v1/compensation/estimate against the real app (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.api.conftest import auth

URL = "/api/v1/compensation/estimate"
BODY = {"region": "guangdong", "injury_date": "2025-03-01", "grade": 7, "monthly_wage": "3000",
        "regional_average_monthly_wage": "8000", "si_enrolled": True, "contract_ends": "2026-01-31",
        "suspension_months": 3}


async def test_estimate_item_by_item(api: httpx.AsyncClient) -> None:
    answer = await api.post(URL, json=BODY, headers=auth("k-manager"))  # any role may estimate
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["wage_basis"]["basis"] == "4800.00" and data["wage_basis"]["bound"] == "floor"
    by_code = {i["code"]: i for i in data["items"]}
    assert {c: (i["amount"], i["payer"]) for c, i in by_code.items()} == {
        "suspension_wages": ("9000.00", "employer"),
        "one_time_disability_subsidy": ("62400.00", "fund"),
        "one_time_medical_subsidy": ("28800.00", "fund"),
        "one_time_employment_subsidy": ("120000.00", "employer"),
    }
    assert by_code["one_time_disability_subsidy"]["formula"] == "13 months × W 4800.00"
    assert by_code["one_time_disability_subsidy"]["article"] == "Reg. art. 37(1)"
    assert data["totals"]["once"] == {"fund": "91200.00", "employer": "129000.00", "total": "220200.00"}
    assert data["rule_set"]["name"] == "reg_2010"
    assert {r["kind"] for r in data["policy_rows"]} >= {"rule_set", "termination_subsidies"}
    assert all("verified" in r and r["source"] for r in data["policy_rows"])
    negotiation = data["suggested_negotiation_range"]
    assert negotiation["statutory_amount"] == "220200.00"
    assert negotiation["employer_share"] == negotiation["low"] == negotiation["high"] == "129000.00"
    assert negotiation["reasons"][0]["zh"].startswith("法定金额 220200.00")


SEED_001 = {"region": "guangzhou", "injury_date": "2026-03-10", "grade": 9, "monthly_wage": "6000",
            "regional_average_monthly_wage": "9000", "si_enrolled": True, "suspension_months": 3,
            "offer": "100000"}
THIRD_PARTY = {"liability_share": "0.5", "age": 35, "urban_income": "60000", "medical_costs": "30000",
               "third_party_paid_medical": "15000", "lost_income": "18000", "nursing": "3000",
               "transport": "500", "mental_distress": "10000"}
SEED_001["third_party"] = THIRD_PARTY


async def test_seed_001_three_answers_and_the_civil_claim(api: httpx.AsyncClient) -> None:
    answer = await api.post(URL, json=SEED_001, headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    nego = answer.json()["suggested_negotiation_range"]
    assert (nego["statutory_amount"], nego["employer_share"], nego["low"], nego["high"]) == (
        "87000.00", "18000.00", "18000.00", "66000.00")
    assert [r["topic"] for r in nego["reasons"]] == [
        "statutory", "employer", "low", "risk", "high", "third_party", "offer"]
    assert all(r["zh"] and r["en"] and r["basis"] for r in nego["reasons"])
    civil = nego["third_party"]
    # 交强险 first (有责: medical 18,000 + death and disability 180,000), then 50 % of the rest
    assert (civil["insurer"], civil["claim"], civil["total"]) == ("198000.00", "51750.00", "249750.00")
    assert civil["fund_medical"] == "15000.00" and civil["compulsory_verified"] is False
    assert "交强险先赔 198000.00" in nego["reasons"][5]["zh"]
    assert "不含职工向交强险和第三人主张的民事赔偿 249750.00" in nego["reasons"][4]["zh"]
    assert nego["offer"] == "100000.00" and nego["unverified"]
    over = {**THIRD_PARTY, "liability_share": "1.5"}
    bad = await api.post(URL, json={**SEED_001, "third_party": over}, headers=auth("k-hr"))
    assert bad.status_code == 422 and "liability_share" in bad.json()["error"]["field"]


async def test_seed_001_without_compulsory_insurance_and_contradictions(api: httpx.AsyncClient) -> None:
    bicycle = {**THIRD_PARTY, "motor_vehicle": False}
    answer = await api.post(URL, json={**SEED_001, "third_party": bicycle}, headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    civil = answer.json()["suggested_negotiation_range"]["third_party"]
    assert (civil["insurer"], civil["claim"], civil["total"]) == ("0.00", "150750.00", "150750.00")
    insured_bicycle = {**bicycle, "compulsory_insurance": True}
    bad = await api.post(URL, json={**SEED_001, "third_party": insured_bicycle}, headers=auth("k-hr"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "third_party.compulsory_insurance"
    not_liable = {**THIRD_PARTY, "other_party_liable": False}
    bad = await api.post(URL, json={**SEED_001, "third_party": not_liable}, headers=auth("k-hr"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "third_party.other_party_liable"


async def test_bad_input_is_a_422_naming_the_field(api: httpx.AsyncClient) -> None:
    no_average = {k: v for k, v in BODY.items() if k != "regional_average_monthly_wage"}
    answer = await api.post(URL, json=no_average, headers=auth("k-hr"))
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "regional_average_monthly_wage"
    both = await api.post(URL, json={**BODY, "death": True}, headers=auth("k-hr"))
    assert both.status_code == 422 and both.json()["error"]["field"] == "death"
    unknown = await api.post(URL, json={**BODY, "region": "atlantis"}, headers=auth("k-hr"))
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "region"
    anonymous = await api.post(URL, json=BODY)
    assert anonymous.status_code == 401


async def test_grades_5_and_6_answer_with_both_options_apart(api: httpx.AsyncClient) -> None:
    body = {**BODY, "grade": 6, "monthly_wage": "6000", "minimum_monthly_wage": "5000",
            "average_wage_before_employment_ends": "7000"}                 # Guangdong art. 35
    answer = await api.post(URL, json=body, headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert {i["code"] for i in data["items"]} == {"suspension_wages", "one_time_disability_subsidy"}
    options = {o["code"]: o for o in data["options"]}
    keep, end = options["keep_employment"], options["end_employment"]
    assert {i["code"]: i["amount"] for i in keep["items"]} == {
        "monthly_disability_allowance": "3600.00", "minimum_wage_top_up": "1400.00"}
    assert {i["code"]: i["amount"] for i in end["items"]} == {
        "one_time_medical_subsidy": "56000.00", "one_time_employment_subsidy": "280000.00"}  # 8/40 × 7000
    once = data["totals"]["once"]["total"]                                  # 18000 + 96000
    assert once == "114000.00" and end["once"]["total"] == "450000.00"
    assert keep["monthly"]["total"] == "5000.00" and keep["once"]["total"] == once
    assert data["dependant_pensions"] == []


async def test_a_death_after_the_suspension_period_with_each_dependant(api: httpx.AsyncClient) -> None:
    body = {"region": "guangdong", "injury_date": "2025-03-01", "grade": 2, "death": True,
            "died_after_suspension": True, "monthly_wage": "5000", "si_enrolled": True,
            "regional_average_monthly_wage": "8000",
            "dependants": [{"relation": "spouse"}, {"relation": "parent"}, {"relation": "parent"},
                           {"relation": "child"}]}
    answer = await api.post(URL, json=body, headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert {i["code"]: i["amount"] for i in data["items"]} == {
        "funeral_subsidy": "48000.00", "dependant_pension": "5000.00"}    # no one-time death subsidy
    assert [(d["relation"], d["cut"], d["amount"]) for d in data["dependant_pensions"]] == [
        ("spouse", "461.54", "1538.46"), ("parent", "346.15", "1153.85"),
        ("parent", "346.15", "1153.85"), ("child", "346.16", "1153.84")]
    grade_5 = await api.post(URL, json={**body, "grade": 5}, headers=auth("k-hr"))
    assert grade_5.status_code == 422 and grade_5.json()["error"]["field"] == "grade"
    assert grade_5.json()["error"]["code"] == "compensation.death_after_suspension_grade"
    no_death = await api.post(URL, json={**BODY, "died_after_suspension": False}, headers=auth("k-hr"))
    assert no_death.status_code == 422
    assert no_death.json()["error"]["field"] == "died_after_suspension"


async def test_zhejiang_reduces_the_employment_subsidy_near_retirement(api: httpx.AsyncClient) -> None:
    body = {**BODY, "region": "zhejiang", "provincial_average_monthly_wage": "7000",
            "retirement_date": "2029-07-31"}                              # 3.5 years after 2026-01-31
    answer = await api.post(URL, json=body, headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    by_code = {i["code"]: i for i in answer.json()["items"]}
    assert by_code["one_time_medical_subsidy"]["amount"] == "70000.00"      # 10 × 7000
    assert by_code["one_time_employment_subsidy"]["amount"] == "56000.00"   # 80 % of 70000
    assert "art. 27 ¶2" in by_code["one_time_employment_subsidy"]["formula"]


async def test_a_deaths_civil_claim_with_funeral_costs_and_dependants(api: httpx.AsyncClient) -> None:
    civil_death = {**THIRD_PARTY, "average_monthly_wage": "9000", "urban_consumption": "40000",
                   "dependants": [{"age": 8, "supporters": 2}]}
    body = {**SEED_001, "grade": None, "death": True, "third_party": civil_death}
    answer = await api.post(URL, json=body, headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    civil = answer.json()["suggested_negotiation_range"]["third_party"]
    items = {i["code"]: (i["damage"], i["claim"]) for i in civil["items"]}
    # art. 14: 9,000 × 6; art. 17: 40,000 ÷ 2 supporters × 10 years; each rest × 50 %
    assert items["funeral_costs"] == ("54000.00", "27000.00")
    assert items["dependants_living_costs"] == ("200000.00", "100000.00")
    assert (civil["insurer"], civil["claim"], civil["total"]) == ("198000.00", "658750.00", "856750.00")
    no_consumption = {**civil_death, "urban_consumption": None}
    bad = await api.post(URL, json={**body, "third_party": no_consumption}, headers=auth("k-hr"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "third_party.urban_consumption"
    unsupported = {**civil_death, "dependants": [{"age": 8, "supporters": 0}]}
    bad = await api.post(URL, json={**body, "third_party": unsupported}, headers=auth("k-hr"))
    assert bad.status_code == 422 and "dependants" in bad.json()["error"]["field"]
    alive = await api.post(URL, json={**SEED_001, "third_party": civil_death}, headers=auth("k-hr"))
    assert alive.status_code == 422
    assert alive.json()["error"]["field"] == "third_party.average_monthly_wage"


async def test_property_damage_is_claimed_under_the_property_limit(api: httpx.AsyncClient) -> None:
    ebike = {**THIRD_PARTY, "property_damage": "3500"}
    answer = await api.post(URL, json={**SEED_001, "third_party": ebike}, headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    civil = answer.json()["suggested_negotiation_range"]["third_party"]
    [damage] = [i for i in civil["items"] if i["code"] == "property_damage"]
    assert (damage["insurer"], damage["claim"], damage["total"]) == ("2000.00", "750.00", "2750.00")
    bad = await api.post(URL, json={**SEED_001, "third_party": {**ebike, "property_damage": "-1"}},
                         headers=auth("k-hr"))
    assert bad.status_code == 422 and "property_damage" in bad.json()["error"]["field"]


async def test_a_late_application_without_a_case_moves_the_periods_costs(api: httpx.AsyncClient) -> None:
    """Reg. art. 17 ¶4 on the case-less estimate: dates around today, whatever day it is."""
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()

    def day(before: int) -> str:
        return (today - timedelta(days=before)).isoformat()

    late = {"ended_on": day(10), "costs": [{"on": day(50), "amount": "1000", "reference": "A-1"},
                                           {"on": day(5), "amount": "500"}]}
    body = {**BODY, "injury_date": day(60), "region": "beijing", "contract_ends": None,
            "late_application": late}
    answer = await api.post(URL, json=body, headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    data = answer.json()
    period = data["late_period"]
    assert (period["since"], period["last_day"], period["days"]) == (day(60), day(10), 51)
    assert [m["reference"] for m in period["moved"]] == ["A-1"] and period["moved_total"] == "1000.00"
    assert [c["amount"] for c in period["stays_with_fund"]] == ["500.00"]  # after acceptance
    [moved] = [i for i in data["items"] if i["code"] == "late_period_medical_expenses"]
    assert moved["payer"] == "employer" and moved["amount"] == "1000.00"
    # Hangzhou follows 浙江省工伤保险条例 art. 13: its costs up to the day before the filing
    hangzhou = await api.post(URL, json={**body, "region": "hangzhou"}, headers=auth("k-hr"))
    assert hangzhou.status_code == 200, hangzhou.text
    city = hangzhou.json()["late_period"]
    assert city["last_day"] == day(11) and "浙江" in city["rule_article"]
    running = await api.post(URL, json={**body, "late_application": {**late, "ended_on": None}},
                             headers=auth("k-hr"))
    assert running.status_code == 200 and running.json()["late_period"]["provisional"] is True
    for change, field in (({"ended_on": day(-3)}, "late_application.ended_on"),
                          ({"costs": [{"on": day(70), "amount": "1"}]}, "late_application.costs[0].on")):
        bad = await api.post(URL, json={**body, "late_application": {**late, **change}},
                             headers=auth("k-hr"))
        assert bad.status_code == 422 and bad.json()["error"]["field"] == field, bad.text


async def test_a_death_within_a_late_applications_period_is_the_employers(api: httpx.AsyncClient) -> None:
    """Reg. art. 17 ¶4 with art. 39: the death's items arise at the death; dates around today."""
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()

    def day(before: int) -> str:
        return (today - timedelta(days=before)).isoformat()

    body = {**BODY, "injury_date": day(60), "region": "beijing", "contract_ends": None, "grade": None,
            "death": True, "died_after_suspension": False, "dependants": [{"relation": "spouse"}],
            "late_application": {"ended_on": day(10), "costs": []}}
    within = await api.post(URL, json={**body, "died_on": day(55)}, headers=auth("k-hr"))
    assert within.status_code == 200, within.text
    payers = {i["code"]: i["payer"] for i in within.json()["items"]}
    assert payers["funeral_subsidy"] == payers["one_time_death_subsidy"] == "employer"
    assert payers["dependant_pension"] == "fund"
    after = await api.post(URL, json={**body, "died_on": day(5)}, headers=auth("k-hr"))
    deaths = ("funeral_subsidy", "one_time_death_subsidy", "dependant_pension")
    assert {i["payer"] for i in after.json()["items"] if i["code"] in deaths} == {"fund"}
    for died_on, code in ((day(-2), "died_on.future"), (day(61), "compensation.died_before_injury")):
        bad = await api.post(URL, json={**body, "died_on": died_on}, headers=auth("k-hr"))
        assert bad.status_code == 422 and bad.json()["error"]["code"] == code, bad.text
        assert bad.json()["error"]["field"] == "died_on"
