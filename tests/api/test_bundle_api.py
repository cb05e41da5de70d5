"""The evidence bundle opened as an arbitrator would: ZIP listing, manifest hashes, PDF text."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import httpx
from pypdf import PdfReader

from tests.api.conftest import AppFactory, auth, eventually
from tests.api.test_case_bundle_api import (
    COMPANY,
    _contains,
    _latin_words,
    _pdf_text,
    bundle_hashes,
)
from tests.api.test_documents_api import PNG, upload
from tests.api.test_onboardings_api import register

BASE = "/api/v1/onboardings/onboarding-E60"


async def test_the_bundle_verifies_and_its_pdf_reads_in_chinese(api: httpx.AsyncClient):
    created = await register(api, "E60")
    await api.post(f"{BASE}/enrollment", headers=auth("k-hr"),
                   json={"type": "new", "contribution_base": "8000"})
    await api.post(f"{BASE}/enrollment/approve", headers=auth("k-mgr"), json={})
    await upload(api, PNG, kind="delay_evidence", base=BASE)

    async def executed() -> bool:
        items = (await api.get(f"{BASE}/evidence", headers=auth("k-hr"))).json()["items"]
        return any(e["kind"] == "enrollment_executed" for e in items)

    await eventually(executed)
    response = await api.get(f"{BASE}/bundle", headers=auth("k-hr"))
    assert response.status_code == 200, response.text
    assert response.headers["X-Content-SHA256"] == hashlib.sha256(response.content).hexdigest()

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"timeline.pdf", "ledger.json", "onboarding.json", "manifest.json"} <= names
    assert any(n.startswith("documents/") and n.endswith("截图.png") for n in names)
    manifest = json.loads(archive.read("manifest.json"))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    ledger = json.loads(archive.read("ledger.json"))
    assert manifest["chain"]["valid"] and manifest["chain"]["head"] == ledger[-1]["entry_hash"]

    text = "".join(page.extract_text() for page in PdfReader(
        io.BytesIO(archive.read("timeline.pdf"))).pages)
    due = created["deadlines"][0]["due_at_shanghai"][:10]
    for expected in ("社保增员证据时间线", "张三", "社会保险登记期限",
                     "《中华人民共和国社会保险法》第五十八条",
                     due, "提交社保增员申请", "复核通过增员申请", "社保经办机构已受理增员",
                     "hr-alice", "mgr-bob", "哈希链校验：完整"):
        assert expected in text.replace("\n", " ") or expected in text.replace("\n", ""), expected

    evidence = (await api.get(f"{BASE}/evidence", headers=auth("k-hr"))).json()["items"]
    assert evidence[-1]["kind"] == "bundle_exported" and evidence[-1]["actor"] == "hr-alice"


async def test_the_onboarding_bundle_is_chinese_with_the_employer_and_english_on_request(
        make_api: AppFactory):
    api = await make_api(**COMPANY)
    await register(api, "E61")
    base = "/api/v1/onboardings/onboarding-E61"
    zh = zipfile.ZipFile(io.BytesIO((await api.get(f"{base}/bundle", headers=auth("k-hr"))).content))
    text = _pdf_text(zh.read("timeline.pdf"))
    for expected in ("社保增员证据时间线 · 证据包", COMPANY["company_name"], COMPANY["company_uscc"],
                     "参保地", "北京市", "未到期", "待提交增员", "如何核验", "登记新员工入职"):
        assert _contains(text, expected), expected
    assert not _latin_words(text, bundle_hashes(zh)), _latin_words(text, bundle_hashes(zh))
    assert {"verify_bundle.py", "核验说明.txt"} <= set(zh.namelist())

    en = zipfile.ZipFile(io.BytesIO((await api.get(f"{base}/bundle?lang=en",
                                                   headers=auth("k-hr"))).content))
    text = _pdf_text(en.read("timeline.pdf"))
    for expected in ("Social-insurance onboarding evidence timeline", "Statutory deadlines",
                     "Beijing", "upcoming", "Social Insurance Law art. 58", "awaiting enrollment"):
        assert _contains(text, expected), expected
