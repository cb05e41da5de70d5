"""Social Insurance Law art. 86: the late fee (滞纳金) of each unpaid month runs from that month's
own due date (domain/contributions/late_fees.py), and a back payment shows it per month."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.contributions.late_fees import (
    MonthOwed,
    month_due_at,
    monthly_late_fees,
    total_late_fee,
)
from domain.contributions.rules import DEFAULT_DEADLINE_RULE as RULE
from domain.onboarding import rules
from domain.onboarding.back_payment import back_payment_by_month, owed_periods
from domain.onboarding.policy import ContributionRates
from domain.shared.calendar import LEGACY_CALENDAR as CAL
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import RuleViolation
from domain.shared.labels import REFUSALS
from tests.factories import onboarding_input

RATES = ContributionRates(region="beijing", employer=D("0.265"), employee=D("0.105"),
                          source="test", verified=False)
# Hired 2026-01-05: SIL art. 58's 30 days end on 2026-02-04 (24:00 Beijing time).
HIRED = date(2026, 1, 5)
REGISTRATION_DUE = datetime(2026, 2, 5, tzinfo=SHANGHAI)


def test_the_product_default_rule_is_the_data_files_default_row() -> None:
    data = Path(__file__).parents[2] / "domain" / "data" / "payment_deadlines.json"
    row = next(r for r in json.loads(data.read_text(encoding="utf-8"))["payment_deadlines"]
               if r["region"] == "*")
    assert row == asdict(RULE)


def test_art_86_each_month_runs_from_its_own_due_date_worked_to_the_fen() -> None:
    # 3,700.00 a month owed; paid 2026-04-20. Deadlines (15th, moved past rest days):
    # 2026-01 → 01-15, but not before the registration deadline 02-04: 75 days → 138.75
    # 2026-02 → 02-15 is in the Spring Festival: 02-24, 55 days → 101.75
    # 2026-03 → 03-15 is a Sunday: 03-16, 35 days → 64.75
    # 2026-04 → 04-15, 5 days → 9.25
    owed = [MonthOwed(p, D("3700.00")) for p in ("2026-01", "2026-02", "2026-03", "2026-04")]
    lines = monthly_late_fees(owed, date(2026, 4, 20), RULE, CAL, not_before=REGISTRATION_DUE)
    assert [(f.period, f.days_late, f.late_fee) for f in lines] == [
        ("2026-01", 75, D("138.75")), ("2026-02", 55, D("101.75")),
        ("2026-03", 35, D("64.75")), ("2026-04", 5, D("9.25"))]
    assert total_late_fee(lines) == D("314.50")
    assert all(f.article == "《社会保险法》第八十六条" for f in lines)
    assert "2026-02-24 到期" in lines[1].formula and "55 日" in lines[1].formula


def test_art_86_rounds_each_month_once_half_up() -> None:
    # 2,523.78 × 0.0005 × 75 = 94.64175 → 94.64; × 55 = 69.40395 → 69.40
    owed = [MonthOwed("2026-01", D("2523.78")), MonthOwed("2026-02", D("2523.78"))]
    lines = monthly_late_fees(owed, date(2026, 4, 20), RULE, CAL, not_before=REGISTRATION_DUE)
    assert [f.late_fee for f in lines] == [D("94.64"), D("69.40")]
    assert total_late_fee(lines) == D("164.04")


def test_art_86_a_month_not_yet_due_owes_no_fee() -> None:
    lines = monthly_late_fees([MonthOwed("2026-04", D("3700.00"))], date(2026, 4, 15), RULE, CAL)
    assert (lines[0].days_late, lines[0].late_fee) == (0, D("0.00"))
    assert month_due_at("2026-04", RULE, CAL) == datetime(2026, 4, 16, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("owed", "field", "code"), [
    ([MonthOwed("2026-13", D("1"))], "owed.period", "owed.period.format"),
    ([MonthOwed("2026-01", D("-1"))], "owed.amount", "late_fee.amount"),
    ([MonthOwed("2026-01", D("1.001"))], "owed.amount", "late_fee.amount"),
    ([MonthOwed("2026-01", D("1")), MonthOwed("2026-01", D("2"))], "owed.period",
     "late_fee.month_repeated"),
])
def test_art_86_bad_months_are_refused_naming_the_field(owed: list[MonthOwed], field: str,
                                                       code: str) -> None:
    with pytest.raises(RuleViolation) as info:
        monthly_late_fees(owed, date(2026, 4, 20), RULE, CAL)
    assert (info.value.field, info.value.code) == (field, code)
    assert code in REFUSALS


PERIODS = st.sampled_from([f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)])
MONTHS = st.lists(st.builds(MonthOwed, PERIODS, st.decimals(
    min_value=D("0"), max_value=D("1000000"), places=2)), max_size=12,
    unique_by=lambda m: m.period)
PAID = st.dates(min_value=date(2024, 11, 1), max_value=date(2026, 12, 31))


@given(MONTHS, PAID)
def test_art_86_the_total_is_the_sum_of_the_months_each_counted_alone(
        owed: list[MonthOwed], paid_on: date) -> None:
    lines = monthly_late_fees(owed, paid_on, RULE, CAL)
    alone = [monthly_late_fees([m], paid_on, RULE, CAL)[0].late_fee for m in owed]
    assert total_late_fee(lines) == sum(alone, D("0.00"))
    assert all(f.late_fee.as_tuple().exponent == -2 for f in lines)


@given(MONTHS, PAID, st.integers(min_value=1, max_value=800))
def test_art_86_a_later_payment_day_never_lowers_the_fee(owed: list[MonthOwed], paid_on: date,
                                                         later_by: int) -> None:
    early = monthly_late_fees(owed, paid_on, RULE, CAL)
    late = monthly_late_fees(owed, paid_on + timedelta(days=later_by), RULE, CAL)
    assert all(b.late_fee >= a.late_fee for a, b in zip(early, late, strict=True))
    assert total_late_fee(late) >= total_late_fee(early)


def test_art_86_back_payment_shows_the_fee_per_month_worked_to_the_fen() -> None:
    est = back_payment_by_month(base=D("10000"), rates=RATES, hire_date=HIRED,
                                as_of=date(2026, 4, 20), rule=RULE, cal=CAL,
                                registration_due=REGISTRATION_DUE)
    # 10000 × 26.5 % = 2650 and × 10.5 % = 1050 a month, 4 months (January to April)
    assert [(i.code, i.amount) for i in est.items] == [
        ("premiums.employer", D("10600.00")), ("premiums.employee", D("4200.00")),
        ("late_fee.2026-01", D("138.75")), ("late_fee.2026-02", D("101.75")),
        ("late_fee.2026-03", D("64.75")), ("late_fee.2026-04", D("9.25"))]
    assert est.total == D("15114.50")
    assert est.months_owed == 4 and est.days_late == 75
    assert all(i.article == "Social Insurance Law art. 86" for i in est.items[2:])


def test_art_86_the_onboarding_estimate_is_per_month_only_when_patched() -> None:
    inp = onboarding_input(HIRED, base="10000")
    as_of = date(2026, 4, 20)
    old = rules.back_payment_cost(inp, D("10000"), as_of)
    new = rules.back_payment_cost(inp, D("10000"), as_of, by_month=True)
    assert [i.code for i in old.items][-1] == "late_fee"
    assert [i.code for i in new.items][2:] == [f"late_fee.{p}" for p in owed_periods(HIRED, as_of)]
    assert new.total < old.total  # one date for all over-stated the later months
    assert new.total == sum((i.amount for i in new.items), D("0.00"))
    unpinned = rules.back_payment_cost(replace(inp, payment_rule=None), D("10000"), as_of, True)
    assert unpinned.total == new.total


def test_a_back_payment_before_the_hire_date_is_refused() -> None:
    with pytest.raises(RuleViolation) as info:
        back_payment_by_month(base=D("10000"), rates=RATES, hire_date=HIRED,
                              as_of=date(2026, 1, 4), rule=RULE, cal=CAL,
                              registration_due=REGISTRATION_DUE)
    assert (info.value.field, info.value.code) == ("as_of", "back_payment.before_hire")
    assert info.value.code in REFUSALS
