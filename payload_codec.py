"""Every Temporal payload encrypted with AES-256-GCM before it leaves the process (PIPL): the Temporal
server, its database, its UI and `temporal workflow show` see ciphertext and a key id, never an ID
number, a phone, a name or a diagnosis.

A payload is sealed whole (its metadata and data, serialised), so even its encoding is hidden; the
sealed payload carries `encoding: binary/encrypted` and the id of the key, and its data is the
12-byte nonce followed by the ciphertext and the GCM tag. The key id is authenticated too.
Several keys are known at once, for rotation: new payloads use the current key, any known key
opens old ones. A payload without the encryption encoding (written before encryption, e.g. the
recorded histories in tests/histories/) decodes unchanged.

A payload of `COMPRESS_FROM` bytes or more is deflated before it is sealed, when that makes it
smaller: inside the seal it is a payload of encoding `binary/zlib` holding the original, so the
marker is authenticated with the rest and no one outside the key holders sees it. Case views and
inputs are JSON and shrink to 40-45 %, which a history of months keeps on the server, sends on each
replay and holds in a worker's cache (docs/benchmarks.md, session 24). What that gives away: a
sealed length now follows how repetitive the content is. Learning a secret from lengths (as CRIME
did against TLS) would take both the Temporal server's data, to read them, and an API key that may
write text into the same payloads, many times over.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
DEFLATED = b"binary/zlib"
COMPRESS_FROM = 256  # bytes of the serialised payload; below it deflate saves little or nothing
INFLATED_MAX = 64 * 1024 * 1024  # far above Temporal's 2 MB payload limit; a sealed bomb stops here


class PayloadDecryptError(ValueError):
    """A sealed payload this process cannot open: an unknown key id, or it fails authentication."""


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over whole payloads; `keys` by id, new payloads sealed with `current`, large
    ones deflated first unless `deflate` is off (sealed payloads open either way)."""

    def __init__(self, keys: Mapping[str, bytes], current: str, deflate: bool = True) -> None:
        for key_id, key in keys.items():
            if not KEY_ID_PATTERN.match(key_id):
                raise ValueError(f"payload key id {key_id!r}: 1-64 of A-Z a-z 0-9 . _ -")
            if len(key) != KEY_BYTES:
                raise ValueError(f"payload key {key_id!r} has {len(key)} bytes, not {KEY_BYTES}")
        if current not in keys:
            raise ValueError(f"the current payload key {current!r} is not among the keys "
                             f"({', '.join(sorted(keys)) or 'none'})")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current
        self._deflate = deflate

    @property
    def current_key_id(self) -> str:
        return self._current

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Seal each payload with the current key."""
        return [self.seal(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Open each sealed payload with its key; one that was never sealed passes unchanged."""
        return [self.open(p) for p in payloads]

    def seal(self, payload: Payload) -> Payload:
        key_id = self._current.encode()
        nonce = os.urandom(NONCE_BYTES)
        whole = _deflated(payload) if self._deflate else payload.SerializeToString()
        sealed = self._ciphers[self._current].encrypt(nonce, whole, key_id)
        return Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)

    def open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID, b"").decode("utf-8", "replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PayloadDecryptError(
                f"payload sealed with key id {key_id!r}, which this process does not know "
                f"(known: {', '.join(sorted(self._ciphers))}): add that key to "
                "CASEGUARD_PAYLOAD_KEYS (or CASEGUARD_PAYLOAD_KEYS_FILE)")
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            opened = Payload.FromString(cipher.decrypt(nonce, sealed, key_id.encode()))
        except InvalidTag:
            raise PayloadDecryptError(
                f"payload sealed with key id {key_id!r} fails authentication: it was altered, "
                "or the key configured under that id is not the one that sealed it") from None
        return _inflated(opened) if opened.metadata.get("encoding") == DEFLATED else opened


def _deflated(payload: Payload) -> bytes:
    """The serialised payload, or a `binary/zlib` payload holding it where that is smaller."""
    whole = payload.SerializeToString()
    if len(whole) < COMPRESS_FROM:
        return whole
    deflated = Payload(metadata={"encoding": DEFLATED}, data=zlib.compress(whole)).SerializeToString()
    return deflated if len(deflated) < len(whole) else whole


def _inflated(payload: Payload) -> Payload:
    inflater = zlib.decompressobj()
    refused = "a sealed payload's deflated content is refused"
    try:
        whole = inflater.decompress(payload.data, INFLATED_MAX)
    except zlib.error as error:
        raise PayloadDecryptError(f"{refused}: {error}") from None
    if not inflater.eof or inflater.unconsumed_tail:
        raise PayloadDecryptError(f"{refused}: truncated, or past {INFLATED_MAX} bytes inflated")
    return Payload.FromString(whole)
