"""The KPI rules: quarters in Beijing time, each KPI's window from the statutes, the values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.kpis import rules
from domain.kpis.quarters import Quarter
from domain.shared import statutes
from domain.shared.calendar import SHANGHAI

moments = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2998, 12, 31),
                       timezones=st.just(UTC))
shares = [k for k in rules.KPIS if k.per == 1]


def test_a_quarter_is_read_and_written_as_2026q4():
    q = Quarter.parse("2026q4")
    assert (q.code, q.first_day.isoformat(), q.next_first_day.isoformat()) == \
        ("2026Q4", "2026-10-01", "2027-01-01")
    assert q.starts_at == datetime(2026, 10, 1, tzinfo=SHANGHAI)
    assert q.last_day.isoformat() == "2026-12-31"
    assert [p.code for p in q.trail(3)] == ["2026Q2", "2026Q3", "2026Q4"]
    for bad in ("2026Q5", "2026-4", "Q4", ""):
        with pytest.raises(ValueError):
            Quarter.parse(bad)


def test_a_quarter_begins_at_midnight_beijing_time_not_utc():
    # 2026-12-31 16:30 UTC is 2027-01-01 00:30 in Beijing: the first quarter of 2027
    assert Quarter.of(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)).code == "2027Q1"
    assert Quarter.of(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)).code == "2026Q4"


@given(moments)
def test_every_moment_lies_in_exactly_one_quarter(moment: datetime):
    q = Quarter.of(moment)
    around = q.next().trail(3)
    assert [p.holds(moment) for p in around] == [False, True, False]
    assert q.previous().ends_at == q.starts_at and q.next().previous() == q


@given(st.sampled_from(shares), st.integers(0, 10_000), st.integers(0, 10_000))
def test_a_share_is_within_zero_and_one(kpi: rules.Kpi, a: int, b: int):
    numerator, denominator = min(a, b), max(a, b)
    value = rules.value(kpi, numerator, denominator)
    if denominator == 0:
        assert value is None
    else:
        assert value is not None and Decimal(0) <= value <= Decimal(1)


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=8))
def test_the_total_is_the_ratio_of_the_sums_not_a_mean(counts: list[tuple[int, int]]):
    kpi = rules.SI_ENROLLED_IN_WINDOW
    figures = [rules.figure(kpi, "2026Q4", f"d{i}", min(a, b), max(a, b))
               for i, (a, b) in enumerate(counts)]
    whole = rules.total(kpi, "2026Q4", figures, "全部")
    assert whole.numerator == sum(f.numerator for f in figures)
    assert whole.denominator == sum(f.denominator for f in figures)
    assert whole.value == rules.value(kpi, whole.numerator, whole.denominator)


def test_more_met_than_counted_is_a_bug_not_a_rate_above_one():
    with pytest.raises(ValueError):
        rules.value(rules.MATERIALS_IN_TIME, 3, 2)


def test_injuries_are_counted_per_100_employees():
    assert rules.value(rules.INJURIES_PER_100, 3, 40) == Decimal("7.5000")
    assert rules.shown(rules.INJURIES_PER_100, Decimal("7.5")) == "7.50"
    assert rules.shown(rules.MATERIALS_IN_TIME, Decimal("0.6667")) == "66.7%"
    assert rules.shown(rules.MATERIALS_IN_TIME, None) == ""


def test_each_window_is_the_statutes_own():
    assert rules.MATERIALS_IN_TIME.window == statutes.MATERIALS_FILED_SLA_DEFAULT
    assert rules.RETURN_NOTICE_ON_TIME.window == statutes.RETURN_NOTICE_LEAD_DEFAULT
    assert rules.RETURN_NOTICE_ANSWERED.window == statutes.NOTICE_RESPONSE_DEFAULT
    assert rules.SETTLEMENT_DEADLINE == statutes.SETTLEMENT_TARGET.name
    assert statutes.SI_REGISTRATION.article in rules.SI_ENROLLED_IN_WINDOW.source
    assert statutes.SETTLEMENT_TARGET.article == rules.SETTLEMENT_IN_TARGET.source
    assert "24 h" in rules.MATERIALS_IN_TIME.zh and "3 days" in rules.RETURN_NOTICE_ANSWERED.en
    assert f"{statutes.SETTLEMENT_TARGET.days} 日" in rules.SETTLEMENT_IN_TARGET.zh
    assert statutes.NOTICE_RESPONSE_DEFAULT == timedelta(days=3)  # the "within 3 days"


def test_every_kpi_names_its_source_and_counts():
    assert len({k.code for k in rules.KPIS}) == len(rules.KPIS) == 6
    for kpi in rules.KPIS:
        assert kpi.source and kpi.numerator and kpi.denominator and kpi.zh and kpi.en
