"""The employee's personal link: an open pixel, a phone-sized page, and the answer it posts."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, date, datetime
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from api.deps import SettingsDep, TemporalDep
from api.errors import file_response
from api.routes.webhooks import _signal
from api.schemas import PlainText
from domain.notices.payloads import Answer, DeliveryStatus, Receipt
from domain.shared.input_rules import check_date_in_window
from domain.shared.labels import NOTICE_PURPOSES
from domain.shared.tokens import TokenError, read_token
from settings import Settings
from store import evidence
from store import notices as store
from store.models import NoticeRow

router = APIRouter(prefix="/r", tags=["employee page"], include_in_schema=True)
BAD_LINK: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not a valid link: a page saying so", "content": {"text/html": {}}},
    410: {"description": "The link has expired: a page saying so", "content": {"text/html": {}}},
}
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@router.get("/{token}/o.gif", name="open_pixel", response_class=Response,
            responses=file_response("image/gif", "A 1x1 transparent GIF"))
async def open_pixel(token: str, settings: SettingsDep, client: TemporalDep) -> Response:
    """Records an email open (weak evidence: mail clients may pre-fetch images)."""
    notice = await _notice(settings, token)
    if notice is not None:
        await _receipt(settings, client, notice, DeliveryStatus.opened, "pixel")
    return Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


@router.get("/{token}", response_class=HTMLResponse, name="notice_page", responses=BAD_LINK)
async def notice_page(token: str, settings: SettingsDep, client: TemporalDep) -> HTMLResponse:
    """The notice as the employee reads it on a phone, with the answer form."""
    notice = await _notice(settings, token)
    if notice is None:
        return _bad_link(settings, token)
    await _receipt(settings, client, notice, DeliveryStatus.read, "link")
    attempt = await asyncio.to_thread(store.latest_attempt, settings.db_url, notice.id, "email")
    text = attempt.body if attempt is not None else ""
    return HTMLResponse(_page(notice, _form(token, notice, text)))


@router.post("/{token}", response_class=HTMLResponse, responses=BAD_LINK)
async def answer_notice(token: str, settings: SettingsDep, client: TemporalDep,
                        choice: Annotated[str, Form()] = "confirm",
                        text: Annotated[PlainText, Form(max_length=2000)] = "",
                        return_date: Annotated[str, Form()] = "") -> HTMLResponse:
    """Records the employee's confirmation or answer: the only thing that acknowledges a notice."""
    notice = await _notice(settings, token)
    if notice is None:
        return _bad_link(settings, token)
    answer = Answer(at=datetime.now(UTC), channel="link",
                    choice="answer" if choice == "answer" else "confirm", text=text.strip(),
                    return_date=_date(return_date))
    await asyncio.to_thread(_answer_evidence, settings, notice, answer)
    await _signal(client, notice.id, "answer", answer)
    late = notice.status != "open"
    body = ("<p>您的回复已记录。此通知的答复期限已过，人事将与您联系。</p>" if late
            else "<p>您的回复已记录，谢谢。</p>")
    return HTMLResponse(_page(notice, f"<div class='done' id='done'>{body}"
                                      "<p lang='en'>Your answer has been recorded.</p></div>"))


async def _notice(settings: Settings, token: str) -> NoticeRow | None:
    try:
        notice_id = read_token(settings.secret_key, token, datetime.now(UTC))
    except TokenError:
        return None
    return await asyncio.to_thread(store.notice, settings.db_url, notice_id)


async def _receipt(settings: Settings, client: TemporalDep, notice: NoticeRow,
                   status: DeliveryStatus, source: str) -> None:
    attempt = await asyncio.to_thread(store.latest_attempt, settings.db_url, notice.id, "email")
    if attempt is None:
        return
    at = datetime.now(UTC)
    recorded = await asyncio.to_thread(store.record_receipt, settings.db_url, attempt, status,
                                       source, at)
    if recorded.new:
        await _signal(client, notice.id, "receipt", Receipt(status, at, attempt.attempt_no, source))


def _answer_evidence(settings: Settings, notice: NoticeRow, answer: Answer) -> None:
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id=notice.subject_id, idempotency_key=f"{notice.id}:answer:{answer.at.isoformat()}",
        at=answer.at, actor=notice.recipient_name, kind="notice_answered",
        payload={"notice_id": notice.id, "choice": answer.choice, "text": answer.text,
                 "return_date": answer.return_date.isoformat() if answer.return_date else None,
                 "after_window": notice.status != "open"}))


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
        if "://" in line or (line.rstrip().endswith(("：", ":")) and "://" in following):
            continue
        keep.append(line)
    return keep


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


def _page(notice: NoticeRow, content: str) -> str:
    title = NOTICE_PURPOSES.get(notice.purpose, "通知")
    return f"""<!doctype html>
<html lang='zh-CN'><head><meta charset='utf-8'>
<meta name='viewport' content='width=device-width, initial-scale=1'>
<title>{escape(title)}</title>
<style>
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
    html = f"""<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>
<meta name='viewport' content='width=device-width, initial-scale=1'><title>链接不可用</title></head>
<body style='font-family: system-ui, sans-serif; padding: 16px'><h1>链接不可用</h1>
<p>{message}</p><p lang='en'>{english}</p>{contact}</body></html>"""
    return HTMLResponse(html, status_code=410 if expired else 404)


def _expired(settings: Settings, token: str) -> bool:
    try:
        read_token(settings.secret_key, token, datetime.now(UTC))
    except TokenError as exc:
        return exc.reason == "expired"
    return False
