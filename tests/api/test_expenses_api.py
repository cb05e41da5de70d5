"""The expense ledger and the case's compensation over HTTP: real app, dev server, worker, both DBs."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx

from domain.shared.calendar import SHANGHAI
from render.expense_claim import COLUMNS
from tests.api.conftest import auth, eventually
from tests.api.test_cases_api import act, open_case

BILL = {"invoice_number": "No 0012345", "hospital": "北京协和医院", "bill_date": "2026-01-10",
        "amount": "1000.00", "eligible_amount": "900.00", "paid_by": "medical_insurance_card",
        "medical_insurance_amount": "600.00", "slip_total": "1000.00"}


def today() -> str:
    return datetime.now(SHANGHAI).date().isoformat()


async def add(api: httpx.AsyncClient, case_id: str, key: str = "k-hr", **overrides) -> httpx.Response:
    body = {**BILL, "bill_date": today(), **overrides}
    return await api.post(f"/api/v1/cases/{case_id}/expenses", json=body, headers=auth(key))


async def ledger(api: httpx.AsyncClient, case_id: str, key: str = "k-hr") -> dict:
    response = await api.get(f"/api/v1/cases/{case_id}/expenses", headers=auth(key))
    assert response.status_code == 200, response.text
    return response.json()


async def evidence_kinds(api: httpx.AsyncClient, case_id: str) -> list[dict]:
    return (await api.get(f"/api/v1/cases/{case_id}/evidence?limit=1000",
                          headers=auth("k-hr"))).json()["items"]


async def recognise(api: httpx.AsyncClient, case: dict, recognised: bool = True) -> None:
    cid = case["id"]
    assert (await act(api, cid, "file-materials", materials=case["missing_materials"])).status_code == 200
    assert (await act(api, cid, "apply-determination")).status_code == 200
    decided = await act(api, cid, "record-determination", recognised=recognised,
                        reference="京人社工伤认字001")
    assert decided.status_code == 200, decided.text


async def test_a_duplicate_invoice_or_file_is_refused_naming_the_earlier_entry(api):
    cid = (await open_case(api))["id"]
    first = await add(api, cid)
    assert first.status_code == 201, first.text
    earlier = first.json()["entry"]["id"]
    assert earlier.startswith("exp-") and first.json()["review_items"] == []
    again = await add(api, cid, invoice_number="no0012345", hospital=" 北京 协和医院", amount="5.00",
                      eligible_amount=None, medical_insurance_amount="0", slip_total=None)
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "expense.duplicate_invoice" and error["field"] == "invoice_number"
    assert earlier in error["message"] and error["details"]["earlier_entry_id"] == earlier

    upload = await api.post(f"/api/v1/cases/{cid}/documents", headers=auth("k-hr"),
                            data={"kind": "invoice", "note": "发票扫描件"},
                            files={"file": ("invoice.pdf", b"%PDF-1.4 invoice 42", "application/pdf")})
    assert upload.status_code == 201, upload.text
    document = upload.json()
    scanned = await add(api, cid, invoice_number="0099", document_id=document["id"])
    assert scanned.status_code == 201, scanned.text
    assert scanned.json()["entry"]["file_sha256"] == document["sha256"]
    same_file = await add(api, cid, invoice_number="0100", file_sha256=document["sha256"].upper())
    assert same_file.status_code == 409
    error = same_file.json()["error"]
    assert error["code"] == "expense.duplicate_file" and error["field"] == "file_sha256"
    assert error["details"]["earlier_entry_id"] == scanned.json()["entry"]["id"]

    assert [e["invoice_number"] for e in (await ledger(api, cid))["entries"]] == ["No 0012345", "0099"]
    entries = await evidence_kinds(api, cid)
    recorded = [e for e in entries if e["kind"] == "expense_recorded"]
    assert [e["idempotency_key"] for e in recorded] == [f"expense:{earlier}",
                                                       f"expense:{scanned.json()['entry']['id']}"]
    refused = [e["payload"]["code"] for e in entries if e["kind"] == "action_refused"]
    assert refused == ["expense.duplicate_invoice", "expense.duplicate_file"]


async def test_the_ledger_reconciles_pending_then_after_a_recognised_determination(api):
    case = await open_case(api)
    cid = case["id"]
    assert (await add(api, cid)).status_code == 201
    assert (await add(api, cid, invoice_number="B-2", amount="500.00", eligible_amount=None,
                      paid_by="employee", medical_insurance_amount="0", slip_total=None)).status_code == 201
    pending = await ledger(api, cid, key="k-manager")
    assert pending["basis"] == "provisional" and pending["label"].startswith("PENDING RECOGNITION")
    assert pending["determination"]["recognised"] is None
    assert pending["notes"] and pending["entries"][1]["eligible_assumed"] is True

    await recognise(api, case)
    done = await ledger(api, cid)
    assert done["basis"] == "recognised" and done["determination"]["recognised"] is True
    card, own = (e["reconciliation"] for e in done["entries"])
    assert (card["case"], card["medical_insurance_recovery"], card["refund"], card["refund_to"],
            card["outside_catalogue"]) == (1, "600.00", "300.00", "employee", "100.00")
    assert (own["case"], own["refund"], own["injury_fund_owes"]) == (2, "500.00", "500.00")
    assert "art. 5 case (1)" in card["article"]
    assert done["totals"] == {
        "bills": "2", "amount": "1500.00", "medical_insurance_recovery": "600.00",
        "refund_to_employee": "800.00", "refund_to_employer": "0.00", "injury_fund_owes": "1400.00",
        "employer_owes": "0.00", "outside_catalogue": "100.00"}
    assert pending["totals"] == done["totals"]  # pending shows what recognition would bring


async def test_not_recognised_owes_nothing_and_unenrolled_falls_on_the_employer(api):
    refused = await open_case(api, "E3001")
    await add(api, refused["id"])
    await recognise(api, refused, recognised=False)
    answer = await ledger(api, refused["id"])
    assert answer["basis"] == "not_recognised" and answer["label"].startswith("NOT RECOGNISED")
    assert answer["totals"]["injury_fund_owes"] == "0.00" and answer["entries"][0]["reconciliation"][
        "case"] is None
    unenrolled = await open_case(api, "E3002", si_enrolled=False)
    await add(api, unenrolled["id"])
    await recognise(api, unenrolled)
    answer = await ledger(api, unenrolled["id"])
    assert answer["si_enrolled"] is False and answer["entries"][0]["reconciliation"]["case"] == 3
    assert answer["totals"]["employer_owes"] == "900.00" and answer["totals"]["injury_fund_owes"] == "0.00"


async def test_a_slip_mismatch_becomes_a_review_item(api):
    cid = (await open_case(api))["id"]
    response = await add(api, cid, slip_total="980.00")
    assert response.status_code == 201, response.text
    items = response.json()["review_items"]
    assert [i["code"] for i in items] == ["expense.slip_mismatch"] and "980.00" in items[0]["message"]
    assert [i["code"] for i in (await ledger(api, cid))["review_items"]] == ["expense.slip_mismatch"]
    recorded = next(e for e in await evidence_kinds(api, cid) if e["kind"] == "expense_recorded")
    assert recorded["payload"]["review_items"] == items
    assert recorded["payload"]["entry"]["slip_total"] == "980.00"


async def test_the_claim_statement_exports_as_csv_and_pdf_and_each_export_is_evidence(api):
    case = await open_case(api)
    cid = case["id"]
    await add(api, cid)
    await add(api, cid, invoice_number="=HYPERLINK(1)", amount="200.50", eligible_amount="200.50",
              paid_by="employer", medical_insurance_amount="0", slip_total=None)
    await recognise(api, case)
    exported = await api.get(f"/api/v1/cases/{cid}/expenses/export.csv", headers=auth("k-manager"))
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 4
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert (first["invoice_number"], first["hospital"], first["amount"], first["art5_case"],
            first["medical_insurance_recovery"], first["basis"]) == (
        "No 0012345", "北京协和医院", "1000.00", "1", "600.00", "recognised")
    assert rows[2][1] == "'=HYPERLINK(1)"  # no formula reaches a spreadsheet
    total = dict(zip(COLUMNS, rows[3], strict=True))
    assert (total["entry_id"], total["amount"], total["injury_fund_owes"]) == ("TOTAL", "1200.50", "1100.50")
    pdf = await api.get(f"/api/v1/cases/{cid}/expenses/export.pdf", headers=auth("k-hr"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    exports = [e for e in await evidence_kinds(api, cid) if e["kind"] == "expense_claim_exported"]
    assert [e["payload"]["format"] for e in exports] == ["csv", "pdf"]
    assert exports[1]["payload"]["sha256"] == pdf.headers["X-Content-SHA256"]
    assert exports[0]["payload"]["totals"]["refund_to_employer"] == "200.50"


async def test_bad_input_gets_a_422_naming_the_field_and_unknown_cases_a_404(api):
    cid = (await open_case(api))["id"]
    for overrides, field in [({"amount": "-5.00"}, "amount"), ({"paid_by": "boss"}, "paid_by"),
                             ({"eligible_amount": "1200.00"}, "eligible_amount"),
                             ({"amount": "1.234"}, "amount"), ({"invoice_number": " "}, "invoice_number"),
                             ({"bill_date": (datetime.now(UTC) + timedelta(days=3)).date().isoformat()},
                              "bill_date"),
                             ({"document_id": "doc-nope"}, "document_id"),
                             ({"file_sha256": "xyz"}, "file_sha256"), ({"colour": "red"}, "colour")]:
        response = await add(api, cid, **overrides)
        assert response.status_code == 422, (overrides, response.text)
        assert response.json()["error"]["field"] == field, (overrides, response.text)
    forbidden = await add(api, cid, key="k-manager")
    assert forbidden.status_code == 403 and forbidden.json()["error"]["field"] == "role"
    assert (await ledger(api, cid))["entries"] == []
    for unknown in ("case-nope", cid[:-1] + ("0" if cid[-1] != "0" else "1")):
        for response in (await add(api, unknown),
                         await api.get(f"/api/v1/cases/{unknown}/expenses", headers=auth("k-hr")),
                         await api.get(f"/api/v1/cases/{unknown}/expenses/export.csv", headers=auth("k-hr")),
                         await api.get(f"/api/v1/cases/{unknown}/compensation?monthly_wage=5000",
                                       headers=auth("k-hr"))):
            assert response.status_code == 404 and response.json()["error"]["code"] == "case.not_found"


async def test_the_case_compensation_uses_the_appraised_grade_and_without_one_is_a_409(api):
    case = await open_case(api)
    cid = case["id"]
    url = f"/api/v1/cases/{cid}/compensation?monthly_wage=9000&regional_average_monthly_wage=10000"

    async def asked() -> httpx.Response | None:  # a manager's, once the case is in the lists
        response = await api.get(url, headers=auth("k-manager"))
        return None if response.status_code == 404 else response

    no_grade = await eventually(asked)
    assert no_grade.status_code == 409, no_grade.text
    error = no_grade.json()["error"]
    assert error["code"] == "compensation.no_grade" and error["field"] == "grade"
    assert "no appraisal" in error["message"]
    await recognise(api, case)
    assert (await act(api, cid, "apply-appraisal")).status_code == 200
    pending = (await api.get(url, headers=auth("k-hr"))).json()["error"]
    assert pending["code"] == "compensation.no_grade" and "not concluded" in pending["message"]
    assert (await act(api, cid, "record-appraisal", grade=8)).status_code == 200
    answer = await api.get(url, headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["case"]["grade"] == 8 and data["case"]["grade_source"] == "appraisal"
    assert data["case"]["region"] == "beijing" and data["case"]["si_enrolled"] is True
    items = {i["code"]: i for i in data["items"]}
    assert items["one_time_disability_subsidy"]["amount"] == "99000.00"  # 11 months × 9000
    assert items["one_time_disability_subsidy"]["payer"] == "fund"
    assert all(i["article"] for i in data["items"])
    override = (await api.get(url + "&grade=7", headers=auth("k-hr"))).json()
    assert override["case"]["grade_source"] == "override"
    assert any("overrides the appraised grade 8" in w for w in override["warnings"])
    no_wage = await api.get(f"/api/v1/cases/{cid}/compensation", headers=auth("k-hr"))
    assert no_wage.status_code == 422 and no_wage.json()["error"]["field"] == "monthly_wage"
    bad = await api.get(url + "&grade=11", headers=auth("k-hr"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "grade"


async def test_the_case_compensation_of_a_death_with_its_dependants(api):
    """A grade 2 worker who died after the suspension period (Reg. art. 39 ¶3): W is the floor
    60 % × 9000 = 5400.00; spouse 40 % and a lone-elder parent 40 % = 4320.00, above the own wage
    4000.00, so each is cut by 160.00 to 2000.00; funeral 6 × 9000 = 54000.00; no death subsidy."""
    cid = (await open_case(api, "E1092"))["id"]
    url = (f"/api/v1/cases/{cid}/compensation?monthly_wage=4000&regional_average_monthly_wage=9000"
           "&death=true&died_after_suspension=true&grade=2&dependant=spouse&dependant=parent"
           "&orphan_or_lone_elder=2")

    async def asked() -> httpx.Response | None:
        response = await api.get(url, headers=auth("k-hr"))
        return None if response.status_code == 404 else response

    answer = await eventually(asked)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["case"]["death"] is True and data["case"]["died_after_suspension"] is True
    items = {i["code"]: i["amount"] for i in data["items"]}
    assert items["funeral_subsidy"] == "54000.00" and "one_time_death_subsidy" not in items
    assert items["dependant_pension"] == "4000.00"
    assert [(d["relation"], d["orphan_or_lone_elder"], d["uncapped"], d["cut"], d["amount"])
            for d in data["dependant_pensions"]] == [
        ("spouse", False, "2160.00", "160.00", "2000.00"),
        ("parent", True, "2160.00", "160.00", "2000.00")]
    no_grade = await api.get(url.replace("&grade=2", ""), headers=auth("k-hr"))
    assert no_grade.status_code == 422
    assert no_grade.json()["error"]["code"] == "compensation.death_after_suspension_grade"
    outside = await api.get(url + "&orphan_or_lone_elder=3", headers=auth("k-hr"))
    assert outside.status_code == 422
    assert outside.json()["error"]["field"] == "orphan_or_lone_elder"
    two = await api.get(url + "&dependant=spouse", headers=auth("k-hr"))
    assert two.status_code == 422 and two.json()["error"]["field"] == "dependants"


def days_ago(n: int) -> str:
    return (datetime.now(SHANGHAI).date() - timedelta(days=n)).isoformat()


FOOD = {"kind": "hospital_food", "invoice_number": "ZY-0042", "hospital": "北京积水潭医院",
        "paid_by": "employee", "daily_standard": "35.50",
        "standard_source": "某市人社局关于工伤职工住院伙食补助费标准的通知（示例文号）"}


async def add_food(api: httpx.AsyncClient, case_id: str, **overrides) -> httpx.Response:
    body = {**FOOD, "admitted_on": days_ago(10), "discharged_on": days_ago(2), **overrides}
    return await api.post(f"/api/v1/cases/{case_id}/expenses", json=body, headers=auth("k-hr"))


async def test_a_food_allowance_and_approved_travel_join_the_ledger_and_the_claim(api):
    case = await open_case(api, accident_at=datetime.now(UTC) - timedelta(days=20))
    cid = case["id"]
    food = await add_food(api, cid)
    assert food.status_code == 201, food.text
    entry = food.json()["entry"]
    assert (entry["kind"], entry["kind_zh"], entry["stay_days"], entry["amount"], entry["bill_date"]) == (
        "hospital_food", "住院伙食补助费", 8, "284.00", days_ago(2))  # 8 days × 35.50
    travel = await add(api, cid, kind="travel", invoice_number="G1234", hospital="北京积水潭医院",
                       amount="1280.00", eligible_amount="1100.00", paid_by="employee",
                       medical_insurance_amount="0", slip_total=None)
    assert travel.status_code == 201, travel.text
    assert [i["code"] for i in travel.json()["review_items"]] == ["expense.travel_unapproved"]
    approved = await add(api, cid, kind="travel", invoice_number="G5678", hospital="北京积水潭医院",
                         amount="300.00", eligible_amount=None, paid_by="employee",
                         medical_insurance_amount="0",
                         slip_total=None, approval_reference="京人社异地〔2026〕17号")
    assert approved.status_code == 201, approved.text
    await recognise(api, case)
    book = await ledger(api, cid)
    owed = [(e["kind"], e["reconciliation"]["injury_fund_owes"]) for e in book["entries"]]
    assert owed == [("hospital_food", "284.00"), ("travel", "0.00"), ("travel", "300.00")]
    assert book["totals"]["injury_fund_owes"] == "584.00"
    assert book["totals"]["outside_catalogue"] == "1280.00"  # not approved yet
    entry_id = travel.json()["entry"]["id"]
    url = f"/api/v1/cases/{cid}/expenses/{entry_id}/approval"
    for _ in range(2):  # the same consent again changes nothing
        approved_later = await api.post(url, json={"approval_reference": "京人社异地〔2026〕18号"},
                                        headers=auth("k-hr"))
        assert approved_later.status_code == 200, approved_later.text
        assert approved_later.json()["review_items"] == []
    other = await api.post(url, json={"approval_reference": "另一个文号"}, headers=auth("k-hr"))
    assert other.status_code == 409 and other.json()["error"]["code"] == "expense.already_approved"
    food_id = food.json()["entry"]["id"]
    not_travel = await api.post(f"/api/v1/cases/{cid}/expenses/{food_id}/approval",
                                json={"approval_reference": "x"}, headers=auth("k-hr"))
    assert not_travel.status_code == 422 and not_travel.json()["error"]["field"] == "entry_id"
    unknown = await api.post(f"/api/v1/cases/{cid}/expenses/exp-nope/approval",
                             json={"approval_reference": "x"}, headers=auth("k-hr"))
    assert unknown.status_code == 404
    manager = await api.post(url, json={"approval_reference": "x"}, headers=auth("k-manager"))
    assert manager.status_code == 403
    book = await ledger(api, cid)
    assert book["totals"]["injury_fund_owes"] == "1684.00"  # + 1100.00 within the standard
    assert book["totals"]["outside_catalogue"] == "180.00"
    exported = await api.get(f"/api/v1/cases/{cid}/expenses/export.csv", headers=auth("k-hr"))
    rows = [dict(zip(COLUMNS, r, strict=True))
            for r in csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))][1:]
    assert (rows[0]["kind"], rows[0]["stay_days"], rows[0]["daily_standard"], rows[0]["admitted_on"]) == (
        "hospital_food", "8", "35.50", days_ago(10))
    assert rows[2]["approval_reference"] == "京人社异地〔2026〕17号"
    pdf = await api.get(f"/api/v1/cases/{cid}/expenses/export.pdf", headers=auth("k-hr"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    events = await evidence_kinds(api, cid)
    recorded = [e for e in events if e["kind"] == "expense_recorded"]
    assert recorded[0]["payload"]["entry"]["standard_source"] == FOOD["standard_source"]
    consents = [e["payload"] for e in events if e["kind"] == "expense_travel_approved"]
    assert consents == [{"entry_id": entry_id, "approval_reference": "京人社异地〔2026〕18号"}]
    refusals = [e["payload"]["code"] for e in events if e["kind"] == "action_refused"]
    assert "expense.already_approved" in refusals and "expense.not_for_kind" in refusals


async def test_an_overlapping_stay_is_refused_and_bad_fund_items_name_the_field(api):
    cid = (await open_case(api, accident_at=datetime.now(UTC) - timedelta(days=45)))["id"]
    assert (await add_food(api, cid)).status_code == 201
    overlap = await add_food(api, cid, invoice_number="ZY-0099", hospital="康复医院",
                             admitted_on=days_ago(5), discharged_on=days_ago(1))
    assert overlap.status_code == 409 and overlap.json()["error"]["code"] == "expense.stay_overlap"
    assert overlap.json()["error"]["details"]["earlier_entry_id"].startswith("exp-")
    same_number = await add_food(api, cid, admitted_on=days_ago(30), discharged_on=days_ago(20))
    assert same_number.status_code == 409
    assert same_number.json()["error"]["code"] == "expense.duplicate_invoice"
    tomorrow = (datetime.now(SHANGHAI).date() + timedelta(days=1)).isoformat()
    for make, overrides, field in [
            (add_food, {"daily_standard": None}, "daily_standard"),
            (add_food, {"standard_source": ""}, "standard_source"),
            (add_food, {"discharged_on": days_ago(40), "admitted_on": days_ago(30)}, "discharged_on"),
            (add_food, {"discharged_on": tomorrow}, "discharged_on"),
            (add_food, {"amount": "100.00"}, "amount"),
            (add_food, {"bill_date": days_ago(5)}, "bill_date"),
            (add_food, {"eligible_amount": "10.00"}, "eligible_amount"),
            (add_food, {"medical_insurance_amount": "5.00"}, "medical_insurance_amount"),
            (add_food, {"approval_reference": "x"}, "approval_reference"),
            (add_food, {"kind": "parking"}, "kind"),
            (add_food, {"admitted_on": days_ago(400), "discharged_on": days_ago(390)}, "admitted_on"),
            (add, {"admitted_on": days_ago(3)}, "admitted_on"),
            (add, {"kind": "travel", "slip_total": None}, "medical_insurance_amount"),
            (add_food, {"paid_by": "medical_insurance_card"}, "paid_by"),
            (add, {"amount": None}, "amount")]:
        response = await make(api, cid, **overrides)
        assert response.status_code == 422, (overrides, response.text)
        assert response.json()["error"]["field"] == field, (overrides, response.text)
    assert len((await ledger(api, cid))["entries"]) == 1
