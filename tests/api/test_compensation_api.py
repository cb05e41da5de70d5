"""POST /api/v1/compensation/estimate against the real app (SQLite and PostgreSQL)."""

from __future__ import annotations

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
    assert negotiation["label"].startswith("NOT STATUTORY") and negotiation["low"] == "220200.00"


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
