"""Notices (通知): one message to one person, sent on channels in order, tracked to an answer.

Only an explicit answer acknowledges a notice. Delivery statuses never move backwards; an email
open is weak evidence (mail clients pre-fetch pixels); a missing delivery report is `unknown`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

_SHANGHAI = ZoneInfo("Asia/Shanghai")
Channel = Literal["sms", "email", "outbox"]
CHANNELS: tuple[Channel, ...] = ("sms", "email", "outbox")


class DeliveryStatus(StrEnum):
    pending = "pending"      # not yet accepted by the provider
    queued = "queued"        # accepted by the provider (Twilio: queued/accepted)
    sent = "sent"            # handed to the carrier / the receiving mail server
    unknown = "unknown"      # the provider sent no delivery report (not a failure)
    delivered = "delivered"  # carrier receipt
    opened = "opened"        # email pixel loaded: weak evidence
    read = "read"            # read receipt (WhatsApp/RCS read, email MDN) or the link opened
    undelivered = "undelivered"
    failed = "failed"


_RANK = {
    DeliveryStatus.pending: 0, DeliveryStatus.queued: 1, DeliveryStatus.sent: 2,
    DeliveryStatus.unknown: 2, DeliveryStatus.undelivered: 3, DeliveryStatus.failed: 3,
    DeliveryStatus.delivered: 4, DeliveryStatus.opened: 5, DeliveryStatus.read: 6,
}
FAILED = frozenset({DeliveryStatus.undelivered, DeliveryStatus.failed})
REACHED = frozenset({DeliveryStatus.delivered, DeliveryStatus.opened, DeliveryStatus.read})


def advances(current: DeliveryStatus, new: DeliveryStatus) -> bool:
    """Whether `new` moves an attempt forward; a status never moves backwards."""
    if current in REACHED and new in FAILED:
        return False
    return _RANK[new] > _RANK[current]


@dataclass(frozen=True)
class NoticeRecipient:
    name: str
    role: str = "employee"
    phone: str | None = None
    email: str | None = None
    locale: Literal["zh-CN", "en"] = "zh-CN"


@dataclass(frozen=True)
class NoticeInput:
    subject_id: str
    purpose: str
    template: str
    data: dict[str, Any]
    recipient: NoticeRecipient
    channels: tuple[Channel, ...]
    response_window: timedelta = timedelta(days=3)
    fallback_delay: timedelta = timedelta(hours=24)
    reminder_before: timedelta | None = timedelta(days=1)
    requires_answer: bool = True
    time_scale: float = 1.0


@dataclass(frozen=True)
class SendRequest:
    """One attempt on one channel; the idempotency key makes a retried send send nothing twice."""

    idempotency_key: str
    notice_id: str
    subject_id: str
    attempt_no: int
    channel: Channel
    recipient: NoticeRecipient
    purpose: str
    template: str
    data: dict[str, Any]
    reminder: bool = False


@dataclass(frozen=True)
class SendResult:
    channel: Channel
    status: DeliveryStatus
    provider_id: str | None = None
    to: str = ""
    segments: int = 0
    error: str = ""


@dataclass(frozen=True)
class Receipt:
    """A provider or page report about one attempt (identified by provider id or attempt no)."""

    status: DeliveryStatus
    at: datetime
    attempt_no: int
    source: str
    error_code: str = ""


@dataclass(frozen=True)
class Answer:
    at: datetime
    channel: str
    choice: Literal["confirm", "answer"]
    text: str = ""
    return_date: date | None = None


@dataclass(frozen=True)
class AttemptView:
    attempt_no: int
    channel: Channel
    to: str
    status: DeliveryStatus
    provider_id: str | None
    reminder: bool
    sent_at: datetime
    receipts: tuple[Receipt, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class NoticeOutcome:
    notice_id: str
    result: Literal["acknowledged", "unacknowledged", "sent"]
    proof: str
    attempts: tuple[AttemptView, ...]
    answer: Answer | None = None
    closed_at: datetime | None = None
    unreachable: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def proof_grade(attempts: tuple[AttemptView, ...], answer: Answer | None) -> str:
    """The strongest proof of notice the record supports, weakest evidence labelled as such."""
    if answer is not None:
        return "acknowledged"
    statuses = {a.status for a in attempts}
    for status, grade in ((DeliveryStatus.read, "read"), (DeliveryStatus.delivered, "delivered"),
                          (DeliveryStatus.opened, "opened_weak"), (DeliveryStatus.sent, "sent"),
                          (DeliveryStatus.queued, "accepted_by_provider"),
                          (DeliveryStatus.unknown, "unknown")):
        if status in statuses:
            return grade
    return "failed" if statuses and statuses <= FAILED else "none"


@dataclass(frozen=True)
class NoticeOpen:
    notice_id: str
    input: NoticeInput
    opened_at: datetime


@dataclass(frozen=True)
class NoticeClose:
    notice_id: str
    subject_id: str
    outcome: NoticeOutcome


@dataclass(frozen=True)
class EvidenceEvent:
    """An event for the evidence ledger, appended once per idempotency key."""

    subject_id: str
    idempotency_key: str
    at: datetime
    actor: str
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class NoticeSummary:
    """What a parent workflow needs of a notice's outcome."""

    result: str
    proof: str
    unreachable: bool
    answer: Answer | None
    history: tuple[str, ...] = ()  # one line per attempt: channel, address, sent, each receipt


def outcome_of(raw: dict[str, Any]) -> NoticeSummary:
    """A NoticeOutcome's JSON (a child workflow's result) as the summary a parent acts on."""
    answer = raw.get("answer")
    return NoticeSummary(
        result=str(raw["result"]), proof=str(raw.get("proof", "")),
        unreachable=bool(raw.get("unreachable", False)),
        answer=Answer(at=datetime.fromisoformat(answer["at"]), channel=answer["channel"],
                      choice=answer["choice"], text=answer.get("text", ""),
                      return_date=date.fromisoformat(answer["return_date"])
                      if answer.get("return_date") else None) if answer else None,
        history=tuple(_attempt_line(a) for a in raw.get("attempts", ())))


_STATUS_ZH = {"pending": "待发送", "queued": "服务商已接收", "sent": "已发出", "unknown": "无送达回执",
              "delivered": "已送达", "opened": "已打开（弱证据）", "read": "已阅读",
              "undelivered": "未送达", "failed": "发送失败"}
_CHANNEL_ZH = {"sms": "短信", "email": "邮件", "outbox": "站内发件箱"}


def _attempt_line(attempt: dict[str, Any]) -> str:
    """"短信 +86138****8000：2026-11-20 10:00 发出；已送达 10:01" — Beijing time, address masked."""
    def at(value: str) -> str:
        return datetime.fromisoformat(value).astimezone(_SHANGHAI).strftime("%m-%d %H:%M")
    to = str(attempt.get("to") or "")
    masked = f"{to[:6]}****{to[-4:]}" if to.startswith("+") and len(to) > 10 else to
    steps = [f"{at(attempt['sent_at'])} {'提醒' if attempt.get('reminder') else ''}发出"]
    steps += [f"{_STATUS_ZH.get(r['status'], r['status'])} {at(r['at'])}"
              for r in attempt.get("receipts", ())]
    channel = _CHANNEL_ZH.get(attempt.get("channel", ""), attempt.get("channel", ""))
    return f"{channel} {masked}：" + "；".join(steps) + \
        f"（当前：{_STATUS_ZH.get(attempt.get('status', ''), attempt.get('status', ''))}）"
