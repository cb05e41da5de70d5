"""DingTalk (钉钉) work notifications (工作通知): the message, the read status, error classes.

Follows DingTalk's server API reference (open.dingtalk.com): "发送工作通知"
(topapi/message/corpconversation/asyncsend_v2), "获取工作通知消息的发送结果" (.../getsendresult:
send_result with read_user_id_list, unread_user_id_list, invalid_user_id_list,
forbidden_user_id_list, failed_user_id_list) and "错误码". Pure functions; no I/O.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from domain.notices.payloads import DeliveryStatus

MSG_MAX_BYTES = 2048  # the whole msg object, as JSON
TOKEN_ERRORS = frozenset({40014, 42001})  # invalid / expired access_token
# -1 busy; 143103/143104 QPM limits (企业/单应用每分钟发送人次超限); 1430003 OAPI protection.
TRANSIENT_ERRORS = frozenset({-1, 143103, 143104, 143203, 143204, 1430003})
ErrorClass = Literal["ok", "token", "transient", "permanent"]


def classify(errcode: int) -> ErrorClass:
    """Whether an errcode heals; credentials, an unknown user, a bad message never do."""
    if errcode == 0:
        return "ok"
    if errcode in TOKEN_ERRORS:
        return "token"
    if errcode in TRANSIENT_ERRORS:
        return "transient"
    return "permanent"


def _clip_bytes(text: str, limit: int) -> str:
    data = text.encode()
    return text if len(data) <= limit else data[:limit - 3].decode(errors="ignore") + "…"


def message(*, subject: str, text: str, link: str) -> dict[str, Any]:
    """An action card: the notice's title and text (markdown) and one button to the personal page.
    The whole msg stays within 2,048 bytes (the text is cut first)."""
    def card(markdown: str) -> dict[str, Any]:
        return {"msgtype": "action_card",
                "action_card": {"title": _clip_bytes(subject, 64), "markdown": markdown,
                                "single_title": "查看并答复", "single_url": link}}
    budget = MSG_MAX_BYTES - len(json.dumps(card(""), ensure_ascii=False).encode())
    body = f"#### {subject}\n\n" + text.replace("\n", "\n\n")
    return card(_clip_bytes(body, max(budget - 16, 0)))


def send_status(send_result: dict[str, Any], user_id: str) -> tuple[DeliveryStatus, str] | None:
    """What getsendresult says of one user: (status, reason) or None while it is still processing.
    Read → read; unread → delivered (it is in their 工作通知); invalid, forbidden (flow control,
    e.g. the same content twice a day) or failed → failed."""
    def listed(name: str) -> bool:
        return user_id in (send_result.get(name) or [])
    if listed("read_user_id_list"):
        return DeliveryStatus.read, ""
    if listed("unread_user_id_list"):
        return DeliveryStatus.delivered, ""
    if listed("invalid_user_id_list"):
        return DeliveryStatus.failed, "invalid_user"
    if listed("forbidden_user_id_list"):
        codes = [str(f.get("code", "")) for f in send_result.get("forbidden_list") or []
                 if f.get("userid") == user_id]
        return DeliveryStatus.failed, "forbidden:" + (codes[0] if codes else "")
    if listed("failed_user_id_list"):
        return DeliveryStatus.failed, "failed"
    return None
