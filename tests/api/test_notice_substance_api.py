"""The employee's page per notice purpose (issue 17 §3): the whole notice, its documents, and the
answers that fit: a return date only where a return is asked, "我已收到" for a decision, attend or
another time for an invitation. Runs on SQLite and PostgreSQL (the db_url fixture)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import select

from domain.notices.payloads import Answer, NoticeInput, NoticeOutcome, NoticeRecipient
from store.db import session_for
from store.documents import LocalContentStore
from store.models import DocumentRow, EvidenceEntry
from tests.api.conftest import AppFactory, auth, eventually

PDF = b"%PDF-1.4\n% decision\n"


async def _open(api: httpx.AsyncClient, notice_id: str, subject: str, purpose: str,
                data: dict[str, Any]) -> tuple[Any, str]:
    handle = await api.temporal.start_workflow(  # type: ignore[attr-defined]
        "Notice", NoticeInput(subject_id=subject, purpose=purpose, template=purpose, data=data,
                              recipient=NoticeRecipient(name="张三", email="zs@example.com"),
                              channels=("email",)),
        id=notice_id, task_queue=api.task_queue,  # type: ignore[attr-defined]
        result_type=NoticeOutcome)

    async def link() -> str | None:
        given = await api.get(f"/api/v1/dev/notices/{notice_id}/link", headers=auth("k-hr"))
        return httpx.URL(given.json()["url"]).path if given.status_code == 200 else None

    return handle, await eventually(link)


def _document(db_url: str, root: Path, subject: str) -> str:
    sha = LocalContentStore(root).put(PDF)
    with session_for(db_url) as session:
        session.add(DocumentRow(id="doc-decision-1", subject_id=subject, kind="other",
                                filename="工伤认定决定书.pdf", content_type="application/pdf",
                                size=len(PDF), sha256=sha, uploaded_by="hr",
                                uploaded_at=datetime.now(UTC)))
        session.commit()
    return "doc-decision-1"


async def test_the_determination_page_shows_the_decision_its_document_and_asks_a_receipt(
        make_api: AppFactory, db_url: str, tmp_path: Path):
    api = await make_api()
    doc = _document(db_url, tmp_path / "documents", "case-S1")
    handle, link = await _open(api, "notice-sub-det", "case-S1", "determination_decision", {
        "recognised": False, "authority": "北京市社会保险行政部门", "decided_on": "2026-12-01",
        "reference": "京人社工认〔2026〕7号", "reason": "不属于工作时间", "documents": [doc]})
    page = await api.get(link)
    assert page.status_code == 200
    for fact in ("不予认定为工伤", "北京市社会保险行政部门", "2026-12-01", "京人社工认〔2026〕7号",
                 "60日内", "行政复议", "工伤认定决定书.pdf", "我已收到"):
        assert fact in page.text, fact
    assert "return_date" not in page.text and "请通过邮件中的链接" not in page.text
    got = await api.get(f"{link}/d/{doc}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert (await api.get(f"{link}/d/doc-other")).status_code == 404
    with session_for(db_url) as session:
        kinds = [e.kind for e in session.exec(select(EvidenceEntry).where(
            EvidenceEntry.subject_id == "case-S1"))]
    assert "notice_document_opened" in kinds
    # a return date posted to a decision is no answer it asked for: not recorded
    answered = await api.post(link, data={"choice": "confirm", "return_date": "2026-12-20"})
    assert answered.status_code == 200
    outcome = await handle.result()
    assert outcome.result == "acknowledged" and outcome.answer.return_date is None
    again = await api.get(link)
    assert "您已确认收到此工伤认定结果通知" in again.text and "不予认定为工伤" in again.text


async def test_the_return_page_asks_a_date_and_the_invitation_another_time(
        make_api: AppFactory, db_url: str):
    api = await make_api()
    returning, back = await _open(api, "notice-sub-ret", "case-S2", "return_to_work", {
        "return_date": "2026-12-01", "suspension_ends_on": "2026-11-30", "department": "冲压车间"})
    page = (await api.get(back)).text
    assert "我会按时返岗" in page and "name='return_date'" in page and "冲压车间" in page
    assert "proposed_at" not in page and "第三十三条" in page
    # A WeCom card's "我已收到" is a receipt, not a promise to return on time
    await returning.signal("answer", Answer(at=datetime.now(UTC), channel="wecom",
                                            choice="confirm"))
    await returning.result()
    page = (await api.get(back)).text
    assert "您已确认收到此通知" in page and "按时返岗。" not in page

    handle, invite = await _open(api, "notice-sub-neg", "case-S2", "negotiation_invitation", {
        "meeting_at": "2026-12-10 14:00", "place": "二楼会议室", "bring": ["身份证", "银行卡"]})
    page = (await api.get(invite)).text
    assert "我会参加" in page and "name='proposed_at'" in page and "return_date" not in page
    assert "2026-12-10 14:00" in page and "二楼会议室" in page and "身份证、银行卡" in page
    answered = await api.post(invite, data={"choice": "answer", "proposed_at": "2026-12-11T10:00",
                                            "text": "上午可以"})
    assert answered.status_code == 200
    outcome = await handle.result()
    assert outcome.answer.choice == "answer"
    assert outcome.answer.text == "希望改期至 2026-12-11 10:00：上午可以"
