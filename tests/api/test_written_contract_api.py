"""The written contract from the employee record (LCL arts. 10, 82): a hire registered 45 days
after work started shows the contract missed and the double wage accruing; HR records the signed
contract with its document and the double wage stops. Real app, dev server and worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.employees import written_contract as wc
from domain.shared.calendar import SHANGHAI
from store import evidence
from tests.api.conftest import auth, eventually
from tests.factories import registration

PDF = b"%PDF-1.4\n%signed labour contract\n"


async def _hired_45_days_ago(api, employee_id: str):  # type: ignore[no-untyped-def]
    """Register a hire whose work started 45 days ago (the first month is over): today, the
    start, and the URL of their written contract."""
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    start = today - timedelta(days=45)
    created = await api.post("/api/v1/onboardings", headers=auth("k-hr"),
                             json=registration(employee_id, hire_date=start.isoformat()))
    assert created.status_code == 201, created.text
    return today, start, f"/api/v1/employees/{employee_id}/written-contract"


async def test_a_missed_contract_shows_the_double_wage_until_hr_records_it(api):
    today, start, url = await _hired_45_days_ago(api, "E8301")

    async def escalated() -> dict | None:
        answer = await api.get(url, headers=auth("k-hr"))
        body = answer.json() if answer.status_code == 200 else {}
        kinds = [e["kind"] for e in body.get("events", [])]
        return body if "written_contract_escalated" in kinds else None

    body = await eventually(escalated)
    assert body["status"] == "missed" and body["id"] == f"written-contract-E8301-{start:%Y%m%d}"
    assert body["deadline"]["article"] == "Labour Contract Law art. 10"
    assert Decimal(body["exposure"]["total"]) > 0 and body["exposure"]["months"]
    # within the year both readings of 实施条例 art. 7 agree; the note says which is which
    assert body["exposure"]["commonly_awarded"] == body["exposure"]["total"]
    assert body["exposure"]["commonly_awarded_note"] == wc.COMMONLY_AWARDED_NOTE
    assert "82" in body["exposure"]["article"]
    assert (await api.get(url, headers=auth("k-manager"))).status_code == 403
    person = (await api.get("/api/v1/employees/E8301", headers=auth("k-hr"))).json()
    [deadline] = person["deadlines"]  # the employee record lists it
    assert (deadline["name"], deadline["status"], deadline["employment"]) == \
        ("written_contract", "missed", 1)
    assert Decimal(deadline["double_wage_total"]) > 0
    assert deadline["double_wage_commonly_awarded"] == deadline["double_wage_total"]

    signed_on = wc.contract_dates(start).double_wage_from + timedelta(days=3)
    not_uploaded = await api.post(url, headers=auth("k-hr"),
                                  json={"signed_on": signed_on.isoformat(), "document": "doc-x"})
    assert not_uploaded.status_code == 422
    assert not_uploaded.json()["error"]["code"] == "document.not_a_contract"
    upload = await api.post("/api/v1/onboardings/onboarding-E8301/documents",
                            data={"kind": "labour_contract"},
                            files={"file": ("contract.pdf", PDF, "application/pdf")},
                            headers=auth("k-hr"))
    assert upload.status_code == 201, upload.text
    document = upload.json()["id"]
    wage = await api.put(f"{url}/wage", headers=auth("k-hr"), json={"monthly_wage": "12000"})
    assert wage.status_code == 200, wage.text
    assert wage.json()["exposure"]["monthly_wage"] == "12000"
    expected = wc.double_wage_exposure(start, Decimal("12000"), today)
    assert Decimal(wage.json()["exposure"]["total"]) == expected.total
    assert Decimal(wage.json()["exposure"]["commonly_awarded"]) == expected.commonly_awarded
    recorded = await api.post(url, headers=auth("k-hr"), json={
        "signed_on": signed_on.isoformat(), "document": document})
    assert recorded.status_code == 200, recorded.text
    answer = recorded.json()
    assert answer["status"] == "signed_late" and answer["document"] == document
    assert answer["exposure"]["months"][-1]["last_day"] == \
        (signed_on - timedelta(days=1)).isoformat()
    # Open (its notices still run) or closed: the same 409 (the API reads a closed watch).
    again = await api.post(url, headers=auth("k-hr"), json={
        "signed_on": signed_on.isoformat(), "document": document})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "written_contract.recorded"



async def test_a_new_hire_shows_the_deadline_before_its_watch_starts_and_hr_records_it(api):
    """Registered on its first day, the watch starts only at the reminder's moment (patch
    2026-12-lazy-contract-watch): until then the onboarding answers for it, and HR recording the
    contract first starts it with the record."""
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    created = await api.post("/api/v1/onboardings", headers=auth("k-hr"),
                             json=registration("E8302", hire_date=today.isoformat()))
    assert created.status_code == 201, created.text
    url = "/api/v1/employees/E8302/written-contract"
    pending = await api.get(url, headers=auth("k-hr"))
    assert pending.status_code == 200, pending.text
    body = pending.json()
    assert (body["status"], body["events"], body["signed_on"]) == ("upcoming", [], None)
    assert body["deadline"]["due_at"] == wc.sign_deadline(today).due_at.isoformat()
    person = (await api.get("/api/v1/employees/E8302", headers=auth("k-hr"))).json()
    assert [(d["name"], d["status"]) for d in person["deadlines"]] == \
        [("written_contract", "upcoming")]
    upload = await api.post("/api/v1/onboardings/onboarding-E8302/documents",
                            data={"kind": "labour_contract"},
                            files={"file": ("contract.pdf", PDF, "application/pdf")},
                            headers=auth("k-hr"))
    assert upload.status_code == 201, upload.text
    forbidden = await api.post(url, headers=auth("k-manager"), json={
        "signed_on": today.isoformat(), "document": upload.json()["id"]})
    assert forbidden.status_code == 403
    recorded = await api.post(url, headers=auth("k-hr"), json={
        "signed_on": today.isoformat(), "document": upload.json()["id"]})
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["status"] == "met"
    assert recorded.json()["id"] == f"written-contract-E8302-{today:%Y%m%d}"
    assert [e["kind"] for e in recorded.json()["events"]][-1] == "written_contract_signed"


async def test_a_leave_ends_the_written_contract_on_the_employee_record(api):
    """Issue 20: the leave recorded through POST …/leave ends the written contract's exposure on
    the leave day, whether its watch runs (missed: the double wage stops at the leave) or has not
    started yet (the onboarding's pending view shows it ended)."""
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    start = today - timedelta(days=45)
    for employee_id, hire_date in (("E8305", start), ("E8306", today)):
        created = await api.post("/api/v1/onboardings", headers=auth("k-hr"),
                                 json=registration(employee_id, hire_date=hire_date.isoformat()))
        assert created.status_code == 201, created.text

    async def deadline(employee_id: str, status: str) -> dict | None:
        person = (await api.get(f"/api/v1/employees/{employee_id}", headers=auth("k-hr"))).json()
        found = [d for d in person.get("deadlines", []) if d["name"] == "written_contract"]
        return found[0] if found and found[0]["status"] == status else None

    await eventually(lambda: deadline("E8305", "missed"))  # the watch runs, the wage accrues
    left_on = wc.contract_dates(start).double_wage_from + timedelta(days=5)
    for employee_id, on in (("E8305", left_on), ("E8306", today)):
        left = await api.post(f"/api/v1/employees/{employee_id}/leave", headers=auth("k-hr"),
                              json={"leave_date": on.isoformat(), "reason": "个人原因辞职"})
        assert left.status_code == 201, left.text

    running = await eventually(lambda: deadline("E8305", "ended_missed"))
    assert running["status_label"] == "劳动关系已结束（结束前逾期未签）"
    assert Decimal(running["double_wage_total"]) == \
        wc.double_wage_exposure(start, Decimal("8000"), left_on).total > 0
    pending = await eventually(lambda: deadline("E8306", "ended"))
    assert Decimal(pending["double_wage_total"]) == 0
    contract = (await api.get("/api/v1/employees/E8305/written-contract?employment=1",
                              headers=auth("k-hr"))).json()
    assert contract["ended_on"] == left_on.isoformat()
    assert contract["exposure"]["months"][-1]["last_day"] == left_on.isoformat()


async def test_a_corrected_leave_day_recounts_the_double_wage(api, db_url):
    """Issue 20: HR corrects a leave day recorded wrong. The watch closed counting the double
    wage to the first day; the record and its views count it to the corrected one, and the
    correction is evidence on the employee's record with both totals."""
    today, start, url = await _hired_45_days_ago(api, "E8307")

    async def ended_on(day) -> dict | None:
        body = (await api.get(f"{url}?employment=1", headers=auth("k-hr"))).json()
        return body if body.get("ended_on") == day.isoformat() else None

    await eventually(lambda: api_status(api, url, "missed"))
    first = wc.contract_dates(start).double_wage_from + timedelta(days=5)
    left = await api.post("/api/v1/employees/E8307/leave", headers=auth("k-hr"),
                          json={"leave_date": first.isoformat(), "reason": "个人原因辞职"})
    assert left.status_code == 201, left.text
    await eventually(lambda: ended_on(first))

    later = first + timedelta(days=5)  # still before today: counted to it
    corrected = await api.post("/api/v1/employees/E8307/leave/correction", headers=auth("k-hr"),
                               json={"leave_date": later.isoformat(),
                                     "reason": "离职证明载明的最后工作日"})
    assert corrected.status_code == 200, corrected.text
    answer = corrected.json()
    assert (answer["changed"], answer["si_stop"]) == (True, None)  # not insured: no stop
    assert (answer["leave_date_before"], answer["leave_date"]) == (first.isoformat(),
                                                                   later.isoformat())
    recount = answer["written_contract"]
    wage = Decimal("8000")
    assert Decimal(recount["double_wage_total_before"]) == \
        wc.double_wage_exposure(start, wage, first).total
    assert Decimal(recount["double_wage_total"]) == wc.double_wage_exposure(start, wage, later).total
    assert (recount["status"], recount["counted_to"]) == ("ended_missed", later.isoformat())
    view = (await api.get(f"{url}?employment=1", headers=auth("k-hr"))).json()
    assert view["ended_on"] == later.isoformat() and view["status"] == "ended_missed"
    assert view["exposure"]["months"][-1]["last_day"] == later.isoformat()
    person = (await api.get("/api/v1/employees/E8307", headers=auth("k-hr"))).json()
    assert person["employments"][0]["leave_date"] == later.isoformat()
    [deadline] = person["deadlines"]
    assert Decimal(deadline["double_wage_total"]) == Decimal(recount["double_wage_total"])
    [entry] = [e for e in evidence.page(db_url, "employee-E8307")[1]
               if e.kind == "leave_date_corrected"]
    assert entry.actor == "hr-alice" and entry.payload["reason"] == "离职证明载明的最后工作日"
    assert entry.payload["written_contract"] == recount
    assert answer["onboarding_told"] is True  # still running: its enrolment is not done

    again = await api.post("/api/v1/employees/E8307/leave/correction", headers=auth("k-hr"),
                           json={"leave_date": later.isoformat(), "reason": "重复提交"})
    assert again.status_code == 200 and again.json()["changed"] is False
    assert again.json()["onboarding_told"] is True  # told again: it takes it once
    within = wc.contract_dates(start).sign_by  # left before the double wage began: none owed
    back = await api.post("/api/v1/employees/E8307/leave/correction", headers=auth("k-hr"),
                          json={"leave_date": within.isoformat(), "reason": "以离职证明为准"})
    assert back.status_code == 200, back.text
    assert back.json()["written_contract"]["status"] == "ended"
    assert Decimal(back.json()["written_contract"]["double_wage_total"]) == 0
    corrections = [e for e in evidence.page(db_url, "employee-E8307")[1]
                   if e.kind == "leave_date_corrected"]
    assert len(corrections) == 2  # the repeated call wrote nothing
    assert evidence.verify(db_url, "employee-E8307").valid
    # The record shows each correction with its ledger entry; a manager reads it without why.
    [employment] = (await api.get("/api/v1/employees/E8307", headers=auth("k-hr"))
                    ).json()["employments"]
    shown = employment["leave_corrections"]
    assert [(c["leave_date_before"], c["leave_date"]) for c in shown] == \
        [(first.isoformat(), later.isoformat()), (later.isoformat(), within.isoformat())]
    assert shown[0]["reason"] == "离职证明载明的最后工作日"
    assert [c["evidence"]["seq"] for c in shown] == [e.seq for e in corrections]
    assert shown[1]["evidence"]["entry_hash"] == corrections[1].entry_hash
    managed = (await api.get("/api/v1/employees/E8307", headers=auth("k-manager"))).json()
    assert [c["reason"] for c in managed["employments"][0]["leave_corrections"]] == [None, None]

    # The onboarding's own record says so beside the day it was first told, once each.
    async def onboarding_corrections() -> list | None:
        found = [(e.actor, e.payload["leave_date_before"], e.payload["leave_date"])
                 for e in evidence.page(db_url, "onboarding-E8307")[1]
                 if e.kind == "leave_date_corrected"]
        return found if len(found) == 2 else None

    assert await eventually(onboarding_corrections) == [
        ("hr-alice", first.isoformat(), later.isoformat()),
        ("hr-alice", later.isoformat(), within.isoformat())]
    kinds = [e.kind for e in evidence.page(db_url, "onboarding-E8307")[1]]
    assert kinds.count("employment_left") == 1 and kinds.count("leave_date_corrected") == 2


async def api_status(api, url: str, status: str) -> dict | None:
    body = (await api.get(url, headers=auth("k-hr"))).json()
    return body if body.get("status") == status else None
