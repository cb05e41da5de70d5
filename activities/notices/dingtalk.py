"""DingTalk (钉钉) work notifications: gettoken (appkey + appsecret), asyncsend_v2 and
getsendresult. A send is asynchronous at DingTalk: its task id is the provider id, and whether the
employee received and read it is pulled (the notice workflow's `pull_receipts`)."""

from __future__ import annotations

from typing import Any

from activities.notices.access_tokens import TOKENS, AccessTokens
from activities.notices.oapi import call
from activities.notices.providers import ChannelConfig, NotSent, Refused
from domain.notices import dingtalk
from domain.notices.payloads import DeliveryStatus


class DingTalk:
    """The DingTalk API of one internal app (appkey, appsecret, agent id)."""

    def __init__(self, cfg: ChannelConfig, tokens: AccessTokens = TOKENS) -> None:
        self._cfg = cfg
        self._base = cfg.dingtalk_api_base_url.rstrip("/")
        self._tokens = tokens
        self._key = tokens.key(self._base, cfg.dingtalk_app_key, cfg.dingtalk_app_secret)

    async def _fetch_token(self) -> tuple[str, float]:
        status, body = await call("GET", f"{self._base}/gettoken", sends=False,
                                  timeout=self._cfg.timeout_seconds,
                                  params={"appkey": self._cfg.dingtalk_app_key,
                                          "appsecret": self._cfg.dingtalk_app_secret})
        errcode = int(body.get("errcode", 0))
        if errcode == 0 and body.get("access_token"):
            return str(body["access_token"]), float(body.get("expires_in", 7200))
        reason = f"DingTalk gettoken answered {errcode}: {body.get('errmsg', '')}"
        if dingtalk.classify(errcode) == "transient" or status >= 500:
            raise NotSent(reason)
        raise Refused(reason)

    async def _topapi(self, path: str, payload: dict[str, Any], *, sends: bool) -> dict[str, Any]:
        for fresh in (False, True):
            token = await self._tokens.get(self._key, self._fetch_token)
            status, body = await call("POST", f"{self._base}{path}", sends=sends, json=payload,
                                      timeout=self._cfg.timeout_seconds,
                                      params={"access_token": token})
            errcode = int(body.get("errcode", 0))
            kind = dingtalk.classify(errcode)
            if kind == "token" and not fresh:
                self._tokens.drop(self._key, token)
                continue
            break
        reason = f"DingTalk {path.rsplit('/', 1)[-1]} answered {errcode}: {body.get('errmsg', '')}"
        if kind in ("transient", "token") or status >= 500:
            raise NotSent(reason)
        if kind == "permanent":
            raise Refused(reason)
        return body

    async def send(self, user_id: str, msg: dict[str, Any]) -> tuple[str, DeliveryStatus]:
        """asyncsend_v2 to one user: (task id, queued)."""
        body = await self._topapi("/topapi/message/corpconversation/asyncsend_v2",
                                  {"agent_id": self._cfg.dingtalk_agent_id,
                                   "userid_list": user_id, "msg": msg}, sends=True)
        if not body.get("task_id"):
            raise Refused("DingTalk accepted the message without a task id")
        return str(body["task_id"]), DeliveryStatus.queued

    async def send_result(self, task_id: str) -> dict[str, Any]:
        """getsendresult: the read, unread, invalid, forbidden and failed user lists."""
        body = await self._topapi("/topapi/message/corpconversation/getsendresult",
                                  {"agent_id": self._cfg.dingtalk_agent_id,
                                   "task_id": int(task_id)}, sends=False)
        result = body.get("send_result")
        return result if isinstance(result, dict) else {}
