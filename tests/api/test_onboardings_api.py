"""The HTTP API end to end: real app, real dev server, real worker, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from domain.onboarding.state import ProjectionUpdate
from domain.shared.events import Event
from store import workflow_events
from tests.api.conftest import AppFactory, auth, eventually
from tests.factories import registration


async def register(api: httpx.AsyncClient, employee_id: str = "E1001", **overrides) -> dict:
    response = await api.post("/api/v1/onboardings", json=registration(employee_id, **overrides),
                              headers=auth("k-hr"))
    assert response.status_code == 201, response.text
    return response.json()


async def test_register_returns_the_si_deadline_and_rejects_a_duplicate(api: httpx.AsyncClient):
    created = await register(api)
    assert created["id"] == "onboarding-E1001"
    assert created["status"] == "awaiting_enrollment"
    deadline = created["deadlines"][0]
    assert deadline["name"] == "si_registration" and deadline["status"] == "upcoming"
    assert "art. 58" in deadline["article"]
    assert deadline["due_at_shanghai"].endswith("+08:00")
    assert [(e["seq"], e["kind"], e["actor"]) for e in created["events"]] == [
        (1, "registered", "hr-alice")]
    # the API wrote the registration as it answered: listed and in the ledger at once
    assert [i["id"] for i in await _listed(api, "awaiting_enrollment")] == ["onboarding-E1001"]
    ledger = (await api.get("/api/v1/onboardings/onboarding-E1001/evidence",
                            headers=auth("k-hr"))).json()["items"]
    assert [(e["kind"], e["actor"]) for e in ledger] == [("registered", "hr-alice")]

    again = await api.post("/api/v1/onboardings", json=registration(), headers=auth("k-hr"))
    assert again.status_code == 409
    assert again.json()["error"]["details"]["id"] == "onboarding-E1001"
    assert len(await _listed(api, "awaiting_enrollment")) == 1

    shown = await api.get("/api/v1/onboardings/onboarding-E1001", headers=auth("k-manager"))
    assert shown.status_code == 200
    assert shown.json()["events"][0]["kind"] == "registered"
    assert shown.json()["events"][0]["actor"] == "hr-alice"
    # the workflow's registered event carries the moment the API recorded, as the ledger does
    assert _moment(shown.json()["events"][0]["at"]) == _moment(created["events"][0]["at"]) \
        == _moment(ledger[0]["at"])


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def _error(api: httpx.AsyncClient, body: dict) -> dict:
    response = await api.post("/api/v1/onboardings", json=body, headers=auth("k-hr"))
    assert response.status_code == 422, response.text
    return response.json()["error"]


async def test_bad_registrations_name_the_field_and_start_nothing(api: httpx.AsyncClient):
    bad_id = registration("E2")
    bad_id["employee"]["id_number"] = "110105194912310021"
    error = await _error(api, bad_id)
    assert error["field"] == "employee.id_number" and error["code"] == "id_number.check_digit"

    error = await _error(api, registration("E3", region="atlantis"))
    assert error["field"] == "region" and "beijing" in error["message"]

    error = await _error(api, registration("E4", contribution_base="1000"))
    assert error["field"] == "contribution_base" and error["code"].endswith("out_of_range")

    far = (date.today() + timedelta(days=120)).isoformat()
    error = await _error(api, registration("E5", hire_date=far))
    assert error["field"] == "hire_date"

    missing = registration("E6")
    del missing["employee"]["name"]
    error = await _error(api, missing)
    assert error["field"] == "employee.name"

    for employee_id in ("E2", "E3", "E4", "E5", "E6"):
        response = await api.get(f"/api/v1/onboardings/onboarding-{employee_id}",
                                 headers=auth("k-hr"))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "onboarding.not_found"


async def test_keys_and_roles(api: httpx.AsyncClient):
    assert (await api.get("/api/v1/onboardings")).status_code == 401
    bad = await api.get("/api/v1/onboardings", headers=auth("nope"))
    assert bad.status_code == 401 and bad.json()["error"]["field"] == "Authorization"
    response = await api.post("/api/v1/onboardings", json=registration("E7"),
                              headers=auth("k-manager"))
    assert response.status_code == 403 and response.json()["error"]["code"] == "role.forbidden"


async def test_maker_checker_then_execution_then_no_revoke(api: httpx.AsyncClient):
    await register(api, "E10")
    base = "/api/v1/onboardings/onboarding-E10"
    submitted = await api.post(f"{base}/enrollment", headers=auth("k-hr"),
                               json={"type": "new", "contribution_base": "8000"})
    assert submitted.status_code == 200, submitted.text
    answer = submitted.json()
    assert answer["status"] == "enrollment_submitted"
    assert "events" not in answer and answer["event_count"] == 2
    assert [(e["seq"], e["kind"], e["actor"], e["type"]) for e in answer["recorded_events"]] == [
        (2, "enrollment_submitted", "hr-alice", "new")]

    same = await api.post(f"{base}/enrollment/approve", headers=auth("k-alice-mgr"), json={})
    assert same.status_code == 403
    assert same.json()["error"]["code"] == "four_eyes.same_principal"

    approved = await api.post(f"{base}/enrollment/approve", headers=auth("k-mgr"), json={})
    assert approved.status_code == 200 and approved.json()["status"] == "enrollment_approved"

    async def enrolled() -> dict | None:
        body = (await api.get(base, headers=auth("k-hr"))).json()
        return body if body["status"] == "enrolled" else None

    body = await eventually(enrolled)
    assert body["deadlines"][0]["status"] == "met"
    kinds = [e["kind"] for e in body["events"]]
    assert kinds[:4] == ["registered", "enrollment_submitted", "enrollment_approved",
                         "enrollment_executed"]

    revoke = await api.post(f"{base}/enrollment/revoke", headers=auth("k-mgr"),
                            json={"reason": "oops"})
    assert revoke.status_code == 409
    error = revoke.json()["error"]
    assert error["details"]["status"] == "enrolled" and "withdraw" in error["message"]

    listed = await eventually(lambda: _listed(api, "enrolled"))
    assert [item["id"] for item in listed] == ["onboarding-E10"]


async def _listed(api: httpx.AsyncClient, status: str) -> list[dict]:
    response = await api.get("/api/v1/onboardings", params={"status": status},
                             headers=auth("k-hr"))
    return response.json()["items"]


async def test_unknown_onboarding_and_bad_action_input(api: httpx.AsyncClient):
    unknown = await api.post("/api/v1/onboardings/onboarding-NOPE/cancel", headers=auth("k-hr"),
                             json={"reason": "x"})
    assert unknown.status_code == 404
    await register(api, "E11")
    blank = await api.post("/api/v1/onboardings/onboarding-E11/cancel", headers=auth("k-hr"),
                           json={"reason": "  "})
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "reason"
    wrong_type = await api.post("/api/v1/onboardings/onboarding-E11/enrollment",
                                headers=auth("k-hr"),
                                json={"type": "rehire", "contribution_base": "8000"})
    assert wrong_type.status_code == 422 and wrong_type.json()["error"]["field"] == "type"


@pytest.mark.dated
async def test_reminder_and_escalation_reach_the_outbox_on_a_scaled_clock(make_api: AppFactory):
    api = await make_api(time_scale=86400 * 10)
    await register(api, "E20")

    async def escalated() -> list[dict]:
        response = await api.get("/api/v1/outbox", params={"subject_id": "onboarding-E20"},
                                 headers=auth("k-hr"))
        items = response.json()["items"]
        return items if any(m["purpose"] == "escalated" for m in items) else []

    items = await eventually(escalated, timeout=30)
    purposes = {m["purpose"] for m in items}
    assert {"reminder_sent", "escalated"} <= purposes
    body = (await api.get("/api/v1/onboardings/onboarding-E20", headers=auth("k-hr"))).json()
    assert body["overdue"] is True


@pytest.mark.dated
async def test_withdrawal_after_the_bureau_window_is_refused_naming_it(make_api: AppFactory):
    api = await make_api(time_scale=86400 * 10)
    await register(api, "E30")
    base = "/api/v1/onboardings/onboarding-E30"
    await api.post(f"{base}/enrollment", headers=auth("k-hr"),
                   json={"type": "new", "contribution_base": "8000"})
    await api.post(f"{base}/enrollment/approve", headers=auth("k-mgr"), json={})

    async def closed() -> bool:
        body = (await api.get(base, headers=auth("k-hr"))).json()
        return body["events"][-1]["kind"] == "completed"

    await eventually(closed)
    late = await api.post(f"{base}/enrollment/withdrawal", headers=auth("k-hr"),
                          json={"reason": "wrong base"})
    assert late.status_code == 409
    error = late.json()["error"]
    assert error["code"] == "withdrawal.window_closed"
    assert "withdrawal window" in error["message"]


async def test_an_id_the_records_hold_stays_taken_after_temporal_forgot_it(
        api: httpx.AsyncClient, db_url: str):
    """Temporal forgets a closed workflow after its retention period and would start the id
    again; the records keep it, so the API answers 409 and starts nothing (the new onboarding's
    events would otherwise be taken for the earlier one's, keyed by id and sequence)."""
    earlier = ProjectionUpdate(
        onboarding_id="onboarding-E900", employee_id="E900", employee_name="张三",
        department="生产部", region="beijing", hire_date=date(2025, 3, 3), status="enrolled",
        si_due_at=datetime(2025, 4, 3, 16, tzinfo=UTC), created_by="hr-alice",
        events=(Event(seq=1, at=datetime(2025, 3, 3, 2, tzinfo=UTC), kind="registered",
                      actor="hr-alice", data={}),))
    workflow_events.record_onboarding(db_url, earlier)

    response = await api.post("/api/v1/onboardings", json=registration("E900"),
                              headers=auth("k-hr"))
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "onboarding.exists" and error["field"] == "employee.employee_id"
    assert error["details"]["id"] == "onboarding-E900"
    never_started = await api.get("/api/v1/onboardings/onboarding-E900", headers=auth("k-hr"))
    assert never_started.status_code == 404
    ledger = (await api.get("/api/v1/onboardings/onboarding-E900/evidence",
                            headers=auth("k-hr"))).json()["items"]
    assert [(e["kind"], e["at"][:10]) for e in ledger] == [("registered", "2025-03-03")]
