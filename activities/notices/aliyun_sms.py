"""Aliyun SMS (阿里云短信) for mainland numbers: SendSms with a registered sign and template, and
its delivery report pulled with QuerySendDetails. RPC-signed requests (domain/notices/aliyun_sms.py)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from activities.notices.oapi import call
from activities.notices.providers import ChannelConfig, NotSent, Refused
from domain.notices import aliyun_sms
from domain.notices.payloads import DeliveryStatus


class AliyunSms:
    """The Dysmsapi endpoint with one AccessKey."""

    def __init__(self, cfg: ChannelConfig) -> None:
        self._cfg = cfg
        self._endpoint = cfg.aliyun_sms_endpoint.rstrip("/") + "/"

    async def _rpc(self, action: str, params: Mapping[str, str], *, sends: bool) -> dict[str, Any]:
        form = aliyun_sms.signed("POST", action, params,
                                 access_key_id=self._cfg.aliyun_sms_access_key_id,
                                 secret=self._cfg.aliyun_sms_access_key_secret,
                                 nonce=secrets.token_hex(16), now=datetime.now(UTC))
        status, body = await call("POST", self._endpoint, sends=sends, data=form,
                                  timeout=self._cfg.timeout_seconds)
        code = str(body.get("Code", ""))
        kind = aliyun_sms.classify(code)
        if kind == "ok":
            return body
        reason = f"Aliyun {action} answered {code}: {body.get('Message', '')}"
        if kind == "transient" or status >= 500:
            raise NotSent(reason)
        raise Refused(reason)  # a bad template, sign name, number or key: never heals by itself

    async def send(self, *, phone: str, template: str, values: Mapping[str, str],
                   out_id: str) -> tuple[str, DeliveryStatus]:
        """SendSms: (BizId, queued); the delivery report is pulled later."""
        codes = dict(self._cfg.aliyun_sms_template_codes)
        template_code = aliyun_sms.template_for(codes, template)
        if not template_code:
            raise Refused(f"no Aliyun SMS template code for notice template {template!r} "
                          "(CASEGUARD_ALIYUN_SMS_TEMPLATE_CODES)")
        body = await self._rpc("SendSms", aliyun_sms.send_params(
            phone=phone, sign_name=self._cfg.aliyun_sms_sign_name, template_code=template_code,
            template_param=values, out_id=out_id), sends=True)
        if not body.get("BizId"):
            raise Refused("Aliyun accepted the SMS without a BizId")
        return str(body["BizId"]), DeliveryStatus.queued

    async def details(self, *, phone: str, biz_id: str, send_date: str) -> list[dict[str, Any]]:
        """QuerySendDetails of one message (send_date yyyyMMdd, Beijing time)."""
        body = await self._rpc("QuerySendDetails", {
            "PhoneNumber": phone.removeprefix(aliyun_sms.MAINLAND), "BizId": biz_id,
            "SendDate": send_date, "PageSize": "10", "CurrentPage": "1"}, sends=False)
        dtos = (body.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
        return [d for d in dtos if isinstance(d, dict)]
