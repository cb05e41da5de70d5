"""Notices (通知): delivery-status rules, proof grades and the lines a bundle shows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.notices.payloads import (
    CHANNELS,
    Answer,
    AttemptView,
    Channel,
    DeliveryStatus,
    NoticeInput,
    NoticeRecipient,
    NoticeSummary,
)
from domain.shared.people import Recipient


def informational_notice(subject_id: str, purpose: str, to: Recipient, data: dict[str, Any],
                         time_scale: float, template: str = "generic",
                         quiet_hours: bool = False) -> NoticeInput:
    """A notice to HR, a manager or a contact, tracked to delivery, no answer asked for: a person
    of the directory on their channels in their order, then the outbox (the send reads their
    addresses); anyone else on every channel they have an address for, else the outbox."""
    if to.person_id is not None:
        channels: tuple[Channel, ...] = tuple(c for c in CHANNELS if c in to.channels)
        channels = tuple(sorted(channels, key=to.channels.index)) + ("outbox",)
        recipient = NoticeRecipient(name=to.name, role=to.role, person_id=to.person_id)
    else:
        by_address: tuple[tuple[Channel, str | None], ...] = (("sms", to.phone),
                                                              ("email", to.email))
        channels = tuple(c for c, address in by_address if address) or ("outbox",)
        recipient = NoticeRecipient(name=to.name, role=to.role, phone=to.phone, email=to.email)
    return NoticeInput(subject_id=subject_id, purpose=purpose, template=template, data=data,
                       recipient=recipient, channels=channels, requires_answer=False,
                       reminder_before=None, time_scale=time_scale, quiet_hours=quiet_hours,
                       local_writes=True)


_SHANGHAI = ZoneInfo("Asia/Shanghai")


_RANK = {
    DeliveryStatus.pending: 0, DeliveryStatus.queued: 1, DeliveryStatus.sent: 2,
    DeliveryStatus.unknown: 2, DeliveryStatus.undelivered: 3, DeliveryStatus.failed: 3,
    DeliveryStatus.delivered: 4, DeliveryStatus.opened: 5, DeliveryStatus.read: 6,
}
FAILED = frozenset({DeliveryStatus.undelivered, DeliveryStatus.failed})
REACHED = frozenset({DeliveryStatus.delivered, DeliveryStatus.opened, DeliveryStatus.read})


# Quiet hours (issue 17 §2, a product rule): no SMS and no call to action from 22:00 to 08:00
# Beijing time unless the notice is urgent.
QUIET_FROM, QUIET_UNTIL = time(22), time(8)
LINK_CHANNELS: tuple[Channel, ...] = ("wecom", "dingtalk", "email")  # carry the personal link


def quiet_until(moment: datetime) -> datetime | None:
    """08:00 Beijing time after `moment` when it falls in the quiet hours, else None."""
    local = moment.astimezone(_SHANGHAI)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_FROM else local.date()
    return datetime.combine(day, QUIET_UNTIL, tzinfo=_SHANGHAI)


def holds_for_quiet(channel: Channel, requires_answer: bool) -> bool:
    """Whether an attempt on `channel` waits out the quiet hours: every SMS, and any channel of a
    notice that asks for an answer (a call to action); the outbox never."""
    return channel == "sms" or (requires_answer and channel != "outbox")


def send_steps(channels: Sequence[Channel], pair_link: bool) -> tuple[tuple[Channel, ...], ...]:
    """The channels in the order given, one step each; with `pair_link` an SMS is sent in one step
    with the first later channel that carries the link, that one first (an SMS to a +86 number has
    no link: it must not arrive before the message it points to)."""
    rest = list(channels)
    steps: list[tuple[Channel, ...]] = []
    while rest:
        channel = rest.pop(0)
        partner = next((c for c in rest if c in LINK_CHANNELS), None) \
            if pair_link and channel == "sms" else None
        if partner is None:
            steps.append((channel,))
            continue
        rest.remove(partner)
        steps.append((partner, channel))
    return tuple(steps)


def advances(current: DeliveryStatus, new: DeliveryStatus) -> bool:
    """Whether `new` moves an attempt forward; a status never moves backwards."""
    if current in REACHED and new in FAILED:
        return False
    return _RANK[new] > _RANK[current]


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
_CHANNEL_ZH = {"sms": "短信", "email": "邮件", "outbox": "站内发件箱", "wecom": "企业微信",
               "dingtalk": "钉钉"}


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
