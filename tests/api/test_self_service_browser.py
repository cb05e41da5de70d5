"""A self-service change approved, in a real headless Chromium at a desktop and a phone size: the
employee opens their page through their personal link, proposes a new phone and bank account by
keyboard alone, HR approves it in the workspace, and the employee's page shows the outcome.
Every field has its label; no CSP violation; screenshots in test-artifacts/self-service-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import AppFactory, auth
from tests.api.test_self_service_api import personal_link
from tests.api.test_workspace_api import PASSWORDS, give_login, onboarding
from tests.api.test_workspace_browser import ARTIFACTS, chromium, csp_errors, follow, serving, sign_in

NUMBER = "6222020200009876543"


def labelled(driver: Any) -> list[str]:
    """The ids of the page's visible inputs and buttons without a label naming them."""
    from selenium.webdriver.common.by import By

    missing = []
    for field in driver.find_elements(By.CSS_SELECTOR, "input:not([type=hidden]), select, textarea"):
        ident = field.get_attribute("id")
        if not ident or not driver.find_elements(By.CSS_SELECTOR, f"label[for='{ident}']"):
            missing.append(ident or field.get_attribute("name"))
    return missing


def shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"self-service-{name}.png"))


def propose(base: str, link: str, phone: bool) -> dict[str, Any]:
    """The employee types a new phone, Tabs to the bank fields, types them, presses Enter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    size = "phone" if phone else "desktop"
    driver = chromium(phone)
    try:
        driver.get(f"{base}{link}/me")
        seen: dict[str, Any] = {"page": driver.find_element(By.TAG_NAME, "body").text,
                                "unlabelled": labelled(driver)}
        shot(driver, f"page-{size}")
        field = driver.find_element(By.ID, "phone")
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys("13700137000")
        order = []
        for _ in range(5):  # email, the emergency contact's three, the bank
            driver.switch_to.active_element.send_keys(Keys.TAB)
            order.append(driver.switch_to.active_element.get_attribute("id"))
        driver.switch_to.active_element.send_keys("中国工商银行北京分行")
        driver.switch_to.active_element.send_keys(Keys.TAB)
        order.append(driver.switch_to.active_element.get_attribute("id"))
        driver.switch_to.active_element.send_keys(NUMBER)
        seen["order"] = order
        seen["sent"] = follow(driver, lambda: driver.switch_to.active_element.send_keys(Keys.ENTER))
        shot(driver, f"sent-{size}")
        seen["csp"] = csp_errors(driver)
        return seen
    finally:
        driver.quit()


def approve(base: str, email: str, password: str, phone: bool) -> dict[str, Any]:
    """HR signs in, opens the queue from the dashboard, and approves with the keyboard."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    size = "phone" if phone else "desktop"
    driver = chromium(phone)
    try:
        seen: dict[str, Any] = {"dashboard": sign_in(driver, base, email, password)}
        link = driver.find_element(By.CSS_SELECTOR, "#h-reviews a")
        seen["queue"] = follow(driver, lambda: link.send_keys(Keys.ENTER))
        seen["unlabelled"] = labelled(driver)
        shot(driver, f"queue-{size}")
        button = driver.find_element(By.CSS_SELECTOR, "form.decision button[id^=approve-]")
        seen["after"] = follow(driver, lambda: button.send_keys(Keys.ENTER))
        shot(driver, f"approved-{size}")
        seen["csp"] = csp_errors(driver)
        return seen
    finally:
        driver.quit()


def outcome(base: str, link: str, phone: bool) -> dict[str, Any]:
    from selenium.webdriver.common.by import By

    driver = chromium(phone)
    try:
        driver.get(f"{base}{link}/me")
        shot(driver, f"outcome-{'phone' if phone else 'desktop'}")
        return {"page": driver.find_element(By.TAG_NAME, "body").text, "csp": csp_errors(driver)}
    finally:
        driver.quit()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
async def test_a_self_service_change_approved(make_api: AppFactory, db_url: str,
                                              monkeypatch: pytest.MonkeyPatch, phone: bool):
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download anything
    api = await make_api()
    employee_id = "S2002" if phone else "S2001"
    link = await personal_link(api, await onboarding(api, employee_id), employee_id)
    email = await give_login(api, "hr-alice")

    sent = await serving(api, lambda base: propose(base, link, phone))
    assert "社保状态" in sent["page"] and "申请变更个人信息" in sent["page"]
    assert sent["unlabelled"] == []
    assert sent["order"] == ["email", "emergency_name", "emergency_relation", "emergency_phone",
                             "bank_name", "bank_number"]
    assert "已提交" in sent["sent"] and "待人事审核" in sent["sent"]

    decided = await serving(api, lambda base: approve(base, email, PASSWORDS["hr-alice"], phone))
    assert "职工信息变更审核" in decided["queue"] and NUMBER in decided["queue"]  # HR: whole
    assert "+8613700137000" in decided["queue"] and decided["unlabelled"] == []
    assert "职工信息变更审核" in decided["after"] and "申请变更为" not in decided["after"]

    shown = await serving(api, lambda base: outcome(base, link, phone))
    assert "已通过" in shown["page"] and NUMBER not in shown["page"] and "****6543" in shown["page"]
    assert sent["csp"] == decided["csp"] == shown["csp"] == []
    record = (await api.get(f"/api/v1/employees/{employee_id}", headers=auth("k-hr"))).json()
    assert record["phone"] == "+8613700137000"
