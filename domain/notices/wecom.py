"""WeCom (企业微信) application messages: the callback crypto, the messages we send, error classes.

Follows WeCom's server API reference: "加解密方案说明" (developer.work.weixin.qq.com/document/
path/90968: msg_signature, AES-256-CBC with the EncodingAESKey), "发送应用消息" (path/90236, with
the template card of path/90372) and "全局错误码" (path/90313). Pure functions; no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeCom pads to 32 bytes (PKCS#7 with k=32), not AES's 16
CONFIRM_KEY = "confirm"
CONFIRM_TEXT = "我已收到"
TASK_ID = re.compile(r"[A-Za-z0-9_@-]{1,128}")

# errcode → what it means for an attempt (全局错误码).
TOKEN_ERRORS = frozenset({40014, 42001})            # invalid / expired access_token: fetch again
TRANSIENT_ERRORS = frozenset({-1, 45009, 45033})    # busy, over the call limit, too concurrent
DUPLICATE_TASK = 42014                              # the task id exists: this card went out already
ErrorClass = Literal["ok", "token", "transient", "duplicate", "permanent"]


class CryptoError(ValueError):
    """A callback that is not WeCom's: bad signature, key, padding or receiver id."""


def classify(errcode: int) -> ErrorClass:
    """Whether an errcode heals: a token to fetch again, a retry, or never (bad credentials,
    unknown member 81013, bad parameters: the attempt fails and the notice falls back)."""
    if errcode == 0:
        return "ok"
    if errcode in TOKEN_ERRORS:
        return "token"
    if errcode in TRANSIENT_ERRORS:
        return "transient"
    if errcode == DUPLICATE_TASK:
        return "duplicate"
    return "permanent"


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """msg_signature: SHA1 of the four values sorted and joined (加解密方案说明, 消息体签名)."""
    return hashlib.sha1("".join(sorted((token, timestamp, nonce, encrypted))).encode()).hexdigest()


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey (Base64 without its final '=')."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError("EncodingAESKey is not Base64") from None
    if len(encoding_aes_key) != 43 or len(key) != 32:
        raise CryptoError("EncodingAESKey must be 43 characters (32 bytes)")
    return key


def encrypt(encoding_aes_key: str, message: bytes, receive_id: str, random16: bytes) -> str:
    """Base64(AES-256-CBC(random16 + msg_len + msg + receiveid, PKCS#7 to 32)); IV = key[:16]."""
    if len(random16) != 16:
        raise ValueError("random16 must be 16 bytes")
    key = aes_key(encoding_aes_key)
    plain = random16 + struct.pack(">I", len(message)) + message + receive_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encoding_aes_key: str, encrypted: str, receive_id: str) -> bytes:
    """The message inside `encrypted`; CryptoError unless it decrypts, unpads and names
    `receive_id` (the CorpID) as its receiver."""
    key = aes_key(encoding_aes_key)
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError("Encrypt is not Base64") from None
    if not data or len(data) % 16:
        raise CryptoError("Encrypt is not whole AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise CryptoError("bad padding")
    plain = plain[:-pad]
    if len(plain) < 20:
        raise CryptoError("too short")
    (length,) = struct.unpack(">I", plain[16:20])
    message, receiver = plain[20:20 + length], plain[20 + length:]
    if len(message) != length or receiver.decode(errors="replace") != receive_id:
        raise CryptoError("the message is not for this CorpID")
    return message


def task_id(notice_id: str, attempt_no: int) -> str:
    """The card's task id: the attempt itself (unique per app, 数字、字母和"_-@", ≤ 128 bytes).
    WeCom refuses a task id twice (42014), so a resend of the same attempt cannot reach anyone."""
    value = f"{notice_id}@{attempt_no}"
    if not TASK_ID.fullmatch(value):
        raise ValueError(f"notice id {notice_id!r} cannot make a WeCom task id")
    return value


def attempt_of_task(value: str) -> tuple[str, int] | None:
    """(notice id, attempt no) of a task id made by task_id, else None."""
    notice_id, at, number = value.rpartition("@")
    if not at or not notice_id or not number.isdigit():
        return None
    return notice_id, int(number)


def card_text(text: str, link: str) -> str:
    """A notice's text for a card: without the link's line and its lead-in ("请点击链接："), the
    card's own button and action open the page."""
    lines = [line for line in text.splitlines() if line.strip()]
    keep = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if link and (link in line or (line.rstrip().endswith(("：", ":")) and link in following)):
            continue
        keep.append(line)
    return "\n".join(keep)


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars - 1] + "…"


def _clip_bytes(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit - 3].decode(errors="ignore") + "…"


def message(*, user_id: str, agent_id: int, subject: str, text: str, link: str, source: str,
            ask_answer: bool, task: str) -> dict[str, Any]:
    """The message/send body: a button card ("我已收到") when an answer is asked for, else a
    text card. Duplicate checking is on, so WeCom itself drops a repeat within 30 minutes."""
    body: dict[str, Any] = {"touser": user_id, "agentid": agent_id, "enable_id_trans": 0,
                            "enable_duplicate_check": 1, "duplicate_check_interval": 1800}
    if ask_answer:
        body["msgtype"] = "template_card"
        body["template_card"] = {
            "card_type": "button_interaction",
            "source": {"desc": _clip(source, 13)},
            "main_title": {"title": _clip(subject, 36)},
            "sub_title_text": _clip(text, 112),
            "card_action": {"type": 1, "url": link},
            "task_id": task,
            "button_list": [{"text": CONFIRM_TEXT, "style": 1, "key": CONFIRM_KEY}],
        }
    else:
        body["msgtype"] = "textcard"
        body["textcard"] = {"title": _clip_bytes(subject, 128),
                            "description": _clip_bytes(text, 512), "url": link, "btntxt": "详情"}
    return body


@dataclass(frozen=True)
class CardClick:
    """A template_card_event: a member pressed a button of a card we sent."""

    user_id: str
    task_id: str
    key: str
    created: str        # CreateTime, seconds
    response_code: str  # lets us update the card once (72 h)


def xml_fields(body: bytes | str) -> dict[str, str]:
    """The child elements of an XML callback body (no DTD accepted: no entity tricks)."""
    text = body.decode() if isinstance(body, bytes) else body
    if "<!" in text.replace("<![CDATA[", ""):
        raise CryptoError("a DTD or comment in the callback")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise CryptoError(f"not XML: {exc}") from None
    return {child.tag: (child.text or "").strip() for child in root}


def card_click(plain: bytes) -> CardClick | None:
    """The click in a decrypted callback, or None for any other event or message."""
    fields = xml_fields(plain)
    if fields.get("MsgType") != "event" or fields.get("Event") != "template_card_event":
        return None
    return CardClick(user_id=fields.get("FromUserName", ""), task_id=fields.get("TaskId", ""),
                     key=fields.get("EventKey", ""), created=fields.get("CreateTime", ""),
                     response_code=fields.get("ResponseCode", ""))


def reply_xml(encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """A passive, encrypted reply (the card's button update)."""
    return (f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt><MsgSignature><![CDATA["
            f"{msg_signature}]]></MsgSignature><TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA["
            f"{nonce}]]></Nonce></xml>")


def button_update(user_id: str, corp_id: str, created: int, replace_name: str) -> bytes:
    """The reply that greys out the card's button with `replace_name` (update_button)."""
    return (f"<xml><ToUserName><![CDATA[{user_id}]]></ToUserName><FromUserName><![CDATA[{corp_id}]]>"
            f"</FromUserName><CreateTime>{created}</CreateTime><MsgType><![CDATA[update_button]]>"
            f"</MsgType><Button><ReplaceName><![CDATA[{replace_name}]]></ReplaceName></Button>"
            "</xml>").encode()
