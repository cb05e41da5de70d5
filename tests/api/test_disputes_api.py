"""Dispute history over HTTP: CSV import (whole or nothing), similarity, and a closed case's record."""

from __future__ import annotations

import hashlib

import httpx

from store import evidence
from tests.api.conftest import auth, eventually
from tests.api.test_cases_api import act, open_case

PAST = """reference,accident_on,closed_on,region,cause,injury,si_enrolled,traffic_accident,grade,\
employer_offers,employee_demands,agreed_amount,paid_amount,outcome,notes
仲-2023-011,2023-03-01,2023-08-29,beijing,冲压机夹伤,右手拇指肌腱断裂,是,否,8,30000;38000,60000,45000.00,45000,调解,两轮协商
仲-2023-027,2023-05-10,2024-01-20,beijing,叉车碾压,左小腿骨折,是,否,8,40000,70000,52000,52000,仲裁,
仲-2023-031,2023-06-02,2023-09-01,shanghai,切割机,右手食指离断,是,否,9,,,30000,30000,调解,
仲-2023-044,2023-07-15,2024-03-15,beijing,未缴社保,左手食指骨折,否,否,8,60000,150000,120000,120000,诉讼,\
单位未参保全额承担
仲-2023-052,2023-08-01,2023-08-30,beijing,搬运,腰椎压缩性骨折,是,否,5,,,200000,,调解,
仲-2023-060,2023-09-09,2023-10-09,guangzhou,上班途中,头部外伤,是,是,10,,,18000,18000,调解,
"""


async def import_csv(api: httpx.AsyncClient, content: str | bytes, key: str = "k-hr") -> httpx.Response:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return await api.post("/api/v1/disputes/import", headers=auth(key),
                          files={"file": ("past.csv", data, "text/csv")})


async def similar(api: httpx.AsyncClient, query: str, key: str = "k-manager") -> dict:
    response = await api.get(f"/api/v1/disputes/similar?{query}", headers=auth(key))
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_imported_history_is_ranked_by_similarity(api, db_url):
    imported = await import_csv(api, PAST)
    assert imported.status_code == 201, imported.text
    batch = imported.json()
    assert batch["rows"] == 6 and batch["sha256"] == hashlib.sha256(PAST.encode()).hexdigest()
    _, entries = evidence.page(db_url, "disputes-import")
    assert [(e.kind, e.actor) for e in entries] == [("disputes_imported", "hr-alice")]
    assert entries[0].payload | {"filename": "x"} == {
        "batch_id": batch["batch_id"], "rows": 6, "sha256": batch["sha256"], "filename": "x",
        "size": len(PAST.encode())}

    found = await similar(api, "injury=右手拇指肌腱断裂&grade=8&si_enrolled=true&region=beijing&limit=3")
    refs = [i["reference"] for i in found["items"]]
    assert refs == ["仲-2023-011", "仲-2023-027", "仲-2023-044"] and found["searched"] == 6
    top = found["items"][0]
    assert top["score"] == 1.0 and top["agreed_amount"] == "45000.00" and top["duration_days"] == 181
    assert top["employer_offers"] == ["30000.00", "38000.00"] and top["outcome"] == "调解"
    assert top["source"] == "import" and top["import_batch"] == batch["batch_id"]
    assert found["summary"]["agreed_median"] == "52000.00"
    without_si = await similar(api, "injury=手指骨折&grade=8&si_enrolled=false&limit=1")
    assert without_si["items"][0]["reference"] == "仲-2023-044"

    again = await import_csv(api, PAST)
    assert again.status_code == 409 and again.json()["error"]["code"] == "csv.already_imported"
    listed = (await api.get("/api/v1/disputes?source=import&grade=8", headers=auth("k-hr"))).json()
    assert listed["total"] == 3
    assert (await import_csv(api, PAST, key="k-manager")).status_code == 403
    empty = await api.get("/api/v1/disputes/similar", headers=auth("k-hr"))
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "query.empty"
    bad_grade = await api.get("/api/v1/disputes/similar?grade=11", headers=auth("k-hr"))
    assert bad_grade.status_code == 422 and bad_grade.json()["error"]["field"] == "grade"


async def test_a_malformed_row_imports_nothing_and_names_row_and_field(api, db_url):
    lines = PAST.splitlines()
    lines[3] = lines[3].replace(",9,", ",11,")  # the third data row: grade 11
    response = await import_csv(api, "\n".join(lines) + "\n")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "csv.invalid" and error["field"] == "rows[3].grade"
    assert "nothing was imported" in error["message"]
    assert error["details"]["errors"][0]["line"] == 4
    amount = await import_csv(api, PAST.replace("45000.00,45000", "45000.00,-1"))
    assert amount.json()["error"]["field"] == "rows[1].paid_amount"
    header = await import_csv(api, "injury,si_enrolled\n右手,是\n")
    assert header.status_code == 422 and header.json()["error"]["field"] == "header"
    listed = (await api.get("/api/v1/disputes", headers=auth("k-hr"))).json()
    assert listed["total"] == 0 and listed["items"] == []
    assert evidence.page(db_url, "disputes-import")[0] == 0


async def test_a_closed_case_joins_the_history_with_what_was_agreed(api):
    case = await open_case(api, "E7001")
    cid = case["id"]
    steps = [("file-materials", {"materials": case["missing_materials"]}),
             ("apply-determination", {}),
             ("record-determination", {"recognised": True, "reference": "京人社工伤认字007"}),
             ("apply-appraisal", {}), ("record-appraisal", {"grade": 8}),
             ("open-negotiation", {}), ("record-offer", {"party": "employer", "amount": "36000"}),
             ("record-offer", {"party": "employee", "amount": "80000"}),
             ("record-agreement", {"amount": "48000.50", "documents": ["doc-agreement"]}),
             ("record-payment", {"amount": "48000.50"}), ("close", {"reason": "paid in full"})]
    for action, body in steps:
        response = await act(api, cid, action, **body)
        assert response.status_code == 200, (action, response.text)

    async def listed() -> dict | None:
        found = await similar(api, "injury=右手拇指肌腱断裂&grade=8&si_enrolled=true")
        return next((i for i in found["items"] if i["case_id"] == cid), None)

    row = await eventually(listed)
    assert row["score"] == 1.0 and row["source"] == "case" and row["agreed_amount"] == "48000.50"
    assert row["employer_offers"] == ["36000.00"] and row["employee_demands"] == ["80000.00"]
    assert row["grade"] == 8 and row["si_enrolled"] is True and row["recognised"] is True
    assert row["outcome"] == "closed" and row["notes"] == "paid in full"
    assert row["duration_days"] == 0 and row["region"] == "beijing"
    listed_rows = (await api.get("/api/v1/disputes?source=case", headers=auth("k-manager"))).json()
    assert [r["case_id"] for r in listed_rows["items"]] == [cid]
