"""Twilio SMS: one message sent through Twilio's REST API (its async client over aiohttp).

Imported by `providers.send_sms` with the first SMS, so a worker or an API that never sends one
does not load Twilio's library, requests and aiohttp.
"""

from __future__ import annotations

import base64

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client as TwilioClient

from activities.notices.providers import ChannelConfig, NotSent, Refused, Unsure
from domain.notices.payloads import DeliveryStatus

# The first status in Twilio's API response (no callback is ever sent for it).
TWILIO_FIRST_STATUS = {
    "accepted": DeliveryStatus.queued, "queued": DeliveryStatus.queued,
    "scheduled": DeliveryStatus.queued, "sending": DeliveryStatus.sent,
    "sent": DeliveryStatus.sent, "delivered": DeliveryStatus.delivered,
    "undelivered": DeliveryStatus.undelivered, "failed": DeliveryStatus.failed,
}


async def send(cfg: ChannelConfig, to: str, body: str) -> tuple[str, DeliveryStatus]:
    """Send one SMS through Twilio; the SID and the first status come from its answer."""
    http = TwilioHttp(cfg.timeout_seconds)
    try:
        client = TwilioClient(cfg.twilio_account_sid, cfg.twilio_auth_token, http_client=http)
        if cfg.twilio_api_base_url:
            client.api.base_url = cfg.twilio_api_base_url.rstrip("/")
        message = await client.messages.create_async(
            to=to, from_=cfg.twilio_from_number, body=body,
            status_callback=f"{cfg.base_url}/webhooks/twilio/status")
    except TwilioRestException as exc:
        reason = f"Twilio answered {exc.status} (error {exc.code}): {exc.msg}"
        if exc.status == 429 or exc.status >= 500:
            raise NotSent(reason) from exc
        raise Refused(reason) from exc
    except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
        raise NotSent(f"cannot connect to Twilio: {exc}") from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise Unsure(f"the Twilio request was cut off: {exc!r}") from exc
    finally:
        await http.close()
    status = TWILIO_FIRST_STATUS.get(str(message.status), DeliveryStatus.queued)
    if not message.sid:
        raise Unsure("Twilio accepted the message without a SID")
    return message.sid, status


class TwilioHttp(AsyncTwilioHttpClient):  # type: ignore[misc]  # twilio ships no types: its base is Any
    """Twilio's async HTTP client with connect and total timeouts."""

    def __init__(self, timeout: float) -> None:
        super().__init__(pool_connections=False)
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout, connect=min(10.0, timeout)))

    async def request(self, method: str, url: str, params: dict[str, object] | None = None,
                      data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
                      auth: tuple[str, str] | None = None, timeout: float | None = None,
                      allow_redirects: bool = False) -> Response:
        if auth is not None:  # aiohttp deprecates BasicAuth objects: send the header ourselves
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers = {**(headers or {}), "Authorization": f"Basic {token}"}
        return await super().request(method, url, params, data, headers, None, timeout,
                                     allow_redirects)
