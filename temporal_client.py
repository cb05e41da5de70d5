"""The Temporal client side shared by the worker and the API: the data converter, and connecting.

Every client, worker, test environment and Replayer uses `data_converter(settings)` (tests and
tools: `dev_data_converter()`): pydantic JSON, every payload then encrypted (payload_codec.py), and
failure messages and stack traces moved into an encrypted payload too. The API process imports
this, not worker.py (which imports every activity and workflow)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping

from temporalio.client import Client
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter, PydanticPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

from payload_codec import EncryptionCodec
from settings import DEV_PAYLOAD_KEY, DEV_PAYLOAD_KEY_ID, Settings

log = logging.getLogger("caseguard.temporal")

# One pydantic JSON converter for the whole process. The SDK builds a new payload converter for
# every workflow run, and the stock pydantic converter keeps its TypeAdapter cache per instance,
# so each run rebuilt the adapters of its input and Update types (~80 KB and ~13 ms CPU per
# onboarding). The adapters are pure (validation only) and keyed by type; every type a workflow
# decodes lives in domain/, which is imported once per process. Same wire format as
# temporalio.contrib.pydantic.pydantic_data_converter.
_PYDANTIC_JSON = PydanticJSONPlainPayloadConverter()
_ENCODING_CONVERTERS = tuple(
    _PYDANTIC_JSON if isinstance(c, JSONPlainPayloadConverter) else c
    for c in DefaultPayloadConverter.default_encoding_payload_converters
)


class SharedPydanticPayloadConverter(PydanticPayloadConverter):
    """The pydantic payload converter, sharing one TypeAdapter cache across all workflow runs."""

    def __init__(self) -> None:  # nullary: the SDK instantiates it per workflow run
        CompositePayloadConverter.__init__(self, *_ENCODING_CONVERTERS)


DATA_CONVERTER = DataConverter(payload_converter_class=SharedPydanticPayloadConverter)
"""Payload conversion alone, without encryption: for tests of the wire format. Nothing that talks
to Temporal uses it (it would store personal data in clear)."""


def data_converter(settings: Settings) -> DataConverter:
    """The process's converter: the shared pydantic converter, then every payload encrypted with
    the keys of `settings` (outside dev none configured: a RuntimeError naming the setting)."""
    current, keys = settings.payload_keyring()
    return encrypted_converter(keys, current, deflate=settings.payload_deflate)


def encrypted_converter(keys: Mapping[str, bytes], current: str,
                        deflate: bool = True) -> DataConverter:
    """The shared pydantic converter with the encryption codec; failures' message and stack trace
    go into their encoded attributes, so the codec encrypts them as well (the SDK's option)."""
    return DataConverter(payload_converter_class=SharedPydanticPayloadConverter,
                         payload_codec=EncryptionCodec(keys, current, deflate=deflate),
                         failure_converter_class=DefaultFailureConverterWithEncodedAttributes)


@functools.cache
def dev_data_converter() -> DataConverter:
    """The converter of CASEGUARD_ENV=dev without configured keys (the fixed dev key), whatever the
    environment says: tests, the history recorder and the benchmarks."""
    return encrypted_converter({DEV_PAYLOAD_KEY_ID: DEV_PAYLOAD_KEY}, DEV_PAYLOAD_KEY_ID)


async def connect(settings: Settings, ready_within: float = 60.0) -> Client:
    return await connect_when_ready(settings.temporal_address, settings.temporal_namespace,
                                    data_converter(settings), ready_within)


async def connect_when_ready(address: str, namespace: str, data_converter: DataConverter,
                             ready_within: float = 60.0) -> Client:
    """Connect, retrying while the frontend starts: a listening port is not yet a healthy server
    ("Frontend is not healthy yet" for a moment after a dev server or a cluster starts)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + ready_within
    while True:
        try:
            return await Client.connect(address, namespace=namespace, data_converter=data_converter)
        except RuntimeError as error:
            if loop.time() >= give_up:
                raise RuntimeError(f"Temporal at {address} not ready after {ready_within:.0f} s: "
                                   f"{error}") from error
            log.info("Temporal at %s not ready yet (%s); retrying", address, error)
            await asyncio.sleep(0.25)
