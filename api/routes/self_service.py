"""The employee's own page (员工自助), reached through the personal link of any notice sent to
them: their SI status, their notices and the documents those carried, and a form to propose
changes to their phone, email, emergency contact and bank account, which HR reviews
(api/routes/reviews.py). The link grants what it grants on the notice page, for as long: it is
the same signed token (domain/shared/tokens.py), and only a notice addressed to the employee
themselves opens this page. Same headers, CSP and rate limit as every /r/ page (api/edges.py).
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import SettingsDep
from api.errors import file_response
from api.routes import self_service_page as view
from api.routes.employee import BAD_LINK, _bad_link, _notice, csp, simple_page
from domain.employees import self_service as rules
from domain.employees.si_status import LABELS as SI_LABELS
from domain.shared.errors import ActionRefused, RuleViolation
from settings import Settings
from store import employees, evidence
from store import self_service as store
from store import self_service_reads as reads
from store.documents import content_store
from store.models import NoticeRow

router = APIRouter(prefix="/r", tags=["employee page"])


async def _employee(settings: Settings, token: str) -> tuple[NoticeRow, str] | None:
    found = await _notice(settings, token)
    if found is None:
        return None
    employee_id = await asyncio.to_thread(store.employee_of_notice, settings.db_url, found[0])
    return (found[0], employee_id) if employee_id is not None else None


@router.get("/{token}/me", response_class=HTMLResponse, name="self_service_page",
            responses=BAD_LINK)
async def my_page(token: str, settings: SettingsDep) -> HTMLResponse:
    """The employee's own page: SI status, notices, documents, proposals and the change form."""
    found = await _employee(settings, token)
    if found is None:
        return _bad_link(settings, token) if await _notice(settings, token) is None \
            else _not_yours()
    return await _render(settings, token, found[1])


@router.post("/{token}/me", response_class=HTMLResponse, responses={
    **BAD_LINK, 201: {"description": "JSON in, JSON out: the proposal stored",
                      "content": {"application/json": {}}},
    422: {"description": "A field that is not the employee's to change, or a value the rules "
                         "refuse (the page, or the one JSON error shape)",
          "content": {"text/html": {}, "application/json": {}}}})
async def propose(token: str, request: Request, settings: SettingsDep) -> Response:
    """Propose changes to phone, email, emergency contact and bank account: as the page's form,
    or as JSON (`{"phone": …, "emergency_contact": {"name", "relation", "phone"}, "bank_account":
    {"bank", "number"}}`). Anything else is refused 422 naming the field; the proposal waits
    for HR, superseding a pending one."""
    as_json = request.headers.get("content-type", "").startswith("application/json")
    found = await _employee(settings, token)
    if found is None:
        return _bad_link(settings, token) if await _notice(settings, token) is None \
            else _not_yours()
    notice, employee_id = found
    form: dict[str, str] = {}
    try:
        if as_json:
            raw = await request.json()
            if not isinstance(raw, dict):
                raise RuleViolation("", "proposal.format", "the body is a JSON object")
        else:
            form = {k: str(v) for k, v in (await request.form()).items()}
            raw = _from_form(form)
        proposed = rules.check_proposal(raw)
        row = await asyncio.to_thread(store.propose, settings.db_url, employee_id, proposed,
                                      notice.id, notice.recipient_name)
    except (RuleViolation, ActionRefused) as refused:
        if as_json:
            raise
        return await _render(settings, token, employee_id, error=refused, form=form,
                             status=409 if isinstance(refused, ActionRefused) else 422)
    if as_json:
        return JSONResponse({"id": row.id, "status": row.status, "changes": [
            {"field": c["field"], "before": rules.shown(c["field"], c["before"], whole=False),
             "after": rules.shown(c["field"], c["after"], whole=False)} for c in row.changes]},
            status_code=201)
    return await _render(settings, token, employee_id, done=True)


@router.get("/{token}/me/d/{document_id}", name="self_service_document", response_class=Response,
            responses={**file_response("application/octet-stream", "A document a notice to "
                                       "the employee carried"), **BAD_LINK})
async def my_document(token: str, document_id: str, settings: SettingsDep) -> Response:
    """A document a notice to the employee carried; each opening is evidence
    (`notice_document_opened`)."""
    found = await _employee(settings, token)
    if found is None:
        return _bad_link(settings, token)
    notice, employee_id = found
    notices = await asyncio.to_thread(reads.notices_of, settings.db_url, employee_id)
    rows = await asyncio.to_thread(reads.documents_of, settings.db_url, notices)
    row = next((r for r in rows if r.id == document_id), None)
    if row is None:
        return simple_page("文件不可用", "<p>没有这份文件。</p>"
                           "<p lang='en'>No such document.</p>", 404)
    data = await asyncio.to_thread(content_store(settings).get, row.sha256)
    await asyncio.to_thread(evidence.append, settings.db_url, evidence.NewEntry(
        subject_id=row.subject_id, idempotency_key=f"notice-document:{uuid.uuid4()}",
        at=datetime.now(UTC), actor=notice.recipient_name, kind="notice_document_opened",
        payload={"notice_id": notice.id, "document_id": row.id, "kind": row.kind,
                 "sha256": row.sha256, "via": "self_service"}))
    return Response(data, media_type=row.content_type, headers={
        "X-Content-SHA256": row.sha256, "Cache-Control": "no-store",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(row.filename, safe='')}"})


def _from_form(form: dict[str, str]) -> dict[str, Any]:
    """The proposal a form makes: a group left empty proposes nothing; a field the form does not
    have is passed on, to be refused by name."""
    known = set(view.FORM_FIELDS.values())
    raw: dict[str, Any] = {k: v for k, v in form.items() if k not in known and k != "submit"}
    for name in ("phone", "email"):
        if form.get(name, "").strip():
            raw[name] = form[name].strip()
    emergency = {k: form.get(f"emergency_{k}", "").strip() for k in ("name", "relation", "phone")}
    if any(emergency.values()):
        raw["emergency_contact"] = emergency
    bank = {"bank": form.get("bank_name", "").strip(), "number": form.get("bank_number", "").strip()}
    if any(bank.values()):
        raw["bank_account"] = bank
    return raw


def _not_yours() -> HTMLResponse:
    return simple_page("链接不可用", "<p>此链接不是发给员工本人的，不能查看个人信息。</p>"
                       "<p lang='en'>This link was not sent to the employee: it opens no "
                       "personal page.</p>", 404)


async def _render(settings: Settings, token: str, employee_id: str, *, done: bool = False,
                  error: RuleViolation | ActionRefused | None = None,
                  form: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    url = settings.db_url
    record = await asyncio.to_thread(employees.record_of, url, employee_id)
    now = await asyncio.to_thread(employees.current, url, employee_id)
    notices = await asyncio.to_thread(reads.notices_of, url, employee_id)
    documents = await asyncio.to_thread(reads.documents_of, url, notices)
    proposals = await asyncio.to_thread(store.latest_of, url, employee_id)
    assert record is not None and now is not None
    person = record.person
    values = store.on_file(person.model_dump())
    status_text = f"{SI_LABELS[now.si_status]}（自 {now.si_since} 起）" if now.si_status \
        else "尚无记录 / nothing on file"
    body = [f"<div class='card' id='si'><h2>社保状态 / SI status</h2><p id='si-status'>"
            f"{escape(status_text)}</p><p class='meta'>部门：{escape(person.department)}</p></div>"]
    if done:
        body.insert(0, "<div class='card done' id='done' role='status'><p>您的变更申请已提交，"
                       "人事审核后会通知您。</p><p lang='en'>Your change has been sent to HR for "
                       "review; you will be told the outcome.</p></div>")
    body.append(view.proposals(proposals))
    body.append(view.notices(notices))
    body.append(view.documents(token, documents))
    body.append(view.form(token, values, error, form if error else None))
    nonce = secrets.token_urlsafe(16)
    return HTMLResponse(view.page(person.name, "".join(body), nonce), status_code=status,
                        headers={"Content-Security-Policy": csp(nonce)})
