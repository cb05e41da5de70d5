"""An Aliyun SMS (Dysmsapi 2017-05-25) endpoint: SendSms and QuerySendDetails, RPC-signed, built
from Alibaba Cloud's RPC signature description and the SMS API reference (docs/channels.md).

The signature is checked with an implementation written here from the description (not imported
from domain/notices/aliyun_sms.py): a request we sign wrongly is answered SignatureDoesNotMatch
and listed as a violation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.channels.fakes.base import FakeServer

COMMON = ("AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce",
          "SignatureVersion", "Timestamp", "Version", "Signature")
VARIABLE = re.compile(r"\$\{(\w+)\}")


def _enc(value: str) -> str:
    # RFC 3986: unreserved A-Z a-z 0-9 - _ . ~ stay; everything else %XX of UTF-8.
    return "".join(c if re.fullmatch(r"[A-Za-z0-9\-_.~]", c) else
                   "".join(f"%{b:02X}" for b in c.encode()) for c in value)


@dataclass
class FakeAliyunSms(FakeServer):
    access_key_id: str = "LTAI5tFakeKeyId0001"
    access_key_secret: str = "fake-access-key-secret"
    sign_names: set[str] = field(default_factory=lambda: {"测试公司"})
    templates: dict[str, str] = field(default_factory=lambda: {
        "SMS_470001": "${name}您好：您有一份人事通知（编号${code}），请查收邮件或致电${phone}。"})
    per_phone_per_minute: int = 1  # 短信通知 flow control: isv.BUSINESS_LIMIT_CONTROL
    script: list[str] = field(default_factory=list)  # Codes for the next SendSms calls
    deliver_after: int | None = None  # the receipt is there at the Nth QuerySendDetails (e2e)
    requests: list[dict[str, str]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    _nonces: set[str] = field(default_factory=set)
    _by_phone: dict[str, list[float]] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/", self._rpc)
        return app

    def report(self, biz_id: str, delivered: bool, err_code: str = "DELIVERED") -> None:
        """The carrier's receipt arrives for one message."""
        for sms in self.sent:
            if sms["BizId"] == biz_id:
                sms["SendStatus"] = 3 if delivered else 2
                sms["ErrCode"] = err_code if delivered else (err_code or "MK:0001")
                sms["ReceiveDate"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")

    async def _rpc(self, request: web.Request) -> web.Response:
        params = dict(request.query) if request.method == "GET" else \
            {k: str(v) for k, v in (await request.post()).items()}
        self.requests.append(params)
        missing = [k for k in COMMON if not params.get(k)]
        if missing:
            self.violation(f"missing {missing}")
            return _err(400, f"Missing{missing[0]}", f"{missing[0]} is mandatory")
        if params["AccessKeyId"] != self.access_key_id:
            return _err(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if (params["SignatureMethod"], params["SignatureVersion"], params["Format"],
                params["Version"]) != ("HMAC-SHA1", "1.0", "JSON", "2017-05-25"):
            self.violation(f"unexpected protocol parameters: {params}")
            return _err(400, "InvalidParameter", "SignatureMethod/Version/Format/Version")
        expected = self._signature(request.method, params)
        if not hmac.compare_digest(expected, params["Signature"]):
            self.violation(f"signature mismatch for {params['Action']}")
            return _err(400, "SignatureDoesNotMatch",
                        "Specified signature is not matched with our calculation.")
        try:
            stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            self.violation(f"Timestamp {params['Timestamp']!r} is not ISO 8601 UTC")
            return _err(400, "InvalidTimeStamp.Format", "Specified time stamp is not valid.")
        if abs(stamp.timestamp() - self.now()) > 15 * 60:
            return _err(400, "InvalidTimeStamp.Expired", "Specified time stamp is expired.")
        if params["SignatureNonce"] in self._nonces:
            return _err(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        self._nonces.add(params["SignatureNonce"])
        if params["Action"] == "SendSms":
            return self._send_sms(params)
        if params["Action"] == "QuerySendDetails":
            return self._query(params)
        self.violation(f"unknown Action {params['Action']}")
        return _err(404, "InvalidAction.NotFound", "Specified api is not found.")

    def _signature(self, method: str, params: dict[str, str]) -> str:
        query = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items())
                         if k != "Signature")
        to_sign = f"{method}&{_enc('/')}&{_enc(query)}"
        digest = hmac.new(f"{self.access_key_secret}&".encode(), to_sign.encode(),
                          hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    def _send_sms(self, p: dict[str, str]) -> web.Response:
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not p.get(name):
                self.violation(f"SendSms without {name}")
                return _ok_code("isv.INVALID_PARAMETERS", f"{name} is mandatory")
        phone = p["PhoneNumbers"]
        if not re.fullmatch(r"(\+?86|0086)?1[3-9]\d{9}", phone):
            return _ok_code("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if p["SignName"] not in self.sign_names:
            return _ok_code("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        template = self.templates.get(p["TemplateCode"])
        if template is None:
            return _ok_code("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            values = json.loads(p.get("TemplateParam") or "{}")
        except ValueError:
            self.violation("TemplateParam is not JSON")
            return _ok_code("isv.INVALID_JSON_PARAM", "JSON参数不合法")
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            self.violation(f"TemplateParam values must be strings: {values}")
            return _ok_code("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        needed = VARIABLE.findall(template)
        if any(name not in values for name in needed):
            self.violation(f"TemplateParam lacks {set(needed) - set(values)}")
            return _ok_code("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
        if any("://" in v or "www." in v for v in values.values()):
            return _ok_code("isv.PARAM_NOT_SUPPORT_URL", "不支持url为变量")
        if any(len(v) > 35 for v in values.values()):
            return _ok_code("isv.PARAM_LENGTH_LIMIT", "参数超出长度限制")
        if self.script:
            code = self.script.pop(0)
            return _ok_code(code, "scripted", 500 if code.startswith("isp.") else 200)
        recent = [t for t in self._by_phone.get(phone, []) if t > self.now() - 60]
        if len(recent) >= self.per_phone_per_minute:
            return _ok_code("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
        self._by_phone[phone] = [*recent, self.now()]
        biz_id = f"{900000 + len(self.sent)}^{len(self.sent)}"
        content = "【" + p["SignName"] + "】" + VARIABLE.sub(lambda m: values[m.group(1)], template)
        self.sent.append({"BizId": biz_id, "PhoneNum": phone, "Content": content,
                          "TemplateCode": p["TemplateCode"], "OutId": p.get("OutId", ""),
                          "SendStatus": 1, "ErrCode": "", "ReceiveDate": "",
                          "SendDate": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                          "SendDay": datetime.now(UTC).strftime("%Y%m%d")})
        return web.json_response({"Code": "OK", "Message": "OK", "BizId": biz_id,
                                  "RequestId": f"req-{len(self.sent)}"})

    def _query(self, p: dict[str, str]) -> web.Response:
        for name in ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"):
            if not p.get(name):
                self.violation(f"QuerySendDetails without {name}")
                return _ok_code("isv.INVALID_PARAMETERS", f"{name} is mandatory")
        if not re.fullmatch(r"\d{8}", p["SendDate"]) or not 1 <= int(p["PageSize"]) <= 50:
            self.violation(f"QuerySendDetails SendDate/PageSize malformed: {p}")
            return _ok_code("isv.INVALID_PARAMETERS", "SendDate yyyyMMdd, PageSize 1-50")
        rows = [s for s in self.sent if s["PhoneNum"] == p["PhoneNumber"]
                and (not p.get("BizId") or s["BizId"] == p["BizId"])]
        for row in rows:
            row["Asked"] = row.get("Asked", 0) + 1
            if self.deliver_after is not None and row["Asked"] >= self.deliver_after \
                    and row["SendStatus"] == 1:
                self.report(row["BizId"], delivered=True)
        dtos = [{k: v for k, v in s.items() if k not in ("BizId", "SendDay", "Asked")}
                for s in rows]
        return web.json_response({"Code": "OK", "Message": "OK", "RequestId": "req-q",
                                  "TotalCount": len(dtos),
                                  "SmsSendDetailDTOs": {"SmsSendDetailDTO": dtos}})


def _ok_code(code: str, message: str, status: int = 200) -> web.Response:
    return web.json_response({"Code": code, "Message": message, "RequestId": "req-e"},
                             status=status)


def _err(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"Code": code, "Message": message, "RequestId": "req-e",
                              "HostId": "dysmsapi.aliyuncs.com"}, status=status)
