"""A full case's bundle checked without Caseguard: the verifier it carries passes on it, against a
real RFC 3161 authority on loopback, and fails on an altered entry, a removed entry and a chain
recomputed from an altered entry; the bundle reads in Chinese from the cover to the last page."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import tsp

from domain.shared.evidence import GENESIS, canonical_json, entry_hash, payload_hash
from tests.api.conftest import AppFactory, auth
from tests.api.test_case_bundle_api import COMPANY, _drive, _latin_words, _pdf_text
from tests.tsa import Tsa, running_tsa

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "bundle"
Files = dict[str, bytes]


@pytest.fixture(scope="module")
def tsa() -> Iterator[Tsa]:
    with running_tsa() as authority:
        yield authority


async def test_the_bundle_verifies_without_us_and_each_tampering_is_caught(
        make_api: AppFactory, tsa: Tsa, tmp_path: Path, db_url: str):
    api = await make_api(**COMPANY, tsa_url=tsa.url, tsa_ca_file=tsa.ca_file)
    cid, _ = await _drive(api)
    response = await api.get(f"/api/v1/cases/{cid}/bundle", headers=auth("k-hr"))
    assert response.status_code == 200, response.text
    files = _files(response.content)

    # the request was an RFC 3161 TimeStampReq over SHA-256 of the head openssl accepted
    request = tsp.TimeStampReq.load(tsa.requests[-1])
    manifest, ledger = json.loads(files["manifest.json"]), json.loads(files["ledger.json"])
    stamped = ledger[-1]
    assert stamped["kind"] == "ledger_timestamped" and stamped["actor"] == "tsa"
    assert request["message_imprint"]["hashed_message"].native == hashlib.sha256(
        stamped["payload"]["head"].encode()).digest()
    assert stamped["payload"]["head"] == ledger[-2]["entry_hash"]
    assert manifest["timestamps"][0]["head"] == stamped["payload"]["head"]
    assert {"verify_bundle.py", "核验说明.txt", "timestamps/tsa-ca.pem"} <= set(files)
    assert any(n.endswith(".tsr") for n in files)

    ok = _verify(tmp_path / "bundle.zip", files)
    assert ok.returncode == 0 and "timestamp OK" in ok.stdout, ok.stdout + ok.stderr

    altered = _edit_ledger(files, lambda entries: entries[2]["payload"].update(reason="改写"))
    assert _fails(tmp_path / "altered.zip", altered, "payload no longer matches")
    removed = _edit_ledger(files, lambda entries: entries.pop(3))
    assert _fails(tmp_path / "removed.zip", removed, "an entry is missing")
    rechained = _edit_ledger(files, _alter_and_rechain)
    assert _fails(tmp_path / "rechained.zip", rechained, "chain rewritten")
    renamed = _relisted({**files, "documents/extra.pdf": b"%PDF-1.4 added later"})
    assert _fails(tmp_path / "swapped.zip", {**files, "ledger.json": altered["ledger.json"]},
                  "SHA-256 differs from the manifest")
    assert _verify(tmp_path / "renamed.zip", renamed).returncode == 0  # listed files verify

    # a second export stamps nothing new when nothing happened but the export itself
    again = await api.get(f"/api/v1/cases/{cid}/bundle", headers=auth("k-hr"))
    assert _verify(tmp_path / "again.zip", _files(again.content)).returncode == 0
    if db_url.startswith("sqlite"):
        _keep_pages(files["timeline.pdf"])


async def test_an_unreachable_authority_still_gives_a_bundle_that_says_so(
        make_api: AppFactory, tmp_path: Path):
    from tests.api.test_cases_api import open_case

    api = await make_api(tsa_url="http://127.0.0.1:9/tsa", tsa_timeout_seconds=2)
    case = await open_case(api, "E7004")
    response = await api.get(f"/api/v1/cases/{case['id']}/bundle", headers=auth("k-hr"))
    assert response.status_code == 200, response.text
    files = _files(response.content)
    assert "could not be reached" in json.loads(files["manifest.json"])["timestamp_error"]
    assert _verify(tmp_path / "b.zip", files).returncode == 0
    strict = _verify(tmp_path / "b.zip", files, "--require-timestamp")
    assert strict.returncode == 1 and "no timestamp token" in strict.stdout


def _files(content: bytes) -> Files:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}


def _verify(path: Path, files: Files, *args: str) -> subprocess.CompletedProcess[str]:
    """The bundle's own verify_bundle.py, run in isolation: no Caseguard module can be imported."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    path.write_bytes(out.getvalue())
    script = path.parent / f"{path.stem}-verify_bundle.py"
    script.write_bytes(files["verify_bundle.py"])
    return subprocess.run([sys.executable, "-I", str(script), str(path), *args],
                          cwd=path.parent, capture_output=True, text=True, check=False)


def _fails(path: Path, files: Files, reason: str) -> bool:
    result = _verify(path, files)
    assert result.returncode == 1, result.stdout
    assert reason in result.stdout, result.stdout
    return True


def _edit_ledger(files: Files, edit: Callable[[list[dict[str, Any]]], object]) -> Files:
    """The bundle with its ledger edited and the manifest's file hash of it updated to match."""
    entries = json.loads(files["ledger.json"])
    edit(entries)
    ledger = json.dumps(entries, ensure_ascii=False, indent=2).encode()
    return _relisted({**files, "ledger.json": ledger})


def _relisted(files: Files) -> Files:
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = {n: hashlib.sha256(c).hexdigest() for n, c in files.items()
                         if n != "manifest.json"}
    entries = json.loads(files["ledger.json"])
    manifest["chain"]["head"] = entries[-1]["entry_hash"] if entries else GENESIS
    manifest["chain"]["entries"] = len(entries)
    return {**files, "manifest.json": json.dumps(manifest).encode()}


def _alter_and_rechain(entries: list[dict[str, Any]]) -> None:
    """What someone rewriting history would do: alter an entry and recompute every hash after it
    (the manifest's head too): only the timestamp can tell."""
    from datetime import datetime

    entries[2]["payload"]["reason"] = "改写"
    prev = GENESIS
    for e in entries:
        e["payload_sha256"] = payload_hash(e["payload"])
        e["prev_hash"] = prev
        e["entry_hash"] = prev = entry_hash(
            subject_id=e["subject_id"], seq=e["seq"], at=datetime.fromisoformat(e["at"]),
            actor=e["actor"], kind=e["kind"], payload_sha256=e["payload_sha256"],
            prev_hash=e["prev_hash"])
    assert canonical_json(entries[0]["payload"])  # the same canonical form the chain hashes


def _keep_pages(pdf: bytes, folder: str = "bundle", prefix: str = "page") -> None:
    """Every page of a PDF as PNG under test-artifacts/<folder>/ (for a reader to look at)."""
    pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 renders the pages to PNG")
    where = ARTIFACTS.parent / folder
    where.mkdir(parents=True, exist_ok=True)
    for old in where.glob(f"{prefix}-*.png"):
        old.unlink()
    document = pdfium.PdfDocument(pdf)
    for number in range(len(document)):
        document[number].render(scale=1.5).to_pil().save(where / f"{prefix}-{number + 1:02d}.png")
    if folder == "bundle":
        text = _pdf_text(pdf)
        assert "证据包" in text and not _latin_words(text), _latin_words(text)
