"""An injury case's evidence bundle, opened as an arbitrator would: ZIP, manifest hashes, PDF text."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Collection
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from pypdf import PdfReader

from tests.api.conftest import AppFactory, auth, eventually
from tests.api.test_cases_api import act, deadline, open_case

SHANGHAI = ZoneInfo("Asia/Shanghai")
TRACKING = "EMS1234567890CN"
PDF_FILE = b"%PDF-1.4 diagnosis of the right thumb"
COMPANY = {"company_name": "北京示例精密制造有限公司", "company_uscc": "91350100M000100Y43",
           "company_address": "北京市朝阳区示例路1号", "company_contact": "王人事 010-12345678"}
# What may stay Latin in the Chinese PDF: file names, commands, hashes' label, ids and the carrier.
LATIN_ALLOWED = {"manifest", "json", "ledger", "timestamps", "python", "verify", "bundle", "zip",
                 "OpenSSL", "openssl", "sha", "sum", "SHA", "RFC", "case", "alice", "EMS", "PDF",
                 "pdf", "txt", "Python", "timeline", "png"}


async def _ledger(api: httpx.AsyncClient, cid: str) -> list[dict]:
    return (await api.get(f"/api/v1/cases/{cid}/evidence?limit=1000",
                          headers=auth("k-hr"))).json().get("items", [])


async def _has(api: httpx.AsyncClient, cid: str, kind: str) -> list[dict]:
    items = await _ledger(api, cid)
    return items if any(e["kind"] == kind for e in items) else []


async def _drive(api: httpx.AsyncClient) -> tuple[str, dict]:
    """A case from the accident to closed: determination, suspension, courier, appraisal, payment."""
    case = await open_case(api, "E7001")
    cid = case["id"]
    assert (await act(api, cid, "file-materials", materials=case["missing_materials"])).status_code == 200
    assert (await act(api, cid, "apply-determination", simple_case=True)).status_code == 200
    decided = await api.post("/api/v1/dev/authority/decide", headers=auth("k-hr"), json={
        "case_id": cid.removeprefix("case-"), "recognised": True, "reference": "京人社工伤认字001"})
    assert decided.status_code == 202, decided.text
    await eventually(lambda: _has(api, cid, "determination_decided"))
    assert (await act(api, cid, "start-suspension", months=2)).status_code == 200
    posted = await act(api, cid, "record-courier-notice", carrier="EMS", tracking_number=TRACKING,
                       purpose="return_to_work")
    assert posted.status_code == 200, posted.text
    signed = await api.post("/api/v1/dev/courier/status", headers=auth("k-hr"), json={
        "case_id": cid.removeprefix("case-"), "tracking_number": TRACKING, "status": "signed",
        "signed_by": "张三"})
    assert signed.status_code == 202, signed.text
    await eventually(lambda: _has(api, cid, "courier_status"))
    uploaded = await api.post(f"/api/v1/cases/{cid}/documents", headers=auth("k-hr"),
                              data={"kind": "diagnosis", "note": "初诊证明"},
                              files={"file": ("诊断证明.pdf", PDF_FILE, "application/pdf")})
    assert uploaded.status_code == 201, uploaded.text
    for action, body in (("record-return", {}), ("apply-appraisal", {}),
                         ("record-appraisal", {"grade": 9, "reference": "京劳鉴字0042"}),
                         ("open-negotiation", {}),
                         ("record-offer", {"party": "employer", "amount": "30000"}),
                         ("record-dispute", {"event": "mediation", "forum": "企业调解委员会",
                                             "note": "职工要求提高赔偿"}),
                         ("record-agreement", {"amount": "42000"}),
                         ("record-payment", {"amount": "42000"}),
                         ("close", {"reason": "赔偿已付清"})):
        response = await act(api, cid, action, **body)
        assert response.status_code == 200, (action, response.text)
    await eventually(lambda: _has(api, cid, "case_outcome"))  # the workflow has finished
    await _quiet(api, cid)
    return cid, case


async def _quiet(api: httpx.AsyncClient, cid: str, still: float = 1.5,
                 limit: float = 30.0) -> None:
    """Until the case's ledger stops growing: the notices a case started (the payment notice to
    the employee) outlive it and write their opening and attempts to its ledger a moment later."""
    loop = asyncio.get_running_loop()
    deadline, seen, since = loop.time() + limit, -1, loop.time()
    while loop.time() < deadline:
        count = len(await _ledger(api, cid))
        if count != seen:
            seen, since = count, loop.time()
        elif loop.time() - since >= still:
            return
        await asyncio.sleep(0.2)


async def test_a_closed_case_yields_a_bundle_whose_manifest_verifies_and_whose_pdf_reads(
        make_api: AppFactory):
    api = await make_api(**COMPANY)
    cid, case = await _drive(api)
    before = (await api.get(f"/api/v1/cases/{cid}/evidence/verify", headers=auth("k-hr"))).json()
    assert before["valid"] is True

    response = await api.get(f"/api/v1/cases/{cid}/bundle", headers=auth("k-hr"))
    assert response.status_code == 200, response.text
    assert response.headers["X-Content-SHA256"] == hashlib.sha256(response.content).hexdigest()
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"timeline.pdf", "ledger.json", "case.json", "manifest.json"} <= names
    uploaded = hashlib.sha256(PDF_FILE).hexdigest()
    assert f"documents/{uploaded[:12]}-诊断证明.pdf" in names
    assert any(n.startswith("documents/") and n != f"documents/{uploaded[:12]}-诊断证明.pdf"
               for n in names), "the generated determination form is a document too"
    manifest = json.loads(archive.read("manifest.json"))
    assert set(manifest["files"]) == names - {"manifest.json"}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    ledger = json.loads(archive.read("ledger.json"))
    assert manifest["subject_id"] == cid and manifest["generated_by"] == "hr-alice"
    assert manifest["chain"]["valid"] is True and manifest["chain"]["entries"] == len(ledger)
    assert manifest["chain"]["head"] == before["head"] == ledger[-1]["entry_hash"]

    text = _pdf_text(archive.read("timeline.pdf"))
    accident_day = datetime.fromisoformat(case["accident_at"]).astimezone(SHANGHAI).date()
    applied = deadline(case, "determination_application")
    for expected in ("工伤案件证据时间线", "张三", "E7001", "生产部", "李经理", "hr-alice",
                     accident_day.isoformat(), "二号车间冲压机旁", "操作冲压机时右手拇指被夹伤",
                     "李四", "已参加工伤保险", applied["due_at_shanghai"][:10],
                     "认定为工伤", "京人社工伤认字001", "社会保险行政部门（测试环境模拟）", "伤残9级",
                     "京劳鉴字0042",
                     "停工留薪期", "2 个月", "工伤认定结果通知", TRACKING, "已签收", "签收人 张三",
                     "30000 元", "42000 元", "已付清", "企业调解委员会", "诊断证明.pdf", uploaded,
                     "已结案", "快递寄送书面通知", "哈希链校验：完整", "北京市",
                     # the cover page: who produced it, from which records, how to verify it
                     "证据包", COMPANY["company_name"], "统一社会信用代码", COMPANY["company_uscc"],
                     COMPANY["company_address"], COMPANY["company_contact"], "证据链链头哈希",
                     manifest["chain"]["head"], "如何核验", "verify_bundle.py"):
        assert _contains(text, expected), expected
    flat = text.replace("\n", "")
    label = "用人单位申请工伤认定（事故之日起30日）"
    row = flat[flat.index(label):][:300]  # the deadline's row: kind, due, met, status, article
    assert "已按期完成" in row and "《工伤保险条例》第十七条第一款、第四款" in row, row
    hashes = bundle_hashes(archive)
    assert not _latin_words(text, hashes), _latin_words(text, hashes)
    assert manifest["company"]["uscc"] == COMPANY["company_uscc"] and manifest["lang"] == "zh"

    after = (await api.get(f"/api/v1/cases/{cid}/evidence", headers=auth("k-hr"))).json()
    exported = after["items"][-1]
    assert exported["kind"] == "bundle_exported" and exported["actor"] == "hr-alice"
    assert exported["prev_hash"] == manifest["chain"]["head"]
    assert exported["payload"]["sha256"] == response.headers["X-Content-SHA256"]
    verified = (await api.get(f"/api/v1/cases/{cid}/evidence/verify", headers=auth("k-hr"))).json()
    assert verified["valid"] is True and verified["entries"] == len(ledger) + 1


async def test_unknown_cases_and_readers_get_no_bundle(api: httpx.AsyncClient):
    for unknown in ("case-NOPE-20260101", "nothing"):
        response = await api.get(f"/api/v1/cases/{unknown}/bundle", headers=auth("k-hr"))
        assert response.status_code == 404, (unknown, response.text)
        assert response.json()["error"]["code"] == "case.not_found"
    onboarding = await api.get("/api/v1/cases/onboarding-E1/bundle", headers=auth("k-hr"))
    assert onboarding.status_code == 422 and onboarding.json()["error"]["code"] == "id.wrong_kind"
    case = await open_case(api, "E7002")
    forbidden = await api.get(f"/api/v1/cases/{case['id']}/bundle", headers=auth("k-manager"))
    assert forbidden.status_code == 403
    opened = await api.get(f"/api/v1/cases/{case['id']}/bundle", headers=auth("k-mgr"))
    assert opened.status_code == 200, opened.text
    text = _pdf_text(zipfile.ZipFile(io.BytesIO(opened.content)).read("timeline.pdf"))
    assert all(_contains(text, s) for s in ("已报告事故", "未到期", "无记录"))


async def test_the_english_bundle_is_given_only_on_request(make_api: AppFactory):
    api = await make_api(**COMPANY)
    case = await open_case(api, "E7003")
    response = await api.get(f"/api/v1/cases/{case['id']}/bundle?lang=en", headers=auth("k-hr"))
    assert response.status_code == 200, response.text
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    text = _pdf_text(archive.read("timeline.pdf"))
    for expected in ("Work-injury case evidence timeline", "evidence bundle", "How to verify it",
                     "Unified social credit code", COMPANY["company_uscc"], "Statutory deadlines",
                     "upcoming", "art. 17", "Beijing", "Nothing recorded."):
        assert _contains(text, expected), expected
    for chinese_label in ("未到期", "法定期限", "《工伤保险条例》"):
        assert not _contains(text, chinese_label), chinese_label
    assert json.loads(archive.read("manifest.json"))["lang"] == "en"
    refused = await api.get(f"/api/v1/cases/{case['id']}/bundle?lang=fr", headers=auth("k-hr"))
    assert refused.status_code == 422


def bundle_hashes(archive: zipfile.ZipFile) -> set[str]:
    """Every SHA-256 digest the bundle's ledger and manifest hold (the PDF prints some)."""
    return set(re.findall(r"[0-9a-f]{64}", archive.read("ledger.json").decode()
                          + archive.read("manifest.json").decode()))


def _latin_words(text: str, hashes: Collection[str] = ()) -> set[str]:
    """Runs of 3+ Latin letters left once hashes (hex) and ids are taken out, and that are not a
    piece of an allowed word (a narrow cell wraps a word over two lines). The bundle's own hashes
    go first, wherever the PDF wrapped them: a wrapped piece of a digest can be a few letters a-f
    alone, as can the hex tail of a simulator's reference (SIM-GSRD-BEIJING-3889b / eee0a: the
    reference hashes the day, so the test failed on the days it wrapped that way)."""
    for digest in hashes:
        text = re.sub(r"\s*".join(digest), " ", text)
    text = re.sub(r"(?:[0-9a-f]\n?){12,}", " ", text)  # a hash, even wrapped
    # ids and the dev simulators' own data (their reference numbers, "模拟医院 (simulator)")
    text = re.sub(r"(?:case|onboarding)-[A-Za-z0-9-]+|doc-[0-9a-f]+|E\d{4}"
                  r"|SIM-[A-Za-z0-9-]+(?:\n[0-9a-f]+\b)?|\(simulator\)|https?://\S+", " ", text)
    words = set(re.findall(r"[A-Za-z]{3,}", text.replace("\n", " ")))
    return {w for w in words if not any(w in allowed for allowed in LATIN_ALLOWED)}


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _contains(text: str, expected: str) -> bool:
    """Narrow table cells break lines mid-phrase: look with the breaks as spaces and as nothing."""
    return expected in text.replace("\n", " ") or expected in text.replace("\n", "")
