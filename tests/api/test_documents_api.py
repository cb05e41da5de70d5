"""Documents: stored by content hash, downloaded with the hash, every upload and view is evidence."""

from __future__ import annotations

import hashlib

import httpx

from tests.api.conftest import AppFactory, auth, eventually
from tests.api.test_onboardings_api import register

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BASE = "/api/v1/onboardings/onboarding-E50"


async def upload(api: httpx.AsyncClient, content: bytes, key: str = "k-hr", kind: str = "other",
                 base: str = BASE) -> httpx.Response:
    return await api.post(f"{base}/documents", headers=auth(key),
                          data={"kind": kind, "note": "bureau system down"},
                          files={"file": ("截图.png", content, "image/png")})


async def test_upload_download_and_the_evidence_of_both(api: httpx.AsyncClient):
    await register(api, "E50")
    created = await upload(api, PNG, kind="delay_evidence")
    assert created.status_code == 201, created.text
    doc = created.json()
    assert doc["sha256"] == hashlib.sha256(PNG).hexdigest() and doc["content_type"] == "image/png"

    downloaded = await api.get(doc["url"], headers=auth("k-mgr"))
    assert downloaded.content == PNG
    assert downloaded.headers["X-Content-SHA256"] == doc["sha256"]
    listed = (await api.get(f"{BASE}/documents", headers=auth("k-manager"))).json()
    assert [d["id"] for d in listed["items"]] == [doc["id"]]

    async def both() -> list[dict]:
        items = (await api.get(f"{BASE}/evidence", headers=auth("k-hr"))).json()["items"]
        kinds = {e["kind"] for e in items}
        return items if {"document_added", "sensitive_data_viewed"} <= kinds else []

    items = await eventually(both)
    added = next(e for e in items if e["kind"] == "document_added")
    viewed = next(e for e in items if e["kind"] == "sensitive_data_viewed")
    assert added["payload"]["sha256"] == doc["sha256"] and added["actor"] == "hr-alice"
    assert viewed["actor"] == "mgr-bob"


async def test_refused_uploads_store_nothing(make_api: AppFactory):
    api = await make_api(document_max_bytes=100)
    await register(api, "E50")
    text = await upload(api, b"hello, not an image")
    assert text.status_code == 422 and text.json()["error"]["code"] == "document.type"
    big = await upload(api, PNG + b"\x00" * 200)
    assert big.status_code == 422 and big.json()["error"]["code"] == "document.too_large"
    kind = await upload(api, PNG, kind="selfie")
    assert kind.status_code == 422 and kind.json()["error"]["field"] == "kind"
    role = await upload(api, PNG, key="k-manager")
    assert role.status_code == 403
    unknown = await upload(api, PNG, base="/api/v1/onboardings/onboarding-NOPE")
    assert unknown.status_code == 404
    listed = (await api.get(f"{BASE}/documents", headers=auth("k-hr"))).json()
    assert listed["items"] == []
