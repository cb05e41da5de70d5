"""Engine, sessions and migrations (applied on start)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@cache
def engine_for(url: str) -> Engine:
    """One engine per URL; SQLite gets WAL and a busy timeout so the API and worker can share it."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Let SQLAlchemy, not pysqlite, open transactions, so that they can begin IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Safe against a process crash (WAL); only a power loss may lose the newest commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
    """Take SQLite's write lock when a transaction starts: read-then-append is then serialised."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@cache
def _sqlite_writer(url: str) -> threading.Lock:
    return threading.Lock()


@contextmanager
def one_writer(url: str) -> Iterator[None]:
    """Around a hot write transaction: on SQLite, the threads of this process take turns here
    instead of in SQLite's busy handler, which sleeps 1, 2, 5, 10 … 100 ms between tries and so
    turned 8 concurrent registrations into tens of milliseconds of waiting each. Other processes
    still meet SQLite's lock. PostgreSQL needs no turn-taking (row and advisory locks)."""
    if not url.startswith("sqlite"):
        yield
        return
    with _sqlite_writer(url):
        yield


@contextmanager
def session_for(url: str) -> Iterator[Session]:
    with Session(engine_for(url), expire_on_commit=False) as session:
        yield session


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # imported here: only start-up needs alembic

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")
