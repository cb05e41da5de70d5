"""A case's SI standing from the employee record, through the API: derived on the accident date,
HR's contrary answer refused, the override with reason and document, the art. 62 block, and the
onboarding's evidence in the case's bundle. Real app, dev server and worker; SQLite and
PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from store import employees
from tests.api.conftest import auth, eventually
from tests.factories import case_body, registration

PDF = b"%PDF-1.4 social insurance certificate"


async def _register(api: httpx.AsyncClient, employee_id: str, hire_date: date) -> None:
    created = await api.post("/api/v1/onboardings", headers=auth("k-hr"),
                             json=registration(employee_id, hire_date=hire_date.isoformat()))
    assert created.status_code == 201, created.text

    async def uninsured_on_file() -> bool:
        person = await api.get(f"/api/v1/employees/{employee_id}", headers=auth("k-hr"))
        return person.status_code == 200 and person.json()["si_status"] == "uninsured"

    await eventually(uninsured_on_file)


async def _open(api: httpx.AsyncClient, employee_id: str, **overrides: Any) -> httpx.Response:
    body = case_body(employee_id, **overrides)
    if "si_enrolled" not in overrides:
        del body["si_enrolled"]  # the record decides
    return await api.post("/api/v1/cases", json=body, headers=auth("k-hr"))


async def test_a_missed_window_makes_the_case_uninsured_with_art_62_and_the_onboarding(api):
    await _register(api, "E8101", date.today() - timedelta(days=45))
    typed = await _open(api, "E8101", si_enrolled=True)
    assert typed.status_code == 409, typed.text
    error = typed.json()["error"]
    assert error["code"] == "si_standing.mismatch" and error["field"] == "si_enrolled"
    assert error["details"]["standing"] == "window_missed"

    opened = await _open(api, "E8101")
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["si_enrolled"] is False
    standing = case["si_standing"]
    assert standing["code"] == "window_missed" and standing["onboarding_id"] == "onboarding-E8101"
    assert standing["source"].startswith("员工档案：") and "已于" in standing["source"]
    block = case["si_consequences"]
    assert block["article"] == "Reg. art. 62 ¶2" and len(block["employer_pays"]) >= 9
    assert "SIL art. 41" in block["advance_payment"]["article"]
    assert "SIL" in block["back_payment"]["article"] and block["what_to_do"]
    cid = case["id"]

    async def opened_with_standing() -> bool:
        view = (await api.get(f"/api/v1/cases/{cid}", headers=auth("k-hr"))).json()
        return any(e["kind"] == "case_opened" and e.get("si_standing") == "window_missed"
                   for e in view["events"])

    await eventually(opened_with_standing)
    bundle = await api.get(f"/api/v1/cases/{cid}/bundle", headers=auth("k-hr"))
    assert bundle.status_code == 200, bundle.text
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        linked = json.loads(archive.read("linked/onboarding-E8101.json"))
        manifest = json.loads(archive.read("manifest.json"))
    assert "linked/onboarding-E8101.json" in manifest["files"]
    assert linked["chain"]["valid"] and linked["si_standing"]["code"] == "window_missed"
    assert {"registered", "reminder_sent"} <= {h["kind"] for h in linked["highlights"]}


async def test_the_override_takes_a_reason_and_a_document_and_is_on_record(api):
    await _register(api, "E8102", date.today() - timedelta(days=40))
    cid = (await _open(api, "E8102")).json()["id"]
    act = f"/api/v1/cases/{cid}/actions/override-si-standing"
    bare = await api.post(act, headers=auth("k-hr"), json={"si_enrolled": True,
                                                           "reason": "已在外地参保"})
    assert bare.status_code == 422 and bare.json()["error"]["code"] == "documents.required"
    uploaded = await api.post(f"/api/v1/cases/{cid}/documents", headers=auth("k-hr"),
                              data={"kind": "bureau_receipt", "note": "参保证明"},
                              files={"file": ("参保证明.pdf", PDF, "application/pdf")})
    assert uploaded.status_code == 201, uploaded.text
    doc = uploaded.json()["id"]
    done = await api.post(act, headers=auth("k-hr"), json={
        "si_enrolled": True, "reason": "社保局出具参保证明：已在外地参保", "documents": [doc]})
    assert done.status_code == 200, done.text
    answer = done.json()
    assert answer["si_enrolled"] is True and answer["si_consequences"] is None
    assert answer["si_standing"]["code"] == "window_missed"
    assert answer["si_standing"]["overridden"]["documents"] == [doc]
    [event] = [e for e in answer["recorded_events"] if e["kind"] == "si_standing_overridden"]
    assert event["was"] is False and event["derived"] == "window_missed"
    again = await api.post(act, headers=auth("k-hr"), json={
        "si_enrolled": True, "reason": "重复", "documents": [doc]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "si_standing.unchanged"


async def test_insured_within_the_window_and_no_record(api, db_url: str):
    await _register(api, "E8103", date.today() - timedelta(days=60))
    since = date.today() - timedelta(days=20)
    assert employees.record_si_status(db_url, "E8103", "enrolled", since, "测试 test enrolment",
                                      "test:E8103:enrolled", datetime.now(UTC))
    insured = (await _open(api, "E8103")).json()
    assert insured["si_enrolled"] is True and insured["si_consequences"] is None
    assert insured["si_standing"]["source"].startswith(f"员工档案：{since} 起 参保")

    await _register(api, "E8104", date.today() - timedelta(days=3))
    within = (await _open(api, "E8104")).json()
    assert within["si_standing"]["code"] == "within_window" and within["si_enrolled"] is False
    assert within["si_consequences"]["standing"] == "within_window"

    unknown = await _open(api, "E8105")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "si_enrolled.required"
    declared = await _open(api, "E8105", si_enrolled=True)
    assert declared.status_code == 201, declared.text
    assert declared.json()["si_standing"]["code"] == "no_record"
    assert "HR 申报：已参保" in declared.json()["si_standing"]["source"]
