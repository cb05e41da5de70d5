"""Intake of an injury report: every check names its field; times are Beijing time; the checklist fits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.injury.intake import CaseSettings, build_case_input, default_case_id
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import RuleViolation
from domain.shared.people import Contact
from tests.factories import case_input, case_report

ACCIDENT = datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI)
NOW = ACCIDENT + timedelta(hours=2)
SETTINGS = CaseSettings(hr_manager=Contact(name="HR Manager Chen", email="chen@example.com"))


def build(report, now: datetime = NOW, settings: CaseSettings = SETTINGS):
    return build_case_input(report, created_by="hr-alice", now=now, process=settings)


def refusal(report, now: datetime = NOW) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        build(report, now)
    return info.value


@pytest.fixture
def machine_in_new_york() -> Iterator[None]:
    """A server whose local zone is not Beijing: naive times must not be read in its zone."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        yield
    finally:
        mp.undo()
        time.tzset()


# ---- accident time -------------------------------------------------------------------------


def test_an_accident_in_the_future_is_refused_on_accident_at():
    error = refusal(case_report(NOW + timedelta(minutes=1)))
    assert (error.field, error.code) == ("accident_at", "accident_at.future")
    assert "future" in error.message


def test_an_accident_right_now_is_accepted():
    assert build(case_report(NOW)).accident_at == NOW


def test_an_accident_more_than_three_years_ago_is_data_migration_not_intake():
    error = refusal(case_report(NOW - timedelta(days=3 * 365 + 1)))
    assert (error.field, error.code) == ("accident_at", "accident_at.too_old")
    build(case_report(NOW - timedelta(days=3 * 365 - 1)))


def test_a_naive_accident_time_is_beijing_time(machine_in_new_york):
    inp = build(case_report(datetime(2025, 3, 10, 9, 30)))
    assert inp.accident_at == ACCIDENT
    assert inp.accident_at.utcoffset() == timedelta(hours=8)


def test_a_naive_accident_an_hour_ahead_of_beijing_is_in_the_future(machine_in_new_york):
    # 12:30 wall clock is 12:30 Beijing, one hour after NOW (11:30 Beijing), whatever the server zone
    error = refusal(case_report(datetime(2025, 3, 10, 12, 30)))
    assert error.code == "accident_at.future"


def test_an_accident_given_in_utc_keeps_its_instant():
    inp = build(case_report(ACCIDENT.astimezone(UTC)))
    assert inp.accident_at == ACCIDENT


# ---- case id -------------------------------------------------------------------------------


def test_the_default_case_id_is_the_employee_and_the_beijing_accident_date():
    assert build(case_report(ACCIDENT)).case_id == "E1001-20250310"


def test_the_default_case_id_uses_the_beijing_date_not_the_utc_date():
    late_evening_utc = datetime(2025, 3, 9, 20, 0, tzinfo=UTC)  # 04:00 on 10 March in Beijing
    assert build(case_report(late_evening_utc)).case_id == "E1001-20250310"


def test_the_default_case_id_of_a_naive_late_evening_accident_keeps_its_beijing_date(machine_in_new_york):
    report = case_report(datetime(2025, 3, 10, 23, 30))
    assert default_case_id(report) == "E1001-20250310"
    assert build(report, now=datetime(2025, 3, 11, 8, 0, tzinfo=SHANGHAI)).case_id == "E1001-20250310"


def test_a_case_id_given_by_hr_is_kept():
    assert build(case_report(ACCIDENT, case_id="E1001-hand.2")).case_id == "E1001-hand.2"


@pytest.mark.parametrize("bad", ["../etc", "-starts-with-dash", "has space", "x" * 65, "工伤1"])
def test_a_malformed_case_id_is_refused_on_case_id(bad):
    error = refusal(case_report(ACCIDENT, case_id=bad))
    assert error.field == "case_id"
    assert error.message.startswith("case_id must be")


def test_a_malformed_employee_id_is_refused_on_the_employee_field():
    error = refusal(case_report(ACCIDENT, employee_id="bad id"))
    assert error.field == "employee.employee_id"


# ---- required texts ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["location", "description", "injury", "region"])
@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_an_empty_text_names_its_field(field, blank):
    error = refusal(replace(case_report(ACCIDENT), **{field: blank}))
    assert (error.field, error.code) == (field, f"{field}.required")


def test_the_region_is_stored_trimmed_and_lower_case():
    assert build(replace(case_report(ACCIDENT), region="  Beijing ")).region == "beijing"


def test_a_bad_id_number_is_refused_on_the_employee_id_number():
    report = case_report(ACCIDENT)
    report = replace(report, employee=replace(report.employee, id_number="110105194912310021"))
    assert refusal(report).field == "employee.id_number"


# ---- the materials checklist ---------------------------------------------------------------


def codes(inp) -> list[str]:
    return [m.code for m in inp.materials]


def test_the_national_checklist_always_has_the_article_18_items():
    inp = build(case_report(ACCIDENT, witnesses=()))
    assert {"application_form", "labour_relationship", "diagnosis"} <= set(codes(inp))
    assert inp.materials_source


def test_witness_statements_are_asked_for_only_when_there_are_witnesses():
    assert "witness_statements" in codes(build(case_report(ACCIDENT, witnesses=("李四",))))
    assert "witness_statements" not in codes(build(case_report(ACCIDENT, witnesses=())))


def test_the_traffic_police_report_is_asked_for_only_in_a_traffic_accident():
    assert "traffic_police_report" in codes(build(case_report(ACCIDENT, traffic_accident=True)))
    assert "traffic_police_report" not in codes(build(case_report(ACCIDENT)))


def test_conditional_items_say_why_they_are_on_the_list():
    inp = build(case_report(ACCIDENT, witnesses=("李四",), traffic_accident=True))
    why = {m.code: m.condition for m in inp.materials}
    assert why["witness_statements"] == "witnesses"
    assert why["traffic_police_report"] == "traffic_accident"
    assert why["application_form"] == ""
    assert inp.traffic_accident is True


# ---- what the workflow gets ----------------------------------------------------------------


def test_the_input_carries_who_reported_when_and_the_case_timing():
    settings = replace(SETTINGS, reminder_days=(5, 25), chase_interval=timedelta(days=3),
                       company="某某制造有限公司")
    inp = build(case_report(ACCIDENT), settings=settings)
    assert inp.reported_at == NOW and inp.created_by == "hr-alice"
    assert inp.timing.determination_reminder_days == (5, 25)
    assert inp.timing.chase_interval == timedelta(days=3)
    assert inp.timing.materials_sla == timedelta(hours=24)
    assert inp.hr_manager is not None and inp.hr_manager.name == "HR Manager Chen"
    assert inp.company == "某某制造有限公司"


def test_the_factory_builds_a_valid_input_reported_at_the_accident():
    inp = case_input(ACCIDENT)
    assert inp.reported_at == ACCIDENT and inp.case_id == "E1001-20250310"


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 12, 31)),
       st.sampled_from([SHANGHAI, UTC]))
def test_the_case_id_date_is_always_the_beijing_date_of_the_accident(wall, zone):
    accident_at = wall.replace(tzinfo=zone)
    inp = build(case_report(accident_at), now=accident_at + timedelta(days=1))
    assert inp.case_id == f"E1001-{accident_at.astimezone(SHANGHAI):%Y%m%d}"
    assert inp.accident_at == accident_at
