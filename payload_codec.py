"""Every Temporal payload encrypted with AES-256-GCM before it leaves the process (PIPL): the Temporal
server, its database, its UI and `temporal workflow show` see ciphertext and a key id, never an ID
number, a phone, a name or a diagnosis.

A payload is sealed whole (its metadata and data, serialised), so even its encoding is hidden; the
sealed payload carries `encoding: binary/encrypted` and the id of the key, and its data is the
12-byte nonce followed by the ciphertext and the GCM tag. The key id is authenticated too.
Several keys are known at once, for rotation: new payloads use the current key, any known key
opens old ones. A payload without the encryption encoding (written before encryption, e.g. the
recorded histories in tests/histories/) decodes unchanged.
"""

from __future__ import annotations

import os
import re
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


class PayloadDecryptError(ValueError):
    """A sealed payload this process cannot open: an unknown key id, or it fails authentication."""


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over whole payloads; `keys` by id, new payloads sealed with `current`."""

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
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
        sealed = self._ciphers[self._current].encrypt(nonce, payload.SerializeToString(), key_id)
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
            return Payload.FromString(cipher.decrypt(nonce, sealed, key_id.encode()))
        except InvalidTag:
            raise PayloadDecryptError(
                f"payload sealed with key id {key_id!r} fails authentication: it was altered, "
                "or the key configured under that id is not the one that sealed it") from None
