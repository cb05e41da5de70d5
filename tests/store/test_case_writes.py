"""A case's write: events, list row and deadlines in one transaction, once however often retried."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from domain.injury.views import CaseDeadlineRow, CaseProjection
from domain.shared.events import Event
from store import evidence, workflow_events
from store.db import session_for
from store.models import CaseDeadlineEntry, CaseRow

OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = OPENED + timedelta(days=30)


def event(seq: int, kind: str) -> Event:
    return Event(seq=seq, at=OPENED + timedelta(minutes=seq), kind=kind, actor="hr-alice")


def deadline(name: str, due_at: datetime, met_at: datetime | None = None) -> CaseDeadlineRow:
    return CaseDeadlineRow(name=name, due_at=due_at, met_at=met_at, kind="statutory",
                           article="《工伤保险条例》第十七条", active=True)


def write(stage: str, events: tuple[Event, ...], *deadlines: CaseDeadlineRow,
          owner: str | None = None) -> CaseProjection:
    return CaseProjection(case_id="case-E1", employee_id="E1", employee_name="张三",
                          department="生产部", region="beijing", accident_at=OPENED, stage=stage,
                          created_by="hr-alice", deadlines=deadlines, events=events, owner=owner)


def rows(db_url: str) -> tuple[CaseRow, list[CaseDeadlineEntry]]:
    with session_for(db_url) as session:
        row = session.get(CaseRow, "case-E1")
        assert row is not None
        deadlines = list(session.exec(select(CaseDeadlineEntry)
                                      .where(CaseDeadlineEntry.case_id == "case-E1")
                                      .order_by(CaseDeadlineEntry.name)))
        return row, deadlines


def test_events_row_and_deadlines_are_written_once(db_url: str):
    opened = write("reported", (event(1, "case_opened"),), deadline("determination_application", DUE))
    assert workflow_events.record_case(db_url, opened) == 1
    assert workflow_events.record_case(db_url, opened) == 0  # a retry: nothing new
    filed = write("reported", (event(2, "materials_filed"), event(3, "determination_applied")),
                  deadline("determination_application", DUE, met_at=OPENED + timedelta(days=3)),
                  deadline("determination_decision", DUE + timedelta(days=60)), owner="hr-bob")
    assert workflow_events.record_case(db_url, filed) == 2
    row, deadlines = rows(db_url)
    assert (row.stage, row.last_seq, row.owner) == ("reported", 3, "hr-bob")
    assert row.next_due_at == DUE + timedelta(days=60)  # the met one no longer counts
    assert [(d.name, d.met_at is not None) for d in deadlines] == \
        [("determination_application", True), ("determination_decision", False)]
    kinds = [e.kind for e in evidence.page(db_url, "case-E1")[1]]
    assert kinds == ["case_opened", "materials_filed", "determination_applied"]
    assert evidence.verify(db_url, "case-E1").valid


def test_an_older_write_retried_late_changes_no_row(db_url: str):
    workflow_events.record_case(db_url, write("reported", (event(1, "case_opened"),),
                                              deadline("determination_application", DUE)))
    newer = write("applied", (event(2, "determination_applied"),),
                  deadline("determination_application", DUE, met_at=OPENED))
    workflow_events.record_case(db_url, newer)
    workflow_events.record_case(db_url, replace(newer, stage="reported", events=(
        event(1, "case_opened"),), deadlines=(deadline("determination_application", DUE),)))
    row, [application] = rows(db_url)
    assert (row.stage, row.last_seq) == ("applied", 2)
    assert application.met_at is not None
