"""Rows behind the KPIs of one quarter (tests/store/test_kpi_store.py, tests/api/test_kpis_api.py),
written straight into the list tables, and the figures they must give. Dates are days after the
quarter's first midnight in Beijing time, so the figures hold for any quarter."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any

from domain.kpis.quarters import Quarter
from store.db import session_for
from store.models import (
    CaseDeadlineEntry,
    CaseRow,
    EmployeeRecordRow,
    EmploymentRow,
    EvidenceEntry,
    NoticeRow,
    OnboardingRow,
)

MAKING, STORES = "生产部", "仓储部"
EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "si_enrolled_in_window": {MAKING: (1, 3), STORES: (1, 1)},
    "materials_in_time": {MAKING: (1, 2), STORES: (1, 2)},
    "return_notice_on_time": {MAKING: (1, 1), STORES: (0, 1)},
    "return_notice_answered": {MAKING: (1, 2), STORES: (0, 1)},
    "settlement_in_target": {MAKING: (0, 1), STORES: (1, 1)},
    "injuries_per_100": {MAKING: (2, 4), STORES: (2, 0)},
}
"""KPI → department → (numerator, denominator) in the seeded quarter."""
_seq = count(1)


def seed(url: str, quarter: Quarter) -> None:
    """Onboardings, cases, deadlines, notices, events and employments around `quarter`."""
    start = quarter.starts_at

    def at(days: float) -> datetime:
        return start + timedelta(days=days)

    rows: list[Any] = [
        _onboarding("O1", MAKING, at(10)), _enrolled("O1", at(5)),
        _onboarding("O2", MAKING, at(20)), _enrolled("O2", at(25)),
        _onboarding("O3", MAKING, at(30), "awaiting_enrollment"),
        _onboarding("O4", MAKING, at(12), "cancelled"),
        _onboarding("O5", STORES, at(15)), _enrolled("O5", at(1)),
        _onboarding("O6", MAKING, quarter.ends_at + timedelta(days=1)),
        _case("C1", MAKING, at(2)), _deadline("C1", "materials_filed", at(3), at(2.5)),
        _deadline("C1", "settlement_agreement", at(40), at(50)),
        _case("C2", MAKING, at(4)), _deadline("C2", "materials_filed", at(5)),
        _case("C3", STORES, at(6)), _deadline("C3", "materials_filed", at(7), at(6.5)),
        _deadline("C3", "settlement_agreement", at(60), at(50)),
        _case("C4", MAKING, at(8), "withdrawn", at(8.5)),
        _deadline("C4", "materials_filed", at(9), active=False),
        _case("C5", STORES, at(1), "closed", at(10)),
        _deadline("C5", "materials_filed", at(2), active=False),
        _event("case-C1", "return_notice_sent", at(20), suspension_ends_at=at(30).isoformat()),
        _event("case-C3", "return_notice_sent", at(20), suspension_ends_at=at(25).isoformat()),
        _notice("C1", at(20), at(21)), _notice("C3", at(20), at(24)), _notice("C2", at(30)),
        _notice("C2", at(31), purpose="determination_decision"),
    ]
    first, last = quarter.first_day, quarter.next_first_day - timedelta(days=1)
    for n, (hired, left) in enumerate([(first - timedelta(days=400), None),
                                       (first - timedelta(days=30), first),  # leaves day one
                                       (last, None), (first + timedelta(days=3), None),
                                       (first - timedelta(days=90), first - timedelta(days=1)),
                                       (last + timedelta(days=1), None)]):
        rows += _employment(f"E{n}", MAKING, hired, left)
    rows += _employment("E3", MAKING, first - timedelta(days=900), first + timedelta(days=1),
                        seq=2)  # E3's earlier employment: one person counts once
    with session_for(url) as session:
        for row in rows:
            session.add(row)
            session.flush()
        session.commit()


def _onboarding(key: str, department: str, due: datetime,
                status: str = "enrolled") -> OnboardingRow:
    return OnboardingRow(id=f"onboarding-{key}", employee_id=key, employee_name="张三",
                         department=department, region="beijing", hire_date=due.date(),
                         status=status, si_due_at=due, created_by="hr-alice",
                         created_at=due, updated_at=due)


def _enrolled(key: str, when: datetime) -> EvidenceEntry:
    return _event(f"onboarding-{key}", "enrollment_executed", when)


def _event(subject: str, kind: str, when: datetime, **payload: str) -> EvidenceEntry:
    seq = next(_seq)
    digest = hashlib.sha256(f"{subject}{seq}".encode()).hexdigest()
    return EvidenceEntry(subject_id=subject, seq=seq, idempotency_key=f"{subject}:{seq}", at=when,
                         recorded_at=when, actor="system", kind=kind, payload=payload,
                         payload_sha256=digest, prev_hash=digest, entry_hash=digest)


def _case(key: str, department: str, accident: datetime, stage: str = "reported",
          updated: datetime | None = None) -> CaseRow:
    return CaseRow(id=f"case-{key}", employee_id=key, employee_name="李四", department=department,
                   region="beijing", accident_at=accident, stage=stage, created_by="hr-alice",
                   created_at=accident, updated_at=updated or accident)


def _deadline(key: str, name: str, due: datetime, met: datetime | None = None,
              active: bool = True) -> CaseDeadlineEntry:
    return CaseDeadlineEntry(case_id=f"case-{key}", name=name, due_at=due, met_at=met,
                             kind="target", article="product rule", active=active)


def _notice(key: str, sent: datetime, answered: datetime | None = None,
            purpose: str = "return_to_work") -> NoticeRow:
    seq = next(_seq)
    return NoticeRow(id=f"notice-{seq}", subject_id=f"case-{key}", purpose=purpose,
                     code=f"K{seq:05d}", recipient_name="李四", recipient_role="employee",
                     status="answered" if answered else "open", created_at=sent,
                     answered_at=answered)


def _employment(key: str, department: str, hired: date, left: date | None,
                seq: int = 1) -> list[Any]:
    now = datetime.combine(hired, datetime.min.time()).astimezone()
    person = [EmployeeRecordRow(employee_id=key, name="王五", department=department,
                                created_at=now, updated_at=now)] if seq == 1 else []
    return person + [EmploymentRow(employee_id=key, seq=seq, department=department,
                                   hire_date=hired, leave_date=left, created_at=now,
                                   updated_at=now)]
