"""Activities that write: a retried call writes nothing twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import select

from activities.gateways.si_bureau import GatewayActivities, SimulatedSiBureau
from activities.ledger import LedgerActivities
from activities.notices.outbox import NotifyActivities
from domain.onboarding.payloads import BureauEnrollment, Notification
from domain.onboarding.state import ProjectionUpdate
from domain.shared.events import Event
from domain.shared.people import Recipient
from store import evidence, workflow_events
from store.db import engine_for, point_read, session_for
from store.models import EvidenceEntry, OnboardingRow, OutboxMessage

SHANGHAI = timezone(timedelta(hours=8))


def projection(status: str, *seqs: int) -> ProjectionUpdate:
    return ProjectionUpdate(
        onboarding_id="onboarding-E1", employee_id="E1", employee_name="张三", department="生产部",
        region="beijing", hire_date=date(2026, 11, 23), status=status,
        si_due_at=datetime(2026, 12, 24, tzinfo=SHANGHAI), created_by="hr-alice",
        events=tuple(Event(seq=s, at=datetime(2026, 11, 23, 9, s, tzinfo=UTC), kind=f"k{s}",
                           actor="system", data={"n": s}) for s in seqs))


def test_events_are_written_once_and_the_status_never_moves_backwards(db_url: str):
    ledger = LedgerActivities(db_url)
    assert ledger.record_onboarding(projection("awaiting_enrollment", 1, 2)) == 2
    assert ledger.record_onboarding(projection("awaiting_enrollment", 1, 2)) == 0
    assert ledger.record_onboarding(projection("enrolled", 2, 3)) == 1
    assert ledger.record_onboarding(projection("awaiting_enrollment", 1, 2)) == 0  # late retry
    with session_for(db_url) as session:
        entries = session.exec(select(EvidenceEntry).order_by(EvidenceEntry.seq)).all()
        row = session.get(OnboardingRow, "onboarding-E1")
    assert [(e.seq, e.payload["workflow_seq"], e.kind) for e in entries] == [
        (1, 1, "k1"), (2, 2, "k2"), (3, 3, "k3")]
    assert row is not None and row.status == "enrolled" and row.last_seq == 3
    assert row.si_due_at == datetime(2026, 12, 23, 16, tzinfo=UTC)


def test_flushes_and_other_writers_share_one_valid_chain(db_url: str):
    """The flush appends in one transaction beside evidence.append's writers (e.g. a refused
    action recorded by the API), concurrently too: each event once, one unbroken chain."""
    ledger = LedgerActivities(db_url)
    ledger.record_onboarding(projection("awaiting_enrollment", 1))
    evidence.append(db_url, evidence.NewEntry(
        subject_id="onboarding-E1", idempotency_key="onboarding-E1:refusal:1",
        at=datetime(2026, 11, 23, 10, tzinfo=UTC), actor="hr-bob", kind="action_refused",
        payload={"action": "approve_enrollment"}))
    with ThreadPoolExecutor(max_workers=4) as pool:
        written = list(pool.map(ledger.record_onboarding,
                                [projection("awaiting_enrollment", 2, 3, 4)] * 3
                                + [projection("enrollment_submitted", 4, 5)]))
    assert sum(written) == 4
    with session_for(db_url) as session:
        entries = session.exec(select(EvidenceEntry).order_by(EvidenceEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert sorted(e.payload.get("workflow_seq", 0) for e in entries) == [0, 1, 2, 3, 4, 5]
    check = evidence.verify(db_url, "onboarding-E1")
    assert check.valid and check.entries == 6, check


def test_a_registration_opens_the_chain_and_the_list_row(db_url: str):
    assert workflow_events.record_registration(db_url, projection("awaiting_enrollment", 1)) == 1
    with session_for(db_url) as session:
        entries = session.exec(select(EvidenceEntry)).all()
        row = session.get(OnboardingRow, "onboarding-E1")
    assert [(e.seq, e.idempotency_key, e.prev_hash) for e in entries] == [
        (1, "onboarding-E1:event:1", evidence.GENESIS)]
    assert row is not None and row.status == "awaiting_enrollment" and row.last_seq == 1
    assert evidence.verify(db_url, "onboarding-E1").valid


def test_a_registration_already_written_by_the_workflow_is_not_written_again(db_url: str):
    ledger = LedgerActivities(db_url)
    assert ledger.record_onboarding(projection("enrollment_submitted", 1, 2)) == 2
    assert workflow_events.record_registration(db_url, projection("awaiting_enrollment", 1)) == 0
    with session_for(db_url) as session:
        entries = session.exec(select(EvidenceEntry)).all()
        row = session.get(OnboardingRow, "onboarding-E1")
    assert [e.seq for e in entries] == [1, 2]
    assert row is not None and row.status == "enrollment_submitted" and row.last_seq == 2


def test_a_registration_after_other_entries_of_its_subject_extends_their_chain(db_url: str):
    """The first-write path assumes a new subject; when the ledger already holds entries of it
    (here one recorded by the API beside the workflow), it writes through the general path."""
    evidence.append(db_url, evidence.NewEntry(
        subject_id="onboarding-E1", idempotency_key="onboarding-E1:refusal:1",
        at=datetime(2026, 11, 23, 8, tzinfo=UTC), actor="hr-bob", kind="action_refused",
        payload={"action": "approve_enrollment"}))
    assert workflow_events.record_registration(db_url, projection("awaiting_enrollment", 1)) == 1
    with session_for(db_url) as session:
        entries = session.exec(select(EvidenceEntry).order_by(EvidenceEntry.seq)).all()
        row = session.get(OnboardingRow, "onboarding-E1")
    assert [(e.seq, e.kind) for e in entries] == [(1, "action_refused"), (2, "k1")]
    assert row is not None and row.last_seq == 1
    assert evidence.verify(db_url, "onboarding-E1").valid


def test_a_notification_is_written_once_per_recipient(db_url: str):
    notify = NotifyActivities(db_url)
    message = Notification(idempotency_key="onboarding-E1:7", subject_id="onboarding-E1",
                           purpose="escalated", subject="s", body="b",
                           recipients=(Recipient("hr", "hr-alice"),
                                       Recipient("department_manager", "李经理", "+8613900139000")))
    assert notify.notify(message) == 2
    assert notify.notify(message) == 0
    with session_for(db_url) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 2


def enrollment(key: str, onboarding: str) -> BureauEnrollment:
    return BureauEnrollment(idempotency_key=key, onboarding_id=onboarding, employee_id="E1",
                            name="张三", id_number="11010519491231002X", region="beijing",
                            hire_date=date(2026, 11, 23), type="new",
                            contribution_base=Decimal("8000"))


def test_the_bureau_simulator_is_deterministic_and_idempotent(db_url: str):
    gateway = GatewayActivities(SimulatedSiBureau(db_url))
    first = gateway.submit_si_enrollment(enrollment("onboarding-E1:enrollment:1", "onboarding-E1"))
    again = gateway.submit_si_enrollment(enrollment("onboarding-E1:enrollment:1", "onboarding-E1"))
    assert first.accepted and first == again
    assert first.reference is not None and first.reference.startswith("SIM-BEIJING-")
    elsewhere = gateway.submit_si_enrollment(enrollment("onboarding-E9:enrollment:1",
                                                        "onboarding-E9"))
    assert not elsewhere.accepted and elsewhere.code == "already_enrolled_elsewhere"


def test_a_key_read_does_not_wait_for_a_writer(sqlite_url: str):
    """The API checks an id on its event loop (store.db.point_read): on SQLite that read must
    not take the write lock that every other transaction here begins with."""
    ledger = LedgerActivities(sqlite_url)
    ledger.record_onboarding(projection("awaiting_enrollment", 1))
    with engine_for(sqlite_url).begin() as writer:  # BEGIN IMMEDIATE: holds the write lock
        writer.execute(text("UPDATE onboardings SET status = 'enrolled'"))
        started = time.monotonic()
        assert workflow_events.onboarding_recorded(sqlite_url, "onboarding-E1")
        assert not workflow_events.onboarding_recorded(sqlite_url, "onboarding-E2")
        assert time.monotonic() - started < 1  # a locking read would wait 30 s (busy timeout)


def test_a_key_read_does_not_wait_for_a_connection_held_by_threads(sqlite_url: str):
    """On SQLite the key read runs on the event loop: every connection of the shared pool held
    (by request threads, say) must not stall it for the pool's 30 s timeout."""
    engine = engine_for(sqlite_url)
    held = [engine.raw_connection() for _ in range(engine.pool.size() + engine.pool._max_overflow)]
    try:
        started = time.monotonic()
        assert not workflow_events.onboarding_recorded(sqlite_url, "onboarding-E1")
        assert time.monotonic() - started < 1
    finally:
        for connection in held:
            connection.close()


async def test_a_key_read_answers_the_same_on_every_database(db_url: str):
    assert not await point_read(db_url, workflow_events.onboarding_recorded, "onboarding-E1")
    LedgerActivities(db_url).record_onboarding(projection("awaiting_enrollment", 1))
    assert await point_read(db_url, workflow_events.onboarding_recorded, "onboarding-E1")
