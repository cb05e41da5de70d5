"""Employee self-service over HTTP with a real worker, on SQLite and PostgreSQL: the employee's
page through their personal link, a proposal, HR's review queue, approval and rejection, the
evidence and the outbox message that tells the employee."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import httpx
import pytest

from domain.notices.payloads import NoticeInput, NoticeRecipient
from store import evidence
from tests.api.conftest import auth, eventually
from tests.api.test_workspace_api import assert_headers, onboarding

BANK = {"bank": "中国工商银行北京分行", "number": "6222020200001234567"}


async def personal_link(api: httpx.AsyncClient, subject_id: str, employee_id: str,
                        role: str = "employee") -> str:
    """The path of a personal link to a notice sent to `employee_id` (or, with another role, to
    someone else about them), as the dev route gives it."""
    notice_id = f"notice-ss-{uuid.uuid4().hex[:8]}"
    await api.temporal.start_workflow(  # type: ignore[attr-defined]
        "Notice", NoticeInput(
            subject_id=subject_id, purpose="generic", template="generic",
            data={"title": "入职须知", "body": "欢迎入职"},
            recipient=NoticeRecipient(name="张三", role=role, employee_id=employee_id),
            channels=("outbox",), requires_answer=False, reminder_before=None),
        id=notice_id, task_queue=api.task_queue)  # type: ignore[attr-defined]

    async def link() -> str | None:
        given = await api.get(f"/api/v1/dev/notices/{notice_id}/link", headers=auth("k-hr"))
        return httpx.URL(given.json()["url"]).path if given.status_code == 200 else None

    return str(await eventually(link))


async def test_an_employee_proposes_a_change_and_hr_approves_it(api: httpx.AsyncClient,
                                                                 db_url: str):
    subject = await onboarding(api, "S1001")
    link = await personal_link(api, subject, "S1001")
    assert f"href='{link}/me'" in (await api.get(link)).text  # the notice page leads there
    page = await api.get(f"{link}/me")
    assert page.status_code == 200, page.text
    assert_headers(page)
    assert "社保状态" in page.text and "入职须知" not in page.text  # status, not the notice text
    assert "通知" in page.text and "<label for='bank_number'>" in page.text

    sent = await api.post(f"{link}/me", json={"phone": "13700137000", "bank_account": BANK})
    assert sent.status_code == 201, sent.text
    assert [c["field"] for c in sent.json()["changes"]] == ["phone", "bank_account"]
    assert sent.json()["changes"][1]["after"]["number"] == "****4567"  # the link shows no more

    queue = await api.get("/api/v1/reviews", headers=auth("k-hr"))
    assert queue.status_code == 200 and queue.json()["total"] == 1, queue.text
    item = queue.json()["items"][0]
    assert item["employee_id"] == "S1001" and item["status"] == "pending"
    assert item["changes"][0]["before"] != "+8613700137000"
    assert item["changes"][0]["after"] == "+8613700137000"
    assert item["changes"][1] == {"field": "bank_account", "label": "工资银行账户",
                                  "before": None, "after": BANK}  # HR reads it whole
    assert (await api.get("/api/v1/reviews", headers=auth("k-manager"))).status_code == 403
    reads = (await api.get("/api/v1/admin/access-log?principal=hr-alice",
                           headers=auth("k-admin"))).json()["items"]
    assert [r["route"] for r in reads] == ["/api/v1/reviews"]  # whole values: a logged read
    refused = await api.post(f"/api/v1/reviews/{item['id']}/approve", headers=auth("k-manager"))
    assert refused.status_code == 403

    approved = await api.post(f"/api/v1/reviews/{item['id']}/approve", json={},
                              headers=auth("k-hr"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == "hr-alice"
    record = (await api.get("/api/v1/employees/S1001", headers=auth("k-hr"))).json()
    assert record["phone"] == "+8613700137000" and record["bank_account"] == BANK
    masked = (await api.get("/api/v1/employees/S1001", headers=auth("k-manager"))).json()
    assert masked["bank_account"] == {"bank": BANK["bank"], "number": "****4567"}
    again = await api.post(f"/api/v1/reviews/{item['id']}/approve", headers=auth("k-hr"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "proposal.decided"

    _, entries = evidence.page(db_url, "employee-S1001")
    assert [e.kind for e in entries] == ["change_proposed", "change_approved"]
    assert "6222020200001234567" not in str(entries[0].payload)
    assert evidence.verify(db_url, "employee-S1001").valid
    outbox = (await api.get("/api/v1/outbox?subject_id=employee-S1001",
                            headers=auth("k-hr"))).json()["items"]
    assert len(outbox) == 1 and outbox[0]["recipient_role"] == "employee"
    assert "已由人事审核通过" in outbox[0]["body"] and outbox[0]["phone"] == "+8613700137000"
    assert "已通过" in (await api.get(f"{link}/me")).text

    export = await api.get("/api/v1/employees/S1001/export", headers=auth("k-admin"))
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        proposals = json.loads(archive.read("change_proposals.json"))
        ledger = json.loads(archive.read("evidence/employee-S1001.json"))
        outcome = json.loads(archive.read("outbox.json"))
    assert proposals[0]["status"] == "approved" and ledger["verification"]["valid"]
    assert any(m["purpose"] == "change_review" for m in outcome)  # PIPL art. 45: all of it


async def test_only_the_employees_own_details_and_a_reason_to_reject(api: httpx.AsyncClient,
                                                                      db_url: str):
    subject = await onboarding(api, "S1002")
    link = await personal_link(api, subject, "S1002")
    other = await api.post(f"{link}/me", json={"phone": "13700137000",
                                               "contribution_base": "9000"})
    assert other.status_code == 422
    assert other.json()["error"]["field"] == "contribution_base"
    form = await api.post(f"{link}/me", data={"phone": "12345", "email": "x@example.com"})
    assert form.status_code == 422
    assert "aria-invalid='true' aria-describedby='phone-error'" in form.text
    assert "请填写有效的手机号码" in form.text and "value='12345'" in form.text
    smuggled = await api.post(f"{link}/me", data={"phone": "13700137000", "leave_date": "2027-01-01"})
    assert smuggled.status_code == 422 and "不能通过自助修改" in smuggled.text

    first = await api.post(f"{link}/me", data={"email": "first@example.com"})
    assert first.status_code == 200 and "已提交" in first.text
    second = await api.post(f"{link}/me", json={"email": "second@example.com"})
    assert second.status_code == 201
    superseded = (await api.get("/api/v1/reviews?status=superseded", headers=auth("k-hr"))).json()
    assert superseded["total"] == 1 and superseded["items"][0]["employee_id"] == "S1002"

    pending = second.json()["id"]
    bare = await api.post(f"/api/v1/reviews/{pending}/reject", json={"reason": " "},
                          headers=auth("k-hr"))
    assert bare.status_code == 422 and bare.json()["error"]["code"] == "reason.required"
    rejected = await api.post(f"/api/v1/reviews/{pending}/reject",
                              json={"reason": "请使用公司邮箱"}, headers=auth("k-hr"))
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    record = (await api.get("/api/v1/employees/S1002", headers=auth("k-hr"))).json()
    assert record["email"] != "second@example.com"
    outbox = (await api.get("/api/v1/outbox?subject_id=employee-S1002",
                            headers=auth("k-hr"))).json()["items"]
    assert len(outbox) == 1 and "请使用公司邮箱" in outbox[0]["body"]
    page = (await api.get(f"{link}/me")).text
    assert "未通过" in page and "请使用公司邮箱" in page
    _, entries = evidence.page(db_url, "employee-S1002")
    assert [e.kind for e in entries] == ["change_proposed", "change_proposed", "change_rejected"]
    missing = await api.post("/api/v1/reviews/99999/approve", headers=auth("k-hr"))
    assert missing.status_code == 404


@pytest.mark.parametrize("role", ["department_manager"])
async def test_a_link_sent_to_someone_else_opens_no_personal_page(api: httpx.AsyncClient,
                                                                  role: str):
    subject = await onboarding(api, "S1003")
    link = await personal_link(api, subject, "S1003", role=role)
    assert "my-details" not in (await api.get(link)).text
    assert (await api.get(f"{link}/me")).status_code == 404
    assert (await api.post(f"{link}/me", json={"phone": "13700137000"})).status_code == 404
    assert (await api.get("/r/not.1.a.token/me")).status_code == 404


async def test_hr_reviews_in_the_workspace_and_a_manager_may_not(api: httpx.AsyncClient):
    from tests.api.test_workspace_api import PASSWORDS, csrf_of, give_login, sign_in

    subject = await onboarding(api, "S1004")
    link = await personal_link(api, subject, "S1004")
    first = await api.post(f"{link}/me", json={"email": "s4@example.com"})
    assert first.status_code == 201
    hr_email, dave_email = await give_login(api, "hr-alice"), await give_login(api, "dept-dave")

    assert (await sign_in(api, hr_email, PASSWORDS["hr-alice"])).status_code == 303
    dashboard = await api.get("/hr/")
    assert "待审核的职工信息变更" in dashboard.text and 'id="open-reviews">1<' in dashboard.text
    queue = await api.get("/hr/reviews")
    assert queue.status_code == 200 and "s4@example.com" in queue.text
    assert_headers(queue)
    proposal = first.json()["id"]
    no_token = await api.post(f"/hr/reviews/{proposal}/approve", data={"csrf": "x"})
    assert no_token.status_code == 403
    bare = await api.post(f"/hr/reviews/{proposal}/reject", data={"csrf": csrf_of(queue.text)})
    assert bare.status_code == 422 and "驳回须填写理由" in bare.text
    assert f'aria-describedby="reject-{proposal}-error"' in bare.text
    done = await api.post(f"/hr/reviews/{proposal}/approve", data={"csrf": csrf_of(queue.text)})
    assert done.status_code == 303
    record = (await api.get("/api/v1/employees/S1004", headers=auth("k-hr"))).json()
    assert record["email"] == "s4@example.com"
    assert 'id="no-reviews"' in (await api.get("/hr/reviews")).text

    async with httpx.AsyncClient(transport=api._transport, base_url=api.base_url) as dave:
        assert (await sign_in(dave, dave_email, PASSWORDS["dept-dave"])).status_code == 303
        assert (await dave.get("/hr/reviews")).status_code == 403
        assert "nav-reviews" not in (await dave.get("/hr/")).text
