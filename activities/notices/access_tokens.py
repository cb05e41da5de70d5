"""Access tokens of WeCom and DingTalk, cached per process and fetched again before they expire.

Both providers hand out a token for 7,200 s and ask callers to cache it (fetching it for each call
is rate limited); both answer 40014/42001 for a token that was revoked or has expired early, and
then the token is dropped and fetched once more. One lock per credential: many sends at once cost
one fetch. The secret is never a key in clear, never logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

REFRESH_BEFORE = 300.0  # seconds before expiry when a token is fetched again


@dataclass
class _Entry:
    token: str
    expires_at: float  # time.monotonic()


class AccessTokens:
    """A cache of tokens by (provider URL, app id, secret digest)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[tuple[str, str, str], _Entry] = {}
        self._locks: dict[tuple[tuple[str, str, str], int], asyncio.Lock] = {}

    @staticmethod
    def key(base_url: str, app_id: str, secret: str) -> tuple[str, str, str]:
        return base_url, app_id, hashlib.sha256(secret.encode()).hexdigest()

    async def get(self, key: tuple[str, str, str],
                  fetch: Callable[[], Awaitable[tuple[str, float]]]) -> str:
        """The cached token, or a new one from `fetch` (→ token, seconds valid)."""
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at - REFRESH_BEFORE > self._clock():
            return entry.token
        lock = self._locks.setdefault((key, id(asyncio.get_running_loop())), asyncio.Lock())
        async with lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires_at - REFRESH_BEFORE > self._clock():
                return entry.token
            token, seconds = await fetch()
            self._entries[key] = _Entry(token, self._clock() + seconds)
            return token

    def drop(self, key: tuple[str, str, str], token: str) -> None:
        """Forget `token` (the provider said it is invalid or expired), unless replaced already."""
        entry = self._entries.get(key)
        if entry is not None and entry.token == token:
            del self._entries[key]


TOKENS = AccessTokens()  # one per worker process
