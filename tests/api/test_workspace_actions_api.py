"""HR actions from the onboarding page, on SQLite and PostgreSQL: a back payment (补缴) shows its
cost and is submitted only at that cost; the approval asks for the cost to be checked, by
someone other than the submitter; refusals show beside the form and are in the ledger."""

from __future__ import annotations

import re

import httpx

from tests.api.conftest import auth, eventually
from tests.api.test_workspace_api import PASSWORDS, csrf_of, give_login, onboarding, sign_in


async def as_person(api: httpx.AsyncClient, name: str) -> str:
    """Sign `name` in on a fresh cookie jar; the dashboard's CSRF token."""
    api.cookies.clear()
    email = f"{name}@example.com"
    assert (await sign_in(api, email, PASSWORDS[name])).status_code == 303
    return csrf_of((await api.get("/hr/")).text)


async def test_a_back_payment_from_cost_to_approval(api: httpx.AsyncClient):
    late = await onboarding(api, "E7401", hired_days_ago=60)
    for name in ("hr-carol", "mgr-bob", "dept-dave"):
        await give_login(api, name)
    csrf = await as_person(api, "hr-carol")
    page = await api.get(f"/hr/onboardings/{late}")
    assert 'id="submit-form"' in page.text and 'id="approve-form"' not in page.text

    bad_base = await api.post(f"/hr/onboardings/{late}/submit", data={
        "csrf": csrf, "type": "new", "contribution_base": "abc"})
    assert bad_base.status_code == 422 and 'id="contribution_base-error"' in bad_base.text
    assert 'value="abc"' in bad_base.text  # the form as it was filled in
    asked = await api.post(f"/hr/onboardings/{late}/submit", data={
        "csrf": csrf, "type": "back_payment", "contribution_base": "8000"})
    assert asked.status_code == 409 and "补缴费用估算" in asked.text
    total = re.search(r'name="confirm_cost" value="([0-9.]+)"', asked.text)
    assert total and float(total.group(1)) > 0 and "art. 86" in asked.text
    assert 'id="submit-form"' not in asked.text  # the cost is confirmed or nothing is sent

    confirmed = await api.post(f"/hr/onboardings/{late}/submit", data={
        "csrf": csrf, "type": "back_payment", "contribution_base": "8000",
        "confirm_cost": total.group(1)})
    assert confirmed.status_code == 303
    after = await api.get(f"/hr/onboardings/{late}")
    assert "增员申请待复核" in after.text and total.group(1) in after.text


    csrf = await as_person(api, "mgr-bob")
    unchecked = await api.post(f"/hr/onboardings/{late}/approve", data={"csrf": csrf})
    assert unchecked.status_code == 422 and 'id="checked_cost-error"' in unchecked.text
    approved = await api.post(f"/hr/onboardings/{late}/approve",
                              data={"csrf": csrf, "checked_cost": "yes", "reason": "核对无误"})
    assert approved.status_code == 303
    assert "enrollment_approved" in (await api.get(f"/api/v1/onboardings/{late}",
                                                   headers=auth("k-hr"))).text


async def test_the_submitter_cannot_approve_and_a_manager_may_not_act(api: httpx.AsyncClient):
    late = await onboarding(api, "E7402", hired_days_ago=60)
    for name in ("hr-alice", "dept-dave"):
        await give_login(api, name)
    csrf = await as_person(api, "hr-alice")  # hr and hr_manager
    assert (await api.post(f"/hr/onboardings/{late}/submit", data={
        "csrf": csrf, "type": "new", "contribution_base": "8000"})).status_code == 303
    own = await api.post(f"/hr/onboardings/{late}/approve", data={"csrf": csrf})
    assert own.status_code == 403 and 'id="message"' in own.text
    forged = await api.post(f"/hr/onboardings/{late}/reject", data={"csrf": "f" * 64,
                                                                      "reason": "x"})
    assert forged.status_code == 403 and "表单已失效" in forged.text

    csrf = await as_person(api, "dept-dave")
    page = await api.get(f"/hr/onboardings/{late}")
    assert 'id="approve-form"' not in page.text and 'id="reject-form"' not in page.text
    refused = await api.post(f"/hr/onboardings/{late}/reject", data={"csrf": csrf,
                                                                       "reason": "不同意"})
    assert refused.status_code == 403 and "role.forbidden" not in refused.text
    async def recorded() -> bool:
        entries = (await api.get(f"/api/v1/onboardings/{late}/evidence",
                                 headers=auth("k-hr"))).json()["items"]
        return sum(e["kind"] == "action_refused" for e in entries) >= 2

    await eventually(recorded)
