"""A corrected leave day on the employee record: compare-and-set with its evidence entry, once.
SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from domain.shared.errors import ActionRefused
from store import employees, evidence, leave_corrections
from tests.factories import employee

LEFT, HIRED = date(2026, 11, 30), date(2026, 3, 2)


def _left(db_url: str, employee_id: str = "E1001") -> None:
    employees.upsert_from_registration(db_url, employee(employee_id), hire_date=HIRED,
                                       region="beijing")
    assert employees.record_leave(db_url, employee_id, LEFT, "合同期满", datetime.now(UTC))


def _correction(after: date, before: date = LEFT, reason: str = "以离职证明为准"
                ) -> leave_corrections.LeaveCorrection:
    return leave_corrections.LeaveCorrection("E1001", 1, before, after, reason, "hr-alice",
                                             datetime.now(UTC), {"si_stop": "si-stop-E1001"})


def test_a_correction_changes_the_day_once_with_its_entry(db_url: str):
    _left(db_url)
    assert leave_corrections.correct(db_url, _correction(date(2026, 11, 20)))
    assert not leave_corrections.correct(db_url, _correction(date(2026, 11, 20)))  # repeated
    assert employees.last_employment(db_url, "E1001").leave_date == date(2026, 11, 20)
    [entry] = evidence.page(db_url, "employee-E1001")[1]
    assert (entry.kind, entry.actor) == ("leave_date_corrected", "hr-alice")
    assert entry.payload["leave_date_before"] == "2026-11-30"
    assert entry.payload["si_stop"] == "si-stop-E1001"
    [shown] = leave_corrections.of(db_url, "E1001")[1]
    assert (shown["leave_date"], shown["evidence"]["seq"]) == ("2026-11-20", entry.seq)


def test_a_correction_from_a_day_no_longer_on_record_is_refused(db_url: str):
    _left(db_url)
    assert leave_corrections.correct(db_url, _correction(date(2026, 11, 20)))
    with pytest.raises(ActionRefused) as refused:
        leave_corrections.correct(db_url, _correction(date(2026, 11, 25)))
    assert (refused.value.code, refused.value.field) == ("leave.changed", "leave_date")
    assert employees.last_employment(db_url, "E1001").leave_date == date(2026, 11, 20)
    assert len(evidence.page(db_url, "employee-E1001")[1]) == 1


def test_of_two_corrections_at_once_one_writes(db_url: str):
    _left(db_url)
    outcomes: list[object] = []

    def correct(day: date) -> None:
        try:
            outcomes.append(leave_corrections.correct(db_url, _correction(day)))
        except ActionRefused as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=correct, args=(date(2026, 11, d),)) for d in (20, 25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes)) == ["True", "leave.changed"]
    assert len(evidence.page(db_url, "employee-E1001")[1]) == 1
    assert evidence.verify(db_url, "employee-E1001").valid


def test_a_day_corrected_back_and_forth_keeps_every_entry(db_url: str):
    _left(db_url)
    there, back = date(2026, 11, 20), LEFT
    for before, after in ((LEFT, there), (there, back), (back, there)):
        assert leave_corrections.correct(db_url, _correction(after, before))
    entries = evidence.page(db_url, "employee-E1001")[1]
    assert [(e.payload["leave_date_before"], e.payload["leave_date"]) for e in entries] == [
        ("2026-11-30", "2026-11-20"), ("2026-11-20", "2026-11-30"), ("2026-11-30", "2026-11-20")]
    assert [c["leave_date"] for c in leave_corrections.of(db_url, "E1001")[1]] == [
        "2026-11-20", "2026-11-30", "2026-11-20"]
