"""The Chinese channels behind send_notice: WeCom, DingTalk, and Aliyun SMS for mainland numbers.

The channel activity (send.py) claims, composes and records as for every channel; this module only
turns a composed attempt into the provider's request. Its errors are the providers' own three
(`Refused`, `NotSent`, `Unsure`), so a bad template or an unknown user fails the attempt at once and
an outage is retried.
"""

from __future__ import annotations

import json

from activities.notices.aliyun_sms import AliyunSms
from activities.notices.dingtalk import DingTalk
from activities.notices.providers import ChannelConfig
from activities.notices.wecom import WeCom
from domain.notices import aliyun_sms, dingtalk, wecom
from domain.notices.payloads import DeliveryStatus, SendRequest, SendResult
from domain.notices.text import Rendered


def aliyun_carries(cfg: ChannelConfig, phone: str | None) -> bool:
    """Whether an SMS to `phone` goes through Aliyun: a mainland number and Aliyun configured.
    Twilio keeps every other number (and mainland ones while Aliyun is not configured)."""
    return bool(phone) and cfg.aliyun_sms_configured and aliyun_sms.is_mainland(phone or "")


def pulls(cfg: ChannelConfig, result: SendResult) -> SendResult:
    """The result, marked when its reports must be pulled (a DingTalk send, an Aliyun SMS)."""
    if result.status != DeliveryStatus.queued or not result.provider_id:
        return result
    if result.channel == "dingtalk" or (result.channel == "sms" and aliyun_carries(cfg, result.to)):
        return SendResult(channel=result.channel, status=result.status,
                          provider_id=result.provider_id, to=result.to, segments=result.segments,
                          error=result.error, pull=True)
    return result


def aliyun_values(cfg: ChannelConfig, request: SendRequest, code: str) -> dict[str, str]:
    return aliyun_sms.template_values(name=request.recipient.name, code=code,
                                      hr_phone=str(request.data.get("hr_phone") or cfg.hr_phone))


def aliyun_stored_text(cfg: ChannelConfig, request: SendRequest, code: str) -> str:
    """What an Aliyun SMS is, as the attempt keeps it: the registered template and its values."""
    template = aliyun_sms.template_for(dict(cfg.aliyun_sms_template_codes), request.template)
    values = json.dumps(aliyun_values(cfg, request, code), ensure_ascii=False)
    return f"[阿里云短信 {cfg.aliyun_sms_sign_name} · 模板 {template}] {values}"


async def deliver(cfg: ChannelConfig, request: SendRequest, to: str, rendered: Rendered,
                  url: str, code: str) -> tuple[str, DeliveryStatus]:
    """Send one composed attempt on WeCom, DingTalk or (an SMS to a mainland number) Aliyun."""
    if request.channel == "sms":
        return await AliyunSms(cfg).send(phone=to, template=request.template,
                                         values=aliyun_values(cfg, request, code),
                                         out_id=request.idempotency_key)
    text = wecom.card_text(rendered.text, url)
    if request.channel == "wecom":
        body = wecom.message(
            user_id=to, agent_id=cfg.wecom_agent_id, subject=rendered.subject, text=text,
            link=url, source=cfg.company_name or "人事通知", ask_answer=request.requires_answer,
            task=wecom.task_id(request.notice_id, request.attempt_no))
        return await WeCom(cfg).send(body)
    return await DingTalk(cfg).send(to, dingtalk.message(subject=rendered.subject, text=text,
                                                         link=url))
