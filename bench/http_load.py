"""A lean HTTP/1.1 load generator for the benchmark: keep-alive connections, one request in flight
on each, requests encoded before they are sent.

The generator shares the 2-core machine with what it measures. The bare side is driven by the
Temporal client, whose work is done in Rust; httpx, a pure-Python client, spent ~1.4 ms more CPU
per request than that (`starts_cpu_ms_per_start.*.bench`), CPU taken from the API under test. A
request here costs a write and two reads on an asyncio stream.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpError(RuntimeError):
    pass


def encode_post(host: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> bytes:
    """A complete POST request (JSON body, keep-alive), ready to write."""
    payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(payload)}"]
    if body is not None:
        lines.append("Content-Type: application/json")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


def encode_multipart(host: str, path: str, fields: dict[str, str],
                     file: tuple[str, str, str, bytes],
                     headers: dict[str, str] | None = None) -> bytes:
    """A complete multipart/form-data POST (form fields and one file: field name, filename,
    content type, bytes), as a browser uploads a document."""
    boundary = "caseguard-bench-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    field, filename, content_type, data = file
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                 f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                 + data + b"\r\n")
    payload = b"".join(parts) + f"--{boundary}--\r\n".encode()
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(payload)}",
             f"Content-Type: multipart/form-data; boundary={boundary}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


class Connection:
    """One keep-alive connection; `send` writes one request and reads its whole answer. A
    connection the server closed while idle (uvicorn's keep-alive timeout) is opened again before
    the next request, never retried after one was sent. One idle for nearly that timeout (5 s) is
    opened again too: the server may close it while the request is on its way."""

    IDLE_REOPEN_S = 4.0

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._host, self._port = parts.hostname, parts.port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._last_used = 0.0

    @classmethod
    async def open(cls, url: str) -> Connection:
        connection = cls(url)
        await connection._connect()
        return connection

    async def _connect(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader, self._writer = await asyncio.open_connection(self._host, self._port)

    async def send(self, request: bytes) -> Answer:
        idle = time.monotonic() - self._last_used
        if self._reader is None or self._reader.at_eof() or idle > self.IDLE_REOPEN_S:
            await self._connect()
        assert self._reader is not None and self._writer is not None
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, _, header_block = head.partition(b"\r\n")
        length = None
        for line in header_block.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"transfer-encoding":
                raise HttpError(f"chunked answers are not supported: {status_line!r}")
        if length is None:
            raise HttpError(f"answer without Content-Length: {status_line!r}")
        body = await self._reader.readexactly(length)
        self._last_used = time.monotonic()
        return Answer(int(status_line.split(b" ", 2)[1]), body)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()


async def open_lanes(url: str, count: int) -> list[Connection]:
    return [await Connection.open(url) for _ in range(count)]


async def close_lanes(lanes: list[Connection]) -> None:
    await asyncio.gather(*(c.close() for c in lanes), return_exceptions=True)
