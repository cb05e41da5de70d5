"""Subject rights over HTTP (PIPL arts. 45, 47): an admin exports everything held on one employee
as a ZIP whose manifest hashes every file; legal holds are placed and lifted with a reason; the
retention command deletes only closed records past their period that nothing holds, and every
evidence chain still verifies afterwards."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from devstack import forget_workflow
from store import evidence, retention, verify
from store.closed import load_final
from store.documents import LocalContentStore
from store.legal_holds import PERSONAL_DATA_SUBJECT
from tests.api.conftest import auth, eventually
from tests.api.test_cases_api import open_case
from tests.api.test_documents_api import PNG, upload
from tests.api.test_onboardings_api import register

FOUR_YEARS_ON = datetime(datetime.now(UTC).year + 4, 12, 31, tzinfo=UTC)


async def _closed_onboarding(api: httpx.AsyncClient, db_url: str, employee_id: str) -> str:
    """A cancelled onboarding with a document, once its final state is kept."""
    await register(api, employee_id)
    base = f"/api/v1/onboardings/onboarding-{employee_id}"
    uploaded = await upload(api, PNG + employee_id.encode(), base=base)
    assert uploaded.status_code == 201, uploaded.text
    cancelled = await api.post(f"{base}/cancel", headers=auth("k-hr"),
                               json={"reason": "employee never started"})
    assert cancelled.status_code == 200, cancelled.text
    await eventually(lambda: _kept(db_url, f"onboarding-{employee_id}"), timeout=40)
    return base


async def _kept(db_url: str, subject_id: str) -> bool:
    return load_final(db_url, subject_id) is not None


async def _listed(api: httpx.AsyncClient, case_id: str) -> bool:
    """The case is in the list (its row is written as the workflow records its opening)."""
    cases = (await api.get("/api/v1/cases", headers=auth("k-hr"))).json()["items"]
    return case_id in [c["id"] for c in cases]


def _files(archive: zipfile.ZipFile) -> dict[str, bytes]:
    return {name: archive.read(name) for name in archive.namelist()}


async def test_an_admin_exports_everything_held_on_one_employee(api: httpx.AsyncClient,
                                                                db_url: str):
    base = await _closed_onboarding(api, db_url, "E41")
    case = await open_case(api, "E41", si_enrolled=None)  # from the employee record
    await eventually(lambda: _listed(api, case["id"]))
    detail = (await api.get(base, headers=auth("k-hr"))).json()

    exported = await api.get("/api/v1/employees/E41/export", headers=auth("k-admin"))
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    assert exported.headers["X-Content-SHA256"] == hashlib.sha256(exported.content).hexdigest()
    files = _files(zipfile.ZipFile(io.BytesIO(exported.content)))
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["employee_id"] == "E41" and manifest["exported_by"] == "root"
    assert manifest["subjects"] == ["onboarding-E41", case["id"]]
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == {
        name: hashlib.sha256(content).hexdigest() for name, content in files.items()}

    assert json.loads(files["onboardings/onboarding-E41.json"]) == detail
    assert json.loads(files[f"cases/{case['id']}.json"])["id"] == case["id"]
    assert [r["id"] for r in json.loads(files["onboardings.json"])] == ["onboarding-E41"]
    assert [r["employee_id"] for r in json.loads(files["cases.json"])] == ["E41"]
    ledger = json.loads(files["evidence/onboarding-E41.json"])
    assert ledger["verification"]["valid"] and ledger["entries"][0]["subject_id"] == "onboarding-E41"
    listed = json.loads(files["documents.json"])
    assert all(files[d["path"]] for d in listed)  # the case's forms too, each file itself
    [document] = [d for d in listed if d["subject_id"] == "onboarding-E41"]
    assert files[document["path"]] == PNG + b"E41"
    assert document["path"] == f"documents/onboarding-E41/{document['id']}-截图.png"
    reads = json.loads(files["access_log.json"])
    assert {"/api/v1/onboardings/{id}"} <= {r["route"] for r in reads}
    assert isinstance(json.loads(files["notices.json"]), list)
    assert isinstance(json.loads(files["outbox.json"]), list)
    assert files["README.txt"].decode().startswith("个人信息副本")
    assert hashlib.sha256(files["onboardings.json"]).hexdigest() in files["README.txt"].decode()

    log = (await api.get("/api/v1/admin/access-log?subject_id=E41",
                         headers=auth("k-admin"))).json()
    assert [r["route"] for r in log["items"]] == ["/api/v1/employees/{employee_id}/export"]
    _, entries = evidence.page(db_url, PERSONAL_DATA_SUBJECT)
    [entry] = [e for e in entries if e.kind == "personal_data_exported"]
    assert entry.actor == "root" and entry.payload["sha256"] == exported.headers["X-Content-SHA256"]


async def test_only_admins_export_or_hold_and_an_unknown_employee_is_404(api: httpx.AsyncClient,
                                                                         db_url: str):
    for key in ("k-hr", "k-mgr", "k-manager"):
        refused = await api.get("/api/v1/employees/E41/export", headers=auth(key))
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "role.forbidden"
        held = await api.post("/api/v1/admin/legal-holds", headers=auth(key),
                              json={"scope": "employee", "target": "E41", "reason": "仲裁"})
        assert held.status_code == 403
    unknown = await api.get("/api/v1/employees/E404/export", headers=auth("k-admin"))
    assert unknown.status_code == 404 and "E404" in unknown.json()["error"]["message"]
    assert unknown.json()["error"]["code"] == "employee.not_found"

    holds = "/api/v1/admin/legal-holds"
    for body in ({"scope": "employee", "target": "E41"},
                 {"scope": "employee", "target": "E41", "reason": "  "},
                 {"scope": "person", "target": "E41", "reason": "仲裁"}):
        bad = await api.post(holds, headers=auth("k-admin"), json=body)
        assert bad.status_code == 422, body
    placed = await api.post(holds, headers=auth("k-admin"), json={
        "scope": "employee", "target": "E41", "reason": "劳动仲裁 京劳仲字(2026)第1号"})
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert hold["active"] and hold["placed_by"] == "root"
    listed = (await api.get(f"{holds}?active=true", headers=auth("k-admin"))).json()
    assert [h["id"] for h in listed["items"]] == [hold["id"]]
    no_reason = await api.request("DELETE", f"{holds}/{hold['id']}", headers=auth("k-admin"),
                                  json={})
    assert no_reason.status_code == 422
    lifted = await api.request("DELETE", f"{holds}/{hold['id']}", headers=auth("k-admin"),
                               json={"reason": "仲裁已结案"})
    assert lifted.status_code == 200 and not lifted.json()["active"]
    again = await api.request("DELETE", f"{holds}/{hold['id']}", headers=auth("k-admin"),
                              json={"reason": "x"})
    assert again.status_code == 404
    assert (await api.get(f"{holds}?active=true", headers=auth("k-admin"))).json()["items"] == []
    _, entries = evidence.page(db_url, PERSONAL_DATA_SUBJECT)
    assert [(e.kind, e.payload["reason"]) for e in entries] == [
        ("legal_hold_placed", "劳动仲裁 京劳仲字(2026)第1号"), ("legal_hold_lifted", "仲裁已结案")]


def _table_counts(db_url: str) -> dict[str, Any]:
    return {s: evidence.page(db_url, s)[0] for s in evidence.subjects(db_url)}


async def test_retention_deletes_only_what_is_past_and_not_held(api: httpx.AsyncClient,
                                                                db_url: str, tmp_path: Path):
    for employee in ("E51", "E52", "E53"):
        await _closed_onboarding(api, db_url, employee)
    case = await open_case(api, "E53", si_enrolled=None)  # an open case: an open dispute holds E53's records
    await eventually(lambda: _listed(api, case["id"]))
    hold = (await api.post("/api/v1/admin/legal-holds", headers=auth("k-admin"), json={
        "scope": "subject", "target": "onboarding-E52", "reason": "证据保全"})).json()
    client = api.temporal  # type: ignore[attr-defined]
    # What Temporal's namespace retention did long before: the closed workflows are gone.
    await asyncio.gather(*(forget_workflow(client, w, within=90)
                           for w in ("onboarding-E51", "onboarding-E52")))
    documents = LocalContentStore(tmp_path / "documents")
    before = await api.get("/api/v1/employees/E51/export", headers=auth("k-admin"))
    assert before.status_code == 200
    ledgers = _table_counts(db_url)

    dry = retention.run(db_url, documents, apply=False, now=FOUR_YEARS_ON, by="ops")
    assert dry["due"] == ["onboarding-E51"]
    assert set(dry["held"]) == {"onboarding-E52", "onboarding-E53"}
    assert (await api.get("/api/v1/onboardings/onboarding-E51", headers=auth("k-hr"))).status_code == 200
    assert _table_counts(db_url) == {**ledgers, PERSONAL_DATA_SUBJECT: ledgers[PERSONAL_DATA_SUBJECT]}

    applied = retention.run(db_url, documents, apply=True, now=FOUR_YEARS_ON, by="ops")
    assert applied["deleted"]["onboarding"] == 1 and applied["deleted"]["document_file"] == 1
    gone = await api.get("/api/v1/onboardings/onboarding-E51", headers=auth("k-hr"))
    assert gone.status_code == 404
    assert (await api.get("/api/v1/employees/E51/export", headers=auth("k-admin"))).status_code == 404
    for kept in ("onboarding-E52", "onboarding-E53"):
        assert (await api.get(f"/api/v1/onboardings/{kept}", headers=auth("k-hr"))).status_code == 200
    listed = (await api.get("/api/v1/onboardings", headers=auth("k-hr"))).json()
    assert "onboarding-E51" not in [r["id"] for r in listed["items"]]
    assert verify.main(["--database-url", db_url]) == 0
    chain = (await api.get("/api/v1/onboardings/onboarding-E51/evidence/verify",
                           headers=auth("k-hr"))).json()
    assert chain["valid"] and chain["entries"] == ledgers["onboarding-E51"] + 1

    lifted = await api.request("DELETE", f"/api/v1/admin/legal-holds/{hold['id']}",
                               headers=auth("k-admin"), json={"reason": "保全解除"})
    assert lifted.status_code == 200
    second = retention.run(db_url, documents, apply=True, now=FOUR_YEARS_ON, by="ops")
    assert second["due"] == ["onboarding-E52"] and set(second["held"]) == {"onboarding-E53"}
    assert verify.main(["--database-url", db_url]) == 0
