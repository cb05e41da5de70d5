"""The hash chain: any altered, missing or reordered entry is found, and named."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.shared.evidence import GENESIS, ChainEntry, canonical_json, entry_hash, payload_hash, verify_chain

T0 = datetime(2026, 11, 23, 1, 2, 3, 456789, tzinfo=UTC)


def chain(payloads: list[dict]) -> list[ChainEntry]:
    entries, prev = [], GENESIS
    for seq, payload in enumerate(payloads, start=1):
        at = T0 + timedelta(seconds=seq)
        digest = payload_hash(payload)
        link = entry_hash(subject_id="s", seq=seq, at=at, actor="a", kind="k",
                          payload_sha256=digest, prev_hash=prev)
        entries.append(ChainEntry("s", seq, at, "a", "k", payload, digest, prev, link))
        prev = link
    return entries


payloads = st.lists(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=8),
                                    max_size=3), min_size=1, max_size=8)


@given(payloads)
def test_an_untouched_chain_verifies(items):
    result = verify_chain("s", chain(items))
    assert result.valid and result.entries == len(items)


@given(payloads, st.data())
def test_an_altered_payload_is_named(items, data):
    entries = chain(items)
    i = data.draw(st.integers(0, len(entries) - 1))
    entries[i] = replace(entries[i], payload={**entries[i].payload, "tampered": True})
    result = verify_chain("s", entries)
    assert not result.valid and result.first_broken_seq == i + 1


def test_a_missing_entry_and_a_changed_time_are_named():
    entries = chain([{"n": 1}, {"n": 2}, {"n": 3}])
    missing = verify_chain("s", [entries[0], entries[2]])
    assert missing.first_broken_seq == 3 and "missing" in missing.reason
    moved = list(entries)
    moved[1] = replace(moved[1], at=moved[1].at + timedelta(microseconds=1))
    assert verify_chain("s", moved).first_broken_seq == 2


def test_canonical_json_is_stable_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": "张三"}) == '{"a":"张三","b":1}'
