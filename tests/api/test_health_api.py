"""GET /healthz: the database, Temporal, the PDF font and document storage, each reported; 503
when one is down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from settings import CJK_FONTS, Settings

COMPONENTS = {"database", "temporal", "pdf_font", "documents"}
needs_font = pytest.mark.skipif(not any(p.exists() for p in CJK_FONTS),
                                reason="no CJK font installed (make install: fonts-wqy-microhei)")


@pytest.fixture
async def app(sqlite_url: str, tmp_path: Path,
              time_skipping_env: WorkflowEnvironment) -> AsyncIterator[FastAPI]:
    settings = Settings(env="dev", database_url=sqlite_url, var_dir=tmp_path / "var",
                        temporal_address=time_skipping_env.client.service_client.config.target_host)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def healthz(app: FastAPI) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://caseguard.test") as http:
        response = await http.get("/healthz")
    return response.status_code, response.json()


def down(body: dict[str, Any]) -> set[str]:
    assert set(body["checks"]) == COMPONENTS
    return {name for name, check in body["checks"].items() if not check["ok"]}


def reconfigure(app: FastAPI, **changes: Any) -> None:
    app.state.settings = app.state.settings.model_copy(update=changes)


@needs_font
async def test_all_up_is_200_with_every_component_ok(app: FastAPI):
    status, body = await healthz(app)
    assert status == 200
    assert body["status"] == "ok"
    assert down(body) == set()
    assert body["checks"]["pdf_font"]["path"].endswith((".ttc", ".ttf"))


@needs_font
async def test_a_database_that_does_not_answer_is_503_naming_the_database(app: FastAPI):
    reconfigure(app, database_url="postgresql+psycopg://caseguard@127.0.0.1:1/caseguard")
    status, body = await healthz(app)
    assert status == 503
    assert body["status"] == "degraded"
    assert down(body) == {"database"}
    assert "OperationalError" in body["checks"]["database"]["error"]


@needs_font
async def test_temporal_unreachable_is_503_naming_temporal(app: FastAPI):
    app.state.temporal = await Client.connect("127.0.0.1:1", lazy=True)  # nothing listens there
    status, body = await healthz(app)
    assert status == 503
    assert down(body) == {"temporal"}


async def test_a_missing_pdf_font_is_503_naming_the_font(app: FastAPI, tmp_path: Path):
    reconfigure(app, pdf_font=tmp_path / "no-such-font.ttf")
    status, body = await healthz(app)
    assert status == 503
    assert down(body) == {"pdf_font"}
    assert "CASEGUARD_PDF_FONT" in body["checks"]["pdf_font"]["error"]


@needs_font
async def test_document_storage_that_cannot_be_written_is_503_naming_it(app: FastAPI,
                                                                       tmp_path: Path):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("")
    reconfigure(app, var_dir=blocker)  # documents would live under a regular file
    status, body = await healthz(app)
    assert status == 503
    assert down(body) == {"documents"}
