"""The remote codec of the Temporal UI and CLI (the codec-server protocol): payloads in, payloads
out, through the same encryption codec as the worker (payload_codec.py).

`POST /api/v1/codec/decode` opens sealed payloads, `POST /api/v1/codec/encode` seals them; both
take and answer `{"payloads": [{"metadata": {"<name>": "<base64>"}, "data": "<base64>"}]}`
(proto3 JSON, every bytes field base64). Point the CLI at it with `--codec-endpoint
<api>/api/v1/codec --codec-auth "Bearer <key>"`. Decoding opens any workflow's personal data, so
it takes an API key of a role that may (domain.shared.roles: decode_payloads) and is logged.
The browser of the Temporal UI calls it cross-origin: `CodecCors` answers for the UI's origins.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Annotated

from fastapi import APIRouter
from google.protobuf import json_format
from pydantic import BaseModel, Field
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.converter import PayloadCodec

from api.deps import TemporalDep, require
from api.errors import ApiError
from domain.shared.people import Actor
from payload_codec import PayloadDecryptError

PREFIX = "/api/v1/codec"
MAX_PAYLOADS = 1000
router = APIRouter(prefix=PREFIX, tags=["codec"])
log = logging.getLogger("caseguard.codec")
Decoder = Annotated[Actor, require("decode_payloads")]


class CodecPayload(BaseModel):
    """A Temporal payload in proto3 JSON: each metadata value and the data are base64."""

    metadata: dict[str, str] = {}
    data: str = ""


class CodecPayloads(BaseModel):
    """The body and the answer of the codec-server protocol."""

    payloads: list[CodecPayload] = Field(default=[], max_length=MAX_PAYLOADS)


@router.post("/decode", response_model=CodecPayloads,
             summary="Decode Temporal payloads (remote codec of the Temporal UI and CLI)")
async def decode(body: CodecPayloads, actor: Decoder, client: TemporalDep) -> CodecPayloads:
    """Open each sealed payload with its key; a payload that was never sealed comes back as sent."""
    log.info("codec decode: %d payload(s) for %s (%s)", len(body.payloads), actor.name, actor.role)
    return await _apply(body, _codec(client).decode)


@router.post("/encode", response_model=CodecPayloads,
             summary="Encode Temporal payloads (remote codec of the Temporal UI and CLI)")
async def encode(body: CodecPayloads, actor: Decoder, client: TemporalDep) -> CodecPayloads:
    """Seal each payload with the current key, as the worker and the API do."""
    return await _apply(body, _codec(client).encode)


def _codec(client: Client) -> PayloadCodec:
    codec = client.data_converter.payload_codec
    if codec is None:  # connect() always sets one; a client built otherwise must not serve this
        raise ApiError(503, "codec.unavailable", "this API process has no payload codec")
    return codec


async def _apply(body: CodecPayloads,
                 step: Callable[[Sequence[Payload]], Awaitable[list[Payload]]]) -> CodecPayloads:
    payloads = [_payload(i, p) for i, p in enumerate(body.payloads)]
    try:
        done = await step(payloads)
    except PayloadDecryptError as error:
        raise ApiError(422, "payload.undecryptable", str(error), "payloads") from None
    return CodecPayloads(payloads=[CodecPayload(**json_format.MessageToDict(p)) for p in done])


def _payload(index: int, sent: CodecPayload) -> Payload:
    try:
        return json_format.ParseDict(sent.model_dump(), Payload())
    except json_format.ParseError:
        raise ApiError(422, "payload.not_base64", f"payloads[{index}]: the metadata values and "
                       "the data must be base64 (proto3 JSON)", f"payloads.{index}") from None


class CodecCors:
    """CORS on the codec paths only, for the Temporal UI's origins (CASEGUARD_CODEC_CORS_ORIGINS):
    the browser asks first (OPTIONS, without a key), then posts with `Authorization`,
    `Content-Type` and `X-Namespace`; every other route stays same-origin."""

    ALLOW_HEADERS = "authorization, content-type, x-namespace"

    def __init__(self, app: ASGIApp, origins: Iterable[str]) -> None:
        self.app, self.origins = app, frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin", "")
        if origin not in self.origins:
            await self.app(scope, receive, send)
            return
        allowed = {"Access-Control-Allow-Origin": origin,
                   "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await Response(status_code=204, headers={
                **allowed, "Access-Control-Allow-Methods": "POST",
                "Access-Control-Allow-Headers": self.ALLOW_HEADERS,
                "Access-Control-Max-Age": "600"})(scope, receive, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(allowed)
            await send(message)

        await self.app(scope, receive, with_cors)
