"""One JSON call to a provider's open API, its failures sorted as the channel activity needs them:
nothing left yet (`NotSent`, a retry may send) or possibly accepted (`Unsure`, never again)."""

from __future__ import annotations

from typing import Any

from activities.notices.providers import NotSent, Unsure, load_apart


async def call(method: str, url: str, *, timeout: float, sends: bool,
               params: dict[str, str] | None = None, json: dict[str, Any] | None = None,
               data: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body). A connection that never opened is NotSent; one cut off after the
    request went out is Unsure when the call `sends` (else NotSent: a read may be asked again).
    aiohttp (some 10 MB a process) loads with a deployment's first call, not with every worker."""
    await load_apart("aiohttp")
    import aiohttp

    client_timeout = aiohttp.ClientTimeout(total=timeout, connect=min(10.0, timeout))
    try:
        async with aiohttp.ClientSession(timeout=client_timeout) as session, \
                session.request(method, url, params=params, json=json, data=data) as response:
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                if response.status >= 500:
                    raise NotSent(f"{_host(url)} answered HTTP {response.status}")
                raise (Unsure if sends else NotSent)(
                    f"{_host(url)} answered HTTP {response.status} without JSON")
            return response.status, body
    # Only the error's type in the text: aiohttp may quote the URL, whose query holds the
    # secret (gettoken) or the access token.
    except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
        raise NotSent(f"cannot connect to {_host(url)} ({type(exc).__name__})") from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = f"the request to {_host(url)} was cut off ({type(exc).__name__})"
        raise (Unsure if sends else NotSent)(reason) from None


def _host(url: str) -> str:
    return url.split("/")[2] if "//" in url else url
