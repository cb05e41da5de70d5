"""Aliyun SMS (阿里云短信服务, Dysmsapi 2017-05-25) for mainland numbers: the RPC signature, the
request, the delivery report and error classes.

Follows Alibaba Cloud's "RPC 签名机制" (signature version 1.0, HMAC-SHA1: percent-encoding per
RFC 3986, canonicalized query, "POST&%2F&…", key = AccessKeySecret + "&"), the SendSms and
QuerySendDetails API references and the SMS "API 错误码" table. Pure functions; no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from domain.notices.payloads import DeliveryStatus

VERSION = "2017-05-25"
MAINLAND = "+86"
# Codes that heal (a system error, flow control): retried within the send's bounds.
TRANSIENT = frozenset({"isp.SYSTEM_ERROR", "isp.GATEWAY_ERROR", "isv.BUSINESS_LIMIT_CONTROL",
                       "Throttling", "Throttling.User", "ServiceUnavailable", "SignatureNonceUsed"})
ErrorClass = Literal["ok", "transient", "permanent"]


def classify(code: str) -> ErrorClass:
    """"OK", a code that heals, or one that never does (bad template, sign name, number, keys)."""
    if code == "OK":
        return "ok"
    if code in TRANSIENT or code.startswith("isp."):
        return "transient"
    return "permanent"


def is_mainland(phone: str) -> bool:
    """An E.164 mainland China number (+86): Aliyun carries it when configured."""
    return phone.startswith(MAINLAND) and len(phone) == 14 and phone[1:].isdigit()


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8 (A-Z a-z 0-9 - _ . ~ kept; space is %20, * is %2A)."""
    return quote(value, safe="~")


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """METHOD&%2F&percentEncode(canonicalized query), keys sorted by byte order."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}"
                         for k, v in sorted(params.items()))
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def sign(method: str, params: Mapping[str, str], secret: str) -> str:
    """Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))."""
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(),
                      hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed(method: str, action: str, params: Mapping[str, str], *, access_key_id: str,
           secret: str, nonce: str, now: datetime) -> dict[str, str]:
    """The request's parameters: the common ones, the action's, and Signature."""
    common = {"AccessKeyId": access_key_id, "Action": action, "Format": "JSON",
              "RegionId": "cn-hangzhou", "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce,
              "SignatureVersion": "1.0", "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "Version": VERSION}
    merged = {**common, **params}
    return {**merged, "Signature": sign(method, merged, secret)}


def send_params(*, phone: str, sign_name: str, template_code: str, template_param: Mapping[str, str],
                out_id: str) -> dict[str, str]:
    """SendSms's own parameters: the 11-digit number, the sign, the template and its values
    (JSON of strings, no URL: Aliyun refuses links in variables), our attempt key as OutId."""
    return {"PhoneNumbers": phone.removeprefix(MAINLAND), "SignName": sign_name,
            "TemplateCode": template_code, "OutId": out_id[:256],
            "TemplateParam": json.dumps({k: str(v) for k, v in template_param.items()},
                                        ensure_ascii=False, separators=(",", ":"))}


def template_values(*, name: str, code: str, hr_phone: str) -> dict[str, str]:
    """The variables a Caseguard template uses: ${name}, ${code} (the notice code), ${phone} (HR).
    Each within the 35 characters a notification variable may hold."""
    return {"name": name[:35], "code": code[:35], "phone": (hr_phone or "-")[:35]}


def template_for(codes: Mapping[str, str], template: str) -> str:
    """The TemplateCode of a notice template, else the default ("*"); "" when none is set."""
    return codes.get(template) or codes.get("*", "")


def report(detail: Mapping[str, Any]) -> tuple[DeliveryStatus, str] | None:
    """One SmsSendDetailDTO: SendStatus 3 delivered, 2 failed (its ErrCode), 1 still waiting."""
    status = int(detail.get("SendStatus", 1))
    if status == 3:
        return DeliveryStatus.delivered, str(detail.get("ErrCode", "DELIVERED"))
    if status == 2:
        return DeliveryStatus.failed, str(detail.get("ErrCode", ""))
    return None
