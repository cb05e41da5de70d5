"""Self-service proposals in the store, on SQLite and PostgreSQL: a newer proposal supersedes the
pending one, a decision applies once however many reviewers press at once, and a record that
changed since the proposal is not overwritten with a stale difference."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from domain.employees.self_service import check_proposal
from domain.shared.errors import ActionRefused
from store import employees, evidence, self_service
from store.db import engine_for
from store.employees import EMPLOYEES
from tests.factories import employee

AT = datetime(2026, 12, 1, 2, tzinfo=UTC)


def registered(db_url: str) -> None:
    employees.upsert_from_registration(db_url, employee("E1001"), hire_date=date(2026, 11, 2),
                                       region="beijing", at=AT)


def test_a_newer_proposal_supersedes_the_pending_one(db_url: str):
    registered(db_url)
    first = self_service.propose(db_url, "E1001", check_proposal({"email": "a@example.com"}),
                                 "notice-1", "张三")
    second = self_service.propose(db_url, "E1001", check_proposal({"email": "b@example.com"}),
                                  "notice-1", "张三")
    assert self_service.queue(db_url)[0] == 1
    assert [p.status for p in self_service.latest_of(db_url, "E1001")] == ["pending", "superseded"]
    with pytest.raises(ActionRefused) as refused:
        self_service.decide(db_url, first.id or 0, True, "hr-alice", "")
    assert refused.value.code == "proposal.decided"
    _, entries = evidence.page(db_url, "employee-E1001")
    assert entries[-1].payload["supersedes"] == [first.id] and second.id


def test_two_reviewers_at_once_decide_it_once(db_url: str):
    registered(db_url)
    proposal = self_service.propose(db_url, "E1001", check_proposal({"phone": "13700137000"}),
                                    "notice-1", "张三")

    def approve(who: str) -> str:
        try:
            return self_service.decide(db_url, proposal.id or 0, True, who, "").status
        except ActionRefused as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(approve, ["hr-alice", "hr-carol"]))
    assert outcomes == ["approved", "proposal.decided"]
    _, entries = evidence.page(db_url, "employee-E1001")
    assert [e.kind for e in entries] == ["change_proposed", "change_approved"]
    assert evidence.verify(db_url, "employee-E1001").valid


def test_a_record_changed_since_the_proposal_is_not_overwritten(db_url: str):
    registered(db_url)
    proposal = self_service.propose(db_url, "E1001", check_proposal({"phone": "13700137000"}),
                                    "notice-1", "张三")
    with engine_for(db_url).begin() as conn:  # HR corrected it meanwhile (a re-registration)
        conn.execute(update(EMPLOYEES).where(EMPLOYEES.c.employee_id == "E1001")
                     .values(phone="+8613600136000"))
    with pytest.raises(ActionRefused) as refused:
        self_service.decide(db_url, proposal.id or 0, True, "hr-alice", "")
    assert refused.value.code == "proposal.outdated" and refused.value.field == "phone"
    record = employees.record_of(db_url, "E1001")
    assert record is not None and record.person.phone == "+8613600136000"
    rejected = self_service.decide(db_url, proposal.id or 0, False, "hr-alice", "已由人事更正")
    assert rejected.status == "rejected"
