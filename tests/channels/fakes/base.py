"""What every fake provider shares: an aiohttp server on a free loopback port, a clock that tests
move, and the list of contract violations."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aiohttp import web

from devstack import free_port


@dataclass
class FakeServer:
    """Started with `start()`, stopped with `stop()`; `url` is its base URL."""

    violations: list[str] = field(default_factory=list)
    clock_offset: float = 0.0  # seconds the fake's clock runs ahead (token expiry in tests)
    url: str = ""
    _runner: web.AppRunner | None = None

    def now(self) -> float:
        return time.time() + self.clock_offset

    def violation(self, text: str) -> None:
        self.violations.append(text)

    def app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> None:
        port = free_port()
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
