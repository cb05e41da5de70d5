"""The edges, through the API: body limits before anything reads a body, the employee pages'
headers and rate limit, failed API keys limited per address, private files, docs off in prod."""

from __future__ import annotations

import re
import stat
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from api.main import create_app
from domain.shared.tokens import make_token
from settings import Settings
from tests.api.conftest import KEYS, AppFactory, auth
from tests.api.test_documents_api import PNG, upload
from tests.api.test_onboardings_api import register
from tests.api.test_receipts_api import SECRET, seed_notice

MB = 1024 * 1024
PAGE_HEADERS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff",
                "cache-control": "no-store", "referrer-policy": "no-referrer"}


def from_address(api: httpx.AsyncClient, host: str) -> httpx.AsyncClient:
    """A client of the same app that comes from another address."""
    app = api._transport.app  # type: ignore[attr-defined]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(host, 4321)),
                             base_url="http://caseguard.test")


class Counted:
    """A request body streamed in 64 KiB chunks without a Content-Length, counting what was read."""

    def __init__(self, total: int, start: bytes = b"") -> None:
        self.total, self.sent, self.start = total, 0, start

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.start:
            self.sent += len(self.start)
            yield self.start
        chunk = b"x" * (64 * 1024)
        while self.sent < self.total:
            self.sent += len(chunk)
            yield chunk


async def test_a_100_mb_body_is_refused_before_it_is_read(make_api: AppFactory):
    api = await make_api()
    body = Counted(100 * MB)
    refused = await api.post("/api/v1/onboardings", content=body,  # no key: limits come first
                             headers={"Content-Type": "application/json"})
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "body.too_large"
    assert body.sent <= MB + 128 * 1024, f"the app read {body.sent} bytes"

    declared = await api.post("/api/v1/onboardings", content=b"{}",
                              headers={"Content-Type": "application/json",
                                       "Content-Length": str(100 * MB)})
    assert declared.status_code == 413  # refused on its Content-Length, nothing read

    upload_body = Counted(100 * MB, b'--b\r\nContent-Disposition: form-data; name="file"; '
                                    b'filename="a.png"\r\nContent-Type: image/png\r\n\r\n')
    big_upload = await api.post("/api/v1/onboardings/onboarding-E1/documents", content=upload_body,
                                headers={**auth("k-hr"),
                                         "Content-Type": "multipart/form-data; boundary=b"})
    assert big_upload.status_code == 413
    assert upload_body.sent <= 20 * MB + 256 * 1024  # CASEGUARD_DOCUMENT_MAX_BYTES, not 1 MB


async def test_json_bodies_have_their_own_limit_and_uploads_theirs(make_api: AppFactory):
    api = await make_api(request_max_bytes=2048, document_max_bytes=100 * 1024)
    await register(api, "E50")
    big_json = await api.post("/api/v1/onboardings", headers=auth("k-hr"),
                              json={"note": "x" * 4096})
    assert big_json.status_code == 413
    small_json = await api.post("/api/v1/onboardings", headers=auth("k-hr"), json={})
    assert small_json.status_code == 422  # read and judged by the route
    assert (await upload(api, PNG + b"\x00" * 50 * 1024)).status_code == 201  # over 2 KiB: fine
    assert (await upload(api, PNG + b"\x00" * 300 * 1024)).status_code == 413


async def test_employee_pages_send_their_headers_and_a_nonce_csp(make_api: AppFactory,
                                                                 db_url: str):
    api = await make_api(secret_key=SECRET)
    seed_notice(db_url, channel="email")
    token = make_token(SECRET, "notice-1", datetime.now(UTC) + timedelta(days=3))
    answers = [await api.get(f"/r/{token}"), await api.get("/r/not-a-token"),
               await api.get(f"/r/{token}/o.gif"), await api.get("/r/a/b/c"),
               await api.post(f"/r/{token}", data={"choice": "confirm"}),
               await api.post(f"/r/{token}", data={"choice": "confirm"})]
    for answer in answers:
        assert {k: answer.headers.get(k) for k in PAGE_HEADERS} == PAGE_HEADERS, answer.url
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    page = answers[0]
    csp = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f"nonce='{nonce.group(1)}'" in page.text
    assert "<script" not in page.text and "unsafe-inline" not in csp and "style=" not in page.text
    assert "default-src 'none'" in csp and "form-action 'self'" in csp
    assert (await api.get(f"/r/{token}")).headers["content-security-policy"] != csp  # per answer


async def test_links_are_rate_limited_per_address(make_api: AppFactory, db_url: str):
    api = await make_api(secret_key=SECRET, link_requests_per_minute=3)
    seed_notice(db_url, channel="email")
    token = make_token(SECRET, "notice-1", datetime.now(UTC) + timedelta(days=3))
    assert [(await api.get(f"/r/{token}")).status_code for _ in range(3)] == [200] * 3
    limited = await api.get(f"/r/{token}")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert "请稍后再试" in limited.text and limited.headers["x-frame-options"] == "DENY"
    assert (await api.post(f"/r/{token}", data={"choice": "confirm"})).status_code == 429
    async with from_address(api, "203.0.113.9") as other:
        assert (await other.get(f"/r/{token}")).status_code == 200
    assert (await api.get("/healthz")).status_code != 429  # only /r/ counts


async def test_failed_api_keys_are_rate_limited_per_address(make_api: AppFactory):
    api = await make_api(auth_failures_per_minute=3)
    assert (await api.get("/api/v1/onboardings", headers=auth("k-hr"))).status_code == 200
    for key in ("wrong-1", "wrong-2"):
        assert (await api.get("/api/v1/onboardings", headers=auth(key))).status_code == 401
    assert (await api.get("/api/v1/onboardings")).status_code == 401  # no key counts too
    limited = await api.get("/api/v1/onboardings", headers=auth("wrong-3"))
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "auth.rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    # until it refills, the address tries no key at all, a right one neither
    assert (await api.get("/api/v1/onboardings", headers=auth("k-hr"))).status_code == 429
    async with from_address(api, "203.0.113.9") as other:
        assert (await other.get("/api/v1/onboardings", headers=auth("k-hr"))).status_code == 200


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_the_database_and_documents_are_private_files(make_api: AppFactory, db_url: str,
                                                            tmp_path: Path):
    api = await make_api()
    await register(api, "E50")
    created = await upload(api, PNG)
    assert created.status_code == 201
    database = Path(db_url.split("///", 1)[1])
    stored = next(p for p in (tmp_path / "documents").rglob("*") if p.is_file())
    for path in (database, Path(f"{database}-wal"), stored):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700


def _prod(**changes: object) -> Settings:
    return Settings(env="prod", api_keys=KEYS, secret_key="s" * 40, document_store="s3",
                    _env_file=None, **changes)  # type: ignore[call-arg]


@pytest.mark.parametrize(("settings", "served"), [
    (lambda: _prod(), False), (lambda: _prod(api_docs=True), True),
    (lambda: Settings(env="dev", _env_file=None), True),  # type: ignore[call-arg]
    (lambda: Settings(env="dev", api_docs=False, _env_file=None), False),  # type: ignore[call-arg]
])
async def test_api_docs_are_off_in_production_unless_asked_for(settings, served: bool):
    app = create_app(settings())  # the routes exist, or not, before start-up
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://caseguard.test") as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert ((await client.get(path)).status_code == 200) is served, path
