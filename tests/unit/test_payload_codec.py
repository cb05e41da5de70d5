"""The payload codec: what leaves the process is ciphertext, tampering is caught, keys rotate; the
settings give dev a key at once and refuse to run elsewhere without a real one."""

from __future__ import annotations

import base64
import json
import secrets
import zlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

from payload_codec import ENCODING, KEY_ID, NONCE_BYTES, EncryptionCodec, PayloadDecryptError
from settings import DEV_PAYLOAD_KEY, DEV_PAYLOAD_KEY_ID, Settings
from temporal_client import DATA_CONVERTER, data_converter, dev_data_converter
from tests.factories import VALID_ID, employee

OLD, NEW = secrets.token_bytes(32), secrets.token_bytes(32)
PROD = {"env": "prod", "secret_key": "s" * 40, "api_keys": {"k": {"name": "a", "role": "hr"}},
        "document_store": "s3"}


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def plain(text: str = f"张三 {VALID_ID} 13800138000") -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(text).encode())


async def test_a_payload_leaves_sealed_with_its_key_id_and_comes_back_whole():
    codec = EncryptionCodec({"2026-12": NEW}, "2026-12")
    original = plain()
    [sealed] = await codec.encode([original])
    assert sealed.metadata["encoding"] == ENCODING and sealed.metadata[KEY_ID] == b"2026-12"
    assert set(sealed.metadata) == {"encoding", KEY_ID}  # json/plain is sealed inside
    assert VALID_ID.encode() not in sealed.data and original.data not in sealed.data
    [again] = await codec.encode([original])
    assert again.data != sealed.data  # a fresh nonce each time
    assert await codec.decode([sealed]) == [original]


def view_like(entries: int = 40) -> Payload:
    """JSON as a case view is: the same keys and much the same text, entry after entry."""
    rows = [{"code": f"m{i}", "label_zh": "受伤职工居民身份证复印件", "provided": i % 2 == 0,
             "source": "工伤保险条例 art. 18(2); 工伤认定办法 art. 6(1)"} for i in range(entries)]
    return Payload(metadata={"encoding": b"json/plain"},
                   data=json.dumps({"id_number": VALID_ID, "materials": rows},
                                   ensure_ascii=False).encode())


async def test_a_large_payload_is_deflated_inside_the_seal_and_comes_back_whole():
    codec = EncryptionCodec({"k1": NEW}, "k1")
    original = view_like()
    [sealed] = await codec.encode([original])
    whole = len(original.SerializeToString())
    assert len(sealed.data) < whole / 3  # nonce and tag included
    assert set(sealed.metadata) == {"encoding", KEY_ID} and b"zlib" not in sealed.data
    assert await codec.decode([sealed]) == [original]


async def test_a_small_or_incompressible_payload_is_sealed_as_it_is():
    codec = EncryptionCodec({"k1": NEW}, "k1")
    small = plain()
    noise = Payload(metadata={"encoding": b"binary/plain"}, data=secrets.token_bytes(4096))
    for original in (small, noise):
        [sealed] = await codec.encode([original])
        overhead = len(sealed.data) - len(original.SerializeToString())
        assert overhead == NONCE_BYTES + 16  # the nonce and the GCM tag, nothing deflated
        assert await codec.decode([sealed]) == [original]


async def test_with_deflation_off_a_process_seals_as_is_and_still_opens_deflated_payloads():
    """The first restart of an upgrade: it writes what older processes read, reads what newer write."""
    original = view_like()
    upgrading = data_converter(Settings(env="dev", payload_deflate=False)).payload_codec
    assert isinstance(upgrading, EncryptionCodec)
    [sealed] = await upgrading.encode([original])
    assert len(sealed.data) == len(original.SerializeToString()) + NONCE_BYTES + 16
    [deflated] = await dev_data_converter().payload_codec.encode([original])
    assert await upgrading.decode([deflated, sealed]) == [original, original]


async def test_a_payload_sealed_before_deflation_still_opens():
    """Histories written before this codec deflated hold the serialised payload itself."""
    original = view_like()
    codec = EncryptionCodec({"k1": NEW}, "k1")
    assert await codec.decode([sealed_as_is(original.SerializeToString())]) == [original]


@pytest.mark.parametrize("inside", [b"not deflate at all", zlib.compress(b"x" * 200)[:-6]])
async def test_a_sealed_payload_whose_deflated_content_is_broken_is_refused(inside: bytes):
    codec = EncryptionCodec({"k1": NEW}, "k1")
    broken = Payload(metadata={"encoding": b"binary/zlib"}, data=inside)
    with pytest.raises(PayloadDecryptError, match="deflated content is refused"):
        await codec.decode([sealed_as_is(broken.SerializeToString())])


async def test_a_sealed_payload_that_inflates_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr("payload_codec.INFLATED_MAX", 1000)
    codec = EncryptionCodec({"k1": NEW}, "k1")
    bomb = Payload(metadata={"encoding": b"binary/zlib"}, data=zlib.compress(b"x" * 5000))
    with pytest.raises(PayloadDecryptError, match="past 1000 bytes inflated"):
        await codec.decode([sealed_as_is(bomb.SerializeToString())])


def sealed_as_is(inner: bytes) -> Payload:
    """`inner` sealed with NEW under key id k1, as the codec seals, but nothing deflated."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return Payload(metadata={"encoding": ENCODING, KEY_ID: b"k1"},
                   data=nonce + AESGCM(NEW).encrypt(nonce, inner, b"k1"))


async def test_a_payload_written_before_encryption_decodes_unchanged():
    codec = EncryptionCodec({"k1": NEW}, "k1")
    assert await codec.decode([plain()]) == [plain()]


@pytest.mark.parametrize("tamper", ["data", "key_id"])
async def test_a_tampered_payload_is_refused(tamper: str):
    codec = EncryptionCodec({"k1": OLD, "k2": NEW}, "k1")
    [sealed] = await codec.encode([plain()])
    if tamper == "data":
        flipped = bytearray(sealed.data)
        flipped[-20] ^= 0x01
        sealed.data = bytes(flipped)
    else:  # relabelled as sealed by the other known key
        sealed.metadata[KEY_ID] = b"k2"
    with pytest.raises(PayloadDecryptError, match="fails authentication"):
        await codec.decode([sealed])


async def test_rotation_new_key_seals_old_key_still_opens():
    before = EncryptionCodec({"2026-01": OLD}, "2026-01")
    [old_payload] = await before.encode([plain()])
    after = EncryptionCodec({"2026-01": OLD, "2026-12": NEW}, "2026-12")
    assert await after.decode([old_payload]) == [plain()]
    [new_payload] = await after.encode([plain()])
    assert new_payload.metadata[KEY_ID] == b"2026-12"
    retired = EncryptionCodec({"2026-12": NEW}, "2026-12")
    with pytest.raises(PayloadDecryptError) as refused:
        await retired.decode([old_payload])
    assert "'2026-01'" in str(refused.value) and "CASEGUARD_PAYLOAD_KEYS" in str(refused.value)


def test_a_codec_refuses_a_short_key_or_a_current_id_it_does_not_hold():
    with pytest.raises(ValueError, match="16 bytes"):
        EncryptionCodec({"k": secrets.token_bytes(16)}, "k")
    with pytest.raises(ValueError, match="not among the keys"):
        EncryptionCodec({"k": NEW}, "other")


async def test_the_converter_seals_values_and_failure_messages_and_stack_traces():
    converter = dev_data_converter()
    [payload] = await converter.encode([employee()])
    assert VALID_ID.encode() not in payload.SerializeToString()
    [back] = await converter.decode([payload], [type(employee())])
    assert back == employee()

    try:
        raise ApplicationError(f"already enrolled elsewhere: {VALID_ID} 张三", type="bureau")
    except ApplicationError as error:
        failure = Failure()
        await converter.encode_failure(error, failure)
    wire = failure.SerializeToString()
    assert VALID_ID.encode() not in wire and "张三".encode() not in wire
    assert failure.message == "Encoded failure" and failure.stack_trace == ""
    assert failure.encoded_attributes.metadata["encoding"] == ENCODING
    decoded = await converter.decode_failure(failure)
    assert isinstance(decoded, ApplicationError) and VALID_ID in decoded.message
    assert decoded.type == "bureau"


async def test_the_plain_converter_really_would_leak():
    """The control: without the codec the same value is readable on the wire."""
    [payload] = await DATA_CONVERTER.encode([employee()])
    assert VALID_ID.encode() in payload.data


# ---- the keys, from settings ----------------------------------------------------------------


def test_dev_without_keys_uses_the_fixed_dev_key():
    assert Settings(env="dev").payload_keyring() == (DEV_PAYLOAD_KEY_ID,
                                                     {DEV_PAYLOAD_KEY_ID: DEV_PAYLOAD_KEY})


def test_outside_dev_no_payload_key_means_no_start():
    with pytest.raises(RuntimeError, match="CASEGUARD_PAYLOAD_KEYS is empty"):
        data_converter(Settings(**PROD))


def test_outside_dev_the_public_dev_key_is_refused():
    with pytest.raises(RuntimeError, match="dev key"):
        Settings(**PROD, payload_keys={"dev": b64(DEV_PAYLOAD_KEY)}).payload_keyring()


@pytest.mark.parametrize("key", ["not base64!", b64(b"short")])
def test_a_malformed_key_is_refused_naming_the_setting(key: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CASEGUARD_PAYLOAD_KEYS", json.dumps({"k1": key}))
    with pytest.raises(ValidationError, match="CASEGUARD_PAYLOAD_KEYS: key 'k1'"):
        Settings()


def test_several_keys_need_the_current_one_named(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CASEGUARD_PAYLOAD_KEYS", json.dumps({"2026-01": b64(OLD),
                                                             "2026-12": b64(NEW)}))
    with pytest.raises(RuntimeError, match="CASEGUARD_PAYLOAD_KEY_ID"):
        Settings(**PROD).payload_keyring()
    monkeypatch.setenv("CASEGUARD_PAYLOAD_KEY_ID", "2026-12")
    assert Settings(**PROD).payload_keyring() == ("2026-12", {"2026-01": OLD, "2026-12": NEW})


def test_keys_from_a_secret_file_join_those_of_the_environment(tmp_path: Path):
    secret = tmp_path / "payload-keys.json"
    secret.write_text(json.dumps({"2026-01": b64(OLD)}))
    settings = Settings(**PROD, payload_keys_file=secret, payload_keys={"2026-12": b64(NEW)},
                        payload_key_id="2026-12")
    assert settings.payload_keyring() == ("2026-12", {"2026-01": OLD, "2026-12": NEW})
    assert b64(NEW) not in repr(settings)  # a key never reaches a log through the settings
    with pytest.raises(RuntimeError, match="CASEGUARD_PAYLOAD_KEYS_FILE"):
        Settings(**PROD, payload_keys_file=tmp_path / "missing.json").payload_keyring()
