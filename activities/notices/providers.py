"""The providers behind the notice channels: Twilio SMS and SMTP email (aiosmtplib).

Each send either returns (provider id, first status) or raises one of three errors, which the
channel activity (activities/notices/send.py) turns into an attempt's state:
`Refused` (failed for good), `NotSent` (nothing left: a retry may send) and `Unsure` (it may have
gone out: never send it again).
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

import aiosmtplib

from domain.notices.payloads import DeliveryStatus, SendRequest
from domain.notices.text import Rendered
from settings import Settings

EMAIL_MIME = policy.SMTP.clone(cte_type="7bit")  # 7-bit clean: no 8BITMIME needed from the server


@dataclass(frozen=True)
class ChannelConfig:
    """What the channels need from Settings; secrets are kept out of repr."""

    secret_key: str = field(repr=False)
    public_base_url: str = "http://127.0.0.1:8000"
    link_days: int = 30
    hr_phone: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = field(default="", repr=False)
    twilio_from_number: str = ""
    twilio_api_base_url: str = ""  # tests point this at Prism; empty = Twilio itself
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = "Caseguard <caseguard@localhost>"
    smtp_starttls: bool = False
    timeout_seconds: float = 30.0
    wecom_corp_id: str = ""
    wecom_agent_id: int = 0
    wecom_secret: str = field(default="", repr=False)
    wecom_api_base_url: str = "https://qyapi.weixin.qq.com"
    dingtalk_app_key: str = ""
    dingtalk_app_secret: str = field(default="", repr=False)
    dingtalk_agent_id: int = 0
    dingtalk_api_base_url: str = "https://oapi.dingtalk.com"
    aliyun_sms_access_key_id: str = ""
    aliyun_sms_access_key_secret: str = field(default="", repr=False)
    aliyun_sms_sign_name: str = ""
    aliyun_sms_template_codes: tuple[tuple[str, str], ...] = ()  # (notice template or "*", code)
    aliyun_sms_endpoint: str = "https://dysmsapi.aliyuncs.com"
    company_name: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> ChannelConfig:
        """The channel part of the settings."""
        return cls(
            secret_key=settings.secret_key, public_base_url=settings.public_base_url,
            link_days=settings.link_days, hr_phone=settings.hr_phone,
            twilio_account_sid=settings.twilio_account_sid,
            twilio_auth_token=settings.twilio_auth_token,
            twilio_from_number=settings.twilio_from_number,
            twilio_api_base_url=settings.twilio_api_base_url, smtp_host=settings.smtp_host,
            smtp_port=settings.smtp_port, smtp_username=settings.smtp_username,
            smtp_password=settings.smtp_password, smtp_from=settings.smtp_from,
            smtp_starttls=settings.smtp_starttls, wecom_corp_id=settings.wecom_corp_id,
            wecom_agent_id=settings.wecom_agent_id,
            wecom_secret=settings.wecom_secret.get_secret_value(),
            wecom_api_base_url=settings.wecom_api_base_url,
            dingtalk_app_key=settings.dingtalk_app_key,
            dingtalk_app_secret=settings.dingtalk_app_secret.get_secret_value(),
            dingtalk_agent_id=settings.dingtalk_agent_id,
            dingtalk_api_base_url=settings.dingtalk_api_base_url,
            aliyun_sms_access_key_id=settings.aliyun_sms_access_key_id,
            aliyun_sms_access_key_secret=settings.aliyun_sms_access_key_secret.get_secret_value(),
            aliyun_sms_sign_name=settings.aliyun_sms_sign_name,
            aliyun_sms_template_codes=tuple(sorted(settings.aliyun_sms_template_codes.items())),
            aliyun_sms_endpoint=settings.aliyun_sms_endpoint, company_name=settings.company_name)

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    @property
    def wecom_configured(self) -> bool:
        return bool(self.wecom_corp_id and self.wecom_secret and self.wecom_agent_id)

    @property
    def dingtalk_configured(self) -> bool:
        return bool(self.dingtalk_app_key and self.dingtalk_app_secret and self.dingtalk_agent_id)

    @property
    def aliyun_sms_configured(self) -> bool:
        return bool(self.aliyun_sms_access_key_id and self.aliyun_sms_access_key_secret
                    and self.aliyun_sms_sign_name and self.aliyun_sms_template_codes)

    @property
    def base_url(self) -> str:
        return self.public_base_url.rstrip("/")


class Refused(Exception):
    """The provider refused for good (invalid number, 5xx SMTP reply): a failed result."""


class NotSent(Exception):
    """A transient failure before the provider accepted anything: the retry may send."""


class Unsure(Exception):
    """The request may have been accepted (connection lost mid-way): never send it again."""


async def load_apart(module: str) -> None:
    """Import `module` in a thread the first time: an import of a client library takes 100-200 ms,
    which every workflow of the worker would wait out on its event loop."""
    if module not in sys.modules:
        await asyncio.to_thread(importlib.import_module, module)


async def send_sms(cfg: ChannelConfig, to: str, body: str) -> tuple[str, DeliveryStatus]:
    """Send one SMS through Twilio; the SID and the first status come from its answer. Twilio's
    library, with requests and aiohttp beneath it (some 17 MB a process), loads with the first
    SMS: a deployment on WeCom, DingTalk or Aliyun SMS never loads it."""
    await load_apart("activities.notices.twilio_sms")
    from activities.notices import twilio_sms

    return await twilio_sms.send(cfg, to, body)


async def send_email(cfg: ChannelConfig, request: SendRequest, to: str,
                     rendered: Rendered) -> tuple[str, DeliveryStatus]:
    """Send one email over SMTP; acceptance after DATA is the receipt (Message-ID recorded)."""
    mid = message_id(request.idempotency_key, cfg.smtp_from)
    raw = email_bytes(cfg.smtp_from, request.recipient.name, to, rendered, mid)
    smtp = aiosmtplib.SMTP(hostname=cfg.smtp_host, port=cfg.smtp_port,
                           username=cfg.smtp_username or None,
                           password=cfg.smtp_password or None,
                           start_tls=cfg.smtp_starttls, timeout=cfg.timeout_seconds)
    try:
        try:  # nothing is accepted before DATA completes: any failure here may be retried
            await smtp.connect()
            await smtp.mail(parseaddr(cfg.smtp_from)[1])
            await smtp.rcpt(to)
        except aiosmtplib.SMTPResponseException as exc:
            raise smtp_refusal(exc) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise NotSent(f"SMTP server not reachable: {exc!r}") from exc
        try:
            await smtp.data(raw)
        except aiosmtplib.SMTPResponseException as exc:
            raise smtp_refusal(exc) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise Unsure(f"the SMTP connection broke during DATA: {exc!r}") from exc
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            pass  # accepted already
    finally:
        smtp.close()
    return mid, DeliveryStatus.sent


def message_id(idempotency_key: str, sender: str) -> str:
    """One Message-ID per attempt, derived from its key (a resend would carry the same id)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "caseguard.invalid"
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}.notice@{domain}>"


def email_bytes(sender: str, name: str, to: str, rendered: Rendered, message_id: str) -> bytes:
    """A text + HTML message asking for a read receipt (MDN) to the sender (HR)."""
    message = EmailMessage(policy=EMAIL_MIME)
    message["From"] = sender
    message["To"] = formataddr((name, to))
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    message["Disposition-Notification-To"] = sender
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message.as_bytes()


def smtp_refusal(exc: aiosmtplib.SMTPResponseException) -> Exception:
    reason = f"SMTP server answered {exc.code}: {exc.message}"
    return NotSent(reason) if 400 <= exc.code < 500 else Refused(reason)
