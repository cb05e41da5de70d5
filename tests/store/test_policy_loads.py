"""An admin's policy load, the signals it queues and its ledger entry are one transaction, and the
running workflows it tells are read in that transaction (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from activities.ledger import LedgerActivities
from store import evidence, load_deliveries, policy_loads
from store.db import session_for
from store.load_deliveries import LoadSignalRow
from store.policy_loads import POLICY_SUBJECT, PolicyLoadRow
from store.running import open_cases, open_onboardings
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
