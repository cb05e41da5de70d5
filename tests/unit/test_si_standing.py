"""A case's SI standing on the accident date, from the employee record (Regs. art. 62; SIL 58)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.employees.si_standing import (
    STANDING_LABELS,
    RecordFacts,
    Standing,
    check_declaration,
    standing_on,
)
from domain.employees.si_status import INSURED, SiStatus
from domain.injury.si_consequences import FUND_ITEMS, si_consequences, standing_view
from domain.shared.errors import ActionRefused, RuleViolation
from tests.unit.injury_driver import ACCIDENT, Case

DAY = ACCIDENT.date()
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
statuses = st.sampled_from(list(SiStatus))


@given(day=days, status=statuses, offset=st.integers(0, 400), declared=st.none() | st.booleans())
def test_a_status_on_file_decides_whatever_hr_declared(day, status, offset, declared):
    since = day - timedelta(days=offset)
    facts = RecordFacts(status=status, since=since, onboarding_id="onboarding-E1",
                        window_due_on=since + timedelta(days=30))
    standing = standing_on(day, facts, declared)
    assert standing.insured == (status in INSURED)
    assert standing.source.startswith("员工档案：")
    assert standing.code in {s.value for s in STANDING_LABELS}
    if status is not SiStatus.uninsured:
        assert f"{since} 起" in standing.source


@given(day=days, due_offset=st.integers(-60, 60))
def test_not_enrolled_is_within_the_window_up_to_its_last_day(day, due_offset):
    due = day + timedelta(days=due_offset)
    facts = RecordFacts(status=SiStatus.uninsured, since=due - timedelta(days=29),
                        onboarding_id="onboarding-E1", window_due_on=due, employed=True)
    standing = standing_on(day, facts)
    assert not standing.insured
    assert standing.code == (Standing.within_window if day <= due else Standing.window_missed)
    assert str(due) in standing.source and "onboarding-E1" in standing.source


@given(day=days, declared=st.booleans())
def test_with_nothing_on_file_hr_declaration_stands_and_is_said(day, declared):
    standing = standing_on(day, RecordFacts(), declared)
    assert standing.code == Standing.no_record and standing.insured == declared
    assert ("HR 申报：已参保" if declared else "HR 申报：未参保") in standing.source
    assert check_declaration(standing) is None


def test_an_employment_before_its_first_status_is_not_yet_enrolled_not_unknown():
    facts = RecordFacts(onboarding_id="onboarding-E1", window_due_on=DAY, employed=True)
    assert standing_on(DAY, facts, True).code == Standing.within_window


def test_the_source_reads_like_the_record():
    paying = standing_on(date(2026, 11, 20), RecordFacts(status=SiStatus.paying,
                                                         since=date(2026, 11, 3)))
    assert paying.source.startswith("员工档案：2026-11-03 起 正常缴费")
    interrupted = standing_on(DAY, RecordFacts(status=SiStatus.interrupted, since=DAY))
    assert interrupted.code == Standing.interrupted and not interrupted.insured


@given(status=statuses, declared=st.booleans())
def test_a_declaration_that_disagrees_with_the_record_is_never_silent(status, declared):
    standing = standing_on(DAY, RecordFacts(status=status, since=DAY, window_due_on=DAY), declared)
    why = check_declaration(standing)
    assert (why is None) == (declared == standing.insured)
    if why is not None:
        assert "override-si-standing" in why


def test_a_case_from_a_missed_window_counts_the_employee_uninsured_and_shows_art_62():
    facts = RecordFacts(status=SiStatus.uninsured, since=DAY - timedelta(days=45),
                        onboarding_id="onboarding-E1001", window_due_on=DAY - timedelta(days=15))
    case = Case(si_enrolled=None, si_facts=facts)
    assert case.inp.si_enrolled is False and case.inp.si_standing is not None
    assert case.inp.si_standing.code == Standing.window_missed
    block = si_consequences(case.inp.si_standing, False)
    assert block is not None and block["article"] == "Reg. art. 62 ¶2"
    assert [i["code"] for i in block["employer_pays"]] == [c for c, _, _ in FUND_ITEMS]
    assert "SIL art. 41" in block["advance_payment"]["article"]
    assert "86" in block["back_payment"]["article"]
    assert block["onboarding_id"] == "onboarding-E1001"
    assert any("增员" in step for step in block["what_to_do"])
    assert si_consequences(case.inp.si_standing, True) is None


def test_hr_typing_the_opposite_of_the_record_is_refused_and_nothing_typed_is_asked_for():
    insured = RecordFacts(status=SiStatus.paying, since=DAY - timedelta(days=90))
    with pytest.raises(ActionRefused) as info:
        Case(si_enrolled=False, si_facts=insured)
    assert info.value.code == "si_standing.mismatch" and info.value.details["standing"] == "insured"
    assert Case(si_enrolled=None, si_facts=insured).inp.si_enrolled is True
    with pytest.raises(RuleViolation) as missing:
        Case(si_enrolled=None, si_facts=RecordFacts())
    assert missing.value.code == "si_enrolled.required"


def test_an_override_needs_a_reason_and_a_document_and_is_recorded():
    facts = RecordFacts(status=SiStatus.uninsured, since=DAY, onboarding_id="onboarding-E1001",
                        window_due_on=DAY - timedelta(days=1))
    case = Case(si_enrolled=None, si_facts=facts)
    with pytest.raises(RuleViolation, match="document"):
        case.check("override_si_standing", si_enrolled=True, reason="外地已参保")
    with pytest.raises(RuleViolation):
        case.check("override_si_standing", si_enrolled=True, documents=("doc-1",))
    with pytest.raises(ActionRefused) as same:
        case.check("override_si_standing", si_enrolled=False, reason="x", documents=("doc-1",))
    assert same.value.code == "si_standing.unchanged"
    case.do("override_si_standing", si_enrolled=True, reason="社保局出具参保证明",
            documents=("doc-1",))
    kind, data = case.events[-1]
    assert kind == "si_standing_overridden" and data["was"] is False and data["si_enrolled"]
    assert data["derived"] == "window_missed" and data["documents"] == ["doc-1"]
    view = standing_view(case.inp, case.state)
    assert view is not None and view["insured"] is True and view["code"] == "window_missed"
    assert view["overridden"]["reason"] == "社保局出具参保证明"
