"""Contribution base limits, rates, withdrawal windows and the back-payment estimate."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.onboarding.policy import (
    BaseLimits,
    ContributionRates,
    PolicyTable,
    back_payment_estimate,
    check_base,
    months_owed,
    suggest_base,
)
from domain.shared.errors import RuleViolation

D = Decimal
TABLE = PolicyTable.bundled()
BEIJING_2024 = TABLE.base_limits("beijing", date(2024, 9, 1))


def rule(fn, *args, **kwargs) -> RuleViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as err:
        fn(*args, **kwargs)
    return err.value


def test_beijing_2024_limits_carry_their_source() -> None:
    assert (BEIJING_2024.lower, BEIJING_2024.upper) == (D("6821"), D("35283"))
    assert (BEIJING_2024.period_start, BEIJING_2024.period_end) == (date(2024, 7, 1),
                                                                    date(2025, 6, 30))
    assert BEIJING_2024.verified is True and "statutes.md" in BEIJING_2024.source
    assert BEIJING_2024.document and "2024年度" in BEIJING_2024.document


@pytest.mark.parametrize(
    ("on", "lower", "upper"),
    [(date(2021, 7, 1), "5360", "28221"), (date(2023, 6, 30), "5869", "31884"),
     (date(2025, 6, 30), "6821", "35283"), (date(2025, 7, 1), "7162", "35811")],
)
def test_beijing_periods(on: date, lower: str, upper: str) -> None:
    limits = TABLE.base_limits("beijing", on)
    assert (limits.lower, limits.upper) == (D(lower), D(upper))


def test_every_bundled_row_is_sourced_and_only_notice_backed_bases_are_verified() -> None:
    rows = [*TABLE.bases, *TABLE.windows, *TABLE.rates]
    assert rows and all(r.source for r in rows)
    assert not any(r.verified for r in (*TABLE.windows, *TABLE.rates))
    assert all(r.document for r in TABLE.bases if r.verified)
    assert TABLE.regions() == ["beijing", "fujian", "guangdong", "henan", "hubei", "jiangsu",
                               "shandong", "shanghai", "sichuan"]
    shanghai = TABLE.base_limits("Shanghai", date(2024, 12, 1))
    assert (shanghai.lower, shanghai.upper) == (D("7384"), D("36921"))
    assert shanghai.verified and "自2024年7月1日起" in shanghai.source
    shanghai_2025 = TABLE.base_limits("shanghai", date(2025, 9, 1))
    assert not shanghai_2025.verified and "assumed" in shanghai_2025.source


@pytest.mark.parametrize(("wage", "base"), [("5000", "6821"), ("20000", "20000"),
                                            ("50000", "35283")])
def test_suggest_base_clamps_the_wage(wage: str, base: str) -> None:
    assert suggest_base(D(wage), BEIJING_2024) == D(base)


@given(st.decimals(min_value=0, max_value=10**7, places=2))
def test_suggested_base_is_within_limits_and_idempotent(wage: Decimal) -> None:
    base = suggest_base(wage, BEIJING_2024)
    check_base(base, BEIJING_2024)
    assert BEIJING_2024.lower <= base <= BEIJING_2024.upper
    assert suggest_base(base, BEIJING_2024) == base


def test_check_base_names_both_limits_and_the_period() -> None:
    check_base(D("6821"), BEIJING_2024)
    check_base(D("35283"), BEIJING_2024)
    err = rule(check_base, D("5000"), BEIJING_2024)
    assert (err.field, err.code) == ("contribution_base", "contribution_base.out_of_range")
    for text in ("6821", "35283", "2024-07-01", "2025-06-30", "(verified", "below"):
        assert text in err.message
    beijing_2022 = TABLE.base_limits("beijing", date(2022, 9, 1))
    assert "not verified" in rule(check_base, D("5000"), beijing_2022).message
    assert "above" in rule(check_base, D("35283.01"), BEIJING_2024).message


def test_unknown_region_lists_the_known_ones() -> None:
    err = rule(TABLE.base_limits, "mars", date(2024, 9, 1))
    assert (err.field, err.code) == ("region", "region.unknown")
    assert "beijing, fujian, guangdong" in err.message
    assert rule(TABLE.withdrawal_window_hours, "mars").code == "region.unknown"


def test_beijing_2023_is_a_gap_not_an_invention() -> None:
    err = rule(TABLE.base_limits, "beijing", date(2023, 9, 1))
    assert (err.field, err.code) == ("hire_date", "policy.no_period")
    assert "2022-07-01 to 2023-06-30" in err.message
    assert rule(TABLE.base_limits, "beijing", date(2021, 1, 1)).code == "policy.no_period"


def test_after_the_newest_period_its_limits_apply_provisionally_and_say_so() -> None:
    limits = TABLE.base_limits("beijing", date(2026, 11, 23))
    assert (limits.lower, limits.upper) == (D("7162"), D("35811"))
    assert limits.provisional and not limits.verified
    assert limits.source.startswith("PROVISIONAL")


def test_overrides_replace_and_add_rows(tmp_path: Path) -> None:
    src = "test notice"
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({
        "contribution_bases": [
            {"region": "beijing", "period_start": "2024-07-01", "period_end": "2025-06-30",
             "lower": "7000", "upper": "36000", "source": src, "verified": True},
            {"region": "beijing", "period_start": "2023-07-01", "period_end": "2024-06-30",
             "lower": "6000", "upper": "33000", "source": src, "verified": True},
            {"region": "shenzhen", "period_start": "2025-07-01", "period_end": "2026-06-30",
             "lower": "2500", "upper": "27000", "source": src, "verified": False}],
        "withdrawal_windows": [{"region": "beijing", "hours": 48, "source": src}],
    }), encoding="utf-8")
    table = TABLE.with_overrides(path)
    replaced = table.base_limits("beijing", date(2024, 9, 1))
    assert (replaced.lower, replaced.upper, replaced.verified) == (D("7000"), D("36000"), True)
    assert sum(r.region == "beijing" and r.period_start == date(2024, 7, 1)
               for r in table.bases) == 1
    assert table.base_limits("beijing", date(2023, 9, 1)).lower == D("6000")
    assert "shenzhen" in table.regions() and "shenzhen" not in TABLE.regions()
    assert table.withdrawal_window("beijing").hours == 48
    assert table.withdrawal_window_hours("shanghai") == 72  # still the "*" default
    assert TABLE.base_limits("beijing", date(2024, 9, 1)).lower == D("6821")  # unchanged


def test_overrides_from_a_bare_list_and_malformed_rows() -> None:
    row = {"region": "beijing", "period_start": "2026-07-01", "period_end": "2027-06-30",
           "lower": "7500", "upper": "36500", "source": "x", "verified": False}
    assert TABLE.with_overrides([row]).base_limits("beijing", date(2026, 8, 1)).upper == D("36500")
    for bad in ({**row, "lower": "40000"}, {**row, "upper": "lots"}, {**row, "source": ""},
                {**row, "verified": "false"}, {**row, "period_end": "2026-01-01"}):
        with pytest.raises(ValueError):
            TABLE.with_overrides([bad])


def test_withdrawal_window_default() -> None:
    window = TABLE.withdrawal_window("guangdong")
    assert (window.region, window.hours, window.verified) == ("*", 72, False)
    assert "confirm with the local SI bureau" in window.source


def test_contribution_rates() -> None:
    beijing = TABLE.contribution_rates("beijing", date(2024, 9, 1))
    assert (beijing.employer, beijing.employee) == (D("0.265"), D("0.105"))
    assert {c.name for c in beijing.components} == {"pension", "medical", "unemployment",
                                                     "work_injury"}
    assert TABLE.contribution_rates("shanghai", date(2024, 9, 1)).region == "*"


@pytest.mark.parametrize(
    ("hire", "as_of", "months"),
    [(date(2024, 1, 15), date(2024, 1, 20), 1), (date(2024, 1, 15), date(2024, 3, 1), 3),
     (date(2024, 12, 31), date(2025, 1, 1), 2), (date(2024, 5, 1), date(2024, 4, 1), 1)],
)
def test_months_owed_counts_started_calendar_months(hire: date, as_of: date, months: int) -> None:
    assert months_owed(hire, as_of) == months


RATES = ContributionRates(region="beijing", employer=D("0.265"), employee=D("0.105"),
                          source="test", verified=False)


def test_back_payment_estimate_by_hand() -> None:
    est = back_payment_estimate(base=D("10000"), rates=RATES, months_owed=3, days_late=10)
    # 10000 × 26.5 % × 3 = 7950; 10000 × 10.5 % × 3 = 3150; (7950 + 3150) × 0.0005 × 10 = 55.50
    assert [(i.code, i.amount) for i in est.items] == [
        ("premiums.employer", D("7950.00")), ("premiums.employee", D("3150.00")),
        ("late_fee", D("55.50"))]
    assert est.total == D("11155.50")
    assert est.items[2].article == "Social Insurance Law art. 86"
    assert all(i.article.startswith("Social Insurance Law") for i in est.items)
    assert est.verified is False


def test_back_payment_rounds_each_item_once_half_up() -> None:
    est = back_payment_estimate(base=D("6821"), rates=RATES, months_owed=1, days_late=7)
    # 6821 × 0.265 = 1807.565 → 1807.57; 6821 × 0.105 = 716.205 → 716.21;
    # (1807.57 + 716.21) × 0.0005 × 7 = 8.83323 → 8.83
    assert [i.amount for i in est.items] == [D("1807.57"), D("716.21"), D("8.83")]
    assert est.total == D("2532.61")
    assert all(i.amount.as_tuple().exponent == -2 for i in est.items)


def test_back_payment_without_delay_has_no_late_fee() -> None:
    est = back_payment_estimate(base=D("6821"), rates=replace(RATES, verified=True),
                                months_owed=1, days_late=0)
    assert est.items[2].amount == D("0.00") and est.verified is True
    with pytest.raises(ValueError):
        back_payment_estimate(base=D("6821"), rates=RATES, months_owed=1, days_late=-1)


def test_base_limits_is_frozen() -> None:
    with pytest.raises(AttributeError):
        BEIJING_2024.lower = D("1")  # type: ignore[misc]
    assert isinstance(BEIJING_2024, BaseLimits)
