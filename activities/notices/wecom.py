"""WeCom (企业微信) application messages: gettoken (corpid + corpsecret) and message/send.

A card that asks for an answer carries the attempt as its task id, which WeCom refuses twice
(42014): a resend of one attempt can reach nobody, and a refusal for that reason means the card
went out. The click on its button comes back to api/routes/china_callbacks.py.
"""

from __future__ import annotations

from activities.notices.access_tokens import TOKENS, AccessTokens
from activities.notices.oapi import call
from activities.notices.providers import ChannelConfig, NotSent, Refused
from domain.notices import wecom
from domain.notices.payloads import DeliveryStatus


class WeCom:
    """The WeCom API of one app (corp id, agent id, secret)."""

    def __init__(self, cfg: ChannelConfig, tokens: AccessTokens = TOKENS) -> None:
        self._cfg = cfg
        self._base = cfg.wecom_api_base_url.rstrip("/")
        self._tokens = tokens
        self._key = tokens.key(self._base, cfg.wecom_corp_id, cfg.wecom_secret)

    async def _fetch_token(self) -> tuple[str, float]:
        status, body = await call("GET", f"{self._base}/cgi-bin/gettoken", sends=False,
                                  timeout=self._cfg.timeout_seconds,
                                  params={"corpid": self._cfg.wecom_corp_id,
                                          "corpsecret": self._cfg.wecom_secret})
        errcode = int(body.get("errcode", 0))
        if errcode == 0 and body.get("access_token"):
            return str(body["access_token"]), float(body.get("expires_in", 7200))
        reason = f"WeCom gettoken answered {errcode}: {body.get('errmsg', '')}"
        if wecom.classify(errcode) == "transient" or status >= 500:
            raise NotSent(reason)
        raise Refused(reason)  # 40001 bad secret, 40013 bad corp id: fix the settings

    async def send(self, body: dict[str, object]) -> tuple[str, DeliveryStatus]:
        """Send one message; (msgid or the task id, delivered). A refused member is Refused."""
        for fresh in (False, True):
            token = await self._tokens.get(self._key, self._fetch_token)
            status, answer = await call(
                "POST", f"{self._base}/cgi-bin/message/send", sends=True,
                timeout=self._cfg.timeout_seconds, params={"access_token": token}, json=body)
            errcode = int(answer.get("errcode", 0))
            kind = wecom.classify(errcode)
            if kind == "token" and not fresh:
                self._tokens.drop(self._key, token)
                continue
            break
        reason = f"WeCom message/send answered {errcode}: {answer.get('errmsg', '')}"
        if kind == "duplicate":  # our own task id: an earlier try got through
            card = body.get("template_card")
            return str(card.get("task_id") if isinstance(card, dict) else ""), \
                DeliveryStatus.delivered
        if kind in ("transient", "token") or status >= 500:
            raise NotSent(reason)
        if kind == "permanent":
            raise Refused(reason)
        refused = [answer.get(k) for k in ("invaliduser", "unlicenseduser") if answer.get(k)]
        if refused:  # accepted for nobody: the member id is unknown or has no licence
            raise Refused(f"WeCom did not deliver to {refused[0]} (invalid or unlicensed member)")
        # Accepted for the member: it is in their WeCom (no later delivery report exists).
        return str(answer.get("msgid") or ""), DeliveryStatus.delivered
