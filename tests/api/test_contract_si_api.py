"""A contract recorded after registration is watched from the employee record: 30 days on with no
enrolment, HR and the HR manager are alerted and the onboarding's ledger holds the alert. Real
app, dev server and worker; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from store import employees
from tests.api.conftest import auth, eventually
from tests.factories import registration


async def _register(api: httpx.AsyncClient, employee_id: str, hire_date: date) -> None:
    created = await api.post("/api/v1/onboardings", headers=auth("k-hr"),
                             json=registration(employee_id, hire_date=hire_date.isoformat()))
    assert created.status_code == 201, created.text


async def _contract(api: httpx.AsyncClient, employee_id: str, **body: str) -> httpx.Response:
    return await api.put(f"/api/v1/employees/{employee_id}/contract", json=body,
                         headers=auth("k-hr"))


async def test_a_contract_added_later_with_no_enrolment_raises_the_mismatch_alert(api):
    await _register(api, "E8201", date.today() - timedelta(days=50))
    start = date.today() - timedelta(days=45)
    recorded = await _contract(api, "E8201", contract_start=start.isoformat(),
                               contract_end=(start + timedelta(days=1095)).isoformat())
    assert recorded.status_code == 200, recorded.text
    answer = recorded.json()
    assert answer["onboarding_id"] == "onboarding-E8201" and answer["employment"] == 1
    watch = answer["watch"]
    assert watch["id"] == f"contract-si-E8201~1-{start:%Y%m%d}" and "art. 58" in watch["article"]
    again = await _contract(api, "E8201", contract_start=start.isoformat())
    assert again.status_code == 200 and again.json()["watch"] is None  # the same contract

    async def alerted() -> list[dict]:
        page = (await api.get("/api/v1/onboardings/onboarding-E8201/evidence",
                              headers=auth("k-hr"))).json()
        return [e for e in page["items"] if e["kind"] == "contract_si_mismatch"
                and e["payload"].get("watch_id") == watch["id"]]

    [entry] = await eventually(alerted)
    assert entry["payload"]["contract_start"] == start.isoformat()
    assert entry["payload"]["si_status"] == "uninsured"
    person = (await api.get("/api/v1/employees/E8201", headers=auth("k-hr"))).json()
    assert person["employments"][0]["contract_start"] == start.isoformat()


async def test_an_enrolled_employee_needs_no_watch_and_bad_contracts_are_refused(api, db_url):
    await _register(api, "E8202", date.today() - timedelta(days=20))

    async def on_file() -> bool:
        person = await api.get("/api/v1/employees/E8202", headers=auth("k-hr"))
        return person.status_code == 200 and person.json()["si_status"] == "uninsured"

    await eventually(on_file)
    assert employees.record_si_status(db_url, "E8202", "enrolled", date.today() - timedelta(days=5),
                                      "测试 test", "test:E8202:enrolled", datetime.now(UTC))
    enrolled = await _contract(api, "E8202", contract_start=date.today().isoformat())
    assert enrolled.status_code == 200 and enrolled.json()["watch"] is None
    backwards = await _contract(api, "E8202", contract_start="2026-12-01",
                                contract_end="2026-11-01")
    assert backwards.status_code == 422
    assert backwards.json()["error"]["code"] == "contract_end.before_start"
    unknown = await _contract(api, "E8299", contract_start="2026-12-01")
    assert unknown.status_code == 404
    manager = await api.put("/api/v1/employees/E8202/contract", headers=auth("k-manager"),
                            json={"contract_start": "2026-12-01"})
    assert manager.status_code == 403
