"""The employee's personal link: an open pixel, a phone-sized page, and the answer it posts.

Opening the page (or loading the pixel) records `opened`, which a mail scanner's prefetch can do
too; only the employee's own POST records `read` and the answer, once: a second POST shows the
answer on record and writes nothing. Every page carries a CSP whose only allowance is its own
nonce'd style block; api/edges.py adds the other headers and the rate limit to all of /r/.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from datetime import UTC, date, datetime
from html import escape
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from api.deps import SettingsDep, TemporalDep
from api.errors import file_response
from api.routes.webhooks import _signal
from api.schemas import PlainText
from domain.notices.payloads import Answer, DeliveryStatus, Receipt
from domain.notices.text import LINK_WITHHELD
from domain.shared.input_rules import check_date_in_window
from domain.shared.labels import NOTICE_PURPOSES
from domain.shared.tokens import LinkParams, TokenError, read_link
from settings import Settings
from store import notices as store
from store.models import NoticeRow

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
    if notice.answered_at is not None:
        return _html(notice, _recorded(notice, again=False))
    attempt = await asyncio.to_thread(store.latest_attempt, settings.db_url, notice.id, "email")
    text = attempt.body if attempt is not None else ""
    return _html(notice, _form(token, notice, text))


@router.post("/{token}", response_class=HTMLResponse, responses=BAD_LINK)
async def answer_notice(token: str, settings: SettingsDep, client: TemporalDep,
                        choice: Annotated[str, Form()] = "confirm",
                        text: Annotated[PlainText, Form(max_length=2000)] = "",
                        return_date: Annotated[str, Form()] = "") -> HTMLResponse:
    """Records the employee's confirmation or answer, once: the only thing that acknowledges a
    notice. A link that was answered already shows the answer on record and records nothing."""
    found = await _notice(settings, token)
    if found is None:
        return _bad_link(settings, token)
    notice, link = found
    answer = Answer(at=datetime.now(UTC), channel="link",
                    choice="answer" if choice == "answer" else "confirm", text=text.strip(),
                    return_date=_date(return_date))
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
    if answer.get("choice") == "confirm":
        given = "<p>您已确认收到此通知。</p>"
    else:
        given = f"<p>您的回复：{escape(str(answer.get('text') or ''))}</p>"
    if answer.get("return_date"):
        given += f"<p>预计返岗日期：{escape(str(answer['return_date']))}</p>"
    lead = "此通知已答复，以首次答复为准，本次提交未记录。" if again else "此通知已答复。"
    return (f"<div class='done' id='answered'><p>{lead}</p>{given}"
            f"<p class='meta'>答复时间：{escape(at)}（北京时间）</p>"
            "<p lang='en'>This notice has been answered; the first answer stands.</p></div>")


def _form(token: str, notice: NoticeRow, text: str) -> str:
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in _readable(text))
    ask_date = notice.purpose == "return_to_work"
    date_field = ("<label>预计返岗日期 <input type='date' name='return_date'></label>"
                  if ask_date else "")
    return f"""
<div class='notice'>{paragraphs}</div>
<form method='post' action='/r/{escape(token)}'>
  <button type='submit' name='choice' value='confirm' id='confirm'>我已收到并确认</button>
  <p class='or'>或者回复人事：</p>
  {date_field}
  <textarea name='text' rows='4' placeholder='例如：我将于 2026-12-01 返岗 / 我无法返岗，因为…'></textarea>
  <button type='submit' name='choice' value='answer' id='answer' class='secondary'>提交回复</button>
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
