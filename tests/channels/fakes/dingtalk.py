"""A DingTalk (钉钉) server: gettoken, 发送工作通知 (asyncsend_v2) and 获取工作通知消息的发送结果
(getsendresult), built from DingTalk's server API reference (docs/channels.md)."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aiohttp import web

from tests.channels.fakes.base import FakeServer

MSG_TYPES = ("text", "image", "voice", "file", "link", "oa", "markdown", "action_card")


@dataclass
class FakeDingTalk(FakeServer):
    app_key: str = "dingappkey0001"
    app_secret: str = "dingtalk-app-secret"
    agent_id: int = 2000001
    users: set[str] = field(default_factory=lambda: {"manager4220", "0456"})
    token_seconds: int = 7200
    per_minute: int = 30  # sends in a minute beyond this: 143103 (单应用消息发送人次QPM超限)
    script: list[int] = field(default_factory=list)  # errcodes for the next asyncsend_v2 calls
    read_after: int | None = None  # the users read a task at its Nth getsendresult (end to end)
    gettoken_calls: int = 0
    send_calls: int = 0
    result_calls: int = 0
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)  # task id → its send result
    sent: list[dict[str, Any]] = field(default_factory=list)
    _tokens: dict[str, float] = field(default_factory=dict)
    _today: dict[tuple[str, str], date] = field(default_factory=dict)  # (user, msg) → day sent
    _minute: list[float] = field(default_factory=list)
    _asked: dict[int, int] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/gettoken", self._gettoken)
        app.router.add_post("/topapi/message/corpconversation/asyncsend_v2", self._send)
        app.router.add_post("/topapi/message/corpconversation/getsendresult", self._result)
        return app

    def expire_tokens(self) -> None:
        self._tokens = dict.fromkeys(self._tokens, 0.0)

    def read(self, task_id: int, user: str) -> None:
        """The user opens the work notification."""
        result = self.tasks[task_id]
        if user in result["unread_user_id_list"]:
            result["unread_user_id_list"].remove(user)
            result["read_user_id_list"].append(user)

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.gettoken_calls += 1
        q = request.query
        if q.get("appkey") != self.app_key or q.get("appsecret") != self.app_secret:
            if "appkey" not in q or "appsecret" not in q:
                self.violation(f"gettoken without appkey/appsecret: {sorted(q)}")
            return _err(40089, "不合法的corpid或corpsecret")
        token = base64.b16encode(os.urandom(16)).decode().lower()
        self._tokens[token] = self.now() + self.token_seconds
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token,
                                  "expires_in": self.token_seconds})

    def _token_error(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token")
        if not token:
            self.violation("topapi call without access_token")
            return _err(40014, "不合法的access_token")
        if token not in self._tokens:
            return _err(40014, "不合法的access_token")
        if self._tokens[token] <= self.now():
            return _err(42001, "access_token超时")
        return None

    async def _json(self, request: web.Request) -> dict[str, Any] | None:
        try:
            body = json.loads(await request.read())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self.violation(f"{request.path}: body is not a JSON object")
            return None
        return body

    async def _send(self, request: web.Request) -> web.Response:
        self.send_calls += 1
        refused = self._token_error(request)
        if refused is not None:
            return refused
        body = await self._json(request)
        if body is None:
            return _err(40035, "不合法的参数")
        problem = self._check(body)
        if problem is not None:
            self.violation(f"asyncsend_v2: {problem[1]}")
            return _err(*problem)
        if self.script:
            return _err(self.script.pop(0), "scripted")
        self._minute = [t for t in self._minute if t > self.now() - 60]
        if len(self._minute) >= self.per_minute:
            return _err(143103, "企业单应用消息发送人次QPM超限")
        self._minute.append(self.now())
        users = [u for u in str(body["userid_list"]).split(",") if u]
        msg = json.dumps(body["msg"], sort_keys=True, ensure_ascii=False)
        result: dict[str, Any] = {"invalid_user_id_list": [], "forbidden_user_id_list": [],
                                  "failed_user_id_list": [], "read_user_id_list": [],
                                  "unread_user_id_list": [], "invalid_dept_id_list": [],
                                  "forbidden_list": []}
        for user in users:
            if user not in self.users:
                result["invalid_user_id_list"].append(user)
            elif self._today.get((user, msg)) == date.today():  # 同一内容一天只能接收一次
                result["forbidden_user_id_list"].append(user)
                result["forbidden_list"].append({"code": "143106", "count": 1, "userid": user})
            else:
                self._today[(user, msg)] = date.today()
                result["unread_user_id_list"].append(user)
                self.sent.append({"userid": user, "msg": body["msg"]})
        task_id = 256_000_000 + len(self.tasks) + 1
        self.tasks[task_id] = result
        return web.json_response({"errcode": 0, "errmsg": "ok", "task_id": task_id,
                                  "request_id": f"req{task_id}"})

    def _check(self, body: dict[str, Any]) -> tuple[int, str] | None:
        if not isinstance(body.get("agent_id"), int) or body["agent_id"] != self.agent_id:
            return 40035, f"agent_id {body.get('agent_id')!r} is not this app's"
        users = body.get("userid_list")
        if not users and not body.get("dept_id_list") and not body.get("to_all_user"):
            return 1430000, "接受者为空"
        if users is not None and (not isinstance(users, str) or len(users.split(",")) > 5000):
            return 40035, "userid_list must be a comma-separated string"
        msg = body.get("msg")
        if not isinstance(msg, dict) or msg.get("msgtype") not in MSG_TYPES:
            return 40035, "msg.msgtype missing or unknown"
        if len(json.dumps(msg, ensure_ascii=False).encode()) > 2048:
            return 40035, "msg over 2048 bytes"
        part = msg.get(str(msg["msgtype"]))
        if not isinstance(part, dict):
            return 40035, f"msg.{msg['msgtype']} missing"
        if msg["msgtype"] == "action_card":
            if not part.get("title") or not part.get("markdown"):
                return 40035, "action_card needs title and markdown"
            single = bool(part.get("single_title")) and bool(part.get("single_url"))
            if not single and not part.get("btn_json_list"):
                return 40035, "action_card needs single_title + single_url or btn_json_list"
        if msg["msgtype"] == "text" and not part.get("content"):
            return 40035, "text.content missing"
        return None

    async def _result(self, request: web.Request) -> web.Response:
        self.result_calls += 1
        refused = self._token_error(request)
        if refused is not None:
            return refused
        body = await self._json(request)
        if body is None:
            return _err(40035, "不合法的参数")
        if body.get("agent_id") != self.agent_id or not isinstance(body.get("task_id"), int):
            self.violation(f"getsendresult: agent_id/task_id not numbers of ours: {body}")
            return _err(40035, "不合法的参数")
        result = self.tasks.get(body["task_id"])
        if result is None:
            return _err(40035, "task_id不存在")
        self._asked[body["task_id"]] = self._asked.get(body["task_id"], 0) + 1
        if self.read_after is not None and self._asked[body["task_id"]] >= self.read_after:
            for user in list(result["unread_user_id_list"]):
                self.read(body["task_id"], user)
        return web.json_response({"errcode": 0, "errmsg": "ok", "send_result": result})


def _err(code: int, text: str) -> web.Response:
    return web.json_response({"errcode": code, "errmsg": text})
