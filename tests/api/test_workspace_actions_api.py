"""HR actions from the onboarding page, on SQLite and PostgreSQL: a back payment (补缴) shows its
cost and is submitted only at that cost; the approval asks for the cost to be checked, by
someone other than the submitter; refusals show beside the form and are in the ledger."""

from __future__ import annotations

import re

import httpx

from tests.api.conftest import AppFactory, auth, eventually
from tests.api.test_workspace_api import PASSWORDS, csrf_of, give_login, onboarding, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


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


async def test_a_request_is_revoked_and_an_executed_one_withdrawn_in_writing(
        api: httpx.AsyncClient):
    fresh = await onboarding(api, "E7403")
    await give_login(api, "hr-alice")
    csrf = await as_person(api, "hr-alice")
    assert (await api.post(f"/hr/onboardings/{fresh}/submit", data={
        "csrf": csrf, "type": "new", "contribution_base": "8000"})).status_code == 303
    page = await api.get(f"/hr/onboardings/{fresh}")
    assert 'id="revoke-form"' in page.text and 'id="withdraw-form"' not in page.text
    revoked = await api.post(f"/hr/onboardings/{fresh}/revoke",
                             data={"csrf": csrf, "reason": "基数填错"})
    assert revoked.status_code == 303
    assert "enrollment_revoked" in (await api.get(f"/api/v1/onboardings/{fresh}",
                                                  headers=auth("k-hr"))).text

    done = await onboarding(api, "E7404")
    base = f"/api/v1/onboardings/{done}"
    await api.post(f"{base}/enrollment", headers=auth("k-hr"),
                   json={"type": "new", "contribution_base": "8000"})
    await api.post(f"{base}/enrollment/approve", headers=auth("k-mgr"), json={})

    async def executed() -> bool:
        items = (await api.get(f"{base}/evidence", headers=auth("k-hr"))).json()["items"]
        return any(e["kind"] == "enrollment_executed" for e in items)

    await eventually(executed, timeout=60)

    async def enrolled_page() -> str:
        text = (await api.get(f"/hr/onboardings/{done}")).text
        return text if 'id="withdraw-form"' in text else ""

    await eventually(enrolled_page)
    no_reason = await api.post(f"/hr/onboardings/{done}/withdraw", data={"csrf": csrf})
    assert no_reason.status_code == 422 and "请填写撤销理由" in no_reason.text
    asked = await api.post(f"/hr/onboardings/{done}/withdraw",
                           data={"csrf": csrf, "reason": "缴费基数填报错误"})
    assert asked.status_code == 303, asked.text
    page = await api.get(f"/hr/onboardings/{done}")
    assert 'id="print-withdrawal-1"' in page.text
    letter = await api.post(f"/hr/onboardings/{done}/withdrawal-application",
                            data={"csrf": csrf, "number": "1"})
    assert letter.status_code == 201 and letter.content.startswith(b"%PDF")
    documents = (await api.get(f"{base}/documents", headers=auth("k-hr"))).json()["items"]
    assert [d["kind"] for d in documents] == ["withdrawal_application"]


async def test_an_enrolment_made_by_hand_is_a_task_then_recorded_with_its_receipt(
        make_api: AppFactory):
    api = await make_api(gateway_si_bureau="manual")
    waiting = await onboarding(api, "E7405")
    base = f"/api/v1/onboardings/{waiting}"
    await api.post(f"{base}/enrollment", headers=auth("k-hr"),
                   json={"type": "new", "contribution_base": "8000"})
    await api.post(f"{base}/enrollment/approve", headers=auth("k-mgr"), json={})

    async def task_opened() -> bool:
        body = (await api.get(base, headers=auth("k-hr"))).json()
        return body["status"] == "enrollment_executing"

    await eventually(task_opened, timeout=60)
    await give_login(api, "hr-alice")
    csrf = await as_person(api, "hr-alice")
    dashboard = await api.get("/hr/")
    assert 'id="by-hand"' in dashboard.text and waiting in dashboard.text
    page = await api.get(f"/hr/onboardings/{waiting}")
    assert 'id="bureau-outcome-form"' in page.text and 'id="cancel-form"' not in page.text

    uploaded = await api.post(f"/hr/onboardings/{waiting}/documents",
                              data={"csrf": csrf, "kind": "bureau_receipt"},
                              files={"file": ("回执.png", PNG, "image/png")})
    assert uploaded.status_code == 303, uploaded.text
    receipt = re.search(r'name="receipt_document">.*?<option value="(doc-[0-9a-f]+)"',
                        (await api.get(f"/hr/onboardings/{waiting}")).text, re.S)
    assert receipt
    no_reference = await api.post(f"/hr/onboardings/{waiting}/record/bureau-outcome", data={
        "csrf": csrf, "outcome": "accepted", "receipt_document": receipt.group(1)})
    assert no_reference.status_code == 422
    assert 'id="bureau-outcome-reference-error"' in no_reference.text
    recorded = await api.post(f"/hr/onboardings/{waiting}/record/bureau-outcome", data={
        "csrf": csrf, "outcome": "accepted", "reference": "BJ2026-0042",
        "receipt_document": receipt.group(1)})
    assert recorded.status_code == 303, recorded.text
    assert (await api.get(base, headers=auth("k-hr"))).json()["status"] == "enrolled"


    async def off_the_task_list() -> bool:  # the list row follows the workflow's write
        return 'id="by-hand"' not in (await api.get("/hr/")).text

    await eventually(off_the_task_list)


async def test_a_delay_is_explained_and_an_onboarding_cancelled(api: httpx.AsyncClient):
    late = await onboarding(api, "E7406", hired_days_ago=40)
    await give_login(api, "hr-alice")
    csrf = await as_person(api, "hr-alice")
    explained = await api.post(f"/hr/onboardings/{late}/record/delay-reason",
                               data={"csrf": csrf, "reason": "经办系统升级停机三天"})
    assert explained.status_code == 303, explained.text
    no_reason = await api.post(f"/hr/onboardings/{late}/record/cancel", data={"csrf": csrf})
    assert no_reason.status_code == 422 and 'id="cancel-reason-error"' in no_reason.text
    cancelled = await api.post(f"/hr/onboardings/{late}/record/cancel",
                               data={"csrf": csrf, "reason": "职工未到岗"})
    assert cancelled.status_code == 303
    events = (await api.get(f"/api/v1/onboardings/{late}", headers=auth("k-hr"))).json()
    assert events["status"] == "cancelled"
    assert "delay_reason_recorded" in {e["kind"] for e in events["events"]}
