"""Personal links: HMAC-signed, unguessable, bound to one notice, expiring."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime


class TokenError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "invalid" or "expired"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, message: str) -> str:
    return _b64(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()[:20])


def make_token(secret: str, notice_id: str, expires_at: datetime) -> str:
    """`<notice>.<expiry>.<nonce>.<signature>`, all URL-safe; the nonce makes each link unique."""
    body = f"{_b64(notice_id.encode())}.{int(expires_at.timestamp())}.{secrets.token_urlsafe(6)}"
    return f"{body}.{_sign(secret, body)}"


def read_token(secret: str, token: str, now: datetime) -> str:
    """The notice id of a valid token; TokenError('invalid' | 'expired') otherwise."""
    parts = token.split(".")
    if len(parts) != 4:
        raise TokenError("invalid")
    body, signature = ".".join(parts[:3]), parts[3]
    if not hmac.compare_digest(_sign(secret, body), signature):
        raise TokenError("invalid")
    try:
        notice_id = _unb64(parts[0]).decode()
        expires = int(parts[1])
    except (ValueError, UnicodeDecodeError):
        raise TokenError("invalid") from None
    if now.timestamp() > expires:
        raise TokenError("expired")
    return notice_id
