"""The employee's personal link: an open pixel, a phone-sized page, and the answer it posts.

Opening the page (or loading the pixel) records `opened`, which a mail scanner's prefetch can do
too; only the employee's own POST records `read` and the answer, once: a second POST shows the
answer on record and writes nothing. The page shows the whole notice (rendered from what its
`notice_opened` evidence recorded), the documents it carries, and the answers its purpose takes
(domain/notices/answers.py). Every page carries a CSP whose only allowance is its own
nonce'd style block; api/edges.py adds the other headers and the rate limit to all of /r/.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import uuid
from datetime import UTC, date, datetime
from html import escape
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from api.deps import SettingsDep, TemporalDep
from api.errors import file_response
from api.routes.webhooks import _signal
from api.schemas import PlainText
from domain.notices.answers import form_for, proposed_time_text
from domain.notices.payloads import Answer, DeliveryStatus, Receipt
from domain.notices.text import LINK_WITHHELD, render_page
from domain.shared.input_rules import check_date_in_window
from domain.shared.labels import NOTICE_PURPOSES
from domain.shared.tokens import LinkParams, TokenError, read_link
from domain.shared.wording import DOCUMENT_KINDS
from settings import Settings
from store import document_rows, evidence
from store import notices as store
from store.documents import content_store
from store.models import DocumentRow, NoticeRow

SHANGHAI = ZoneInfo("Asia/Shanghai")
router = APIRouter(prefix="/r", tags=["employee page"], include_in_schema=True)
BAD_LINK: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not a valid link: a page saying so", "content": {"text/html": {}}},
    410: {"description": "The link has expired: a page saying so", "content": {"text/html": {}}},
    429: {"description": "Too many requests from this address: a page saying when to try again "
                         "(Retry-After)", "content": {"text/html": {}}},
}
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@router.get("/{token}/o.gif", name="open_pixel", response_class=Response,
            responses={**file_response("image/gif", "A 1x1 transparent GIF"), 429: BAD_LINK[429]})
async def open_pixel(token: str, settings: SettingsDep, client: TemporalDep) -> Response:
    """Records an email open (weak evidence: mail clients may pre-fetch images)."""
    found = await _notice(settings, token)
    if found is not None:
        await _receipt(settings, client, *found, DeliveryStatus.opened, "pixel")
    return Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


@router.get("/{token}", response_class=HTMLResponse, name="notice_page", responses=BAD_LINK)
async def notice_page(token: str, settings: SettingsDep, client: TemporalDep) -> HTMLResponse:
    """The notice as the employee reads it on a phone, with the answer form (or the answer given)."""
    found = await _notice(settings, token)
    if found is None:
        return _bad_link(settings, token)
    notice, link = found
    await _receipt(settings, client, notice, link, DeliveryStatus.opened, "link")
    shown = await asyncio.to_thread(_shown, settings, notice, token)
    if notice.recipient_role == "employee":  # their own page: api/routes/self_service.py
        shown += (f"<p class='meta'><a href='/r/{escape(token)}/me' id='my-details'>"
                  "我的信息与变更申请 / My details</a></p>")
    if notice.answered_at is not None:
        return _html(notice, shown + _recorded(notice, again=False))
    return _html(notice, shown + _form(token, notice))


@router.get("/{token}/d/{document_id}", name="notice_document", response_class=Response,
            responses={**file_response("application/octet-stream", "A document the notice "
                                       "carries (PDF, JPEG, PNG: its own content type)"),
                       **BAD_LINK})
async def notice_document(token: str, document_id: str, settings: SettingsDep) -> Response:
    """A document the notice carries (e.g. the 工伤认定决定书), for its recipient; each opening is
    recorded as evidence (`notice_document_opened`)."""
    found = await _notice(settings, token)
    if found is None:
        return _bad_link(settings, token)
    notice, _ = found
    loaded = await asyncio.to_thread(_document, settings, notice, document_id)
    if loaded is None:
        return simple_page("文件不可用", "<p>此通知没有这份文件。</p>"
                           "<p lang='en'>This notice carries no such document.</p>", 404)
    row, data = loaded
    return Response(data, media_type=row.content_type, headers={
        "X-Content-SHA256": row.sha256, "Cache-Control": "no-store",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(row.filename, safe='')}"})


@router.post("/{token}", response_class=HTMLResponse, responses=BAD_LINK)
async def answer_notice(token: str, settings: SettingsDep, client: TemporalDep,
                        choice: Annotated[str, Form()] = "confirm",
                        text: Annotated[PlainText, Form(max_length=2000)] = "",
                        return_date: Annotated[str, Form()] = "",
                        proposed_at: Annotated[str, Form(max_length=40)] = "") -> HTMLResponse:
    """Records the employee's confirmation or answer, once: the only thing that acknowledges a
    notice. A link that was answered already shows the answer on record and records nothing."""
    found = await _notice(settings, token)
    if found is None:
        return _bad_link(settings, token)
    notice, link = found
    form = form_for(notice.purpose)  # a field the purpose does not ask for is not recorded
    answer = Answer(at=datetime.now(UTC), channel="link",
                    choice="answer" if choice == "answer" else "confirm",
                    text=proposed_time_text(proposed_at, text.strip()) if form.propose_time
                    else text.strip(),
                    return_date=_date(return_date) if form.return_date else None)
    first = notice.answered_at is None and await asyncio.to_thread(
        store.record_answer, settings.db_url, notice, answer, notice.recipient_name)
    if not first:
        answered = await asyncio.to_thread(store.notice, settings.db_url, notice.id)
        return _html(answered or notice, _recorded(answered or notice, again=True))
    await _receipt(settings, client, notice, link, DeliveryStatus.read, "link")
    await _signal(client, notice.id, "answer", answer)
    late = notice.status != "open"
    body = ("<p>您的回复已记录。此通知的答复期限已过，人事将与您联系。</p>" if late
            else "<p>您的回复已记录，谢谢。</p>")
    return _html(notice, f"<div class='done' id='done'>{body}"
                         "<p lang='en'>Your answer has been recorded.</p></div>")


async def _notice(settings: Settings, token: str) -> tuple[NoticeRow, LinkParams] | None:
    try:
        link = read_link(settings.secret_key, token, datetime.now(UTC))
    except TokenError:
        return None
    notice = await asyncio.to_thread(store.notice, settings.db_url, link.notice_id)
    return (notice, link) if notice is not None else None


async def _receipt(settings: Settings, client: TemporalDep, notice: NoticeRow, link: LinkParams,
                   status: DeliveryStatus, source: str) -> None:
    """The report on the attempt whose link this is (a duplicate writes and signals nothing)."""
    attempt = await asyncio.to_thread(store.attempt_of_link, settings.db_url, notice.id,
                                      link.nonce)
    if attempt is None:
        return
    at = datetime.now(UTC)
    recorded = await asyncio.to_thread(store.record_receipt, settings.db_url, attempt, status,
                                       source, at)
    if recorded.new:
        await _signal(client, notice.id, "receipt", Receipt(status, at, attempt.attempt_no, source))


def _date(value: str) -> date | None:
    try:
        return check_date_in_window(date.fromisoformat(value), "return_date") if value else None
    except ValueError:  # RuleViolation too: a year-1 return date is no answer
        return None


def _readable(text: str) -> list[str]:
    """The message's lines without the link and its lead-in: the reader is already here."""
    lines = [line for line in text.splitlines() if line.strip()]
    keep = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _is_link(line) or (line.rstrip().endswith(("：", ":")) and _is_link(following)):
            continue
        keep.append(line)
    return keep


def _is_link(line: str) -> bool:
    return "://" in line or LINK_WITHHELD in line


def _recorded(notice: NoticeRow, *, again: bool) -> str:
    """The answer on record: a link answers once."""
    answer = notice.answer or {}
    at = notice.answered_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") \
        if notice.answered_at else ""
    if answer.get("choice") == "confirm" and answer.get("channel", "link") == "link":
        given = f"<p>{escape(form_for(notice.purpose).confirmed)}</p>"
    elif answer.get("choice") == "confirm":  # a WeCom card's "我已收到", an SMS reply: a receipt
        given = "<p>您已确认收到此通知。</p>"
    else:
        given = f"<p>您的回复：{escape(str(answer.get('text') or ''))}</p>"
    if answer.get("return_date"):
        given += f"<p>预计返岗日期：{escape(str(answer['return_date']))}</p>"
    lead = "此通知已答复，以首次答复为准，本次提交未记录。" if again else "此通知已答复。"
    return (f"<div class='done' id='answered'><p>{lead}</p>{given}"
            f"<p class='meta'>答复时间：{escape(at)}（北京时间）</p>"
            "<p lang='en'>This notice has been answered; the first answer stands.</p></div>")


def _shown(settings: Settings, notice: NoticeRow, token: str) -> str:
    """The whole notice and its documents; a notice opened before its content was recorded shows
    the text of its newest email, as sent."""
    content = store.content(settings.db_url, notice)
    if content is None:
        attempt = store.latest_attempt(settings.db_url, notice.id, "email")
        lines = _readable(attempt.body if attempt is not None else "")
        return "<div class='notice' id='notice'>" + \
            "".join(f"<p>{escape(line)}</p>" for line in lines) + "</div>"
    try:
        body = render_page(content.template, notice.locale, content.data,
                           name=notice.recipient_name, code=notice.code)
    except ValueError:  # a template since removed: the text as sent
        attempt = store.latest_attempt(settings.db_url, notice.id, "email")
        body = "".join(f"<p>{escape(line)}</p>"
                       for line in _readable(attempt.body if attempt is not None else ""))
    return f"<div class='notice' id='notice'>{body}</div>" + \
        _documents(settings, notice, token, content.data)


def _documents(settings: Settings, notice: NoticeRow, token: str, data: dict[str, Any]) -> str:
    rows = [row for row in (document_rows.get(settings.db_url, str(d))
                            for d in _document_ids(data))
            if row is not None and row.subject_id == notice.subject_id]
    if not rows:
        return ""
    items = "".join(
        f"<li><a href='/r/{escape(token)}/d/{escape(row.id)}'>{escape(row.filename)}</a>"
        f"<span class='meta'>（{escape(DOCUMENT_KINDS.get(row.kind, row.kind))}）</span></li>"
        for row in rows)
    return f"<div class='notice' id='documents'><p>附件：</p><ul>{items}</ul></div>"


def _document_ids(data: dict[str, Any]) -> list[str]:
    ids = data.get("documents")
    return [str(i) for i in ids] if isinstance(ids, list) else []


def _document(settings: Settings, notice: NoticeRow,
              document_id: str) -> tuple[DocumentRow, bytes] | None:
    """A document the notice's recorded content names, of the notice's own subject, else None."""
    content = store.content(settings.db_url, notice)
    if content is None or document_id not in _document_ids(content.data):
        return None
    row = document_rows.get(settings.db_url, document_id)
    if row is None or row.subject_id != notice.subject_id:
        return None
    data = content_store(settings).get(row.sha256)
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id=row.subject_id, idempotency_key=f"notice-document:{uuid.uuid4()}",
        at=datetime.now(UTC), actor=notice.recipient_name, kind="notice_document_opened",
        payload={"notice_id": notice.id, "document_id": row.id, "kind": row.kind,
                 "sha256": row.sha256}))
    return row, data


def _form(token: str, notice: NoticeRow) -> str:
    form = form_for(notice.purpose)
    fields = ""
    if form.return_date:
        fields += "<label>预计返岗日期 <input type='date' name='return_date'></label>"
    if form.propose_time:
        fields += ("<label>您方便的时间 <input type='datetime-local' name='proposed_at' "
                   "id='proposed_at'></label>")
    return f"""
<form method='post' action='/r/{escape(token)}'>
  <button type='submit' name='choice' value='confirm' id='confirm'>{escape(form.confirm)}</button>
  <p class='or'>{escape(form.prompt)}</p>
  {fields}
  <textarea name='text' rows='4' placeholder='{escape(form.placeholder)}'></textarea>
  <button type='submit' name='choice' value='answer' id='answer'
          class='secondary'>{escape(form.submit)}</button>
</form>"""


def csp(nonce: str) -> str:
    """The pages' Content-Security-Policy: nothing but their own nonce'd style block; forms post
    back to this site only; never framed."""
    return (f"default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")


def _html(notice: NoticeRow, content: str) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    return HTMLResponse(_page(notice, content, nonce),
                        headers={"Content-Security-Policy": csp(nonce)})


def _page(notice: NoticeRow, content: str, nonce: str) -> str:
    title = NOTICE_PURPOSES.get(notice.purpose, "通知")
    return f"""<!doctype html>
<html lang='zh-CN'><head><meta charset='utf-8'>
<meta name='viewport' content='width=device-width, initial-scale=1'>
<title>{escape(title)}</title>
<style nonce='{nonce}'>
 body {{ font-family: system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif; margin: 0;
        padding: 16px; line-height: 1.6; color: #1d2733; background: #f5f7fa; }}
 h1 {{ font-size: 1.3rem; margin: 0 0 12px; }}
 .notice, .done {{ overflow-wrap: anywhere; background: #fff; border-radius: 8px;
                  padding: 12px 16px; margin-bottom: 16px; }}
 button {{ display: block; width: 100%; font-size: 1.1rem; padding: 14px; margin: 8px 0;
          border: 0; border-radius: 8px; background: #1a73e8; color: #fff; }}
 button.secondary {{ background: #5f6b7a; }}
 textarea, input {{ width: 100%; box-sizing: border-box; font-size: 1rem; padding: 10px;
                   border: 1px solid #c5ccd6; border-radius: 8px; }}
 label {{ display: block; margin: 8px 0; }}
 .meta {{ color: #5f6b7a; font-size: .85rem; }}
</style></head>
<body><h1>{escape(title)}</h1>
<p class='meta'>收件人：{escape(notice.recipient_name)} · 通知编号 {escape(notice.code)}</p>
{content}
</body></html>"""


def _bad_link(settings: Settings, token: str) -> HTMLResponse:
    expired = _expired(settings, token)
    message = ("此链接已过期。请联系人事获取新的链接。" if expired
               else "此链接无效。请检查短信或邮件中的链接，或联系人事。")
    english = ("This link has expired." if expired else "This link is not valid.")
    contact = f"<p>人事电话：{escape(settings.hr_phone)}</p>" if settings.hr_phone else ""
    return simple_page("链接不可用", f"<p>{message}</p><p lang='en'>{english}</p>{contact}",
                       410 if expired else 404)


def too_many_requests(retry_after: str) -> HTMLResponse:
    """The page of an address that opened too many links (api/edges.py, 429)."""
    return simple_page("请稍后再试", "<p>请求过于频繁，请稍后再打开此链接。</p>"
                       "<p lang='en'>Too many requests: please try again in a moment.</p>",
                       429, {"Retry-After": retry_after})


def simple_page(title: str, content: str, status: int,
                headers: dict[str, str] | None = None) -> HTMLResponse:
    """A plain page of /r/ (bad link, too many requests) under the same CSP."""
    nonce = secrets.token_urlsafe(16)
    html = f"""<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>
<meta name='viewport' content='width=device-width, initial-scale=1'><title>{escape(title)}</title>
<style nonce='{nonce}'>body {{ font-family: system-ui, sans-serif; padding: 16px; }}</style></head>
<body><h1>{escape(title)}</h1>
{content}</body></html>"""
    return HTMLResponse(html, status_code=status,
                        headers={**(headers or {}), "Content-Security-Policy": csp(nonce)})


def _expired(settings: Settings, token: str) -> bool:
    try:
        read_link(settings.secret_key, token, datetime.now(UTC))
    except TokenError as exc:
        return exc.reason == "expired"
    return False
