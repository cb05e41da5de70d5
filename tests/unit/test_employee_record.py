"""The employee record's pure rules: SI status transitions, the status in force on a day, who a
registration is about, onboarding ids of re-hires, and the roster's rows and cells."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.employees import roster
from domain.employees.record import OnFile, Registered, check_id_free, check_same_person
from domain.employees.si_status import (
    LABELS,
    TRANSITIONS,
    SiStatus,
    check_transition,
    label,
    parse,
    status_on,
)
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.ids import employee_id_of, employment_of, onboarding_id

statuses = st.sampled_from(list(SiStatus))
employee_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,20}", fullmatch=True)


def test_every_status_has_its_chinese_label_and_stable_code():
    assert {s.value: LABELS[s] for s in SiStatus} == {
        "uninsured": "未参保", "enrolled": "参保", "paying": "正常缴费", "interrupted": "中断",
        "stopped": "停保"}
    assert label("interrupted") == "中断"
    with pytest.raises(ActionRefused) as refused:
        parse("normal")
    assert refused.value.code == "si_status.unknown" and "paying (正常缴费)" in refused.value.message


@given(statuses, statuses)
def test_a_transition_is_allowed_exactly_when_the_table_lists_it(before, after):
    if after in TRANSITIONS[before]:
        check_transition(before, after)
    else:
        with pytest.raises(ActionRefused) as refused:
            check_transition(before, after)
        assert refused.value.code == "si_status.transition"
        assert LABELS[after] in refused.value.message


def test_paid_back_clears_an_interruption_but_nothing_unpays_an_account():
    check_transition(SiStatus.interrupted, SiStatus.paying)
    with pytest.raises(ActionRefused):
        check_transition(SiStatus.paying, SiStatus.uninsured)
    with pytest.raises(ActionRefused):
        check_transition(None, SiStatus.paying)


@given(st.lists(st.tuples(st.integers(0, 400), statuses), max_size=12), st.integers(-5, 420))
def test_the_status_in_force_is_the_last_change_on_or_before_the_day(changes, offset):
    start = date(2025, 1, 1)
    ordered = sorted(((start + timedelta(days=d), s) for d, s in changes), key=lambda c: c[0])
    day = start + timedelta(days=offset)
    before = [s for d, s in ordered if d <= day]
    assert status_on(ordered, day) == (before[-1] if before else None)


def test_a_change_dated_before_the_latest_is_refused():
    with pytest.raises(ActionRefused) as refused:
        check_transition(SiStatus.enrolled, SiStatus.paying, latest_on=date(2025, 3, 1),
                         effective_on=date(2025, 2, 28))
    assert refused.value.code == "si_status.backdated"


@given(employee_ids, st.integers(1, 500))
def test_onboarding_ids_of_employments_read_back(employee_id, employment):
    workflow_id = onboarding_id(employee_id, employment)
    assert (employee_id_of(workflow_id), employment_of(workflow_id)) == (employee_id, employment)
    assert (workflow_id == f"onboarding-{employee_id}") == (employment == 1)


@pytest.mark.parametrize("bad", ["onboarding-E1~1", "onboarding-E1~", "onboarding-E1~02",
                                 "onboarding-E1~x", "onboarding-~2"])
def test_a_malformed_employment_suffix_is_no_onboarding_id(bad):
    with pytest.raises(RuleViolation):
        employee_id_of(bad)


ON_FILE = OnFile("E1", "张三", date(1990, 1, 2), "110105199001020011")


def test_the_same_person_may_be_typed_with_other_spaces():
    check_same_person(ON_FILE, Registered("E9", "张 三", date(1990, 1, 2), "110105199001020011"))


def test_another_name_for_an_id_number_on_file_names_both_records():
    with pytest.raises(ActionRefused) as refused:
        check_same_person(ON_FILE, Registered("E9", "李四", date(1990, 1, 2), "x"))
    assert refused.value.code == "employee.identity_conflict"
    assert refused.value.details["differs"] == ["name"]
    assert refused.value.details["on_file"]["employee_id"] == "E1"
    assert "110105199001020011" not in str(refused.value.details)


def test_an_employee_id_backfilled_without_id_number_takes_the_first_one():
    check_id_free(OnFile("E1", "张三", None, None), Registered("E1", "张三", date(1990, 1, 2), "n"))
    with pytest.raises(ActionRefused) as refused:
        check_id_free(ON_FILE, Registered("E1", "张三", date(1990, 1, 2), "other"))
    assert refused.value.code == "employee.id_taken"


@given(st.text(max_size=20))
def test_no_exported_cell_starts_what_a_spreadsheet_runs(text):
    assert not roster.neutralised(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_row_becomes_a_registration_and_errors_name_its_column():
    columns = roster.check_header(["工号", "姓名", "身份证号", "手机", "部门", "直属上级",
                                   "上级手机", "入职日期", "参保地", "缴费基数", "紧急联系人"])
    body = roster.registration_of(columns, ["E1", "张三", "x", "1", "生产部", "李", "2",
                                            date(2026, 1, 5), "beijing", 8000.0, ""])
    assert body["hire_date"] == "2026-01-05" and body["contribution_base"] == "8000"
    assert "emergency_contact" not in body["employee"]
    assert roster.field_of(("employee", "manager", "phone")) == "manager_phone"
    assert roster.field_of(["employee", "emergency_contact"]) == "row"
    assert roster.field_of("employee.id_number".split(".")) == "id_number"


def test_a_header_without_a_required_column_is_refused_naming_it():
    with pytest.raises(roster.TableInvalid) as invalid:
        roster.check_header(["employee_id", "name", "name", "薪资"])
    message = invalid.value.errors[0].message
    assert "unknown column '薪资'" in message and "column name appears twice" in message
    assert "required column id_number is missing" in message
