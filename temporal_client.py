"""The Temporal client side shared by the worker and the API: one data converter, and connecting.

The API process imports this, not worker.py (which imports every activity and workflow)."""

from __future__ import annotations

import asyncio
import logging

from temporalio.client import Client
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter, PydanticPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

from settings import Settings

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


async def connect(settings: Settings, ready_within: float = 60.0) -> Client:
    return await connect_when_ready(settings.temporal_address, settings.temporal_namespace,
                                    DATA_CONVERTER, ready_within)


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
