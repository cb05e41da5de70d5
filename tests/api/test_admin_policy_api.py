"""An admin loads a period's policy figures: checked as the policy file is, stored, recorded as
evidence, and used over the bundled rows by new registrations and estimates (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from sqlmodel import select

from store.db import session_for
from store.models import EvidenceEntry
from store.policy_loads import PolicyLoadRow
from tests.api.conftest import AppFactory, auth
from tests.factories import registration

NOTICE = "北京市人力资源和社会保障局关于统一2026年度各项社会保险缴费工资基数上下限的通知 (test)"
BASES = {"region": "beijing", "period_start": "2026-07-01", "period_end": "2027-06-30",
         "lower": "7500", "upper": "37000", "document": NOTICE, "source": "test: read from the notice",
         "verified": True}
AVERAGE = {"region": "guangdong", "scope": "regional", "period_start": "2025-01-01",
           "period_end": None, "monthly": "8000", "document": None,
           "source": "test: an unconfirmed figure", "verified": False}
ESTIMATE = {"region": "guangdong", "injury_date": "2025-03-01", "grade": 7, "monthly_wage": "3000",
            "si_enrolled": True, "contract_ends": "2026-01-31", "suspension_months": 3}


async def test_an_admin_load_is_stored_recorded_and_used_by_new_registrations(
        api: httpx.AsyncClient, db_url: str) -> None:
    loaded = await api.post("/api/v1/admin/policy", headers=auth("k-admin"),
                            json={"source": NOTICE, "contribution_bases": [BASES]})
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["rows"] == {"contribution_bases": 1} and loaded.json()["unverified"] == 0
    registered = await api.post("/api/v1/onboardings", headers=auth("k-hr"), json=registration(
        "E4101", contribution_base="7400", hire_date=date.today().isoformat()))
    if date.today() >= date(2026, 7, 1):  # the loaded period: 7,400 is below its lower limit
        assert registered.status_code == 422, registered.text
        assert registered.json()["error"]["field"] == "contribution_base"
        assert "7500" in registered.json()["error"]["message"]
    with session_for(db_url) as session:
        assert len(session.exec(select(PolicyLoadRow)).all()) == 1
        kinds = session.exec(select(EvidenceEntry.kind).where(
            EvidenceEntry.subject_id == "policy")).all()
    assert list(kinds) == ["policy_loaded"]


async def test_an_estimate_uses_a_loaded_average_wage_and_says_it_is_unverified(
        api: httpx.AsyncClient) -> None:
    missing = await api.post("/api/v1/compensation/estimate", json=ESTIMATE, headers=auth("k-hr"))
    assert missing.status_code == 422  # no average wage on file for Guangdong
    loaded = await api.post("/api/v1/admin/policy", headers=auth("k-admin"),
                            json={"source": "test", "average_wages": [AVERAGE]})
    assert loaded.status_code == 201 and loaded.json()["unverified"] == 1
    answer = await api.post("/api/v1/compensation/estimate", json=ESTIMATE, headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["wage_basis"]["basis"] == "4800.00"
    assert any("not verified" in w and "an unconfirmed figure" in w
               for w in answer.json()["warnings"])


async def test_a_restarted_api_still_uses_the_loaded_rows(make_api: AppFactory) -> None:
    first = await make_api()
    await first.post("/api/v1/admin/policy", headers=auth("k-admin"),
                     json={"source": "test", "average_wages": [AVERAGE]})
    second = await make_api()
    answer = await second.post("/api/v1/compensation/estimate", json=ESTIMATE,
                               headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text


async def test_only_an_admin_may_load_policy(api: httpx.AsyncClient) -> None:
    refused = await api.post("/api/v1/admin/policy", headers=auth("k-hr"),
                             json={"source": NOTICE, "contribution_bases": [BASES]})
    assert refused.status_code == 403


@pytest.mark.parametrize(("body", "field"), [
    ({"contribution_bases": [BASES, {**BASES, "lower": "abc"}]}, "contribution_bases[1].lower"),
    ({"contribution_bases": [{**BASES, "period_end": "2026-06-30"}]},
     "contribution_bases[0].period_end"),
    ({"contribution_bases": [{k: v for k, v in BASES.items() if k != "source"}]},
     "contribution_bases[0].source"),
    ({"average_wages": [{**AVERAGE, "verified": "yes"}]}, "average_wages[0].verified"),
    ({"national_income": [{"year": 2026, "amount": "-1", "source": "s"}]},
     "national_income[0].amount"),
    ({"minimum_wages": [{"region": "beijing", "monthly": "2540", "source": "s",
                         "document": ""}]}, "minimum_wages[0].document"),
    ({}, "contribution_bases"),
])
async def test_a_bad_row_is_422_naming_section_row_and_field_and_stores_nothing(
        api: httpx.AsyncClient, db_url: str, body: dict, field: str) -> None:  # type: ignore[type-arg]
    response = await api.post("/api/v1/admin/policy", headers=auth("k-admin"),
                              json={"source": NOTICE, **body})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    with session_for(db_url) as session:
        assert session.exec(select(PolicyLoadRow)).first() is None
