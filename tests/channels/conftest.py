"""Loopback stand-ins for the providers: Prism serving Twilio's contract, aiosmtpd, a scripted Twilio."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller

from devstack import free_port, wait_for_port
from tests.channels.fakes.fixtures import fake_aliyun, fake_dingtalk, fake_wecom  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
TWILIO_SPEC = ROOT / "tests" / "contracts" / "twilio" / "twilio_api_v2010.json"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass
class PrismServer:
    """A running `prism mock`; its log tells which requests it received and which broke the contract."""

    url: str
    log: Path
    start_seconds: float

    def _lines(self) -> list[str]:
        # Prism logs asynchronously: read until the log has stopped growing for a moment.
        size, settled_since = -1, time.monotonic()
        while time.monotonic() - settled_since < 0.15:
            current = self.log.stat().st_size
            if current != size:
                size, settled_since = current, time.monotonic()
            time.sleep(0.03)
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def messages_received(self) -> int:
        """POSTs to the Messages resource so far."""
        return sum(1 for line in self._lines() if "[HTTP SERVER] post" in line
                   and "/Messages.json" in line and "Request received" in line)

    def violations(self) -> list[str]:
        """Validator errors: each one is a request of ours that Twilio's contract rejects."""
        return [line for line in self._lines() if "[VALIDATOR]" in line and "error" in line]


@pytest.fixture(scope="session")
def prism_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismServer]:
    """One Prism for the session (it takes ~2 s to load the 1.9 MB spec); stopped with SIGINT."""
    if not PRISM.exists():
        reason = f"{PRISM.relative_to(ROOT)} is missing: run `make node_modules/.bin/prism`"
        if IN_CI:
            pytest.fail(f"Prism is required in CI: {reason}")
        pytest.skip(reason)
    port = free_port()
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(TWILIO_SPEC)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT)
    try:
        try:
            wait_for_port("127.0.0.1", port, timeout=60)
        except TimeoutError:
            pytest.fail(f"Prism did not start (exit {process.poll()}):\n{log.read_text()[-2000:]}")
        yield PrismServer(f"http://127.0.0.1:{port}", log, time.monotonic() - started)
    finally:
        process.send_signal(signal.SIGINT)  # Prism ignores SIGTERM
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def prism(prism_server: PrismServer) -> str:
    """The base URL of the Twilio mock (point ChannelConfig.twilio_api_base_url at it)."""
    return prism_server.url


@pytest.fixture
def prism_messages(prism_server: PrismServer) -> Callable[[], int]:
    """How many messages Prism received since this test began."""
    before = prism_server.messages_received()
    return lambda: prism_server.messages_received() - before


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class CollectingHandler:
    """aiosmtpd handler: keeps every message; refuses the recipients listed in `refuse`."""

    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address → SMTP reply, e.g. "550 …"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      bytes(envelope.original_content or envelope.content)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: CollectingHandler

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1 and a free port (port=0 fails aiosmtpd's own readiness check)."""
    handler = CollectingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()


@dataclass
class ScriptedTwilio:
    """A Twilio stand-in that records each form posted and answers what the test scripts."""

    url: str
    posts: list[dict[str, str]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # status 0: hang


@pytest.fixture
async def scripted_twilio() -> AsyncIterator[ScriptedTwilio]:
    """For what Prism cannot do: refusals (4xx), outages (5xx), and reading what we posted."""
    port = free_port()
    twilio = ScriptedTwilio(f"http://127.0.0.1:{port}")

    async def messages(request: web.Request) -> web.Response:
        twilio.posts.append({k: str(v) for k, v in (await request.post()).items()})
        status, body = twilio.answers.pop(0) if twilio.answers else (201, {
            "sid": f"SM{len(twilio.posts):032x}", "status": "queued"})
        if status == 0:  # accepted, but the answer never comes back
            await asyncio.sleep(float(body.get("hang_seconds", 5)))
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", messages)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield twilio
    finally:
        await runner.cleanup()
