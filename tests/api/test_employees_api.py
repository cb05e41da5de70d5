"""The employee record through the API: one person across re-hires, the 409 of an ID number on
file for someone else, the SI timeline from the onboarding's events, lists scoped and masked,
bulk registration all or nothing, and exports. Real app, dev server and worker; SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from openpyxl import Workbook, load_workbook

from tests.api.conftest import auth, eventually
from tests.factories import id_number_for, registration

ROSTER = ["工号", "姓名", "身份证号", "手机", "部门", "直属上级", "上级手机", "入职日期",
          "参保地", "缴费基数", "contract_end"]


async def register(api: httpx.AsyncClient, employee_id: str, **overrides: Any) -> httpx.Response:
    return await api.post("/api/v1/onboardings", json=registration(employee_id, **overrides),
                          headers=auth("k-hr"))


async def test_a_rehire_is_a_new_employment_of_the_person_on_file(api: httpx.AsyncClient):
    first = await register(api, "E1001")
    assert first.status_code == 201, first.text
    again = await register(api, "E1001")
    assert again.status_code == 409 and again.json()["error"]["code"] == "onboarding.exists"
    cancelled = await api.post("/api/v1/onboardings/onboarding-E1001/cancel", headers=auth("k-hr"),
                               json={"reason": "未到岗 did not start"})
    assert cancelled.status_code == 200, cancelled.text

    async def left() -> bool:
        person = (await api.get("/api/v1/employees/E1001", headers=auth("k-hr"))).json()
        return person["employments"][0]["leave_date"] is not None

    await eventually(left)
    # Back a year later; HR types a new employee id: the ID number on file is the same person.
    body = registration("E7777")
    body["employee"]["id_number"] = id_number_for("E1001")
    rehired = await api.post("/api/v1/onboardings", json=body, headers=auth("k-hr"))
    assert rehired.status_code == 201, rehired.text
    assert (rehired.json()["id"], rehired.json()["employee_id"]) == ("onboarding-E1001~2", "E1001")
    shown = await api.get("/api/v1/onboardings/onboarding-E1001~2", headers=auth("k-hr"))
    assert shown.status_code == 200 and shown.json()["employee_id"] == "E1001"

    person = (await api.get("/api/v1/employees/E1001", headers=auth("k-hr"))).json()
    assert [(e["seq"], e["onboarding_id"], e["leave_date"] is None)
            for e in person["employments"]] == [
        (1, "onboarding-E1001", False), (2, "onboarding-E1001~2", True)]
    assert person["employments"][0]["leave_reason"].startswith("入职取消")
    assert [o["id"] for o in person["onboardings"]] == ["onboarding-E1001", "onboarding-E1001~2"]
    assert person["active"] and person["si_status"] == "uninsured"
    assert person["si_status_label"] == "未参保"
    missing = await api.get("/api/v1/employees/E7777", headers=auth("k-hr"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "employee.not_found"


async def test_an_id_number_on_file_under_another_name_is_a_409_naming_both(
        api: httpx.AsyncClient):
    assert (await register(api, "E1001")).status_code == 201
    body = registration("E2002")
    body["employee"] |= {"id_number": id_number_for("E1001"), "name": "李四"}
    refused = await api.post("/api/v1/onboardings", json=body, headers=auth("k-hr"))
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "employee.identity_conflict" and error["field"] == "employee.id_number"
    assert error["details"]["on_file"]["employee_id"] == "E1001"
    assert error["details"]["registered"]["name"] == "李四"
    assert id_number_for("E1001") not in refused.text
    listed = (await api.get("/api/v1/employees", headers=auth("k-hr"))).json()
    assert [i["employee_id"] for i in listed["items"]] == ["E1001"]


async def test_the_enrolment_executed_is_on_the_timeline_with_its_evidence(
        api: httpx.AsyncClient):
    assert (await register(api, "E10")).status_code == 201
    base = "/api/v1/onboardings/onboarding-E10"
    submitted = await api.post(f"{base}/enrollment", headers=auth("k-hr"),
                               json={"type": "new", "contribution_base": "8000"})
    assert submitted.status_code == 200, submitted.text
    approved = await api.post(f"{base}/enrollment/approve", headers=auth("k-mgr"), json={})
    assert approved.status_code == 200, approved.text

    async def enrolled() -> dict | None:
        person = (await api.get("/api/v1/employees/E10", headers=auth("k-hr"))).json()
        return person if len(person["si_timeline"]) == 2 else None

    person = await eventually(enrolled)
    assert [(c["status"], c["label"]) for c in person["si_timeline"]] == [
        ("uninsured", "未参保"), ("enrolled", "参保")]
    change = person["si_timeline"][1]
    assert change["source"].startswith("社保增员办结") and "onboarding-E10" in change["source"]
    assert change["evidence"]["subject_id"] == "onboarding-E10"
    assert change["evidence"]["kind"] == "enrollment_executed"
    assert person["si_status"] == "enrolled"
    insured = await api.get("/api/v1/employees", params={"si_status": "enrolled"},
                            headers=auth("k-hr"))
    assert [i["employee_id"] for i in insured.json()["items"]] == ["E10"]


async def test_a_manager_lists_their_departments_masked_and_each_read_is_logged(
        api: httpx.AsyncClient):
    started = datetime.now(UTC) - timedelta(seconds=1)
    assert (await register(api, "E1")).status_code == 201
    other = registration("E2")
    other["employee"]["department"] = "财务部"
    assert (await api.post("/api/v1/onboardings", json=other, headers=auth("k-hr"))).status_code \
        == 201
    everyone = (await api.get("/api/v1/employees", headers=auth("k-hr"))).json()
    assert [i["employee_id"] for i in everyone["items"]] == ["E1", "E2"]
    assert everyone["items"][0]["id_number"] == id_number_for("E1")
    finance = await api.get("/api/v1/employees", params={"department": "财务部", "active": "true"},
                            headers=auth("k-hr"))
    assert [i["employee_id"] for i in finance.json()["items"]] == ["E2"]
    gone = await api.get("/api/v1/employees", params={"active": "false"}, headers=auth("k-hr"))
    assert gone.json()["total"] == 0

    mine = (await api.get("/api/v1/employees", headers=auth("k-manager"))).json()
    assert [i["employee_id"] for i in mine["items"]] == ["E1"]
    assert mine["items"][0]["id_number"] != id_number_for("E1")
    assert mine["items"][0]["phone"] == "+86138****8000"
    detail = await api.get("/api/v1/employees/E1", headers=auth("k-manager"))
    assert detail.status_code == 200 and id_number_for("E1") not in detail.text
    assert detail.json()["contacts"]["emergency_contact"]["phone"] == "+86137****7000"
    outside = await api.get("/api/v1/employees/E2", headers=auth("k-manager"))
    assert outside.status_code == 404
    exported = await api.get("/api/v1/employees", params={"format": "csv"},
                             headers=auth("k-manager"))
    assert exported.status_code == 200 and id_number_for("E1") not in exported.text

    page = await api.get("/api/v1/admin/access-log",
                         params={"principal": "dept-dave", "since": started.isoformat()},
                         headers=auth("k-admin"))
    reads = [(r["route"], r["subject_id"]) for r in page.json()["items"]]
    assert ("/api/v1/employees/{employee_id}", "E1") in reads
    assert ("/api/v1/employees", None) in reads
    assert ("/api/v1/employees/{employee_id}", "E2") not in reads  # refused: no read


def _csv(rows: list[list[str]], header: list[str] = ROSTER) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def _row(employee_id: str, **changes: str) -> list[str]:
    cells = {"工号": employee_id, "姓名": "王小明", "身份证号": id_number_for(employee_id),
             "手机": "13800138000", "部门": "生产部", "直属上级": "李经理",
             "上级手机": "13900139000", "入职日期": date.today().isoformat(),
             "参保地": "beijing", "缴费基数": "8000", "contract_end": ""} | changes
    return [cells[h] for h in ROSTER]


async def _import(api: httpx.AsyncClient, content: bytes, name: str = "hires.csv"
                  ) -> httpx.Response:
    return await api.post("/api/v1/employees/import", headers=auth("k-hr"),
                          files={"file": (name, content)})


async def test_a_bulk_import_is_all_or_nothing_and_a_retry_registers_nobody_twice(
        api: httpx.AsyncClient):
    bad_id = id_number_for("B2")[:-1] + ("0" if id_number_for("B2")[-1] != "0" else "1")
    bad = _csv([_row("B1"), _row("B2", 身份证号=bad_id), _row("B3", 缴费基数="-5"),
                _row("B4", 身份证号=id_number_for("B1"))])
    refused = await _import(api, bad)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "import.invalid" and error["field"] == "rows[2].id_number"
    assert [(e["field"], e["code"]) for e in error["details"]["errors"]] == [
        ("rows[2].id_number", "id_number.check_digit"),
        ("rows[3].contribution_base", "invalid.greater_than"),
        ("rows[4].id_number", "import.duplicate")]
    assert error["details"]["errors"][0]["line"] == 3
    assert (await api.get("/api/v1/employees", headers=auth("k-hr"))).json()["total"] == 0
    assert (await api.get("/api/v1/onboardings", headers=auth("k-hr"))).json()["total"] == 0

    good = _csv([_row("B1"), _row("B2", contract_end="2027-12-31")])
    imported = await _import(api, good)
    assert imported.status_code == 201, imported.text
    assert imported.json()["registered"] == 2
    assert [(i["row"], i["onboarding_id"]) for i in imported.json()["items"]] == [
        (1, "onboarding-B1"), (2, "onboarding-B2")]
    retried = await _import(api, good)
    assert retried.status_code == 201, retried.text
    assert (retried.json()["registered"], retried.json()["already_registered"]) == (0, 2)
    assert (await api.get("/api/v1/onboardings", headers=auth("k-hr"))).json()["total"] == 2
    person = (await api.get("/api/v1/employees/B2", headers=auth("k-hr"))).json()
    assert person["employments"][0]["contract_end"] == "2027-12-31"


async def test_an_xlsx_import_and_the_list_as_xlsx_and_csv(api: httpx.AsyncClient):
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(ROSTER)
    row = _row("X1", 姓名="@SUM(A1)")  # an "=" cell would be a formula: data_only reads no value
    sheet.append([date.today() if h == "入职日期" else (8000 if h == "缴费基数" else v)
                  for h, v in zip(ROSTER, row, strict=True)])
    content = io.BytesIO()
    book.save(content)
    imported = await _import(api, content.getvalue(), "hires.xlsx")
    assert imported.status_code == 201, imported.text

    as_csv = await api.get("/api/v1/employees", params={"format": "csv"}, headers=auth("k-hr"))
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    header, first = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert header[0] == "工号 employee_id"
    assert first[:3] == ["X1", "'@SUM(A1)", id_number_for("X1")]
    as_xlsx = await api.get("/api/v1/employees", params={"format": "xlsx"}, headers=auth("k-hr"))
    assert as_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[1][0] == "X1" and values[1][1] == "'@SUM(A1)"
    assert sheet.cell(row=2, column=2).data_type == "s"
