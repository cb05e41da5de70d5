"""Trusted timestamps (可信时间戳) of a ledger head from an RFC 3161 time-stamping authority.

What is stamped is the head's hex text: the token's message imprint is SHA-256(head), so anyone
holding the ledger can check it with `openssl ts -verify -data head.txt -in token.tsr -token_in`.
The token is stored in the ledger itself (an entry `ledger_timestamped`, base64), so it travels
with the evidence and into every bundle.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from asn1crypto import algos, tsp

from store import evidence
from store.models import EvidenceEntry

KIND = "ledger_timestamped"
ACTOR = "tsa"


class TimestampError(RuntimeError):
    """The authority could not be reached, refused, or answered something that is not our token."""


@dataclass(frozen=True)
class Stamp:
    """One token over one head: which entry's hash, from where, the DER bytes."""

    seq: int
    head: str
    tsa_url: str
    token: bytes


def request_der(head: str, nonce: int) -> bytes:
    """A TimeStampReq (RFC 3161 §2.4.1) over SHA-256 of the head's text, asking for the TSA's
    certificate in the answer."""
    return bytes(tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "hashed_message": hashlib.sha256(head.encode("ascii")).digest(),
        },
        "nonce": nonce,
        "cert_req": True,
    }).dump())


def token_of(response: bytes, head: str, nonce: int) -> bytes:
    """The token of a TimeStampResp (§2.4.2) once it is granted and stamps our head and nonce."""
    try:
        answer = tsp.TimeStampResp.load(response)
        status = answer["status"]["status"].native
    except (ValueError, TypeError) as exc:
        raise TimestampError(f"the TSA's answer is not a TimeStampResp: {exc}") from None
    if status not in ("granted", "granted_with_mods"):
        text = answer["status"]["status_string"].native or []
        raise TimestampError(f"the TSA refused the request: {status} {' '.join(text)}".strip())
    token = answer["time_stamp_token"]
    info = token["content"]["encap_content_info"]["content"].parsed
    imprint = info["message_imprint"]
    if (imprint["hash_algorithm"]["algorithm"].native != "sha256"
            or imprint["hashed_message"].native != hashlib.sha256(head.encode("ascii")).digest()):
        raise TimestampError("the TSA stamped another message than the ledger head")
    if info["nonce"].native != nonce:
        raise TimestampError("the TSA's answer carries another nonce (a replayed answer?)")
    return bytes(token.dump())


def stamp_time(token: bytes) -> datetime:
    """The time the authority put in a token (genTime)."""
    info = tsp.ContentInfo.load(token)["content"]["encap_content_info"]["content"].parsed
    moment: datetime = info["gen_time"].native
    return moment


def request_token(url: str, head: str, timeout: float) -> bytes:
    """Ask the authority at `url` for a token over `head` (HTTP POST, RFC 3161 §3.4)."""
    nonce = secrets.randbits(63)
    try:
        reply = httpx.post(url, content=request_der(head, nonce), timeout=timeout,
                           headers={"Content-Type": "application/timestamp-query"})
    except httpx.HTTPError as exc:
        raise TimestampError(f"the TSA at {url} could not be reached: {exc}") from None
    if reply.status_code != 200:
        raise TimestampError(f"the TSA at {url} answered HTTP {reply.status_code}")
    return token_of(reply.content, head, nonce)


def stamp_head(db_url: str, subject_id: str, entries: list[EvidenceEntry], url: str,
               timeout: float) -> EvidenceEntry | None:
    """Timestamp the head of `entries` and record the token in the ledger; None when the head is
    already stamped (nothing happened since) or the ledger is empty."""
    if not entries:
        return None
    last = entries[-1]
    if any(s.head == last.entry_hash for s in stamps(entries)):
        return None
    token = request_token(url, last.entry_hash, timeout)
    row, _ = evidence.append(db_url, evidence.NewEntry(
        subject_id=subject_id, idempotency_key=f"tsa:{last.entry_hash}:{uuid.uuid4()}",
        at=datetime.now(UTC), actor=ACTOR, kind=KIND,
        payload={"seq": last.seq, "head": last.entry_hash, "tsa_url": url,
                 "gen_time": stamp_time(token).isoformat(),
                 "token": base64.b64encode(token).decode("ascii")}))
    return row


def stamps(entries: list[EvidenceEntry]) -> list[Stamp]:
    """The tokens a ledger holds, in order."""
    out = []
    for e in entries:
        payload: dict[str, Any] = e.payload
        if e.kind == KIND and "token" in payload:
            out.append(Stamp(int(payload["seq"]), str(payload["head"]), str(payload["tsa_url"]),
                             base64.b64decode(payload["token"])))
    return out
