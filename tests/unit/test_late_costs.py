"""Reg. art. 17 ¶4 (late application costs) and art. 25 (appraisal extension cap)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.compensation.data import CompensationTables
from domain.injury.late_costs import (
    appraisal_conclusion_limit,
    check_appraisal_extension,
    late_application_costs,
    rule_region,
)
from domain.shared.errors import RuleViolation

ACCIDENT = date(2026, 3, 2)
days = st.dates(min_value=date(2011, 1, 1), max_value=date(2040, 12, 31))


def test_filing_on_the_30th_day_is_in_time() -> None:  # Reg. art. 17 ¶1; Civil Code art. 201
    assert late_application_costs("beijing", ACCIDENT, date(2026, 4, 1)) is None


def test_nationally_the_employer_bears_costs_until_the_application_is_accepted() -> None:
    costs = late_application_costs("beijing", ACCIDENT, date(2026, 4, 2),
                                   accepted_on=date(2026, 4, 10))
    assert costs is not None and (costs.since, costs.until) == (ACCIDENT, date(2026, 4, 10))
    assert "art. 17 ¶4" in costs.explanation and costs.rule.ends_on == "accepted"


def test_before_acceptance_the_end_of_the_period_is_not_yet_known() -> None:
    costs = late_application_costs("guangdong", ACCIDENT, date(2026, 4, 2))
    assert costs is not None and costs.until is None and "not yet known" in costs.explanation


def test_zhejiang_counts_to_the_filing_day_with_its_article() -> None:
    costs = late_application_costs("zhejiang", ACCIDENT, date(2026, 4, 20),
                                   accepted_on=date(2026, 4, 27))
    assert costs is not None and costs.until == date(2026, 4, 20)
    assert costs.rule.article == "浙江省工伤保险条例 art. 13"


def test_an_approved_extension_moves_the_employer_s_last_day() -> None:
    assert late_application_costs("beijing", ACCIDENT, date(2026, 4, 20),
                                  extended_until=date(2026, 4, 30)) is None


def test_acceptance_before_filing_is_refused() -> None:
    with pytest.raises(RuleViolation) as err:
        late_application_costs("beijing", ACCIDENT, date(2026, 4, 20),
                               accepted_on=date(2026, 4, 19))
    assert err.value.field == "accepted_on"


@given(days, st.integers(0, 400), st.integers(0, 60))
def test_late_costs_run_from_the_accident_to_acceptance(accident: date, late: int,
                                                        wait: int) -> None:
    filed = accident + timedelta(days=late)
    accepted = filed + timedelta(days=wait)
    costs = late_application_costs("beijing", accident, filed, accepted_on=accepted)
    assert (costs is None) == (late <= 30)
    if costs is not None:
        assert costs.since == accident and costs.until == accepted >= filed


def test_appraisal_extension_is_capped_at_90_days_from_receipt() -> None:  # Reg. art. 25
    received = date(2026, 5, 6)
    assert appraisal_conclusion_limit(received) == date(2026, 8, 4)
    check_appraisal_extension(received, date(2026, 8, 4))
    with pytest.raises(RuleViolation) as err:
        check_appraisal_extension(received, date(2026, 8, 5))
    assert err.value.code == "until.beyond_maximum" and "art. 25" in err.value.message


@given(days, st.integers(-10, 200))
def test_an_extension_is_accepted_exactly_up_to_90_days(received: date, offset: int) -> None:
    until = received + timedelta(days=offset)
    refused = False
    try:
        check_appraisal_extension(received, until)
    except RuleViolation:
        refused = True
    assert refused == (offset > 90)


@pytest.mark.parametrize(("region", "key"), [
    ("hangzhou", "zhejiang"), ("chengdu", "sichuan"), ("zhejiang", "zhejiang"),
    ("beijing", "beijing"), ("guangzhou", "guangzhou"), ("atlantis", "atlantis"), (" HangZhou ", "zhejiang")])
def test_a_city_takes_its_provinces_rule(region: str, key: str) -> None:
    provinces = CompensationTables.bundled().provinces
    assert rule_region(region, provinces) == key
