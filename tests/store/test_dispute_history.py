"""A case's outcome reaches the dispute history once, however often the activity is retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from activities.ledger import LedgerActivities
from domain.injury.views import CaseProjection
from domain.shared.events import Event
from store import disputes, evidence

CLOSED_AT = datetime(2026, 3, 31, 17, 30, tzinfo=UTC)  # 1 April in Shanghai
OUTCOME = {
    "cause": "操作冲压机时右手拇指被夹伤", "injury": "右手拇指肌腱断裂", "location": "二号车间",
    "region": "beijing", "accident_on": "2026-01-05", "si_enrolled": True,
    "traffic_accident": False, "recognised": True, "grade": 8, "no_disability": False,
    "suspension_months": 2, "employer_offers": ["36000"], "employee_demands": ["80000"],
    "agreed_amount": "48000.5", "paid_amount": "48000.5", "disputes": [], "duration_days": 85,
    "outcome": "closed", "reason": "paid in full", "missed_deadlines": ["settlement_agreement"],
}


def update(*events: Event) -> CaseProjection:
    return CaseProjection(case_id="case-E1", employee_id="E1", employee_name="张三",
                          department="生产部", region="beijing",
                          accident_at=CLOSED_AT - timedelta(days=85), stage="closed",
                          created_by="hr-alice", deadlines=(), events=events)


def test_the_outcome_event_twice_is_one_row(db_url: str):
    ledger = LedgerActivities(db_url)
    closed = Event(seq=20, at=CLOSED_AT, kind="case_closed", actor="hr-alice", data={})
    outcome = Event(seq=21, at=CLOSED_AT, kind="case_outcome", actor="system", data=OUTCOME)
    assert ledger.record_case(update(closed, outcome)) == 2
    assert ledger.record_case(update(closed, outcome)) == 0  # a retry: nothing new
    assert ledger.record_case(update(outcome)) == 0
    rows = disputes.all_rows(db_url)
    assert len(rows) == 1
    row = rows[0]
    assert (row.source, row.case_id, row.grade, row.outcome) == ("case", "case-E1", 8, "closed")
    assert row.agreed_amount == Decimal("48000.50") and row.employer_offers == ["36000.00"]
    assert row.closed_on.isoformat() == "2026-04-01" and row.notes == "paid in full"
    assert row.missed_deadlines == ["settlement_agreement"]
    assert evidence.page(db_url, "case-E1")[0] == 2


def test_a_batch_without_an_outcome_writes_no_history(db_url: str):
    LedgerActivities(db_url).record_case(
        update(Event(seq=1, at=CLOSED_AT, kind="case_opened", actor="hr-alice", data={})))
    assert disputes.all_rows(db_url) == []
