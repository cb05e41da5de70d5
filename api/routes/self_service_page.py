"""The employee's own page as HTML (api/routes/self_service.py serves it): their SI status, their
changes and HR's decisions, their notices and documents, and the change form with each refusal
beside its field, Chinese first. Pure functions of what the route read; every value escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from domain.employees import self_service as rules
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.labels import NOTICE_PURPOSES
from domain.shared.wording import DOCUMENT_KINDS
from store.models import NoticeRow

SHANGHAI = ZoneInfo("Asia/Shanghai")

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
        "email.format": "请填写有效的邮箱地址，例如 name@example.com。",
        "text.length": "请填写此项（不要过长）。", "text.control_character": "含有不可见的控制字符。",
        "bank_account.format": "银行账号须为 12–30 位数字（可含空格）。",
        "proposal.no_change": "您填写的信息与档案一致，无需提交。",
        "proposal.empty": "请至少填写一项要变更的信息。",
        "proposal.field_not_allowed": "此项不能通过自助修改（如社保类型、缴费基数、离职日期），请联系人事。"}
STATUS = {"pending": "待人事审核 / Waiting for HR", "approved": "已通过 / Approved",
          "rejected": "未通过 / Not approved", "superseded": "已被新的申请取代 / Replaced"}


def local(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def proposals(rows: list[Any]) -> str:
    if not rows:
        return ""
    items = "".join(
        f"<li id='proposal-{r.id}'>{escape(local(r.proposed_at))} · "
        f"{escape('、'.join(rules.FIELD_LABELS[c['field']] for c in r.changes))} · "
        f"<strong class='status-{escape(r.status)}'>{escape(STATUS.get(r.status, r.status))}</strong>"
        + (f"<br>理由 / Reason：{escape(r.reason)}" if r.status == "rejected" else "") + "</li>"
        for r in rows)
    return f"<div class='card' id='proposals'><h2>我的变更申请 / My changes</h2><ul>{items}</ul></div>"


def notices(rows: list[NoticeRow]) -> str:
    items = "".join(
        f"<li>{escape(local(n.created_at))} · {escape(NOTICE_PURPOSES.get(n.purpose, '通知'))}"
        f"{' · 已答复' if n.answered_at else ''}</li>" for n in rows) or "<li>无 / none</li>"
    return f"<div class='card' id='notices'><h2>我的通知 / My notices</h2><ul>{items}</ul></div>"


def documents(token: str, rows: list[Any]) -> str:
    items = "".join(
        f"<li><a href='/r/{escape(token)}/me/d/{escape(r.id)}'>{escape(r.filename)}</a> "
        f"<span class='meta'>（{escape(DOCUMENT_KINDS.get(r.kind, r.kind))}）</span></li>"
        for r in rows) or "<li>无 / none</li>"
    return f"<div class='card' id='documents'><h2>我的文件 / My documents</h2><ul>{items}</ul></div>"


def form(token: str, values: dict[str, Any], error: RuleViolation | ActionRefused | None,
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
            said = (f"<p class='error' id='{name}-error'>{escape(SAYS.get(error.code, ''))} "
                    f"<span lang='en'>{escape(error.message)}</span></p>")
        extra = f"<span class='meta'>{escape(hint)}</span>" if hint else ""
        return (f"<label for='{name}'>{escape(LABELS[name])}</label>{extra}"
                f"<input id='{name}' name='{name}' type='{kind}' "
                f"value='{escape(shown.get(name, ''))}'{invalid}>{said}")

    masked = rules.mask_bank_number(bank["number"]) if bank.get("number") else "无 / none"
    return f"""
<div class='card' id='change'><h2>申请变更个人信息 / Propose a change</h2>
<p class='meta'>可变更：手机号码、电子邮箱、紧急联系人、工资银行账户，人事审核后生效。
社保类型、缴费基数和离职日期请联系人事。</p>{top}
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


def page(name: str, content: str, nonce: str) -> str:
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
