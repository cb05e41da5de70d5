"""A WeCom (企业微信) server: gettoken, message/send, and the encrypted callbacks WeCom makes.

Built from WeCom's server API reference (docs/channels.md): 获取access_token (path/91039),
发送应用消息 (path/90236) with 模板卡片 (path/90372), 全局错误码 (path/90313) and 加解密方案说明
(path/90968). The callback crypto here is written from that description on its own, not imported
from domain/notices/wecom.py, so a round trip checks our implementation against a second one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.channels.fakes.base import FakeServer

TASK_ID = re.compile(r"[A-Za-z0-9_@-]{1,128}")
BUTTON_TYPES = ("button_interaction", "vote_interaction", "multiple_interaction")
CARD_TYPES = ("text_notice", "news_notice", *BUTTON_TYPES)


def _sha1(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


@dataclass
class FakeWeCom(FakeServer):
    corp_id: str = "ww0123456789abcdef"
    secret: str = "wecom-app-secret"
    agent_id: int = 1000002
    callback_token: str = "CallbackToken123"
    aes_key: str = base64.b64encode(b"k" * 32).decode().rstrip("=")  # 43 chars
    members: set[str] = field(default_factory=lambda: {"ZhangSan", "LiSi"})
    unlicensed: set[str] = field(default_factory=set)
    token_seconds: int = 7200
    per_member_per_minute: int = 30          # more: 45009
    script: list[int] = field(default_factory=list)  # errcodes for the next message/send calls
    gettoken_calls: int = 0
    send_calls: int = 0
    delivered: list[dict[str, Any]] = field(default_factory=list)  # messages a member received
    _tokens: dict[str, float] = field(default_factory=dict)
    _task_ids: dict[str, str] = field(default_factory=dict)  # task id → member
    _recent: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _dupes: dict[str, float] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._send)
        return app

    def expire_tokens(self) -> None:
        """Every token issued so far expires now (42001 on its next use)."""
        self._tokens = dict.fromkeys(self._tokens, 0.0)

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.gettoken_calls += 1
        q = request.query
        if "corpid" not in q or "corpsecret" not in q:
            self.violation(f"gettoken without corpid/corpsecret: {dict(q)}")
            return _err(41004 if "corpsecret" not in q else 41002, "missing parameter")
        if q["corpid"] != self.corp_id:
            return _err(40013, "invalid corpid")
        if q["corpsecret"] != self.secret:
            return _err(40001, "invalid credential")
        token = base64.urlsafe_b64encode(os.urandom(24)).decode()
        self._tokens[token] = self.now() + self.token_seconds
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token,
                                  "expires_in": self.token_seconds})

    def _token_error(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token")
        if not token:
            self.violation("message/send without access_token")
            return _err(41001, "access_token missing")
        if token not in self._tokens:
            return _err(40014, "invalid access_token")
        if self._tokens[token] <= self.now():
            return _err(42001, "access_token expired")
        return None

    async def _send(self, request: web.Request) -> web.Response:
        self.send_calls += 1
        refused = self._token_error(request)
        if refused is not None:
            return refused
        try:
            body = json.loads(await request.read())
        except ValueError:
            self.violation("message/send body is not JSON")
            return _err(40058, "invalid json")
        problem = self._check(body)
        if problem is not None:
            code, text = problem
            self.violation(f"message/send: {text}")
            return _err(code, text)
        if self.script:
            code = self.script.pop(0)
            return _err(code, "scripted")
        users = [u for u in str(body["touser"]).split("|") if u]
        known = [u for u in users if u in self.members]
        invalid = [u for u in users if u not in self.members]
        if not known:
            return _err(81013, "user & party & tag all invalid")
        for user in known:
            recent = [t for t in self._recent[user] if t > self.now() - 60]
            if len(recent) >= self.per_member_per_minute:
                return _err(45009, "api freq out of limit")
            self._recent[user] = [*recent, self.now()]
        card = body.get("template_card") or {}
        task = card.get("task_id")
        if task is not None:
            if task in self._task_ids:
                return _err(42014, "taskid has existed")
            self._task_ids[task] = known[0]
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok",
                                  "invaliduser": "|".join(u.lower() for u in invalid),
                                  "msgid": base64.urlsafe_b64encode(os.urandom(18)).decode()}
        if card.get("card_type") in BUTTON_TYPES:
            answer["response_code"] = base64.urlsafe_b64encode(os.urandom(18)).decode()
        unlicensed = [u for u in known if u in self.unlicensed]
        if unlicensed:
            answer["unlicenseduser"] = "|".join(u.lower() for u in unlicensed)
        if not self._duplicate(body):
            self.delivered.extend({"touser": u, **body} for u in known if u not in unlicensed)
        return web.json_response(answer)

    def _duplicate(self, body: dict[str, Any]) -> bool:
        """enable_duplicate_check: the same JSON within the interval reaches nobody again."""
        if not body.get("enable_duplicate_check"):
            return False
        key = json.dumps(body, sort_keys=True, ensure_ascii=False)
        seen = self._dupes.get(key)
        self._dupes[key] = self.now()
        return seen is not None and self.now() - seen < int(body.get("duplicate_check_interval",
                                                                      1800))

    def _check(self, body: Any) -> tuple[int, str] | None:
        """The request against 发送应用消息: (errcode, what is wrong) or None."""
        if not isinstance(body, dict):
            return 40058, "body is not an object"
        if not any(body.get(k) for k in ("touser", "toparty", "totag")):
            return 40058, "touser, toparty and totag all empty"
        if not isinstance(body.get("agentid"), int) or body["agentid"] != self.agent_id:
            return 40056, f"invalid agentid {body.get('agentid')!r}"
        if body.get("enable_duplicate_check") not in (None, 0, 1):
            return 40058, "enable_duplicate_check must be 0 or 1"
        interval = body.get("duplicate_check_interval", 1800)
        if not isinstance(interval, int) or not 0 < interval <= 4 * 3600:
            return 40058, "duplicate_check_interval must be ≤ 4 hours"
        msgtype = body.get("msgtype")
        part = body.get(str(msgtype))
        if msgtype not in ("text", "textcard", "template_card") or not isinstance(part, dict):
            return 40008, f"invalid message type {msgtype!r} (or its object missing)"
        if msgtype == "text":
            content = str(part.get("content", ""))
            if not content:
                return 44004, "empty content"
            if len(content.encode()) > 2048:
                return 45002, "content over 2048 bytes"
        if msgtype == "textcard":
            for name, limit in (("title", 128), ("description", 512), ("url", 2048)):
                value = part.get(name)
                if not isinstance(value, str) or not value:
                    return 40058, f"textcard.{name} missing"
                if len(value.encode()) > limit:
                    return 45002, f"textcard.{name} over {limit} bytes"
            if len(str(part.get("btntxt", ""))) > 4:
                return 40058, "textcard.btntxt over 4 characters"
        if msgtype == "template_card":
            return _check_card(part)
        return None

    # -- the callbacks WeCom makes -----------------------------------------------------------

    def encrypt(self, message: bytes) -> str:
        key = base64.b64decode(self.aes_key + "=")
        plain = os.urandom(16) + struct.pack("!I", len(message)) + message + self.corp_id.encode()
        n = 32 - len(plain) % 32
        plain += bytes([n]) * n
        enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(enc.update(plain) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> bytes:
        key = base64.b64decode(self.aes_key + "=")
        dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        plain = dec.update(base64.b64decode(encrypted)) + dec.finalize()
        plain = plain[:-plain[-1]]
        (length,) = struct.unpack("!I", plain[16:20])
        assert plain[20 + length:].decode() == self.corp_id, "reply not addressed to our corp"
        return plain[20:20 + length]

    def signed_query(self, encrypted: str, timestamp: str | None = None,
                     nonce: str = "1372623149") -> dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        return {"msg_signature": _sha1(self.callback_token, timestamp, nonce, encrypted),
                "timestamp": timestamp, "nonce": nonce}

    def url_check(self, echo: str) -> str:
        """The query of WeCom's GET that checks the callback URL (echostr: `echo` encrypted)."""
        encrypted = self.encrypt(echo.encode())
        return "?" + urlencode({**self.signed_query(encrypted), "echostr": encrypted})

    def click(self, user: str, task_id: str, key: str = "confirm",
              created: int | None = None) -> tuple[str, bytes]:
        """The callback of a member's button click: (query string, XML body)."""
        assert self._task_ids.get(task_id) == user, f"no card {task_id} was delivered to {user}"
        created = created or int(time.time())
        inner = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName><FromUserName>"
                 f"<![CDATA[{user}]]></FromUserName><CreateTime>{created}</CreateTime>"
                 "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]>"
                 f"</Event><EventKey><![CDATA[{key}]]></EventKey><TaskId><![CDATA[{task_id}]]>"
                 "</TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode>"
                 "<![CDATA[rc-1]]></ResponseCode><AgentID>"
                 f"{self.agent_id}</AgentID></xml>").encode()
        encrypted = self.encrypt(inner)
        outer = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName><AgentID><![CDATA["
                 f"{self.agent_id}]]></AgentID><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        return "?" + urlencode(self.signed_query(encrypted)), outer.encode()

    def open_reply(self, reply: str, nonce: str = "1372623149") -> bytes:
        """A passive reply of ours, its signature checked, decrypted."""
        encrypted = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", reply)
        signature = re.search(r"<MsgSignature><!\[CDATA\[(.*?)\]\]>", reply)
        stamp = re.search(r"<TimeStamp>(\d+)</TimeStamp>", reply)
        assert encrypted and signature and stamp, f"not a WeCom reply: {reply}"
        assert signature.group(1) == _sha1(self.callback_token, stamp.group(1), nonce,
                                           encrypted.group(1)), "reply signature does not match"
        return self.decrypt(encrypted.group(1))


def _check_card(card: dict[str, Any]) -> tuple[int, str] | None:
    card_type = card.get("card_type")
    if card_type not in CARD_TYPES:
        return 40058, f"template_card.card_type {card_type!r}"
    if card_type in BUTTON_TYPES or card.get("action_menu"):
        task = card.get("task_id")
        if not isinstance(task, str) or not TASK_ID.fullmatch(task):
            return 42014, "taskid empty, too long or not of [0-9A-Za-z_-@]"
    title = (card.get("main_title") or {}).get("title")
    if not title and not card.get("sub_title_text"):
        return 40058, "main_title.title or sub_title_text is required"
    if card_type == "button_interaction":
        buttons = card.get("button_list")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 6:
            return 40058, "button_list must hold 1-6 buttons"
        for button in buttons:
            if not button.get("text") or not button.get("key"):
                return 40058, "a button needs text and key"
            if len(str(button["key"]).encode()) > 1024:
                return 40058, "button key over 1024 bytes"
    action = card.get("card_action")
    if card_type in ("text_notice", "news_notice") and not action:
        return 40058, "card_action is required"
    if action and action.get("type") == 1 and not action.get("url"):
        return 40058, "card_action.type 1 needs a url"
    return None


def _err(code: int, text: str) -> web.Response:
    # WeCom answers HTTP 200 with the errcode (its documented convention).
    return web.json_response({"errcode": code, "errmsg": f"{text}, hint: [fake]"})
