"""Letters issued from a record: the 返岗通知书 of a case and the 撤销申请 of an onboarding, each in
Chinese with the employer, stored as a document and entered in the ledger."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import unquote

import httpx
from pypdf import PdfReader

from tests.api.conftest import AppFactory, auth, eventually
from tests.api.test_bundle_verify_api import _keep_pages
from tests.api.test_case_bundle_api import COMPANY, _contains, _has, _latin_words
from tests.api.test_cases_api import act, open_case
from tests.api.test_onboardings_api import register


def _text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_the_return_notice_names_the_period_the_date_and_the_employer(make_api: AppFactory):
    api = await make_api(**COMPANY)
    case = await open_case(api, "E7101")
    cid = case["id"]
    early = await api.post(f"/api/v1/cases/{cid}/letters/return-notice", headers=auth("k-hr"))
    assert early.status_code == 409 and early.json()["error"]["code"] == "letter.no_suspension"

    assert (await act(api, cid, "file-materials", materials=case["missing_materials"])).status_code == 200
    assert (await act(api, cid, "apply-determination", simple_case=True)).status_code == 200
    decided = await api.post("/api/v1/dev/authority/decide", headers=auth("k-hr"), json={
        "case_id": cid.removeprefix("case-"), "recognised": True, "reference": "京人社工伤认字009"})
    assert decided.status_code == 202, decided.text
    await eventually(lambda: _has(api, cid, "determination_decided"))
    assert (await act(api, cid, "start-suspension", months=2)).status_code == 200

    response = await api.post(f"/api/v1/cases/{cid}/letters/return-notice", headers=auth("k-hr"))
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["X-Content-SHA256"] == hashlib.sha256(response.content).hexdigest()
    assert unquote(response.headers["Content-Disposition"]).endswith("返岗通知书-E7101.pdf")
    text = _text(response.content)
    for expected in ("返岗通知书", "张三", "京人社工伤认字009", "《工伤保险条例》第三十三条", "2个月",
                     "到本单位", COMPANY["company_address"], COMPANY["company_name"],
                     COMPANY["company_uscc"], COMPANY["company_contact"], "送达回执", "运单号"):
        assert _contains(text, expected), expected
    assert not _latin_words(text), _latin_words(text)
    _keep_pages(response.content, "letters", "return-notice")

    documents = (await api.get(f"/api/v1/cases/{cid}/documents", headers=auth("k-hr"))).json()
    issued = [d for d in documents["items"] if d["kind"] == "return_notice"]
    assert issued and issued[0]["id"] == response.headers["X-Document-Id"]
    ledger = (await api.get(f"/api/v1/cases/{cid}/evidence?limit=1000",
                            headers=auth("k-hr"))).json()["items"]
    # The case's notices write to its ledger beside the letter: take the letter's entry.
    entry = next(e for e in reversed(ledger) if e["kind"] == "document_generated")
    assert entry["actor"] == "hr-alice"
    assert entry["payload"]["sha256"] == response.headers["X-Content-SHA256"]
    assert (await api.post(f"/api/v1/cases/{cid}/letters/return-notice",
                           headers=auth("k-manager"))).status_code == 403


async def test_the_withdrawal_application_goes_to_the_agency_of_the_region(
        make_api: AppFactory):
    api = await make_api(**COMPANY)
    await register(api, "E7102")
    base = "/api/v1/onboardings/onboarding-E7102"
    letter = f"{base}/letters/withdrawal-application?number=1"
    await api.post(f"{base}/enrollment", headers=auth("k-hr"),
                   json={"type": "new", "contribution_base": "8000"})
    await api.post(f"{base}/enrollment/approve", headers=auth("k-mgr"), json={})

    async def executed() -> bool:
        items = (await api.get(f"{base}/evidence", headers=auth("k-hr"))).json()["items"]
        return any(e["kind"] == "enrollment_executed" for e in items)

    await eventually(executed)
    early = await api.post(letter, headers=auth("k-hr"))
    assert early.status_code == 409 and early.json()["error"]["code"] == "letter.no_withdrawal"
    asked = await api.post(f"{base}/enrollment/withdrawal", headers=auth("k-hr"),
                           json={"reason": "缴费基数填报错误"})
    assert asked.status_code == 200, asked.text

    response = await api.post(letter, headers=auth("k-hr"))
    assert response.status_code == 201, response.text
    text = _text(response.content)
    for expected in ("社会保险增员业务撤销申请", "北京市社会保险经办机构", "张三", "8000.00",
                     "新参保（正常增员）", "撤销原因：缴费基数填报错误", "北京时间）前送达",
                     COMPANY["company_name"], COMPANY["company_uscc"], "用人单位（盖章）"):
        assert _contains(text, expected), expected
    assert not _latin_words(text), _latin_words(text)
    _keep_pages(response.content, "letters", "withdrawal-application")
    documents = (await api.get(f"{base}/documents", headers=auth("k-hr"))).json()["items"]
    assert [d["kind"] for d in documents] == ["withdrawal_application"]
    missing = await api.post(f"{base}/letters/withdrawal-application?number=7",
                             headers=auth("k-hr"))
    assert missing.status_code == 409
    assert (await api.post(f"{base}/letters/withdrawal-application?number=0",
                           headers=auth("k-hr"))).status_code == 422


async def test_letters_of_unknown_records_are_404(api: httpx.AsyncClient):
    for path in ("/api/v1/cases/case-NOPE-20260101/letters/return-notice",
                 "/api/v1/onboardings/onboarding-NOPE/letters/withdrawal-application?number=1"):
        response = await api.post(path, headers=auth("k-hr"))
        assert response.status_code == 404, (path, response.text)


def test_the_report_day_is_the_first_working_day_after_the_period():
    from datetime import date

    from api.routes.letters import _first_working_day
    from domain.shared.calendar import LEGACY_CALENDAR

    assert _first_working_day(date(2026, 12, 5), LEGACY_CALENDAR) == date(2026, 12, 7)  # Sat → Mon
    assert _first_working_day(date(2026, 12, 8), LEGACY_CALENDAR) == date(2026, 12, 8)
