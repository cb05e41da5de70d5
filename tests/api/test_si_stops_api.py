"""Leaving and the SI stop (减员) through the API: maker-checker, the hold, HR's task at the
bureau, the receipt, and 停保 on the employee record. Real app, dev server and worker, SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from domain.employees.si_status import SiStatus
from domain.shared.identity import check_digit
from store import employees, evidence
from tests.api.conftest import auth, eventually
from tests.factories import employee

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def enrolled(db_url: str, employee_id: str, n: int) -> None:
    body = f"11010519880101{n:03d}"
    reg = employees.upsert_from_registration(db_url, employee(employee_id, body + check_digit(body)),
                                             hire_date=date(2026, 3, 2), region="beijing")
    employees.record_si_status(db_url, reg.employee_id, SiStatus.enrolled, date(2026, 3, 2),
                               "测试：社保增员办结", f"test:{reg.employee_id}", datetime.now(UTC))


async def leave(api: httpx.AsyncClient, employee_id: str) -> dict:
    response = await api.post(f"/api/v1/employees/{employee_id}/leave",
                              json={"leave_date": "2026-11-30", "reason": "合同期满不续签"},
                              headers=auth("k-hr"))
    assert response.status_code == 201, response.text
    return response.json()["si_stop"]


async def step(api: httpx.AsyncClient, stop: str, name: str, key: str,
               note: str = "") -> httpx.Response:
    return await api.post(f"/api/v1/si-stops/{stop}/{name}", json={"note": note},
                          headers=auth(key))


async def test_a_leave_is_stopped_through_maker_checker_and_the_bureaus_receipt(
        api: httpx.AsyncClient, db_url: str):
    enrolled(db_url, "L001", 201)
    stop = await leave(api, "L001")
    assert stop["id"] == "si-stop-L001" and stop["status"] == "awaiting_submission"
    # 24:00 Beijing time of the month's last day (2026-11-30, a Monday), unverified default
    assert stop["deadline"]["verified"] is False
    assert stop["deadline"]["due_at"] == "2026-12-01T00:00:00+08:00"
    early = await api.post(f"/api/v1/si-stops/{stop['id']}/outcome",
                           json={"reference": "JY1", "receipt_document": "doc-x"},
                           headers=auth("k-hr"))
    assert early.status_code == 422  # no receipt of this stop yet: nothing reaches the workflow

    assert (await step(api, stop["id"], "submit", "k-hr")).status_code == 200
    same = await step(api, stop["id"], "approve", "k-alice-mgr")
    assert same.status_code == 403 and same.json()["error"]["code"] == "four_eyes.same_principal"
    assert (await step(api, stop["id"], "approve", "k-hr")).status_code == 403  # not a checker
    approved = await step(api, stop["id"], "approve", "k-mgr")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["reviewed_by"] == "mgr-bob"

    async def executing() -> bool:
        view = (await api.get(f"/api/v1/si-stops/{stop['id']}", headers=auth("k-hr"))).json()
        return view["status"] == "executing"

    await eventually(executing)
    upload = await api.post(f"/api/v1/si-stops/{stop['id']}/documents",
                            data={"kind": "bureau_receipt"},
                            files={"file": ("receipt.pdf", PDF, "application/pdf")},
                            headers=auth("k-hr"))
    assert upload.status_code == 201, upload.text
    done = await api.post(f"/api/v1/si-stops/{stop['id']}/outcome",
                          json={"reference": "JY20261130001",
                                "receipt_document": upload.json()["id"]}, headers=auth("k-hr"))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "stopped" and done.json()["reference"] == "JY20261130001"
    steps = ("stop_opened", "stop_submitted", "stop_approved", "stop_task_opened",
             "stop_executed")
    kinds = [e["kind"] for e in done.json()["events"] if e["kind"] in steps]
    assert kinds == list(steps)  # the reminder and escalation fall in between on some days
    assert employees.si_status_on(db_url, "L001", date(2026, 12, 1)) is SiStatus.stopped
    again = await api.post("/api/v1/employees/L001/leave",
                           json={"leave_date": "2026-12-01", "reason": "x"}, headers=auth("k-hr"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "employment.ended"
    assert again.json()["error"]["field"] == "leave_date" and "2026-11-30" in again.text
    repeated = await leave(api, "L001")  # the same leave again answers the stop it started
    assert (repeated["id"], repeated["status"]) == ("si-stop-L001", "stopped")


async def test_a_stop_is_revoked_during_its_hold_and_a_reason_is_required(
        make_api, db_url: str):
    api = await make_api(enrollment_hold_minutes=60)
    enrolled(db_url, "L002", 202)
    stop = await leave(api, "L002")
    await step(api, stop["id"], "submit", "k-hr")
    rejected = await step(api, stop["id"], "reject", "k-mgr")
    assert rejected.status_code == 422 and rejected.json()["error"]["field"] == "note"
    await step(api, stop["id"], "approve", "k-mgr")
    revoked = await step(api, stop["id"], "revoke", "k-hr", note="员工撤回离职申请")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "awaiting_submission"
    assert employees.si_status_on(db_url, "L002", date(2026, 12, 31)) is SiStatus.enrolled
    manager = await api.get(f"/api/v1/si-stops/{stop['id']}", headers=auth("k-manager"))
    assert manager.status_code == 403
    unknown = await api.post("/api/v1/employees/NOBODY/leave",
                             json={"leave_date": "2026-11-30", "reason": "x"},
                             headers=auth("k-hr"))
    assert unknown.status_code == 404


async def test_a_leave_written_before_its_stop_could_start_is_stopped_on_the_repeated_call(
        api: httpx.AsyncClient, db_url: str):
    """The first call wrote the leave, then Temporal was unreachable for the SI stop's start (a
    503): the employment is no longer open, and the same call again starts the stop."""
    enrolled(db_url, "L003", 203)
    assert employees.record_leave(db_url, "L003", date(2026, 11, 30), "合同期满不续签",
                                  datetime.now(UTC))
    stop = await leave(api, "L003")
    assert stop["id"] == "si-stop-L003" and stop["status"] == "awaiting_submission"
    assert stop["leave_date"] == "2026-11-30"
    assert (await leave(api, "L003"))["id"] == stop["id"]  # and again: the same stop, no second
    other_day = await api.post("/api/v1/employees/L003/leave",
                               json={"leave_date": "2026-11-29", "reason": "x"}, headers=auth("k-hr"))
    assert other_day.status_code == 409 and other_day.json()["error"]["code"] == "employment.ended"


async def test_a_leave_sent_before_its_write_failed_is_written_only_on_its_own_day(
        api: httpx.AsyncClient, db_url: str, monkeypatch: pytest.MonkeyPatch):
    """The first call told the workflows (the LeaveDelivery started), then its write failed: a
    repeated call naming another day is refused (the workflows keep the first day they were
    told) and changes nothing; the same day is written and stopped."""
    enrolled(db_url, "L004", 204)

    def write_fails(*_: object, **__: object) -> bool:
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(employees, "record_leave", write_fails)
        with pytest.raises(RuntimeError):
            await leave(api, "L004")
    other_day = await api.post("/api/v1/employees/L004/leave",
                               json={"leave_date": "2026-11-29", "reason": "x"},
                               headers=auth("k-hr"))
    error = other_day.json()["error"]
    assert other_day.status_code == 409 and error["code"] == "leave.delivered_other_day"
    assert error["field"] == "leave_date" and "2026-11-30" in error["message"]
    assert employees.last_employment(db_url, "L004").leave_date is None  # nothing written
    stop = await leave(api, "L004")
    assert stop["id"] == "si-stop-L004" and stop["leave_date"] == "2026-11-30"
    assert employees.last_employment(db_url, "L004").leave_date == date(2026, 11, 30)


async def test_a_corrected_leave_day_moves_the_stop_until_the_bureau_has_it(
        api: httpx.AsyncClient, db_url: str):
    """Issue 20: the leave day was recorded wrong. Corrected, the record and the SI stop take
    the new day (the deadline counted from it; a submitted stop goes back to submission); once
    HR's task at the bureau opened, a correction is refused and changes nothing."""
    enrolled(db_url, "L005", 205)
    stop = await leave(api, "L005")  # 2026-11-30: due 2026-12-01 00:00 Beijing time
    assert (await step(api, stop["id"], "submit", "k-hr")).status_code == 200
    url = "/api/v1/employees/L005/leave/correction"
    wrong = {"leave_date": "2026-10-30", "reason": "以离职证明为准"}
    assert (await api.post(url, json=wrong, headers=auth("k-manager"))).status_code == 403
    no_reason = await api.post(url, json={"leave_date": "2026-10-30"}, headers=auth("k-hr"))
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    before_hire = await api.post(url, json={**wrong, "leave_date": "2026-03-01"},
                                 headers=auth("k-hr"))
    assert before_hire.status_code == 422
    assert before_hire.json()["error"]["code"] == "leave_date.before_hire"
    corrected = await api.post(url, json=wrong, headers=auth("k-hr"))
    assert corrected.status_code == 200, corrected.text
    body = corrected.json()
    assert (body["changed"], body["leave_date_before"]) == (True, "2026-11-30")
    assert body["si_stop"]["leave_date"] == "2026-10-30"
    assert body["si_stop"]["status"] == "awaiting_submission"  # submitted for another day
    # the month's last day, Saturday 2026-10-31, moved past the weekend to Monday's end
    assert body["si_stop"]["deadline"]["due_at"] == "2026-11-03T00:00:00+08:00"
    assert employees.last_employment(db_url, "L005").leave_date == date(2026, 10, 30)
    [entry] = [e for e in evidence.page(db_url, "employee-L005")[1]
               if e.kind == "leave_date_corrected"]
    assert entry.payload["si_stop"] == "si-stop-L005" and entry.payload["leave_date"] == "2026-10-30"

    await step(api, stop["id"], "submit", "k-hr")
    await step(api, stop["id"], "approve", "k-mgr")

    async def executing() -> bool:
        view = (await api.get(f"/api/v1/si-stops/{stop['id']}", headers=auth("k-hr"))).json()
        return view["status"] == "executing"

    await eventually(executing)
    late = await api.post(url, json={**wrong, "leave_date": "2026-10-29"}, headers=auth("k-hr"))
    assert late.status_code == 409 and late.json()["error"]["code"] == "leave.correction_at_bureau"
    assert late.json()["error"]["field"] == "leave_date"
    assert employees.last_employment(db_url, "L005").leave_date == date(2026, 10, 30)
    view = (await api.get(f"/api/v1/si-stops/{stop['id']}", headers=auth("k-hr"))).json()
    assert view["leave_date"] == "2026-10-30"
    open_employment = await api.post("/api/v1/employees/L006/leave/correction", json=wrong,
                                      headers=auth("k-hr"))
    assert open_employment.status_code == 404  # no such employee
    enrolled(db_url, "L006", 206)
    not_left = await api.post("/api/v1/employees/L006/leave/correction", json=wrong,
                              headers=auth("k-hr"))
    assert not_left.status_code == 409 and not_left.json()["error"]["code"] == "leave.not_recorded"


async def test_an_earlier_employments_leave_day_is_corrected_within_it(
        api: httpx.AsyncClient, db_url: str):
    """Rehired since, the person's first employment's leave day was recorded wrong: the
    correction names the employment; its SI stop follows. The new day stays before the next
    employment's hire; the latest employment, open, has no leave day to correct."""
    enrolled(db_url, "L007", 207)
    stop = await leave(api, "L007")  # employment 1 ends 2026-11-30
    body = "11010519880101207"
    employees.upsert_from_registration(db_url, employee("L007", body + check_digit(body)),
                                       hire_date=date(2026, 12, 3), region="beijing")
    url = "/api/v1/employees/L007/leave/correction"
    first = {"leave_date": "2026-11-27", "reason": "以离职证明为准", "employment": 1}
    overlap = await api.post(url, json={**first, "leave_date": "2026-12-03"}, headers=auth("k-hr"))
    assert overlap.status_code == 422
    assert (overlap.json()["error"]["code"], overlap.json()["error"]["field"]) == (
        "leave_date.after_next_hire", "leave_date")
    none = await api.post(url, json={**first, "employment": 3}, headers=auth("k-hr"))
    assert none.status_code == 404 and none.json()["error"]["field"] == "employment"
    latest = await api.post(url, json={k: v for k, v in first.items() if k != "employment"},
                            headers=auth("k-hr"))
    assert latest.status_code == 409 and latest.json()["error"]["code"] == "leave.not_recorded"
    assert [e.kind for e in evidence.page(db_url, "employee-L007")[1]
            if e.kind == "leave_date_corrected"] == []  # the refusals changed nothing

    corrected = await api.post(url, json=first, headers=auth("k-hr"))
    assert corrected.status_code == 200, corrected.text
    answer = corrected.json()
    assert (answer["employment"], answer["changed"]) == (1, True)
    assert answer["si_stop"]["id"] == stop["id"] == "si-stop-L007"
    assert answer["si_stop"]["leave_date"] == "2026-11-27"
    rows = employees.employments_of(db_url, ["L007"])["L007"]
    assert [(r.seq, r.leave_date) for r in rows] == [(1, date(2026, 11, 27)), (2, None)]
