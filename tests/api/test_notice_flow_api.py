"""A notice followed end to end as a person would: the outbox message (its link withheld), the
link (from the dev route), the page, the answer."""

from __future__ import annotations

import httpx
from sqlmodel import select

from domain.notices.payloads import NoticeInput, NoticeOutcome, NoticeRecipient
from domain.notices.text import LINK_WITHHELD
from domain.shared.tokens import TOKEN_PATTERN
from store.db import session_for
from store.models import OutboxMessage
from tests.api.conftest import AppFactory, auth, eventually


async def test_the_link_in_the_outbox_opens_the_page_and_the_answer_acknowledges(
        make_api: AppFactory, db_url: str):
    api = await make_api()
    inp = NoticeInput(subject_id="onboarding-E70", purpose="return_to_work",
                      template="return_to_work",
                      data={"return_date": "2026-12-01", "reason": "停工留薪期届满"},
                      recipient=NoticeRecipient(name="张三", email="zs@example.com"),
                      channels=("email",))
    handle = await api.temporal.start_workflow(  # type: ignore[attr-defined]
        "Notice", inp, id="notice-e2e-1", task_queue=api.task_queue,  # type: ignore[attr-defined]
        result_type=NoticeOutcome)

    def message() -> OutboxMessage | None:
        with session_for(db_url) as session:
            return session.exec(select(OutboxMessage).where(
                OutboxMessage.subject_id == "onboarding-E70")).first()

    async def delivered() -> OutboxMessage | None:
        return message()

    row = await eventually(delivered)
    assert LINK_WITHHELD in row.body and not TOKEN_PATTERN.search(row.body), row.body
    listed = (await api.get("/api/v1/outbox", params={"subject_id": "onboarding-E70"},
                            headers=auth("k-hr"))).json()
    assert LINK_WITHHELD in listed["items"][0]["body"] and "/r/" not in str(listed)
    given = await api.get("/api/v1/dev/notices/notice-e2e-1/link", headers=auth("k-hr"))
    assert given.status_code == 200 and given.json()["attempt_no"] == 1
    link = httpx.URL(given.json()["url"]).path
    page = await api.get(link)
    assert page.status_code == 200 and "复工通知" in page.text and LINK_WITHHELD not in page.text
    answered = await api.post(link, data={"choice": "confirm"})
    assert answered.status_code == 200

    outcome = await handle.result()
    assert outcome.result == "acknowledged" and outcome.answer.channel == "link"
    shown = (await api.get("/api/v1/notices/notice-e2e-1", headers=auth("k-hr"))).json()
    assert shown["status"] == "acknowledged" and shown["answer"]["choice"] == "confirm"
    assert shown["answered_at"] is not None and "link_nonce" not in str(shown)
    statuses = [t["status"] for t in shown["attempts"][0]["timeline"]]
    assert "read" in statuses
    listed = (await api.get("/api/v1/notices", params={"subject": "onboarding-E70"},
                            headers=auth("k-mgr"))).json()
    assert [n["id"] for n in listed["items"]] == ["notice-e2e-1"]
    manager = await api.get("/api/v1/notices", params={"subject": "onboarding-E70"},
                            headers=auth("k-manager"))
    assert manager.status_code == 403  # whole addresses and bodies: HR roles only
