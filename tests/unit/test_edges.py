"""The pure parts of the edges: token buckets, body counting, masks, links kept as parameters."""

from __future__ import annotations

import asyncio
import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from api.edges import BodyLimit, RateLimiter, WithoutLinks, retry_after
from domain.notices.text import LINK_WITHHELD, withhold_link
from domain.shared.identity import mask_address, mask_id_number, mask_phone
from domain.shared.tokens import (
    TOKEN_PATTERN,
    LinkParams,
    TokenError,
    make_token,
    new_link,
    read_link,
    read_token,
    token_for,
)
from settings import Settings

SECRET = "s" * 40


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_a_burst_then_refills_evenly() -> None:
    clock = Clock()
    limiter = RateLimiter(6, clock=clock)  # 6 at once, then one every 10 s
    assert [limiter.take("a") for _ in range(6)] == [0.0] * 6
    assert limiter.take("a") == pytest.approx(10.0) and limiter.wait("a") == pytest.approx(10.0)
    assert limiter.take("b") == 0.0  # per address
    clock.now += 5
    assert limiter.take("a") == pytest.approx(5.0)
    clock.now += 5
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0
    clock.now += 3600
    assert limiter.wait("a") == 0.0  # never more than the burst
    assert [limiter.take("a") for _ in range(7)].count(0.0) == 6


def test_a_bucket_forgets_idle_addresses() -> None:
    clock = Clock()
    limiter = RateLimiter(60, clock=clock, max_clients=10)
    for n in range(20):
        limiter.take(f"10.0.0.{n}")
    clock.now += 120
    limiter.take("10.0.1.1")
    assert len(limiter._buckets) <= 10


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    assert [retry_after(s) for s in (0.01, 1.0, 1.2, 59.9)] == ["1", "1", "2", "60"]


def test_phones_and_id_numbers_are_masked_for_logs() -> None:
    assert mask_phone("+8613800138000") == "+86138****8000"
    assert mask_phone("138 0013 8000") == "138****8000"
    assert mask_phone("+14155550100") == "+141****0100"
    assert mask_phone("12345") == "*****" and mask_phone("") == ""
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("110105491231002") == "110105*****1002"
    assert mask_id_number("1234") == "****"
    assert mask_address("zhangsan@example.com") == "z***@example.com"
    assert mask_address("+8613800138000") == "+86138****8000" and mask_address("张三") == "张三"


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_masked_mobile_never_shows_its_middle(phone: str) -> None:
    masked = mask_phone("+86" + phone)
    assert masked == f"+86{phone[:3]}****{phone[-4:]}" and phone not in masked


def test_a_link_is_made_again_from_its_parameters() -> None:
    expires = datetime.now(UTC) + timedelta(days=30)
    link = new_link("notice-1", expires)
    token = token_for(SECRET, link)
    assert token_for(SECRET, link) == token and TOKEN_PATTERN.fullmatch(token)
    assert read_link(SECRET, token, datetime.now(UTC)) == link
    assert link.expires_at == datetime.fromtimestamp(int(expires.timestamp()), UTC)
    assert new_link("notice-1", expires).nonce != link.nonce  # each link its own
    assert read_token(SECRET, make_token(SECRET, "n-2", expires), datetime.now(UTC)) == "n-2"
    with pytest.raises(TokenError):
        read_link(SECRET, token_for(SECRET, LinkParams("notice-2", link.expires, link.nonce))[:-2]
                  + "xx", datetime.now(UTC))


def test_a_stored_text_withholds_its_link() -> None:
    link = "https://caseguard.example.com/r/" + make_token(SECRET, "n", datetime.now(UTC))
    text = f"请打开以下链接确认或答复：\n{link}\n通知编号：K7M2QX"
    stored = withhold_link(text, link)
    assert LINK_WITHHELD in stored and "/r/" not in stored and "K7M2QX" in stored
    assert withhold_link("no link here", "") == "no link here"


def test_access_logs_lose_the_links_token() -> None:
    token = make_token(SECRET, "notice-1", datetime.now(UTC))
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("1.2.3.4:5", "GET", f"/r/{token}/o.gif", "1.1", 200), None)
    assert WithoutLinks().filter(record)
    assert token not in record.getMessage() and "/r/[link]/o.gif" in record.getMessage()


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    """An app that reads the whole body, then answers 200 with its length."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def _call(limit: BodyLimit, headers: list[tuple[bytes, bytes]],
          chunks: list[bytes]) -> tuple[int, int]:
    """(status, chunks the client had to hand over)."""
    given_out, sent = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal given_out
        if given_out == len(chunks):
            return {"type": "http.disconnect"}
        given_out += 1
        return {"type": "http.request", "body": chunks[given_out - 1],
                "more_body": given_out < len(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    asyncio.run(limit(scope, receive, send))
    return sent[0]["status"], given_out


def test_the_body_limit_counts_what_is_read_and_trusts_no_length() -> None:
    limit = BodyLimit(_echo, body_max=100, upload_max=1000)
    json = [(b"content-type", b"application/json")]
    assert _call(limit, json, [b"x" * 50, b"x" * 50]) == (200, 2)
    assert _call(limit, json, [b"x" * 60] * 1000) == (413, 2)  # stops at the first past it
    assert _call(limit, [*json, (b"content-length", b"101")], [b"x"] * 101) == (413, 0)
    assert _call(limit, [*json, (b"content-length", b"10")], [b"x" * 60] * 5) == (413, 2)
    multipart = [(b"content-type", b"multipart/form-data; boundary=b")]
    assert _call(limit, multipart, [b"x" * 500, b"x" * 500]) == (200, 2)


def test_the_dev_key_file_is_created_private(tmp_path: Path) -> None:
    settings = Settings(env="dev", var_dir=tmp_path / "var", _env_file=None)  # type: ignore[call-arg]
    keys = settings.resolved_api_keys()
    assert len(keys) == 4 and stat.S_IMODE(settings.dev_keys_file.stat().st_mode) == 0o600


def test_behind_caddy_the_api_sees_each_clients_address() -> None:
    """Rate limits are per address: uvicorn must take it from Caddy's X-Forwarded-For, not see
    Caddy's own address for every request."""
    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
    command = compose["services"]["api"]["command"]
    assert command[command.index("--forwarded-allow-ips") + 1] == "*"
