"""The evidence chain: canonical JSON, SHA-256 of each payload, and each entry hashing the one before.

An entry's hash covers its subject, sequence, time, actor, kind, payload hash and the previous
entry's hash, so altering, removing or reordering any stored entry breaks every hash after it.
An entry whose personal data retention removed (domain.shared.retention.redaction_marker) keeps
its hashes: its chain still verifies, its payload no longer can, and the verification counts it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.shared.retention import is_redacted

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, UTF-8 kept (Chinese stays readable)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def payload_hash(payload: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(payload))


def utc_text(moment: datetime) -> str:
    """A moment as the chain hashes it: UTC, microseconds, ISO 8601."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ChainEntry:
    subject_id: str
    seq: int
    at: datetime
    actor: str
    kind: str
    payload: dict[str, Any]
    payload_sha256: str
    prev_hash: str
    entry_hash: str


def entry_hash(*, subject_id: str, seq: int, at: datetime, actor: str, kind: str,
               payload_sha256: str, prev_hash: str) -> str:
    return sha256_hex(canonical_json({
        "subject_id": subject_id, "seq": seq, "at": utc_text(at), "actor": actor, "kind": kind,
        "payload_sha256": payload_sha256, "prev_hash": prev_hash,
    }))


@dataclass(frozen=True)
class Verification:
    subject_id: str
    valid: bool
    entries: int
    head: str
    first_broken_seq: int | None = None
    reason: str = ""
    redacted: int = 0  # entries whose payload retention removed (their hashes still chain)


def verify_chain(subject_id: str, entries: Iterable[ChainEntry]) -> Verification:
    """Recompute every hash in order; name the first entry whose stored values no longer agree."""
    prev, expected_seq, count, redacted = GENESIS, 1, 0, 0
    for e in entries:
        count += 1
        redacted += is_redacted(e.payload)
        problem = _problem(e, prev, expected_seq)
        if problem:
            return Verification(subject_id, False, count, prev, e.seq, problem, redacted)
        prev, expected_seq = e.entry_hash, e.seq + 1
    return Verification(subject_id, True, count, prev, redacted=redacted)


def _problem(e: ChainEntry, prev: str, expected_seq: int) -> str:
    if e.seq != expected_seq:
        return f"entry {e.seq} stands where entry {expected_seq} should: an entry is missing"
    if not is_redacted(e.payload) and payload_hash(e.payload) != e.payload_sha256:
        return f"entry {e.seq}: the payload no longer matches its SHA-256 (payload altered)"
    if e.prev_hash != prev:
        return f"entry {e.seq}: prev_hash does not match the previous entry's hash"
    recomputed = entry_hash(subject_id=e.subject_id, seq=e.seq, at=e.at, actor=e.actor,
                            kind=e.kind, payload_sha256=e.payload_sha256, prev_hash=e.prev_hash)
    if recomputed != e.entry_hash:
        return f"entry {e.seq}: time, actor or kind altered (entry hash does not match)"
    return ""
