"""Retention periods: each cites its source and says whether it is a product choice; a period
ends on the same day years later; an open dispute holds; a redacted ledger still verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared import retention
from domain.shared.evidence import GENESIS, ChainEntry, entry_hash, payload_hash, verify_chain

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2080, 12, 31),
                       timezones=st.just(UTC))
TABLE = retention.table()


def test_every_record_type_has_a_period_with_its_source():
    assert set(retention.RECORD_TYPES) <= set(TABLE.periods)
    for period in [*TABLE.periods.values(), TABLE.dispute_limitation]:
        assert period.sources and all(s.law.startswith("《") and s.article for s in period.sources)
        assert period.years is not None or period.follows_subject
        assert period.product_choice or period.verified, f"{period.record_type}: say which"


def test_the_table_as_documented():
    assert TABLE.dispute_limitation.years == 1 and TABLE.dispute_limitation.verified
    assert any(s.article == "第二十七条" for s in TABLE.dispute_limitation.sources)
    assert TABLE["evidence"].action == "redact" and TABLE["person"].action == "clear_contacts"
    assert all(TABLE[t].follows_subject for t in ("notice", "outbox", "document", "expense"))
    assert TABLE["onboarding"].years is not None and TABLE["onboarding"].years >= 2  # 劳动合同法 50
    with pytest.raises(ValueError):
        retention.expires_at(TABLE["document"], datetime.now(UTC))


@given(moments, st.integers(min_value=1, max_value=30))
def test_a_period_ends_on_the_same_calendar_day_years_later(start: datetime, years: int):
    end = retention.years_after(start, years)
    assert end.year == start.year + years and end.time() == start.time()
    leap_day = (start.month, start.day) == (2, 29)
    assert (end.month, end.day) in ([(2, 28), (2, 29)] if leap_day else [(start.month, start.day)])
    assert timedelta(days=365 * years - 1) <= end - start <= timedelta(days=366 * years)


@given(moments, moments)
def test_past_is_monotone_and_the_cutoff_never_deletes_early(start: datetime, now: datetime):
    period = TABLE["access_log"]
    if retention.past(period, start, now):
        assert retention.past(period, start, now + timedelta(days=1))
        assert retention.past(period, start - timedelta(days=1), now)
    if start <= retention.cutoff(period, now):
        assert retention.past(period, start, now)
    if start > retention.cutoff(period, now) + timedelta(days=1):
        assert not retention.past(period, start, now)


@given(moments, moments)
def test_a_case_open_or_closed_within_a_year_is_an_open_dispute(closed: datetime, now: datetime):
    limitation = TABLE.dispute_limitation
    assert retention.dispute_open(None, now, limitation)
    assert retention.dispute_open(closed, now, limitation) == (
        now < retention.years_after(closed, 1))


def _chain(payloads: list[dict]) -> list[ChainEntry]:
    at, prev, entries = datetime(2026, 1, 1, tzinfo=UTC), GENESIS, []
    for seq, payload in enumerate(payloads, start=1):
        digest = payload_hash(payload)
        hashed = entry_hash(subject_id="case-1", seq=seq, at=at, actor="hr", kind="k",
                            payload_sha256=digest, prev_hash=prev)
        entries.append(ChainEntry("case-1", seq, at, "hr", "k", payload, digest, prev, hashed))
        prev = hashed
    return entries


@given(st.lists(st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=10),
                                min_size=1, max_size=3), min_size=1, max_size=6),
       st.data())
def test_a_redacted_chain_still_verifies_and_counts_its_redactions(payloads: list[dict],
                                                                   data: st.DataObject):
    entries = _chain(payloads)
    chosen = data.draw(st.sets(st.integers(0, len(entries) - 1)))
    redacted = [ChainEntry(**{**e.__dict__, "payload": retention.redaction_marker("ret-1")})
                if i in chosen else e for i, e in enumerate(entries)]
    result = verify_chain("case-1", redacted)
    assert result.valid and result.redacted == len(chosen)
    assert result.head == verify_chain("case-1", entries).head


def test_a_payload_altered_other_than_by_the_marker_still_breaks_the_chain():
    entries = _chain([{"phone": "13800138000"}, {"n": "2"}])
    altered = [ChainEntry(**{**entries[0].__dict__, "payload": {"_redacted": "x", "phone": "1"}}),
               entries[1]]
    result = verify_chain("case-1", altered)
    assert not result.valid and result.first_broken_seq == 1
    assert not retention.is_redacted({"_redacted": "x"})
