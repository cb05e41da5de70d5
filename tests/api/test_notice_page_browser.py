"""The acknowledgement page in a real headless Chromium at a phone's size: open, answer, confirmed."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import httpx
import pytest
import uvicorn

from devstack import free_port, wait_for_port
from domain.notices.payloads import NoticeInput, NoticeOutcome, NoticeRecipient
from tests.api.conftest import AppFactory, eventually

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844, "pixelRatio": 3.0}

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("chromium and chromedriver are required in CI (make test installs them)",
                    pytrace=False)
    pytest.skip("chromium/chromedriver not installed (make test installs them)",
                allow_module_level=True)


def browse(url: str) -> tuple[str, str, list[str]]:
    """Open the link like a phone, confirm, and return the page texts before and after, and what
    the browser's console said (a CSP violation would be there)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.get(url)
        before = driver.find_element(By.TAG_NAME, "body").text
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "notice-page.png"))
        driver.find_element(By.ID, "confirm").click()
        WebDriverWait(driver, 10).until(ready.presence_of_element_located((By.ID, "done")))
        driver.save_screenshot(str(ARTIFACTS / "notice-confirmed.png"))
        after = driver.find_element(By.TAG_NAME, "body").text
        console = [str(entry.get("message", "")) for entry in driver.get_log("browser")]
        return before, after, console
    finally:
        driver.quit()


async def test_an_employee_confirms_on_a_phone(make_api: AppFactory, db_url: str,
                                              monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download anything
    api = await make_api()
    server = uvicorn.Server(uvicorn.Config(api._transport.app, host="127.0.0.1",  # type: ignore[attr-defined]
                                           port=free_port(), lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        await asyncio.to_thread(wait_for_port, "127.0.0.1", server.config.port)
        handle = await api.temporal.start_workflow(  # type: ignore[attr-defined]
            "Notice", NoticeInput(
                subject_id="case-B1", purpose="return_to_work", template="return_to_work",
                data={"return_date": "2026-12-01", "reason": "停工留薪期届满"},
                recipient=NoticeRecipient(name="张三", email="zs@example.com"), channels=("email",)),
            id="notice-browser-1", task_queue=api.task_queue,  # type: ignore[attr-defined]
            result_type=NoticeOutcome)

        async def link() -> str | None:  # the outbox withholds it; the dev route gives it
            given = await api.get("/api/v1/dev/notices/notice-browser-1/link",
                                  headers={"Authorization": "Bearer k-hr"})
            return httpx.URL(given.json()["url"]).path if given.status_code == 200 else None

        path = await eventually(link)
        before, after, console = await asyncio.to_thread(
            browse, f"http://127.0.0.1:{server.config.port}{path}")
        assert "复工通知" in before and "我会按时返岗" in before and "预计返岗日期" in before
        assert "不能按时返岗" in before  # the whole notice, not the SMS text
        assert "已记录" in after
        assert not [line for line in console if "Content Security Policy" in line], console
        outcome = await handle.result()
        assert outcome.result == "acknowledged"
        assert (ARTIFACTS / "notice-confirmed.png").stat().st_size > 1000
    finally:
        server.should_exit = True
        await serving


async def test_an_employee_reads_a_decision_with_its_document_and_confirms(
        make_api: AppFactory, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The determination's page in the browser: the decision, the review right, the decision
    document listed, "我已收到" and no return date; no CSP violation from the notice's HTML."""
    from tests.api.test_notice_substance_api import _document

    monkeypatch.setenv("SE_OFFLINE", "true")
    api = await make_api()
    doc = _document(db_url, tmp_path / "documents", "case-B2")
    server = uvicorn.Server(uvicorn.Config(api._transport.app, host="127.0.0.1",  # type: ignore[attr-defined]
                                           port=free_port(), lifespan="off", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        await asyncio.to_thread(wait_for_port, "127.0.0.1", server.config.port)
        handle = await api.temporal.start_workflow(  # type: ignore[attr-defined]
            "Notice", NoticeInput(
                subject_id="case-B2", purpose="determination_decision",
                template="determination_decision",
                data={"recognised": True, "authority": "北京市社会保险行政部门",
                      "decided_on": "2026-12-01", "reference": "京人社工认〔2026〕8号",
                      "documents": [doc]},
                recipient=NoticeRecipient(name="张三", email="zs@example.com"), channels=("email",)),
            id="notice-browser-2", task_queue=api.task_queue,  # type: ignore[attr-defined]
            result_type=NoticeOutcome)

        async def link() -> str | None:
            given = await api.get("/api/v1/dev/notices/notice-browser-2/link",
                                  headers={"Authorization": "Bearer k-hr"})
            return httpx.URL(given.json()["url"]).path if given.status_code == 200 else None

        path = await eventually(link)
        before, after, console = await asyncio.to_thread(
            browse, f"http://127.0.0.1:{server.config.port}{path}")
        assert "认定为工伤" in before and "60日内" in before and "工伤认定决定书.pdf" in before
        assert "我已收到" in before and "预计返岗日期" not in before
        assert "已记录" in after
        assert not [line for line in console if "Content Security Policy" in line], console
        assert (await handle.result()).result == "acknowledged"
    finally:
        server.should_exit = True
        await serving
