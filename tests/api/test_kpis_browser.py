"""The KPI page in a real headless Chromium at a desktop and a phone size: reached from the
navigation, a past quarter chosen in the selector, its tables and charts drawn with no CSP
complaint and nothing wider than the screen; screenshots in test-artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.kpis.quarters import Quarter
from tests.api.conftest import AppFactory
from tests.api.test_workspace_api import PASSWORDS, give_login
from tests.api.test_workspace_browser import (
    ARTIFACTS,
    chromium,
    csp_errors,
    follow,
    serving,
    shot,
    sign_in,
)
from tests.kpi_seed import seed

PAST = Quarter.of(datetime.now(UTC)).previous()


def kpi_walk(base: str, email: str, password: str, phone: bool) -> dict[str, Any]:
    """Sign in, open 关键指标 from the navigation, choose the past quarter and filter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    size = "phone" if phone else "desktop"
    driver = chromium(phone)
    try:
        sign_in(driver, base, email, password)
        seen: dict[str, Any] = {"first": follow(driver, driver.find_element(By.ID, "nav-kpis").click)}
        Select(driver.find_element(By.ID, "quarter")).select_by_value(PAST.code)
        seen["page"] = follow(driver, driver.find_element(By.ID, "kpi-filter").click)
        shot(driver, f"kpis-{size}")
        chart = driver.find_element(By.ID, "chart-si_enrolled_in_window")
        seen["chart"] = (chart.size["width"], chart.size["height"])
        seen["bars"] = len(chart.find_elements(By.TAG_NAME, "rect"))
        seen["overflow"] = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        seen["csp"] = "\n".join(csp_errors(driver))
        return seen
    finally:
        driver.quit()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
async def test_hr_reads_a_quarters_kpis_in_the_browser(make_api: AppFactory, db_url: str,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        phone: bool):
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download anything
    api = await make_api()
    seed(db_url, PAST)
    email = await give_login(api, "hr-alice")
    seen = await serving(api, lambda base: kpi_walk(base, email, PASSWORDS["hr-alice"], phone))
    assert "关键指标 · " + Quarter.of(datetime.now(UTC)).code in seen["first"]
    assert f"关键指标 · {PAST.code}" in seen["page"]
    assert "社保按期增员率" in seen["page"] and "33.3%" in seen["page"]
    assert "无数据" in seen["page"] and "导出 XLSX" in seen["page"]
    assert seen["chart"][0] > 100 and seen["chart"][1] > 50
    assert seen["bars"] == 1  # the seeded quarter alone has enrolments among the four
    assert seen["overflow"] <= 0, "the page is wider than the screen"
    assert seen["csp"] == ""
    assert (ARTIFACTS / f"workspace-kpis-{'phone' if phone else 'desktop'}.png"
            ).stat().st_size > 1000
