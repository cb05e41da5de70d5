"""The workspace's lists on SQLite and PostgreSQL: the case board takes each stage's soonest
next deadlines however many newer cases other stages hold, counts every open case, and keeps to
the reader's departments; the department filter lists each department once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.injury.views import CaseDeadlineRow, CaseProjection
from domain.shared.events import Event
from domain.shared.scoping import Scope
from store import workflow_events, worklist

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
COMPANY = Scope(company=True, departments=frozenset())


def write(db_url: str, n: int, stage: str, days_ago: float, due_in: float | None,
          department: str = "生产部") -> str:
    case_id = f"case-E{n}-2026"
    deadlines = () if due_in is None else (CaseDeadlineRow(
        name="determination_application", due_at=NOW + timedelta(days=due_in), met_at=None,
        kind="duty", article="Regulations art. 17 ¶1", active=True),)
    workflow_events.record_case(db_url, CaseProjection(
        case_id=case_id, employee_id=f"E{n}", employee_name=f"职工{n}", department=department,
        region="beijing", accident_at=NOW - timedelta(days=days_ago), stage=stage,
        created_by="hr-alice", deadlines=deadlines,
        events=(Event(seq=1, at=NOW, kind="case_opened", actor="hr-alice"),)))
    return case_id


def test_an_old_stage_is_not_crowded_out_and_soonest_comes_first(db_url: str):
    for n in range(6):  # newer cases, all in one stage
        write(db_url, n, "reported", days_ago=n, due_in=20 + n)
    late = write(db_url, 10, "suspension", days_ago=300, due_in=-3)
    later = write(db_url, 11, "suspension", days_ago=200, due_in=5)
    none_open = write(db_url, 12, "suspension", days_ago=100, due_in=None)
    write(db_url, 13, "closed", days_ago=1, due_in=1)
    board = worklist.case_board(db_url, COMPANY, per_stage=3)
    assert [c.case_id for c in board.columns["suspension"]] == [late, later, none_open]
    assert board.columns["suspension"][0].next_deadline is not None
    assert board.columns["suspension"][0].next_deadline.name == "determination_application"
    assert board.columns["suspension"][2].next_deadline is None
    assert len(board.columns["reported"]) == 3 and board.totals["reported"] == 6
    assert "closed" not in board.columns and board.totals["suspension"] == 3


def test_a_manager_sees_their_departments_once_each(db_url: str):
    write(db_url, 1, "reported", days_ago=1, due_in=5, department="仓储部")
    write(db_url, 2, "reported", days_ago=2, due_in=6, department="生产部")
    write(db_url, 3, "reported", days_ago=3, due_in=7, department="生产部")
    warehouse = Scope(company=False, departments=frozenset({"仓储部"}))
    board = worklist.case_board(db_url, warehouse)
    assert [c.department for c in board.columns["reported"]] == ["仓储部"]
    assert board.totals["reported"] == 1
    assert worklist.departments(db_url, COMPANY) == ["仓储部", "生产部"]
    assert worklist.departments(db_url, warehouse) == ["仓储部"]


def test_the_notices_sent_to_a_person_newest_first(db_url: str):
    from store.db import session_for
    from store.models import NoticeRow

    with session_for(db_url) as session:
        for n, (name, days_ago) in enumerate((("mgr-bob", 1), ("mgr-bob", 3), ("hr-alice", 1),
                                              ("mgr-bob", 40))):
            session.add(NoticeRow(id=f"ntc-{n}", subject_id="case-E1-2026",
                                  purpose="case_escalation", code=f"C{n}", recipient_name=name,
                                  recipient_role="department_manager", channels=["email"],
                                  status="sent", created_at=NOW - timedelta(days=days_ago)))
        session.commit()
    found = worklist.notices_to(db_url, "mgr-bob", NOW - timedelta(days=30), COMPANY)
    assert [n.id for n in found] == ["ntc-0", "ntc-1"]
    write(db_url, 1, "reported", days_ago=1, due_in=5, department="仓储部")  # case-E1-2026
    assert len(worklist.notices_to(db_url, "mgr-bob", NOW - timedelta(days=30), Scope(
        company=False, departments=frozenset({"仓储部"})))) == 2
    assert worklist.notices_to(db_url, "mgr-bob", NOW - timedelta(days=30), Scope(
        company=False, departments=frozenset({"生产部"}))) == []
