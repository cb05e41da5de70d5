"""A manager sees the onboardings and cases of their departments only: others are missing from
their lists, and every route of one of them answers the 404 an unknown id gets. HR roles, and a
person who holds one beside `manager`, see the company's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from domain.shared.masking import HIDDEN
from tests.api.conftest import auth, eventually
from tests.api.test_cases_api import act
from tests.factories import case_body, registration

ADMIN = auth("k-admin")
PRODUCTION, WAREHOUSE = "生产部", "仓储部"  # dept-dave (k-manager) manages 生产部 (conftest)
UNKNOWN_CASE, UNKNOWN_ONBOARDING = "case-E5999-20261120", "onboarding-E5999"


async def _person(api: httpx.AsyncClient, name: str, roles: list[str],
                  departments: list[str]) -> str:
    """A person added by the admin, and a key acting with every role they hold."""
    made = await api.post("/api/v1/people", headers=ADMIN,
                          json={"name": name, "roles": roles, "departments": departments})
    assert made.status_code == 201, made.text
    key = await api.post(f"/api/v1/people/{made.json()['id']}/keys", headers=ADMIN, json={})
    assert key.status_code == 201, key.text
    return str(key.json()["key"])


async def _onboarding(api: httpx.AsyncClient, employee_id: str, department: str) -> str:
    body = registration(employee_id)
    body["employee"]["department"] = department
    created = await api.post("/api/v1/onboardings", json=body, headers=auth("k-hr"))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _case(api: httpx.AsyncClient, employee_id: str, department: str) -> str:
    body = case_body(employee_id)
    body["employee"]["department"] = department
    created = await api.post("/api/v1/cases", json=body, headers=auth("k-hr"))
    assert created.status_code == 201, created.text
    case_id = str(created.json()["id"])

    async def listed() -> bool:  # a case joins the lists with its first recorded event
        page = (await api.get("/api/v1/cases", headers=auth("k-hr"))).json()
        return any(item["id"] == case_id for item in page["items"])

    await eventually(listed)
    return case_id


async def _records(api: httpx.AsyncClient) -> dict[str, str]:
    return {"production_onboarding": await _onboarding(api, "E5001", PRODUCTION),
            "warehouse_onboarding": await _onboarding(api, "E5002", WAREHOUSE),
            "production_case": await _case(api, "E5003", PRODUCTION),
            "warehouse_case": await _case(api, "E5004", WAREHOUSE)}


def _reads(record: str) -> list[str]:
    """Every route a manager may call that reads this one onboarding or case."""
    kind = "cases" if record.startswith("case-") else "onboardings"
    base = f"/api/v1/{kind}/{record}"
    common = [base, f"{base}/evidence", f"{base}/evidence/verify", f"{base}/documents"]
    if kind == "onboardings":
        return common
    return [*common, f"{base}/expenses", f"{base}/expenses/export.csv",
            f"{base}/compensation?monthly_wage=9000&regional_average_monthly_wage=10000&grade=8"]


def _ids(page: dict[str, Any]) -> list[str]:
    return sorted(item["id"] for item in page["items"])


async def test_a_manager_lists_only_the_records_of_their_departments(api: httpx.AsyncClient) -> None:
    records = await _records(api)
    wang = await _person(api, "wh-wang", ["manager"], [WAREHOUSE])
    both = await _person(api, "li-both", ["hr", "manager"], [WAREHOUSE])
    nobody = await _person(api, "zhao-none", ["manager"], [])

    async def listed(key: str, kind: str) -> dict[str, Any]:
        answer = await api.get(f"/api/v1/{kind}", headers=auth(key))
        assert answer.status_code == 200, answer.text
        page: dict[str, Any] = answer.json()
        return page

    for kind in ("onboardings", "cases"):
        everything = _ids(await listed("k-hr", kind))
        assert len(everything) == 2
        assert _ids(await listed(both, kind)) == everything
        assert _ids(await listed("k-admin", kind)) == everything
        warehouse = await listed(wang, kind)
        assert warehouse["total"] == 1 and _ids(warehouse) == [records[f"warehouse_{kind[:-1]}"]]
        production = await listed("k-manager", kind)
        assert production["total"] == 1
        assert _ids(production) == [records[f"production_{kind[:-1]}"]]
        assert await listed(nobody, kind) == {"total": 0, "limit": 50, "offset": 0, "items": []}
    filtered = await api.get("/api/v1/cases", params={"stage": "reported", "overdue": "false"},
                             headers=auth(wang))
    assert _ids(filtered.json()) == [records["warehouse_case"]]
    assert filtered.json()["items"][0]["department"] == WAREHOUSE


async def test_outside_their_departments_a_record_answers_as_an_unknown_id(
        api: httpx.AsyncClient) -> None:
    records = await _records(api)
    wang = await _person(api, "wh-wang", ["manager"], [WAREHOUSE])
    started = datetime.now(UTC) - timedelta(seconds=1)
    for kind, unknown in (("onboarding", UNKNOWN_ONBOARDING), ("case", UNKNOWN_CASE)):
        outside = records[f"production_{kind}"]
        for path, unknown_path in zip(_reads(outside), _reads(unknown), strict=True):
            refused = await api.get(path, headers=auth(wang))
            assert refused.status_code == 404, (path, refused.text)
            missing = await api.get(unknown_path, headers=auth(wang))
            assert missing.status_code == 404, (unknown_path, missing.text)
            assert refused.json() == {"error": {
                "code": f"{kind}.not_found", "message": f"no {kind} with id {outside}",
                "field": "id"}}, path
            assert missing.json()["error"] == {**refused.json()["error"],
                                               "message": f"no {kind} with id {unknown}"}
        # and as HR is told of an id that does not exist
        hr_missing = await api.get(f"/api/v1/{kind}s/{unknown}", headers=auth("k-hr"))
        assert hr_missing.json()["error"] == {"code": f"{kind}.not_found", "field": "id",
                                              "message": f"no {kind} with id {unknown}"}

    inside = records["warehouse_case"]
    for path in _reads(inside):
        answer = await api.get(path, headers=auth(wang))
        assert answer.status_code == 200, (path, answer.text)
    case = (await api.get(f"/api/v1/cases/{inside}", headers=auth(wang))).json()
    assert case["injury"] == HIDDEN and case["employee_name"] == "张三"  # masked as before
    onboarding = await api.get(f"/api/v1/onboardings/{records['warehouse_onboarding']}",
                               headers=auth(wang))
    assert onboarding.status_code == 200 and onboarding.json()["employee_id"] == "E5002"

    log = (await api.get("/api/v1/admin/access-log", headers=ADMIN,
                         params={"principal": "wh-wang", "since": started.isoformat(),
                                 "limit": 500})).json()
    assert log["total"] > 0 and {i["subject_id"] for i in log["items"]} \
        == {inside, records["warehouse_onboarding"]}  # refused reads are no reads


async def test_a_manager_s_action_is_refused_alike_inside_outside_and_for_unknown_ids(
        api: httpx.AsyncClient) -> None:
    records = await _records(api)
    answers = []
    for case_id in (records["production_case"], records["warehouse_case"], UNKNOWN_CASE):
        refused = await act(api, case_id, "withdraw", key="k-manager", reason="x")
        answers.append((refused.status_code, refused.json()))
    for onboarding in (records["production_onboarding"], records["warehouse_onboarding"],
                       UNKNOWN_ONBOARDING):
        refused = await api.post(f"/api/v1/onboardings/{onboarding}/cancel",
                                 headers=auth("k-manager"), json={"reason": "x"})
        answers.append((refused.status_code, refused.json()))
    assert {status for status, _ in answers} == {403}  # a manager takes no action on any record
    assert len({body["error"]["message"] for _, body in answers[:3]}) == 1
    assert len({body["error"]["message"] for _, body in answers[3:]}) == 1


async def test_a_manager_with_no_departments_sees_nothing_and_hr_plus_manager_everything(
        api: httpx.AsyncClient) -> None:
    records = await _records(api)
    nobody = await _person(api, "zhao-none", ["manager"], [])
    both = await _person(api, "li-both", ["hr", "manager"], [WAREHOUSE])
    for record in records.values():
        for path in _reads(record):
            assert (await api.get(path, headers=auth(nobody))).status_code == 404, path
    production = records["production_case"]
    whole = await api.get(f"/api/v1/cases/{production}", headers=auth(both))
    assert whole.status_code == 200 and whole.json()["injury"] == "右手拇指肌腱断裂"
    ledger = await api.get(f"/api/v1/onboardings/{records['production_onboarding']}/evidence",
                           headers=auth(both))
    assert ledger.status_code == 200 and ledger.json()["total"] >= 1


async def test_a_manager_s_dispute_history_holds_their_departments_cases_and_imports(
        api: httpx.AsyncClient) -> None:
    production = await _case(api, "E5003", PRODUCTION)
    warehouse = await _case(api, "E5004", WAREHOUSE)
    wang = await _person(api, "wh-wang", ["manager"], [WAREHOUSE])
    nobody = await _person(api, "zhao-none", ["manager"], [])
    for case_id in (production, warehouse):
        withdrawn = await act(api, case_id, "withdraw", reason="员工撤回")
        assert withdrawn.status_code == 200, withdrawn.text
    imported = await api.post("/api/v1/disputes/import", headers=auth("k-hr"), files={
        "file": ("past.csv", "injury,si_enrolled,outcome,grade\n右手骨折,是,调解,8\n".encode(),
                 "text/csv")})
    assert imported.status_code == 201, imported.text

    async def history(key: str) -> list[str]:
        page = (await api.get("/api/v1/disputes", headers=auth(key))).json()
        return sorted(item["case_id"] or item["source"] for item in page["items"])

    assert await eventually(lambda: _when(history("k-hr"), 3)) \
        == sorted([production, warehouse, "import"])
    assert await history(wang) == sorted([warehouse, "import"])
    assert await history("k-manager") == sorted([production, "import"])
    assert await history(nobody) == ["import"]
    similar = (await api.get("/api/v1/disputes/similar", params={"grade": 8, "limit": 100},
                             headers=auth(wang))).json()
    assert similar["searched"] == 2


async def _when(read: Any, count: int) -> list[str] | None:
    found: list[str] = await read
    return found if len(found) == count else None
