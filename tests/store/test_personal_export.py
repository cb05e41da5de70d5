"""The personal-data ZIP on its own: other people's contacts masked, the employee's whole, every
file in the manifest with its SHA-256, and a file missing from the store named, not fatal."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from store import personal_export
from store.db import session_for
from store.documents import LocalContentStore
from store.models import DocumentRow, NoticeRow
from tests.store.test_retention_store import CLOSED, _onboarding


def test_the_zip_masks_others_contacts_and_hashes_every_file(db_url: str, tmp_path: Path):
    store = LocalContentStore(tmp_path / "documents")
    sid = _onboarding(db_url, store, "E7", content=b"%PDF-1.7 E7")
    with session_for(db_url) as s:
        s.add(NoticeRow(id="n-mgr", subject_id=sid, purpose="p", code="cmgr",
                        recipient_name="王经理", recipient_role="hr_manager",
                        phone="+8613900139000", email="wang@example.com", created_at=CLOSED))
        s.add(DocumentRow(id="doc-lost", subject_id=sid, kind="other", filename="../丢失.pdf",
                          content_type="application/pdf", size=1, sha256="ab" * 32,
                          uploaded_by="hr-alice", uploaded_at=CLOSED))
        s.commit()
    records = personal_export.records_of(db_url, "E7")
    assert records.subjects == [sid]
    assert personal_export.records_of(db_url, "E8").subjects == []

    export = personal_export.build(db_url, store, records, {sid: {"id": sid}}, by="root",
                                   at=datetime(2026, 12, 2, tzinfo=UTC))
    try:
        assert export.sha256 == hashlib.sha256(export.path.read_bytes()).hexdigest()
        assert export.path.stat().st_mode & 0o077 == 0
        with zipfile.ZipFile(export.path) as archive:
            files = {n: archive.read(n) for n in archive.namelist()}
    finally:
        export.path.unlink()
    manifest = json.loads(files.pop("manifest.json"))
    assert export.files == len(files) + 1
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == {
        n: hashlib.sha256(c).hexdigest() for n, c in files.items()}

    notices = {n["id"]: n for n in json.loads(files["notices.json"])}
    assert notices["n-E7"]["phone"] == "+8613800138000"  # the employee's own: whole
    assert notices["n-E7"]["attempts"][0]["to_address"] == "+8613800138000"
    assert notices["n-mgr"]["phone"] == "+86139****9000"
    assert notices["n-mgr"]["email"] == "w***@example.com"
    assert "13900139000" not in json.dumps(json.loads(files["notices.json"]))

    documents = {d["id"]: d for d in json.loads(files["documents.json"])}
    assert files[documents["doc-E7"]["path"]] == b"%PDF-1.7 E7"
    assert documents["doc-lost"]["path"] is None and documents["doc-lost"]["unreadable"]
    assert all(".." not in name.split("/") for name in files)
    assert files["onboardings/onboarding-E7.json"] == json.dumps({"id": sid}, indent=2).encode()
