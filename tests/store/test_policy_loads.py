"""An admin's policy load, the signals it queues and its ledger entry are one transaction, and the
running workflows it tells are read in that transaction; a registration whose figures a load
missed queues that load's signal in its own write (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Connection
from sqlmodel import Session, select

from activities.ledger import LedgerActivities
from api.registration import Missed, PinnedFigures, missed_loads
from domain.onboarding.policy import PolicyTable
from store import evidence, load_deliveries, policy_loads, workflow_events
from store.db import session_for
from store.load_deliveries import LoadSignalRow
from store.policy_loads import POLICY_SUBJECT, PolicyLoadRow
from store.running import open_cases, open_onboardings
from tests.factories import onboarding_input
from tests.store.test_activities_idempotent import projection

AT = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
SECTIONS = {"contribution_bases": [{"region": "beijing", "lower": "7500"}]}


def _tell_every_running(seen: list[str]):  # type: ignore[no-untyped-def]
    def signals_for(session: Session, load_id: int) -> list[tuple[str, str, str]]:
        running = [workflow_id for workflow_id, *_ in open_onboardings(session)]
        running += [case_id for case_id, *_ in open_cases(session)]
        seen.extend(running)
        return [(workflow_id, "policy_updated", f'{{"load": {load_id}}}')
                for workflow_id in running]
    return signals_for


def test_a_load_queues_its_signals_and_records_its_entry_together(db_url: str):
    LedgerActivities(db_url).record_onboarding(projection("awaiting_enrollment", 1))
    seen: list[str] = []
    load_id = policy_loads.save_load(db_url, SECTIONS, "a notice (test)", "admin-1", AT,
                                     _tell_every_running(seen))
    assert seen == ["onboarding-E1"]
    queued = load_deliveries.pending(db_url, policy_loads.load_key(load_id), limit=10)
    assert [(q.workflow_id, q.signal) for q in queued] == [("onboarding-E1", "policy_updated")]
    total, entries = evidence.page(db_url, POLICY_SUBJECT)
    assert total == 1 and entries[0].kind == "policy_loaded"
    assert entries[0].payload["load"] == load_id and entries[0].actor == "admin-1"
    assert evidence.verify(db_url, POLICY_SUBJECT).valid


def test_a_ledger_write_that_fails_leaves_no_load_and_no_signal(db_url: str,
                                                                monkeypatch: pytest.MonkeyPatch):
    LedgerActivities(db_url).record_onboarding(projection("awaiting_enrollment", 1))

    def fails(*_: object) -> int:
        raise RuntimeError("the ledger's write failed")

    monkeypatch.setattr(evidence, "append_in", fails)
    with pytest.raises(RuntimeError, match="ledger"):
        policy_loads.save_load(db_url, SECTIONS, "a notice (test)", "admin-1", AT,
                               _tell_every_running([]))
    monkeypatch.undo()
    with session_for(db_url) as session:
        assert session.exec(select(PolicyLoadRow)).all() == []
        assert session.exec(select(LoadSignalRow)).all() == []
    assert evidence.page(db_url, POLICY_SUBJECT)[0] == 0
    assert policy_loads.loaded_sections(db_url) == []  # nothing applies on the next start


# ---- a registration and a load that commit close together --------------------------------------

HIRED = date(2026, 11, 23)  # the hire date of `projection`'s onboarding-E1 (Beijing)
ROW = {"region": "beijing", "period_start": "2026-07-01", "period_end": "2027-06-30",
       "lower": "7500", "upper": "37000", "document": "京人社发〔2026〕1号 (test)",
       "source": "read from the notice (test)", "verified": True}
LIMITS = {"contribution_bases": [ROW]}


def _register(db_url: str, figures: PinnedFigures, queued: list[str], pause=None) -> int:  # type: ignore[no-untyped-def]
    """onboarding-E1's registration write, its input's figures pinned as `figures`; `queued`
    gets the keys of the loads it queued a signal of."""
    missed = Missed(queued, figures.load_id)
    check = missed_loads("onboarding-E1", onboarding_input(HIRED, employee_id="E1"), figures, AT,
                         missed)

    def checked_then_paused(conn: Connection) -> None:
        check(conn)
        if pause is not None:
            pause()
    return workflow_events.record_registration(db_url, projection("awaiting_enrollment", 1),
                                               checked_then_paused)


def _queued_for(db_url: str, load_id: int) -> list[str]:
    return [q.workflow_id for q in load_deliveries.pending(db_url, policy_loads.load_key(load_id),
                                                           limit=10)]


def test_a_registration_queues_the_signal_of_a_load_its_figures_missed(db_url: str):
    load_id = policy_loads.save_load(db_url, LIMITS, "a notice (test)", "admin-1", AT)
    queued: list[str] = []
    assert _register(db_url, PinnedFigures(PolicyTable.bundled(), 0), queued) == 1
    assert queued == [policy_loads.load_key(load_id)]
    assert _queued_for(db_url, load_id) == ["onboarding-E1"]


def test_a_registration_whose_figures_include_every_load_queues_nothing(db_url: str):
    load_id = policy_loads.save_load(db_url, LIMITS, "a notice (test)", "admin-1", AT)
    queued: list[str] = []
    _register(db_url, PinnedFigures(PolicyTable.bundled().with_overrides(LIMITS), load_id), queued)
    assert queued == [] and _queued_for(db_url, load_id) == []


def test_a_load_that_told_the_onboarding_is_not_queued_again_by_its_registration(db_url: str):
    """The workflow wrote its row first, the load told it, then the API's write came: it falls
    back to record_onboarding and checks the loads in a transaction of its own."""
    LedgerActivities(db_url).record_onboarding(projection("awaiting_enrollment", 1))
    load_id = policy_loads.save_load(db_url, LIMITS, "a notice (test)", "admin-1", AT,
                                     _tell_every_running([]))
    queued: list[str] = []
    assert _register(db_url, PinnedFigures(PolicyTable.bundled(), 0), queued) == 0
    assert queued == [] and _queued_for(db_url, load_id) == ["onboarding-E1"]


def _in_thread(work):  # type: ignore[no-untyped-def]
    done: list[object] = []
    thread = threading.Thread(target=lambda: done.append(work()), daemon=True)
    thread.start()
    return thread, done


def test_a_registration_waits_for_a_load_in_progress_and_is_told_of_it(postgresql_url: str):
    """READ COMMITTED alone would let each miss the other: the load read the running onboardings
    before the registration's row, the registration reads the loads before the load's row."""
    loading, release = threading.Event(), threading.Event()

    def told_nobody(session: Session, load_id: int) -> list[tuple[str, str, str]]:
        assert open_onboardings(session) == []
        loading.set()
        release.wait(10)
        return []

    load, loaded = _in_thread(lambda: policy_loads.save_load(
        postgresql_url, LIMITS, "a notice (test)", "admin-1", AT, told_nobody))
    assert loading.wait(10)
    queued: list[str] = []
    registration, registered = _in_thread(lambda: _register(
        postgresql_url, PinnedFigures(PolicyTable.bundled(), 0), queued))
    registration.join(0.5)
    assert registration.is_alive()  # waits for the load's commit
    release.set()
    load.join(10)
    registration.join(10)
    assert registered == [1] and queued == [policy_loads.load_key(loaded[0])]
    assert _queued_for(postgresql_url, loaded[0]) == ["onboarding-E1"]


def test_a_load_waits_for_a_registration_in_progress_and_tells_it(postgresql_url: str):
    checked, release = threading.Event(), threading.Event()

    def pause() -> None:
        checked.set()
        release.wait(10)

    queued: list[str] = []
    registration, _ = _in_thread(lambda: _register(
        postgresql_url, PinnedFigures(PolicyTable.bundled(), 0), queued, pause))
    assert checked.wait(10)
    seen: list[str] = []
    load, loaded = _in_thread(lambda: policy_loads.save_load(
        postgresql_url, LIMITS, "a notice (test)", "admin-1", AT, _tell_every_running(seen)))
    load.join(0.5)
    assert load.is_alive()  # waits for the registration's commit
    release.set()
    registration.join(10)
    load.join(10)
    assert queued == [] and seen == ["onboarding-E1"]
    assert _queued_for(postgresql_url, loaded[0]) == ["onboarding-E1"]
