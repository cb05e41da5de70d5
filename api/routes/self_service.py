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
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import SettingsDep
from api.errors import file_response
from api.routes.employee import BAD_LINK, _bad_link, _notice, csp, simple_page
from domain.employees import self_service as rules
from domain.employees.si_status import LABELS as SI_LABELS
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.labels import NOTICE_PURPOSES
from domain.shared.wording import DOCUMENT_KINDS
from settings import Settings
from store import employees, evidence
from store import self_service as store
from store.documents import content_store
from store.models import NoticeRow

SHANGHAI = ZoneInfo("Asia/Shanghai")
router = APIRouter(prefix="/r", tags=["employee page"])

FORM_FIELDS = {"phone": "phone", "email": "email", "emergency_contact.name": "emergency_name",
               "emergency_contact.relation": "emergency_relation",
               "emergency_contact.phone": "emergency_phone", "bank_account.bank": "bank_name",
               "bank_account.number": "bank_number"}
"""A rule's field → the form's input that holds it."""
LABELS = {"phone": "手机号码 / Phone", "email": "电子邮箱 / Email",
          "emergency_name": "紧急联系人姓名 / Emergency contact's name",
          "emergency_relation": "与您的关系 / Relation to you",
          "emergency_phone": "紧急联系人电话 / Emergency contact's phone",
          "bank_name": "开户银行 / Bank", "bank_number": "银行账号 / Account number"}
SAYS = {"phone.format": "请填写有效的手机号码（11 位，以 1 开头），或国际号码（+ 加 8–15 位数字）。",
        "emergency_contact.phone": "请填写有效的手机号码。",
        "email.format": "请填写有效的邮箱地址，例如 name@example.com。",
        "text.length": "请填写此项（不要过长）。", "text.control_character": "含有不可见的控制字符。",
        "bank_account.format": "银行账号须为 12–30 位数字（可含空格）。",
        "proposal.no_change": "您填写的信息与档案一致，无需提交。",
        "proposal.empty": "请至少填写一项要变更的信息。",
        "proposal.field_not_allowed": "此项不能通过自助修改（如社保类型、缴费基数、离职日期），请联系人事。"}
STATUS = {"pending": "待人事审核 / Waiting for HR", "approved": "已通过 / Approved",
          "rejected": "未通过 / Not approved", "superseded": "已被新的申请取代 / Replaced"}


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
    notices = await asyncio.to_thread(store.notices_of, settings.db_url, employee_id)
    rows = await asyncio.to_thread(store.documents_of, settings.db_url, notices)
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
    known = set(FORM_FIELDS.values())
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


def _local(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


async def _render(settings: Settings, token: str, employee_id: str, *, done: bool = False,
                  error: RuleViolation | ActionRefused | None = None,
                  form: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    url = settings.db_url
    record = await asyncio.to_thread(employees.record_of, url, employee_id)
    now = await asyncio.to_thread(employees.current, url, employee_id)
    notices = await asyncio.to_thread(store.notices_of, url, employee_id)
    documents = await asyncio.to_thread(store.documents_of, url, notices)
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
    body.append(_proposals(proposals))
    body.append(_notices(token, notices))
    body.append(_documents(token, documents))
    body.append(_form(token, values, error, form if error else None))
    nonce = secrets.token_urlsafe(16)
    return HTMLResponse(_page(person.name, "".join(body), nonce), status_code=status,
                        headers={"Content-Security-Policy": csp(nonce)})


def _proposals(rows: list[Any]) -> str:
    if not rows:
        return ""
    items = "".join(
        f"<li id='proposal-{r.id}'>{escape(_local(r.proposed_at))} · "
        f"{escape('、'.join(rules.FIELD_LABELS[c['field']] for c in r.changes))} · "
        f"<strong class='status-{escape(r.status)}'>{escape(STATUS.get(r.status, r.status))}</strong>"
        + (f"<br>理由 / Reason：{escape(r.reason)}" if r.status == "rejected" else "") + "</li>"
        for r in rows)
    return f"<div class='card' id='proposals'><h2>我的变更申请 / My changes</h2><ul>{items}</ul></div>"


def _notices(token: str, rows: list[NoticeRow]) -> str:
    items = "".join(
        f"<li>{escape(_local(n.created_at))} · {escape(NOTICE_PURPOSES.get(n.purpose, '通知'))}"
        f"{' · 已答复' if n.answered_at else ''}</li>" for n in rows) or "<li>无 / none</li>"
    return f"<div class='card' id='notices'><h2>我的通知 / My notices</h2><ul>{items}</ul></div>"


def _documents(token: str, rows: list[Any]) -> str:
    items = "".join(
        f"<li><a href='/r/{escape(token)}/me/d/{escape(r.id)}'>{escape(r.filename)}</a> "
        f"<span class='meta'>（{escape(DOCUMENT_KINDS.get(r.kind, r.kind))}）</span></li>"
        for r in rows) or "<li>无 / none</li>"
    return f"<div class='card' id='documents'><h2>我的文件 / My documents</h2><ul>{items}</ul></div>"


def _form(token: str, values: dict[str, Any], error: RuleViolation | ActionRefused | None,
          given: dict[str, str] | None) -> str:
    emergency = values.get("emergency_contact") or {}
    bank = values.get("bank_account") or {}
    current = {"phone": values.get("phone") or "", "email": values.get("email") or "",
               "emergency_name": emergency.get("name", ""),
               "emergency_relation": emergency.get("relation", ""),
               "emergency_phone": emergency.get("phone", ""), "bank_name": bank.get("bank", ""),
               "bank_number": ""}
    shown = given if given is not None else current
    wrong = FORM_FIELDS.get(error.field, "") if error is not None else ""
    top = ""
    if error is not None and not wrong:
        top = (f"<p class='error' id='form-error' role='alert'>{escape(SAYS.get(error.code, ''))} "
               f"<span lang='en'>{escape(error.message)}</span></p>")

    def field(name: str, kind: str = "text", hint: str = "") -> str:
        invalid = ""
        said = ""
        if name == wrong and error is not None:
            invalid = f" aria-invalid='true' aria-describedby='{name}-error'"
            zh = SAYS.get(error.field, "") if error.field == "emergency_contact.phone" else ""
            said = (f"<p class='error' id='{name}-error'>{escape(zh or SAYS.get(error.code, ''))} "
                    f"<span lang='en'>{escape(error.message)}</span></p>")
        extra = f"<span class='meta'>{escape(hint)}</span>" if hint else ""
        return (f"<label for='{name}'>{escape(LABELS[name])}</label>{extra}"
                f"<input id='{name}' name='{name}' type='{kind}' "
                f"value='{escape(shown.get(name, ''))}'{invalid}>{said}")

    masked = rules.mask_bank_number(bank["number"]) if bank.get("number") else "无 / none"
    return f"""
<div class='card' id='change'><h2>申请变更个人信息 / Propose a change</h2>
<p class='meta'>可变更：手机号码、电子邮箱、紧急联系人、工资银行账户。社保类型、缴费基数和离职日期请联系人事。
人事审核后生效。</p>{top}
<form method='post' action='/r/{escape(token)}/me' id='change-form'>
<fieldset><legend>联系方式 / Contact</legend>{field('phone', 'tel')}{field('email', 'email')}</fieldset>
<fieldset><legend>紧急联系人 / Emergency contact</legend>{field('emergency_name')}
{field('emergency_relation')}{field('emergency_phone', 'tel')}</fieldset>
<fieldset><legend>工资银行账户 / Bank account</legend>
<p class='meta' id='bank-on-file'>档案中的账号 / On file：{escape(masked)}</p>
{field('bank_name')}{field('bank_number', 'text', '不变更请留空 / leave empty to keep it')}
</fieldset>
<button type='submit' id='propose'>提交变更申请 / Send to HR</button>
</form></div>"""


def _page(name: str, content: str, nonce: str) -> str:
    return f"""<!doctype html>
<html lang='zh-CN'><head><meta charset='utf-8'>
<meta name='viewport' content='width=device-width, initial-scale=1'>
<title>我的信息 · {escape(name)}</title>
<style nonce='{nonce}'>
 body {{ font-family: system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif; margin: 0 auto;
        max-width: 720px; padding: 16px; line-height: 1.6; color: #1d2733; background: #f5f7fa; }}
 h1 {{ font-size: 1.3rem; margin: 0 0 12px; }}
 h2 {{ font-size: 1.05rem; margin: 0 0 8px; }}
 .card {{ overflow-wrap: anywhere; background: #fff; border-radius: 8px; padding: 12px 16px;
         margin-bottom: 16px; }}
 .done {{ border-left: 4px solid #1e8e3e; }}
 fieldset {{ border: 1px solid #dde3ea; border-radius: 8px; margin: 0 0 12px; padding: 8px 12px; }}
 label {{ display: block; margin: 8px 0 2px; font-weight: 600; }}
 input {{ width: 100%; box-sizing: border-box; font-size: 1rem; padding: 10px;
         border: 1px solid #8a96a3; border-radius: 8px; }}
 input[aria-invalid=true] {{ border: 2px solid #c5221f; }}
 input:focus, button:focus, a:focus {{ outline: 3px solid #1a73e8; outline-offset: 2px; }}
 button {{ display: block; width: 100%; font-size: 1.1rem; padding: 14px; margin: 8px 0;
          border: 0; border-radius: 8px; background: #1a73e8; color: #fff; }}
 .error {{ color: #c5221f; margin: 4px 0; }}
 .meta {{ color: #5f6b7a; font-size: .85rem; }}
 .status-approved {{ color: #1e8e3e; }} .status-rejected {{ color: #c5221f; }}
</style></head>
<body><h1>我的信息 / My details · {escape(name)}</h1>
<main id='main'>{content}</main>
</body></html>"""
