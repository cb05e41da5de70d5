"""Trusted timestamps (可信时间戳) of a ledger head from an RFC 3161 time-stamping authority.

What is stamped is the head's hex text: the token's message imprint is SHA-256(head), so anyone
holding the ledger can check it with `openssl ts -verify -data head.txt -in token.tsr -token_in`.
The token is stored in the ledger itself (an entry `ledger_timestamped`, base64), so it travels
with the evidence and into every bundle.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import secrets
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from asn1crypto import algos, cms, core, tsp

from settings import Settings
from store import evidence
from store.models import EvidenceEntry

KIND = "ledger_timestamped"
ACTOR = "tsa"


class TimeStampResp(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    """RFC 3161 §2.4.2 as written: a refusal carries no token (asn1crypto's own class requires
    one, so a refusal would not parse)."""

    _fields = [("status", tsp.PKIStatusInfo),
               ("time_stamp_token", cms.ContentInfo, {"optional": True})]


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
        answer = TimeStampResp.load(response)
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
    if not entries or entries[-1].kind == KIND:  # nothing happened since the last stamp
        return None
    last = entries[-1]
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


def stamp_all(db_url: str, url: str, timeout: float) -> tuple[list[str], list[str]]:
    """Stamp the head of every ledger with something new since its last stamp (the schedule):
    the subjects stamped, and one line per subject the authority failed."""
    stamped, failed = [], []
    for subject_id in evidence.subjects(db_url):
        total, _ = evidence.page(db_url, subject_id, limit=1)
        _, last = evidence.page(db_url, subject_id, offset=max(total - 1, 0), limit=1)
        try:
            if stamp_head(db_url, subject_id, last, url, timeout):
                stamped.append(subject_id)
        except TimestampError as exc:
            failed.append(f"{subject_id}: {exc}")
    return stamped, failed


def main(argv: list[str] | None = None) -> int:
    """`make timestamp`: stamp every ledger head that changed since its last stamp."""
    argparse.ArgumentParser(description=main.__doc__).parse_args(argv)
    settings = Settings()
    if not settings.tsa_url:
        print("CASEGUARD_TSA_URL is not set: no time-stamping authority to ask", file=sys.stderr)
        return 2
    stamped, failed = stamp_all(settings.db_url, settings.tsa_url, settings.tsa_timeout_seconds)
    print(f"{len(stamped)} ledger head(s) timestamped by {settings.tsa_url}")
    for line in failed:
        print(f"FAILED {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
