"""On SQLite the threads of one process take turns for the write lock (store.db._WriteTurns): a
transaction waits for the one before it to end, never in SQLite's sleeping busy handler, and
every way a transaction ends gives the turn back."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from store import db
from store.db import engine_for, first_turn, migrate, session_for

WAIT_S = 10.0  # generous: a test only fails on it when a turn is never given back


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    migrate(url)
    return url


def _write(url: str, value: str) -> None:
    with engine_for(url).begin() as conn:
        conn.execute(text("INSERT INTO bench_marks (value) VALUES (:v)"), {"v": value})


@pytest.fixture
def table(sqlite_url: str) -> str:
    with engine_for(sqlite_url).begin() as conn:
        conn.execute(text("CREATE TABLE bench_marks (value TEXT)"))
    return sqlite_url


def _values(url: str) -> list[str]:
    with engine_for(url).connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT value FROM bench_marks ORDER BY rowid"))]


def _in_thread(target, *args) -> threading.Thread:  # type: ignore[no-untyped-def]
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _hold_turn(url: str, value: str) -> tuple[threading.Thread, threading.Event]:
    """A thread that writes `value` and keeps its transaction open until the event is set."""
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with engine_for(url).begin() as conn:
            conn.execute(text("INSERT INTO bench_marks (value) VALUES (:v)"), {"v": value})
            entered.set()
            release.wait(WAIT_S)

    holder = _in_thread(hold)
    assert entered.wait(WAIT_S)
    return holder, release


def test_a_second_writer_waits_for_the_first_to_commit(table: str):
    holder, release = _hold_turn(table, "first")
    second = _in_thread(_write, table, "second")
    second.join(0.3)
    assert second.is_alive()  # waiting for its turn
    release.set()
    holder.join(WAIT_S)
    second.join(WAIT_S)
    assert not second.is_alive()
    assert _values(table) == ["first", "second"]


def test_a_workflows_event_write_goes_before_writers_already_waiting(table: str):
    """A reminder burst's ledger writes (store.workflow_events, in first_turn) are not queued
    behind the notices' reads and writes that the earlier reminders started."""
    def ledger_write() -> None:
        with first_turn():
            _write(table, "ledger")

    first, release = _hold_turn(table, "holder")
    other = _in_thread(_write, table, "other")
    other.join(0.3)
    ledger = _in_thread(ledger_write)
    ledger.join(0.3)
    assert other.is_alive() and ledger.is_alive()
    release.set()
    for thread in (first, other, ledger):
        thread.join(WAIT_S)
    assert _values(table) == ["holder", "ledger", "other"]


def test_a_writer_gives_way_to_event_writes_for_a_bounded_time(monkeypatch: pytest.MonkeyPatch):
    """An ordinary writer is never starved into the timeout by a stream of event writes: after
    FIRST_TURN_PRECEDENCE_S it takes a free turn even while one of them waits."""
    monkeypatch.setattr(db, "FIRST_TURN_PRECEDENCE_S", 0.2)
    monkeypatch.setattr(db, "SQLITE_TURN_TIMEOUT_S", 5.0)
    turns = db._WriteTurns()
    turns._first_waiting = 1  # an event write that keeps waiting (its thread never runs here)
    started = time.monotonic()
    assert turns._take(first=False)
    assert 0.2 <= time.monotonic() - started < 5.0  # gave way, then went on before the timeout


def test_a_rolled_back_transaction_gives_its_turn_back(table: str):
    with pytest.raises(RuntimeError):
        with engine_for(table).begin() as conn:
            conn.execute(text("INSERT INTO bench_marks (value) VALUES ('lost')"))
            raise RuntimeError("the write fails half-way")
    _write(table, "after")
    assert _values(table) == ["after"]


def test_a_session_closed_without_committing_gives_its_turn_back(table: str):
    with session_for(table) as session:
        session.execute(text("INSERT INTO bench_marks (value) VALUES ('never committed')"))
    writer = _in_thread(_write, table, "next")
    writer.join(WAIT_S)
    assert not writer.is_alive()
    assert _values(table) == ["next"]


def test_an_invalidated_connection_gives_its_turn_back(table: str):
    with engine_for(table).connect() as conn:
        conn.begin()
        conn.execute(text("INSERT INTO bench_marks (value) VALUES ('dropped')"))
        conn.invalidate()  # the driver connection is closed mid-transaction
    writer = _in_thread(_write, table, "next")
    writer.join(WAIT_S)
    assert not writer.is_alive()
    assert _values(table) == ["next"]


def test_a_transaction_may_end_in_another_thread(table: str):
    conn = engine_for(table).connect()
    transaction = conn.begin()
    conn.execute(text("INSERT INTO bench_marks (value) VALUES ('handed over')"))
    ender = _in_thread(transaction.commit)
    ender.join(WAIT_S)
    conn.close()
    _write(table, "next")
    assert _values(table) == ["handed over", "next"]


def test_no_turn_within_the_timeout_fails_naming_sqlite(table: str,
                                                         monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(db, "SQLITE_TURN_TIMEOUT_S", 0.2)
    failure: list[BaseException] = []

    def blocked() -> None:
        try:
            _write(table, "too late")
        except BaseException as exc:  # noqa: BLE001
            failure.append(exc)

    with engine_for(table).begin() as conn:
        conn.execute(text("INSERT INTO bench_marks (value) VALUES ('holder')"))
        waiter = _in_thread(blocked)
        waiter.join(WAIT_S)
    assert len(failure) == 1 and isinstance(failure[0], TimeoutError)
    assert "no turn to write to SQLite within 0.2 s" in str(failure[0])
    _write(table, "next")  # the failed begin took no turn
    assert _values(table) == ["holder", "next"]
