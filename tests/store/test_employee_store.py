"""The employee record's store: one person across re-hires, keyed SI status changes, and the
onboarding's events projected onto it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.employees.si_status import SiStatus
from domain.onboarding.state import Status, projection_of
from domain.shared.errors import ActionRefused
from domain.shared.events import Event
from store import employees, workflow_events
from tests.factories import OTHER_VALID_ID, employee, onboarding_input

HIRED = date(2024, 9, 2)
AT = datetime(2024, 9, 2, 2, tzinfo=UTC)


def register(db_url: str, employee_id: str = "E1001", hire_date: date = HIRED, **changes: str
             ) -> employees.Registration:
    return employees.upsert_from_registration(
        db_url, replace(employee(employee_id), **changes), hire_date=hire_date, region="beijing",
        at=AT)


def test_a_new_person_opens_their_first_employment(db_url: str):
    reg = register(db_url)
    assert reg == employees.Registration("E1001", 1, "onboarding-E1001", linked=False,
                                         rehire=False)
    record = employees.record_of(db_url, "E1001")
    assert record is not None and record.person.birth_date == date(1949, 12, 31)
    assert [e.onboarding_id for e in record.employments] == ["onboarding-E1001"]


def test_a_rehire_is_a_new_employment_of_the_same_employee_id(db_url: str):
    register(db_url)
    assert employees.record_leave(db_url, "E1001", date(2024, 12, 31), "离职 resigned", AT)
    assert not employees.record_leave(db_url, "E1001", date(2025, 1, 1), "again", AT)
    # HR types a new id for the re-hire: the ID number on file links to the person.
    reg = register(db_url, "E2002", hire_date=date(2025, 3, 3))
    assert reg == employees.Registration("E1001", 2, "onboarding-E1001~2", linked=True,
                                         rehire=True)
    record = employees.record_of(db_url, "E1001")
    assert record is not None
    assert [(e.seq, e.hire_date, e.leave_date) for e in record.employments] == [
        (1, HIRED, date(2024, 12, 31)), (2, date(2025, 3, 3), None)]
    assert not employees.on_file(db_url, "E2002")


def test_an_open_employment_registered_again_is_the_same_one(db_url: str):
    first = register(db_url)
    again = register(db_url, hire_date=date(2024, 9, 5))  # the start failed: retried
    assert (again.onboarding_id, again.employment) == (first.onboarding_id, 1)
    record = employees.record_of(db_url, "E1001")
    assert record is not None and record.employments[0].hire_date == date(2024, 9, 5)


def test_the_same_id_number_under_another_name_names_both_records(db_url: str):
    register(db_url)
    with pytest.raises(ActionRefused) as refused:
        register(db_url, "E3003", name="李四")
    assert refused.value.code == "employee.identity_conflict"
    assert refused.value.details["on_file"]["employee_id"] == "E1001"
    assert refused.value.details["registered"] == {"employee_id": "E3003", "name": "李四",
                                                   "birth_date": "1949-12-31"}
    assert "11010519491231002X" not in refused.value.message


def test_an_employee_id_on_file_for_another_id_number_is_refused(db_url: str):
    register(db_url)
    with pytest.raises(ActionRefused) as refused:
        register(db_url, id_number=OTHER_VALID_ID, name="王五")
    assert refused.value.code == "employee.id_taken"


def test_status_changes_are_keyed_and_follow_the_transitions(db_url: str):
    register(db_url)
    write = employees.record_si_status
    assert write(db_url, "E1001", SiStatus.enrolled, date(2024, 9, 6), "社保增员办结", "k1", AT)
    assert not write(db_url, "E1001", SiStatus.enrolled, date(2024, 9, 6), "retried", "k1", AT)
    assert write(db_url, "E1001", "paying", date(2024, 10, 15), "缴费确认 paid", "k2", AT)
    with pytest.raises(ActionRefused) as refused:
        write(db_url, "E1001", SiStatus.uninsured, date(2024, 11, 1), "?", "k3", AT)
    assert refused.value.code == "si_status.transition"
    with pytest.raises(ActionRefused) as backdated:
        write(db_url, "E1001", SiStatus.interrupted, date(2024, 10, 1), "?", "k4", AT)
    assert backdated.value.code == "si_status.backdated"
    on = employees.si_status_on
    assert on(db_url, "E1001", date(2024, 9, 5)) is None
    assert on(db_url, "E1001", date(2024, 9, 6)) == SiStatus.enrolled
    assert on(db_url, "E1001", date(2024, 11, 1)) == SiStatus.paying
    now = employees.current(db_url, "E1001", today=date(2024, 11, 1))
    assert now is not None and now.si_status == SiStatus.paying
    assert now.si_since == date(2024, 10, 15) and now.employment is not None


def test_an_unknown_employee_has_no_status_to_record(db_url: str):
    with pytest.raises(ActionRefused) as refused:
        employees.record_si_status(db_url, "NOBODY", "enrolled", HIRED, "?", "k", AT)
    assert refused.value.code == "employee.not_found"


def test_the_onboardings_events_write_the_timeline_once(db_url: str):
    reg = register(db_url)
    inp = onboarding_input(HIRED)
    registered = Event(seq=1, at=AT, kind="registered", actor="hr-alice")
    executed = Event(seq=2, at=AT + timedelta(days=3), kind="enrollment_executed", actor="system",
                     data={"request": 1, "bureau_reference": "BJ-1"})
    workflow_events.record_registration(db_url, projection_of(
        reg.onboarding_id, inp, Status.awaiting_enrollment, (registered,)))
    for _ in range(2):  # a retried activity
        workflow_events.record_onboarding(db_url, projection_of(
            reg.onboarding_id, inp, Status.enrolled, (registered, executed)))
    record = employees.record_of(db_url, "E1001")
    assert record is not None
    assert [(c.status, c.effective_on, c.evidence_key) for c in record.timeline] == [
        ("uninsured", HIRED, "onboarding-E1001:event:1"),
        ("enrolled", date(2024, 9, 5), "onboarding-E1001:event:2")]
    assert record.timeline[1].source.startswith("社保增员办结")


def test_a_cancelled_onboarding_ends_its_employment(db_url: str):
    reg = register(db_url)
    inp = onboarding_input(HIRED)
    events = (Event(seq=1, at=AT, kind="registered", actor="hr-alice"),
              Event(seq=2, at=AT + timedelta(days=1), kind="cancelled", actor="hr-alice",
                    data={"reason": "did not start"}))
    workflow_events.record_onboarding(db_url, projection_of(
        reg.onboarding_id, inp, Status.cancelled, events))
    assert register(db_url, hire_date=date(2024, 10, 1)).onboarding_id == "onboarding-E1001~2"
