"""Reminders and escalations reach people of the directory, each on their channels; a role nobody
reachable holds is an admin task; HR hands a record to a colleague (POST …/assign). Real app,
dev server and worker, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.conftest import AppFactory, auth, eventually
from tests.api.test_cases_api import open_case
from tests.api.test_onboardings_api import register


async def person_id(api: httpx.AsyncClient, name: str) -> int:
    found = (await api.get("/api/v1/people", params={"limit": 500},
                           headers=auth("k-admin"))).json()["items"]
    return next(p["id"] for p in found if p["name"] == name)


async def give_contacts(api: httpx.AsyncClient, name: str, **contacts: Any) -> None:
    response = await api.patch(f"/api/v1/people/{await person_id(api, name)}", json=contacts,
                               headers=auth("k-admin"))
    assert response.status_code == 200, response.text


async def outbox(api: httpx.AsyncClient, subject_id: str) -> list[dict]:
    response = await api.get("/api/v1/outbox", params={"subject_id": subject_id, "limit": 200},
                             headers=auth("k-hr"))
    return response.json()["items"]


async def admin_tasks(api: httpx.AsyncClient, state: str = "open") -> list[dict]:
    response = await api.get("/api/v1/admin/tasks", params={"state": state},
                             headers=auth("k-admin"))
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.mark.dated
async def test_the_reminder_reaches_the_assigned_owner_and_escalations_the_directory(
        make_api: AppFactory):
    api = await make_api(time_scale=86400 * 2)
    await give_contacts(api, "hr-carol", phone="13700137001", channels=["sms"])
    await give_contacts(api, "mgr-bob", email="bob@example.com")
    await give_contacts(api, "dept-dave", email="dave@example.com")
    await register(api, "E40")
    assigned = await api.post("/api/v1/onboardings/onboarding-E40/assign",
                              json={"owner": "hr-carol"}, headers=auth("k-hr"))
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["owner"] == "hr-carol"
    assert assigned.json()["recorded_events"][0]["kind"] == "assigned"
    assert assigned.json()["recorded_events"][0]["previous"] == "hr-alice"

    async def escalated() -> list[dict]:
        items = await outbox(api, "onboarding-E40")
        reached = {m["recipient_name"] for m in items if m["purpose"] == "escalated"}
        done = reached >= {"mgr-bob", "dept-dave", "hr-carol"}
        return items if done and any(m["purpose"] == "reminder_sent" for m in items) else []

    items = await eventually(escalated, timeout=60)
    # No SMS or SMTP is configured here, so every send lands in the outbox, addressed with what
    # the directory holds at send time (the workflow carried only the people's ids).
    reminder = [m for m in items if m["purpose"] == "reminder_sent"]
    assert [(m["recipient_role"], m["recipient_name"], m["phone"]) for m in reminder] == \
        [("hr", "hr-carol", "+8613700137001")]
    escalation = {m["recipient_name"]: m for m in items if m["purpose"] == "escalated"}
    assert escalation["mgr-bob"]["email"] == "bob@example.com"
    assert escalation["dept-dave"]["email"] == "dave@example.com"
    assert escalation["hr-carol"]["recipient_role"] == "hr"
    assert "李经理" not in escalation  # the registration's contact is the fallback only
    assert not [t for t in await admin_tasks(api) if t["subject_id"] == "onboarding-E40"]
    row = (await api.get("/api/v1/onboardings", headers=auth("k-hr"))).json()["items"]
    assert next(r for r in row if r["id"] == "onboarding-E40")["owner"] == "hr-carol"


@pytest.mark.dated
async def test_nobody_reachable_is_an_admin_task_and_the_outbox_still_gets_the_reminder(
        make_api: AppFactory):
    api = await make_api(time_scale=86400 * 10)
    await register(api, "E41")

    async def tasks_and_reminder() -> list[dict]:
        # The admin tasks open while recipients are routed; the outbox row is written by the
        # send that follows, so both are waited for.
        open_tasks = [t for t in await admin_tasks(api) if t["kind"] == "recipient_missing"]
        if {t["role"] for t in open_tasks} < {"hr", "hr_manager"}:
            return []
        sent = {m["purpose"] for m in await outbox(api, "onboarding-E41")}
        return open_tasks if "reminder_sent" in sent else []

    found = await eventually(tasks_and_reminder, timeout=40)
    owner_task = next(t for t in found if t["role"] == "hr")
    assert owner_task["owner"] == "hr-alice" and "负责人「hr-alice」" in owner_task["detail"]
    onboarding = (await api.get("/api/v1/onboardings/onboarding-E41",
                                headers=auth("k-hr"))).json()
    missing = [e for e in onboarding["events"] if e["kind"] == "recipients_missing"]
    assert missing and "hr" in missing[0]["roles"]
    # The department's manager was reachable through the registration's contact: no task.
    assert "department_manager" not in {t["role"] for t in found}

    assert (await api.get("/api/v1/admin/tasks", headers=auth("k-hr"))).status_code == 403
    closed = await api.post(f"/api/v1/admin/tasks/{owner_task['id']}/close",
                            json={"note": "hr-alice's email added"}, headers=auth("k-admin"))
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_by"] == "root"
    again = await api.post(f"/api/v1/admin/tasks/{owner_task['id']}/close",
                           json={"note": "again"}, headers=auth("k-admin"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "task.closed"
    assert owner_task["id"] in {t["id"] for t in await admin_tasks(api, "closed")}
    unknown = await api.post("/api/v1/admin/tasks/999999/close", json={"note": "x"},
                             headers=auth("k-admin"))
    assert unknown.status_code == 404


async def test_assign_names_the_rule_a_bad_owner_breaks_and_changes_nothing(api: httpx.AsyncClient):
    await register(api, "E42")
    for owner, code in (("nobody-here", "owner.unknown"), ("dept-dave", "owner.not_hr"),
                        ("", "owner.required")):
        response = await api.post("/api/v1/onboardings/onboarding-E42/assign",
                                  json={"owner": owner}, headers=auth("k-hr"))
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["field"].endswith("owner") and (code == "owner.required" or
                                                     error["code"] == code)
    manager = await api.post("/api/v1/onboardings/onboarding-E42/assign",
                             json={"owner": "hr-carol"}, headers=auth("k-manager"))
    assert manager.status_code == 403
    view = (await api.get("/api/v1/onboardings/onboarding-E42", headers=auth("k-hr"))).json()
    assert view["owner"] == "hr-alice"
    assert not [e for e in view["events"] if e["kind"] == "assigned"]
    await give_contacts(api, "hr-carol", active=False)
    inactive = await api.post("/api/v1/onboardings/onboarding-E42/assign",
                              json={"owner": "hr-carol"}, headers=auth("k-hr"))
    assert inactive.status_code == 422 and inactive.json()["error"]["code"] == "owner.inactive"
    unknown = await api.post("/api/v1/onboardings/onboarding-NOPE/assign",
                             json={"owner": "hr-alice"}, headers=auth("k-hr"))
    assert unknown.status_code == 404


async def test_a_case_is_handed_over_and_its_tasks_follow(api: httpx.AsyncClient):
    case = await open_case(api, "E43")
    assert case["owner"] == "hr-alice"
    assert {t["owner"] for t in case["tasks"] if t["owner_role"] == "hr"} == {"hr-alice"}
    response = await api.post(f"/api/v1/cases/{case['id']}/assign", json={"owner": "hr-carol"},
                              headers=auth("k-hr"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["owner"] == "hr-carol"
    assert {t["owner"] for t in answer["tasks"] if t["owner_role"] == "hr"} == {"hr-carol"}
    assert answer["recorded_events"][0]["kind"] == "assigned"

    async def listed() -> bool:
        rows = (await api.get("/api/v1/cases", headers=auth("k-hr"))).json()["items"]
        return any(r["id"] == case["id"] and r.get("owner") == "hr-carol" for r in rows)

    await eventually(listed)
    withdrawn = await api.post(f"/api/v1/cases/{case['id']}/actions/withdraw",
                               json={"reason": "the employee settled privately"},
                               headers=auth("k-hr"))
    assert withdrawn.status_code == 200, withdrawn.text
    closed = await api.post(f"/api/v1/cases/{case['id']}/assign", json={"owner": "hr-alice"},
                            headers=auth("k-hr"))
    assert closed.status_code == 409, closed.text
