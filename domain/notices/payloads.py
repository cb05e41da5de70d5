"""Notice (通知) payloads: what the notice workflow, its activities and the API exchange."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

# "sms" is one channel whatever carries it: Twilio, or Aliyun SMS for mainland numbers (+86)
# when it is configured (activities/notices/send.py chooses by the number).
Channel = Literal["sms", "email", "outbox", "wecom", "dingtalk"]
CHANNELS: tuple[Channel, ...] = ("sms", "email", "outbox", "wecom", "dingtalk")


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


@dataclass(frozen=True)
class NoticeRecipient:
    name: str
    role: str = "employee"
    phone: str | None = None
    email: str | None = None
    locale: Literal["zh-CN", "en"] = "zh-CN"
    wecom_user_id: str | None = None     # 企业微信 member id (UserID)
    dingtalk_user_id: str | None = None  # 钉钉 userid
    # A person of the directory, or an employee of the employee record: the activities read their
    # addresses by this id (store/recipients.py); the workflow carries none.
    person_id: int | None = None
    employee_id: str | None = None


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
    # The channel policy (issue 17 §2), set on notices started since; the defaults are how every
    # notice before it ran, so their histories replay unchanged:
    quiet_hours: bool = False  # no SMS, and no call to action, 22:00-08:00 Beijing time
    urgent: bool = False       # … unless urgent
    pair_link: bool = False    # an SMS goes out together with a message that carries the link
    # The notice's own writes (its row, each attempt's evidence, its outcome) as local activities:
    # no activity task and no workflow task of their own (issue 21). Set on notices started since;
    # every notice before wrote through regular activities and replays so.
    local_writes: bool = False


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
    requires_answer: bool = True  # WeCom: a card with the "我已收到" button, else a text card
    # An SMS sent in one step with the message that carries the link: that message's channel,
    # which the SMS names (domain.notices.text.render `companion`)
    companion: str = ""


@dataclass(frozen=True)
class SendResult:
    channel: Channel
    status: DeliveryStatus
    provider_id: str | None = None
    to: str = ""
    segments: int = 0
    error: str = ""
    # The provider sends no report by itself: its status must be pulled (DingTalk's send result,
    # Aliyun's QuerySendDetails); the notice workflow then runs `pull_receipts` on a schedule.
    pull: bool = False


@dataclass(frozen=True)
class Receipt:
    """A provider or page report about one attempt (identified by provider id or attempt no)."""

    status: DeliveryStatus
    at: datetime
    attempt_no: int
    source: str
    error_code: str = ""


@dataclass(frozen=True)
class PullRequest:
    """Ask the provider about one attempt (by its provider id) for reports it keeps to be pulled."""

    notice_id: str
    attempt_no: int
    channel: Channel
    provider_id: str
    to: str


@dataclass(frozen=True)
class PullResult:
    receipts: tuple[Receipt, ...] = ()  # newly recorded reports, oldest first
    final: bool = False                 # nothing more will come: stop pulling


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
