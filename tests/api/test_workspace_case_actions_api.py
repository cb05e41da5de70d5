"""HR actions from the case page, on SQLite and PostgreSQL with a real worker: the stage's
actions as forms with the action's own fields; a refusal beside its field, in Chinese, with the
form as filled in, recorded in the ledger; a document uploaded and attached; the bundle; a
manager sees and may do none of it."""

from __future__ import annotations

import io
import re
import zipfile

import httpx

from tests.api.conftest import auth, eventually
from tests.api.test_workspace_actions_api import PNG, as_person
from tests.api.test_workspace_api import case, give_login


def forms_of(html: str) -> set[str]:
    return set(re.findall(r'id="([a-z-]+)-form"', html)) - {"upload"}


async def events_of(api: httpx.AsyncClient, case_id: str) -> list[str]:
    found = await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-hr"))
    return [e["kind"] for e in found.json()["events"]]


async def test_an_action_refused_beside_its_field_then_taken(api: httpx.AsyncClient):
    case_id = await case(api, "E7601")
    await give_login(api, "hr-alice")
    csrf = await as_person(api, "hr-alice")
    page = await api.get(f"/hr/cases/{case_id}")
    assert page.status_code == 200
    assert {"file-materials", "apply-determination", "withdraw"} <= forms_of(page.text)
    assert "record-appraisal" not in forms_of(page.text)  # not at this stage
    assert "申请工伤认定" in page.text and 'name="override_reason"' in page.text
    assert 'id="bundle"' in page.text and 'id="upload-form"' in page.text

    bad_date = await api.post(f"/hr/cases/{case_id}/actions/record-contact",
                              data={"csrf": csrf, "on": "2026-02-30", "note": "电话联系"})
    assert bad_date.status_code == 422
    assert 'id="record-contact-on-error"' in bad_date.text and "「发生日期" in bad_date.text
    assert "电话联系" in bad_date.text  # the form as it was filled in
    assert "<details id=\"act-record-contact\" open" in bad_date.text

    missing = await api.post(f"/hr/cases/{case_id}/actions/apply-determination",
                             data={"csrf": csrf, "note": "先申请"})
    assert missing.status_code == 409
    assert 'id="apply-determination-error"' in missing.text
    assert "工伤认定申请材料不全" in missing.text and "role=\"alert\"" in missing.text

    taken = await api.post(f"/hr/cases/{case_id}/actions/apply-determination",
                           data={"csrf": csrf, "override_reason": "诊断证明由医院直接寄送"})
    assert taken.status_code == 303, taken.text
    assert "determination_applied" in await events_of(api, case_id)

    async def refusal_recorded() -> bool:
        entries = (await api.get(f"/api/v1/cases/{case_id}/evidence",
                                 headers=auth("k-hr"))).json()["items"]
        return any(e["kind"] == "action_refused" for e in entries)

    await eventually(refusal_recorded)
    after = await api.get(f"/hr/cases/{case_id}")
    assert "record-determination" in forms_of(after.text)
    assert "apply-determination" not in forms_of(after.text)


async def test_a_document_is_uploaded_attached_and_bundled(api: httpx.AsyncClient):
    case_id = await case(api, "E7602")
    await give_login(api, "hr-alice")
    csrf = await as_person(api, "hr-alice")
    wrong = await api.post(f"/hr/cases/{case_id}/documents",
                           data={"csrf": csrf, "kind": "diagnosis"},
                           files={"file": ("诊断.txt", b"plain words", "text/plain")})
    assert wrong.status_code == 422 and 'id="upload-error"' in wrong.text
    assert "文件须为 PDF、JPEG 或 PNG" in wrong.text
    uploaded = await api.post(f"/hr/cases/{case_id}/documents",
                              data={"csrf": csrf, "kind": "diagnosis", "note": "门诊"},
                              files={"file": ("诊断.png", PNG, "image/png")})
    assert uploaded.status_code == 303, uploaded.text
    page = await api.get(f"/hr/cases/{case_id}")
    assert "诊断.png" in page.text
    document = re.search(r'name="documents" value="(doc-[0-9a-f]+)"', page.text)
    material = re.search(r'name="materials" value="([a-z_]+)"', page.text)
    assert document and material
    filed = await api.post(f"/hr/cases/{case_id}/actions/file-materials", data={
        "csrf": csrf, "materials": [material.group(1)], "documents": [document.group(1)]})
    assert filed.status_code == 303, filed.text
    events = (await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-hr"))).json()["events"]
    filed_event = next(e for e in events if e["kind"] == "materials_filed")
    assert document.group(1) in str(filed_event)

    bundle = await api.get(f"/hr/cases/{case_id}/bundle")
    assert bundle.status_code == 200 and bundle.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    assert any(n.endswith(".png") for n in names), names


async def test_a_manager_sees_no_forms_and_may_take_no_action(api: httpx.AsyncClient):
    case_id = await case(api, "E7603")
    await give_login(api, "dept-dave")
    csrf = await as_person(api, "dept-dave")
    page = await api.get(f"/hr/cases/{case_id}")  # of dept-dave's department (factories)
    assert page.status_code == 200
    assert forms_of(page.text) == set() and 'id="bundle"' not in page.text
    refused = await api.post(f"/hr/cases/{case_id}/actions/withdraw",
                             data={"csrf": csrf, "reason": "误报"})
    assert refused.status_code == 403
    assert "withdrawn" not in await events_of(api, case_id)


async def test_a_bill_is_entered_refused_twice_and_claimed(api: httpx.AsyncClient):
    case_id = await case(api, "E7604")
    await give_login(api, "hr-alice")
    csrf = await as_person(api, "hr-alice")
    bill = {"csrf": csrf, "invoice_number": "44030012", "hospital": "深圳市人民医院",
            "bill_date": "2026-11-20", "amount": "1,200", "paid_by": "employee"}
    bad = await api.post(f"/hr/cases/{case_id}/expenses", data=bill)
    assert bad.status_code == 422 and 'id="expense-amount-error"' in bad.text
    assert 'value="44030012"' in bad.text  # the form as it was filled in
    entered = await api.post(f"/hr/cases/{case_id}/expenses", data={**bill, "amount": "1200.50"})
    assert entered.status_code == 303, entered.text
    page = await api.get(f"/hr/cases/{case_id}")
    assert "深圳市人民医院" in page.text and 'id="expense-total">1200.50' in page.text
    assert "尚未认定" in page.text  # provisional until the determination
    again = await api.post(f"/hr/cases/{case_id}/expenses", data={**bill, "amount": "99"})
    assert again.status_code == 409 and "这张发票已登记过" in again.text

    statement = await api.get(f"/hr/cases/{case_id}/expenses.pdf")
    assert statement.status_code == 200 and statement.content.startswith(b"%PDF")
    ledger = (await api.get(f"/api/v1/cases/{case_id}/evidence", headers=auth("k-hr"))).json()
    kinds = [e["kind"] for e in ledger["items"]]
    assert "expense_recorded" in kinds and "expense_claim_exported" in kinds


async def test_the_compensation_estimate_item_by_item(api: httpx.AsyncClient):
    case_id = await case(api, "E7605")
    await give_login(api, "hr-alice")
    await as_person(api, "hr-alice")
    page = f"/hr/cases/{case_id}/compensation"
    empty = await api.get(page)
    assert empty.status_code == 200 and 'id="compensation-form"' in empty.text
    assert 'id="estimate-items"' not in empty.text
    bad = await api.get(page, params={"monthly_wage": "六千"})
    assert bad.status_code == 422 and 'id="monthly_wage-error"' in bad.text
    no_grade = await api.get(page, params={"monthly_wage": "6500"})
    assert no_grade.status_code == 409 and "案件尚无伤残等级" in no_grade.text
    given = {"monthly_wage": "6500", "grade": "7", "regional_average_monthly_wage": "9000"}
    estimated = await api.get(page, params=given)
    assert estimated.status_code == 200, estimated.text
    assert "一次性伤残补助金" in estimated.text and "工伤保险基金" in estimated.text
    expected = (await api.get(f"/api/v1/cases/{case_id}/compensation", headers=auth("k-hr"),
                              params=given)).json()
    assert f'id="once-total">{expected["totals"]["once"]["total"]}<' in estimated.text
    assert 'id="retirement_date"' in estimated.text and 'id="h-options"' not in estimated.text
    grade_6 = await api.get(page, params={**given, "grade": "6", "retirement_date": "2040-01-31"})
    assert grade_6.status_code == 200, grade_6.text
    assert 'id="option-keep_employment"' in grade_6.text and "保留劳动关系" in grade_6.text
    assert "伤残津贴" in grade_6.text  # Beijing has no termination table: only keeping the job
    nego = expected["suggested_negotiation_range"]
    assert f'id="statutory-amount">{nego["statutory_amount"]}<' in estimated.text
    assert f'id="negotiation">{nego["low"]} – {nego["high"]}<' in estimated.text
    assert "企业应承担" in estimated.text and nego["reasons"][0]["zh"] in estimated.text
    civil = {**given, "third_party_percent": "50", "victim_age": "35", "urban_income": "60000",
             "medical_costs": "30000", "third_party_paid_medical": "15000", "offer": "100000"}
    with_claim = await api.get(page, params=civil)
    assert with_claim.status_code == 200, with_claim.text
    # 60,000 × 20 years × 40 % (grade 7, unverified) = 480,000 and 30,000 medical; 交强险 first
    # 18,000 + 180,000, then (12,000 + 300,000) × 50 %
    assert 'id="civil-insurer-total">198000.00<' in with_claim.text
    assert 'id="civil-claim-total">156000.00<' in with_claim.text and "残疾赔偿金" in with_claim.text
    assert 'id="civil-total">354000.00<' in with_claim.text and "交强险先赔" in with_claim.text
    bicycle = await api.get(page, params={**civil, "other_party": "non_motor"})
    assert bicycle.status_code == 200, bicycle.text
    assert 'id="civil-total">255000.00<' in bicycle.text and "对方不是机动车" in bicycle.text
    # art. 17: a 10-year-old two people support; grade 7 = 40 %: 30,000 × 40 % ÷ 2 × 8 years =
    # 48,000, after the insurer's limit is spent: × 50 %
    supported = await api.get(page, params={**civil, "urban_consumption": "30000",
                                            "civil_dependant": "10/2"})
    assert supported.status_code == 200, supported.text
    assert 'id="civil-claim-total">180000.00<' in supported.text and "被扶养人生活费" in supported.text
    for name, value in (("civil_dependant", "十岁"), ("civil_average_monthly_wage", "9000")):
        refused = await api.get(page, params={**civil, "urban_consumption": "30000", name: value})
        assert refused.status_code == 422 and f'id="{name}-error"' in refused.text, name
    odd = await api.get(page, params={**civil, "other_party": "tram"})
    assert odd.status_code == 422 and 'id="other_party-error"' in odd.text
    assert 'id="negotiation-unverified"' in with_claim.text and "单位报价 100000.00" in with_claim.text
    api_civil = {**given, "third_party_share": "0.5", "victim_age": "35", "urban_income": "60000",
                 "medical_costs": "30000", "third_party_paid_medical": "15000", "offer": "100000"}
    by_api = (await api.get(f"/api/v1/cases/{case_id}/compensation", headers=auth("k-hr"),
                            params=api_civil)).json()["suggested_negotiation_range"]
    assert by_api["third_party"]["claim"] == "156000.00" and by_api["offer"] == "100000.00"
    assert by_api["third_party"]["total"] == "354000.00"
    conflict = await api.get(f"/api/v1/cases/{case_id}/compensation", headers=auth("k-hr"),
                             params={**api_civil, "other_party_liable": "false"})
    assert conflict.status_code == 422 and conflict.json()["error"]["field"] == "other_party_liable"
    over = await api.get(f"/api/v1/cases/{case_id}/compensation", headers=auth("k-hr"),
                         params={**api_civil, "third_party_share": "1.5"})
    assert over.status_code == 422 and over.json()["error"]["field"] == "third_party_share"
    no_age = await api.get(page, params={**civil, "victim_age": ""})
    assert no_age.status_code == 422 and 'id="victim_age-error"' in no_age.text
    # each month's wage instead of the average: the same estimate as the API's from the same months
    months = {**given, "monthly_wage": "", "wages_12_months": "6000, 7000、6500"}
    by_months = await api.get(page, params=months)
    assert by_months.status_code == 200, by_months.text
    api_months = (await api.get(f"/api/v1/cases/{case_id}/compensation", headers=auth("k-hr"),
                                params={**given, "monthly_wage": [],
                                        "wages_12_months": ["6000", "7000", "6500"]})).json()
    assert api_months["wage_basis"]["months"] == 3
    assert f'id="once-total">{api_months["totals"]["once"]["total"]}<' in by_months.text
    both = await api.get(page, params={**given, "wages_12_months": "6000 7000"})
    assert both.status_code == 422 and 'id="monthly_wage-error"' in both.text
    bad_month = await api.get(page, params={**months, "wages_12_months": "6000, 七千"})
    assert bad_month.status_code == 422 and 'id="wages_12_months-error"' in bad_month.text
    thirteen = await api.get(page, params={**months, "wages_12_months": " ".join(["6000"] * 13)})
    assert thirteen.status_code == 422 and "各月工资须为 1 至 12 个月" in thirteen.text


async def test_a_manager_sees_the_escalations_sent_to_them(api: httpx.AsyncClient, db_url: str):
    from datetime import UTC, datetime, timedelta

    from store.db import session_for
    from store.models import NoticeRow

    case_id = await case(api, "E7606")
    with session_for(db_url) as session:  # as the escalation's notice leaves it
        session.add(NoticeRow(id="ntc-esc-1", subject_id=case_id, purpose="case_escalation",
                              code="ESC0001", recipient_name="dept-dave",
                              recipient_role="department_manager", channels=["email"],
                              status="sent", created_at=datetime.now(UTC) - timedelta(hours=2)))
        session.commit()
    await give_login(api, "dept-dave")
    await as_person(api, "dept-dave")
    dashboard = await api.get("/hr/")
    assert 'id="to-me"' in dashboard.text and "工伤案件逾期升级" in dashboard.text
    assert f'href="/hr/cases/{case_id}"' in dashboard.text
    await give_login(api, "hr-alice")
    await as_person(api, "hr-alice")
    assert 'id="to-me"' not in (await api.get("/hr/")).text


async def test_the_case_page_shows_each_notice_with_its_attempts_and_receipts(
        api: httpx.AsyncClient, db_url: str):
    from datetime import UTC, datetime, timedelta

    from sqlmodel import select

    from store.db import session_for
    from store.models import NoticeAttemptRow, NoticeReceiptRow, NoticeRow

    case_id = await case(api, "E7607")
    sent = datetime.now(UTC) - timedelta(hours=3)
    with session_for(db_url) as session:  # as a return-to-work notice's sends leave them
        session.add(NoticeRow(id="ntc-rtw-1", subject_id=case_id, purpose="return_to_work",
                              code="RTW0001", recipient_name="张三", recipient_role="employee",
                              channels=["sms", "email"], status="open", created_at=sent))
        session.add(NoticeAttemptRow(idempotency_key="ntc-rtw-1:1", notice_id="ntc-rtw-1",
                                     attempt_no=1, channel="sms", state="sent",
                                     status="delivered", created_at=sent, sent_at=sent))
        session.commit()
        attempt = session.exec(select(NoticeAttemptRow)).one()
        session.add(NoticeReceiptRow(attempt_id=attempt.id, notice_id="ntc-rtw-1", status="delivered",
                                     at=sent + timedelta(minutes=1), source="twilio"))
        session.commit()
    await give_login(api, "hr-alice")
    await as_person(api, "hr-alice")
    page = await api.get(f"/hr/cases/{case_id}")
    notices = page.text[page.text.index('id="notices"'):page.text.index('id="h-timeline"')]
    assert "复工通知" in notices and "短信" in notices
    assert "accepted" in notices and "delivered" in notices and "twilio" in notices
