"""Personal links: HMAC-signed, unguessable, bound to one notice, expiring."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime


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


@dataclass(frozen=True)
class LinkParams:
    """What a personal link is made of besides the secret: stored instead of the link itself."""

    notice_id: str
    expires: int  # Unix seconds
    nonce: str

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def new_link(notice_id: str, expires_at: datetime) -> LinkParams:
    """Fresh parameters for one link; the nonce makes each link unique."""
    return LinkParams(notice_id, int(expires_at.timestamp()), secrets.token_urlsafe(6))


def token_for(secret: str, link: LinkParams) -> str:
    """`<notice>.<expiry>.<nonce>.<signature>`, all URL-safe; the same parameters, the same token."""
    body = f"{_b64(link.notice_id.encode())}.{link.expires}.{link.nonce}"
    return f"{body}.{_sign(secret, body)}"


def make_token(secret: str, notice_id: str, expires_at: datetime) -> str:
    """A token for a fresh link to the notice."""
    return token_for(secret, new_link(notice_id, expires_at))


def read_link(secret: str, token: str, now: datetime) -> LinkParams:
    """The parameters of a valid token; TokenError('invalid' | 'expired') otherwise."""
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
    return LinkParams(notice_id, expires, parts[2])


def read_token(secret: str, token: str, now: datetime) -> str:
    """The notice id of a valid token; TokenError('invalid' | 'expired') otherwise."""
    return read_link(secret, token, now).notice_id


TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]+\.[0-9]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
"""What a token looks like (a signed link's last path segment), for finding one in a text."""
