"""Injury cases over HTTP: real app, real dev server, real worker, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from store.db import session_for
from store.models import CaseRow
from tests.api.conftest import AppFactory, auth, eventually
from tests.factories import case_body

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def open_case(api: httpx.AsyncClient, employee_id: str = "E1001", **overrides) -> dict:
    response = await api.post("/api/v1/cases", json=case_body(employee_id, **overrides),
                              headers=auth("k-hr"))
    assert response.status_code == 201, response.text
    return response.json()


async def act(api: httpx.AsyncClient, case_id: str, action: str, key: str = "k-hr",
              **body) -> httpx.Response:
    return await api.post(f"/api/v1/cases/{case_id}/actions/{action}", json=body,
                          headers=auth(key))


def deadline(view: dict, name: str) -> dict:
    return next(d for d in view["deadlines"] if d["name"] == name)


async def test_a_report_opens_a_case_with_its_clocks_and_a_duplicate_is_refused(api):
    created = await open_case(api)
    assert created["id"].startswith("case-E1001-") and created["stage"] == "reported"
    determination = deadline(created, "determination_application")
    assert determination["status"] == "upcoming" and "art. 17" in determination["article"]
    assert determination["due_at_shanghai"].endswith("+08:00")
    assert deadline(created, "materials_filed")["kind"] == "target"
    assert "labour_relationship" in created["missing_materials"]
    again = await api.post("/api/v1/cases", json=case_body(), headers=auth("k-hr"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "case.exists"
    shown = await eventually(lambda: _events(api, created["id"], "form_generated"))
    assert {t["code"] for t in shown["tasks"]} >= {"file_materials", "apply_determination"}


async def _events(api: httpx.AsyncClient, case_id: str, kind: str) -> dict | None:
    view = (await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-manager"))).json()
    # a 404 until the case is in the lists: a manager sees the cases of their departments there
    return view if any(e["kind"] == kind for e in view.get("events", ())) else None


async def test_bad_input_gets_a_clear_error_and_changes_nothing(api):
    future = datetime.now(UTC) + timedelta(days=1)
    response = await api.post("/api/v1/cases", json=case_body(accident_at=future), headers=auth("k-hr"))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "accident_at"
    assert response.json()["error"]["code"] == "accident_at.future"
    assert (await api.get("/api/v1/cases/case-nope", headers=auth("k-hr"))).json()["error"][
        "code"] == "case.not_found"
    case = await open_case(api)
    refused = await act(api, case["id"], "record-appraisal", grade=3)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["details"]["stage"] == "reported"
    assert "apply_determination" in error["details"]["allowed_actions"]
    unknown = await act(api, case["id"], "fly-to-the-moon")
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "action"
    unused = await act(api, case["id"], "file-materials", materials=["diagnosis"], grade=3)
    assert unused.status_code == 422 and unused.json()["error"]["field"] == "grade"
    assert unused.json()["error"]["code"] == "field.not_used"
    assert unused.json()["error"]["message"] == \
        "grade is not used by file-materials; it takes: documents, materials, note, on"
    wrong = await act(api, case["id"], "file-materials", materials=["no_such_item"])
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "materials.unknown"
    forbidden = await act(api, case["id"], "withdraw", key="k-manager", reason="x")
    assert forbidden.status_code == 403
    view = (await api.get(f"/api/v1/cases/{case['id']}", headers=auth("k-hr"))).json()
    assert view["stage"] == "reported"
    assert not [e for e in view["events"] if e["kind"] == "materials_filed"]


async def test_a_case_driven_through_the_api_from_accident_to_closed(api):
    case = await open_case(api)
    cid = case["id"]
    missing = case["missing_materials"]
    refused = await act(api, cid, "apply-determination")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "materials.missing"
    assert set(refused.json()["error"]["details"]["missing"]) <= set(missing)
    assert (await act(api, cid, "file-materials", materials=missing)).status_code == 200
    applied = (await act(api, cid, "apply-determination", simple_case=True)).json()
    assert applied["stage"] == "determination_applied"
    assert deadline(applied, "determination_application")["status"] == "met"
    # The submission runs after the answer; the authority decides what it has accepted.
    await eventually(lambda: _events(api, cid, "determination_accepted"))
    decided = await api.post("/api/v1/dev/authority/decide",
                             json={"case_id": cid.removeprefix("case-"), "recognised": True},
                             headers=auth("k-hr"))
    assert decided.status_code == 202
    view = await eventually(lambda: _events(api, cid, "determination_decided"))
    assert view["determination"]["recognised"] is True
    assert deadline(view, "determination_decision")["status"] == "met"
    too_long = await act(api, cid, "start-suspension", months=13)
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "months.beyond_maximum"
    assert (await act(api, cid, "start-suspension", months=2)).status_code == 200
    assert (await act(api, cid, "extend-suspension", months=13)).status_code == 422
    returned = (await act(api, cid, "record-return", note="back at work")).json()
    assert returned["stage"] == "returned" and "events" not in returned
    assert [(e["kind"], e["note"]) for e in returned["recorded_events"]] == [
        ("return_recorded", "back at work")]
    assert returned["event_count"] == returned["recorded_events"][-1]["seq"]
    assert (await act(api, cid, "record-appraisal", grade=11)).status_code == 409
    assert (await act(api, cid, "apply-appraisal")).status_code == 200
    assert (await act(api, cid, "record-appraisal", grade=11)).status_code == 422
    assert (await act(api, cid, "record-appraisal", grade=9)).status_code == 200
    no_time = await act(api, cid, "open-negotiation", place="二楼会议室")
    assert no_time.status_code == 422 and no_time.json()["error"]["field"] == "meeting_at"
    meeting = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    assert (await act(api, cid, "open-negotiation", meeting_at=meeting.isoformat(),
                      place="二楼会议室", bring=["身份证", "银行卡"])).status_code == 200
    assert (await act(api, cid, "record-agreement", amount="42000.00",
                      documents=["doc-agreement"])).status_code == 200
    paid = (await act(api, cid, "record-payment", amount="42000", reference="TX-9")).json()
    assert paid["stage"] == "paid"

    async def both_notices() -> dict | None:  # side effects follow the answer (README)
        shown = (await api.get(f"/api/v1/cases/{cid}", headers=auth("k-hr"))).json()
        purposes = [n["purpose"] for n in shown["notices"]]
        wanted = "negotiation_invitation" in purposes and "settlement_payment" in purposes
        return shown if wanted else None

    shown = await eventually(both_notices)
    sent = [e for e in shown["events"] if e["kind"] == "invitation_sent"]
    assert sent and sent[0]["place"] == "二楼会议室"
    closed = (await act(api, cid, "close", reason="paid in full")).json()
    assert closed["stage"] == "closed"
    late = await act(api, cid, "record-dispute", event="arose", note="x")
    assert late.status_code == 409 and late.json()["error"]["code"] == "case.closed"
    listed = await eventually(lambda: _listed(api, "?stage=closed", cid))
    assert listed["overdue"] is False


async def _listed(api: httpx.AsyncClient, query: str, case_id: str) -> dict | None:
    items = (await api.get(f"/api/v1/cases{query}", headers=auth("k-manager"))).json()["items"]
    return next((i for i in items if i["id"] == case_id), None)


async def test_the_list_filters_overdue_and_due_before_from_the_projection(api):
    now = datetime.now(UTC)
    late = await open_case(api, "E2001", accident_at=now - timedelta(days=45))
    fresh = await open_case(api, "E2002", accident_at=now - timedelta(hours=1))
    overdue = await eventually(lambda: _listed(api, "?overdue=true", late["id"]))
    assert any(d["name"] == "determination_application" and d["overdue"]
               for d in overdue["open_deadlines"])
    assert await _listed(api, "?overdue=true", fresh["id"]) is None
    soon = (now + timedelta(days=2)).isoformat()
    assert await eventually(lambda: _listed(api, f"?due_before={soon.replace('+', '%2B')}",
                                            fresh["id"]))
    view = await eventually(lambda: _events(api, late["id"], "case_escalated"))
    assert view["late_application"]["ongoing"] is True
    assert deadline(view, "employee_application")["kind"] == "right"
    assert deadline(view, "determination_application")["status"] == "missed"


@pytest.mark.dated
async def test_with_a_time_scale_the_unanswered_return_notice_is_escalated_after_3_days(
        make_api: AppFactory):
    api = await make_api(time_scale=86400)  # a statutory day per real second
    case = await open_case(api, accident_at=datetime.now(UTC) - timedelta(days=28))
    cid = case["id"]
    await act(api, cid, "file-materials", materials=case["missing_materials"])
    await act(api, cid, "apply-determination")
    await act(api, cid, "record-determination", recognised=True, reference="京人社工伤认字001")
    # Started 25 days ago for a month: the notice (7 days before the end) goes out at once.
    on = (datetime.now(UTC) - timedelta(days=25)).astimezone(SHANGHAI).date().isoformat()
    started = await act(api, cid, "start-suspension", months=1, on=on)
    assert started.status_code == 200
    view = await eventually(lambda: _events(api, cid, "return_notice_unanswered"), timeout=30)
    sent = next(e for e in view["events"] if e["kind"] == "return_notice_sent")
    escalated = next(e for e in view["events"] if e["kind"] == "return_notice_unanswered")
    waited = datetime.fromisoformat(escalated["at"]) - datetime.fromisoformat(sent["at"])
    # At this scale a real second is a statutory day, and the case records `sent` once the
    # notice's start returns (~0.1 s later than the notice's own clock began: ~2.4 business
    # hours). The exact 72 hours are checked under time skipping (test_injury_case_clocks).
    jitter = timedelta(hours=6)
    assert timedelta(days=3) - jitter <= waited < timedelta(days=4)
    assert {"courier_notice", "contact_employee"} <= {t["code"] for t in view["tasks"]}
    assert set(escalated["escalated_to"]) == {"hr_manager", "department_manager", "hr"}


async def test_a_case_keeps_a_verifiable_evidence_chain_and_its_generated_form(api):
    case = await open_case(api)
    cid = case["id"]
    await eventually(lambda: _events(api, cid, "diagnosis_fetched"))
    refused = await act(api, cid, "record-return")
    assert refused.status_code == 409
    documents = (await api.get(f"/api/v1/cases/{cid}/documents", headers=auth("k-hr"))).json()
    form = next(d for d in documents["items"] if d["kind"] == "determination_form")
    download = await api.get(form["url"], headers=auth("k-hr"))
    assert download.content.startswith(b"%PDF") and download.headers["X-Content-SHA256"] == form["sha256"]
    upload = await api.post(f"/api/v1/cases/{cid}/documents", headers=auth("k-hr"),
                            data={"kind": "diagnosis", "note": "初诊证明"},
                            files={"file": ("diagnosis.pdf", b"%PDF-1.4 test", "application/pdf")})
    assert upload.status_code == 201, upload.text
    ledger = await eventually(lambda: _ledger_has(api, cid, "action_refused"))
    kinds = [e["kind"] for e in ledger["items"]]
    assert kinds[0] == "case_opened" and "document_added" in kinds
    verified = (await api.get(f"/api/v1/cases/{cid}/evidence/verify", headers=auth("k-hr"))).json()
    assert verified["valid"] is True and verified["entries"] == ledger["total"]


async def _ledger_has(api: httpx.AsyncClient, case_id: str, kind: str) -> dict | None:
    ledger = (await api.get(f"/api/v1/cases/{case_id}/evidence", headers=auth("k-hr"))).json()
    return ledger if any(e["kind"] == kind for e in ledger.get("items", [])) else None


async def test_a_case_id_the_records_hold_stays_taken_after_temporal_forgot_it(api, db_url):
    """Temporal forgets a closed case after its retention period; the records keep its id."""
    with session_for(db_url) as session:
        now = datetime.now(UTC)
        session.add(CaseRow(id="case-E950-2024", employee_id="E950", employee_name="张三",
                            department="生产部", region="beijing", accident_at=now,
                            stage="closed", created_by="hr-alice", created_at=now,
                            updated_at=now, last_seq=9))
        session.commit()
    again = await api.post("/api/v1/cases", json=case_body("E950", case_id="E950-2024"),
                           headers=auth("k-hr"))
    assert again.status_code == 409, again.text
    error = again.json()["error"]
    assert error["code"] == "case.exists" and error["field"] == "case_id"
    assert error["details"]["id"] == "case-E950-2024"
    never_started = await api.get("/api/v1/cases/case-E950-2024", headers=auth("k-hr"))
    assert never_started.status_code == 404
