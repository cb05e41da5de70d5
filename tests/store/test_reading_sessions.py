"""Sessions that only read (store.db.reading): on SQLite they take no write turn and no write
lock, so a slow reader (an evidence bundle's builder at a low CPU priority) holds up no writer;
any write through one is refused."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from store.db import engine_for, migrate, reading, session_for

WAIT_S = 10.0


@pytest.fixture
def table(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'reads.db'}"
    migrate(url)
    with engine_for(url).begin() as conn:
        conn.execute(text("CREATE TABLE marks (value TEXT)"))
        conn.execute(text("INSERT INTO marks (value) VALUES ('before')"))
    return url


def _values(session) -> list[str]:  # type: ignore[no-untyped-def]
    return [row[0] for row in session.execute(text("SELECT value FROM marks ORDER BY rowid"))]


def _write(url: str, value: str) -> None:
    with session_for(url) as session:
        session.execute(text("INSERT INTO marks (value) VALUES (:v)"), {"v": value})
        session.commit()


def test_a_writer_does_not_wait_for_an_open_read(table: str):
    with reading(table) as session:
        assert _values(session) == ["before"]  # the read transaction is open from here
        writer = threading.Thread(target=_write, args=(table, "during"), daemon=True)
        writer.start()
        writer.join(WAIT_S)
        assert not writer.is_alive()
        assert _values(session) == ["before"]  # its snapshot: what was committed when it began
    with reading(table) as session:
        assert _values(session) == ["before", "during"]


def test_a_read_does_not_wait_for_an_open_write(table: str):
    with session_for(table) as writer:
        writer.execute(text("INSERT INTO marks (value) VALUES ('uncommitted')"))
        read: list[list[str]] = []

        def read_now() -> None:
            with reading(table) as session:
                read.append(_values(session))

        reader = threading.Thread(target=read_now, daemon=True)
        reader.start()
        reader.join(WAIT_S)
        assert not reader.is_alive()
        assert read == [["before"]]
        writer.commit()


def test_a_write_through_a_reading_session_is_refused(table: str):
    with reading(table) as session, pytest.raises(OperationalError, match="readonly"):
        session.execute(text("INSERT INTO marks (value) VALUES ('refused')"))
    with reading(table) as session:
        assert _values(session) == ["before"]


def test_a_reading_session_reads_what_was_committed(db_url: str):
    with session_for(db_url) as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS read_marks (value TEXT)"))
        session.execute(text("INSERT INTO read_marks (value) VALUES ('kept')"))
        session.commit()
    with reading(db_url) as session:
        assert session.execute(text("SELECT value FROM read_marks")).scalar_one() == "kept"
