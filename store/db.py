"""Engine, sessions and migrations (applied on start)."""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, Select, Table, bindparam, event, literal_column, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    import sqlite3

    import psycopg
    from alembic.config import Config
    from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_ENGINES: list[Engine] = []  # every engine the caches below made, for dispose_engines


@cache
def engine_for(url: str) -> Engine:
    """One engine per URL; SQLite gets WAL and a busy timeout so the API and worker can share it.
    No engine puts a statement's parameters in its errors (`hide_parameters`): an activity's
    failure is logged and kept in Temporal's history, and the parameters hold phone and ID
    numbers."""
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url)
        _WriteTurns().attach(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    event.listen(engine, "connect", _postgres_timeouts)
    _ENGINES.append(engine)
    return engine


def dispose_engines() -> None:
    """Close every pooled connection and forget every engine, for a process done with its
    databases. The next call for a URL makes a new engine. The test suite calls it after each
    test: each test has a database of its own, and the engines of every test before, their
    pools and compiled statements, were objects that each full garbage collection of the
    suite's process walked again (pauses up to 3 s, past the 2 s in which an in-process worker
    must finish a workflow activation)."""
    for cached in (engine_for, _key_reads, _reads, _exists_statement):
        cached.cache_clear()
    while _ENGINES:
        _ENGINES.pop().dispose()


# No wait on a lock may stall an activity for good: a row or advisory lock left held (a connection
# whose activity was cancelled mid-query by the SDK, which raises into the thread) fails the wait
# after this, and the activity's bounded retries take over (workflows/_policies.py).
POSTGRES_LOCK_TIMEOUT = "15s"


def _postgres_timeouts(dbapi_connection: psycopg.Connection[Any], _record: ConnectionPoolEntry) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{POSTGRES_LOCK_TIMEOUT}'")
    dbapi_connection.commit()


@cache
def _key_reads(url: str) -> Engine:
    """The connections of `row_exists`. On SQLite a pool of their own: those reads run on the
    event loop, which must never wait for a connection that worker threads hold."""
    return _sqlite_engine(url) if url.startswith("sqlite") else engine_for(url)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        _private_file(Path(path))
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           hide_parameters=True)
    event.listen(engine, "connect", _sqlite_pragmas)
    _ENGINES.append(engine)
    return engine


def _private_file(path: Path) -> None:
    """The database file created 0600 before SQLite opens it (its -wal and -shm files take the
    file's mode), and an older one made 0600: it holds personal data. A new folder is 0700."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy, not pysqlite, open transactions, so that they can begin IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # Safe against a process crash (WAL); only a power loss may lose the newest commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# As SQLite's busy_timeout: a transaction that cannot take its turn in this long fails.
SQLITE_TURN_TIMEOUT_S = 30.0

# How long a transaction not begun in first_turn lets first ones go before it, at most.
FIRST_TURN_PRECEDENCE_S = 5.0

_turn_kind = threading.local()


@contextmanager
def first_turn() -> Iterator[None]:
    """Transactions begun in this block take SQLite's turn before waiting ones begun outside such
    a block: a workflow's events (its evidence) are written before notices' and reads' work."""
    outer = getattr(_turn_kind, "first", False)
    _turn_kind.first = True
    try:
        yield
    finally:
        _turn_kind.first = outer


class _WriteTurns:
    """Every transaction of a SQLite engine for writing begins IMMEDIATE (SQLite's write lock:
    read-then-append is serialised; `reading` sessions are on engines of their own), and the
    threads of this process take turns for it on one lock, from BEGIN to the end of COMMIT or
    ROLLBACK. Waiting in SQLite's busy handler instead sleeps 1, 2, 5, 10 …
    100 ms between tries: a reminder burst's ledger writes sat behind the notices' directory reads
    and admin-task writes for seconds. Other processes (the API, another worker) still meet
    SQLite's lock and its busy handler. The turn is not bound to a thread: it ends wherever the
    transaction does. Transactions begun in `first_turn` (the workflows' event writes) take it
    before waiting ones that were not."""

    def __init__(self) -> None:
        self._state = threading.Condition(threading.Lock())
        self._taken = False
        self._first_waiting = 0  # workflows' event writes waiting: they go before the others
        self._holder: int | None = None  # id() of the DBAPI connection whose transaction is open

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "begin", self._begin)
        dialect = engine.dialect  # one instance per engine: its methods are wrapped for this one
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                self._end(dbapi_connection)

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                self._end(dbapi_connection)

        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]
        # A connection dropped mid-transaction (invalidated, closed) ends its turn too.
        event.listen(engine, "invalidate", lambda raw, _record, _exc: self._end(raw))
        event.listen(engine, "close", lambda raw, _record: self._end(raw))

    def _begin(self, connection: Connection) -> None:
        if not self._take(getattr(_turn_kind, "first", False)):
            raise TimeoutError(f"no turn to write to SQLite within {SQLITE_TURN_TIMEOUT_S:g} s")
        raw = connection.connection.dbapi_connection
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._give()
            raise
        self._holder = id(raw)

    def _take(self, first: bool) -> bool:
        """Wait for the turn; one not begun in first_turn lets first ones go before it for at most
        FIRST_TURN_PRECEDENCE_S of its wait (it is never starved into the timeout)."""
        now = time.monotonic()
        deadline, precedence_ends = now + SQLITE_TURN_TIMEOUT_S, now + FIRST_TURN_PRECEDENCE_S
        with self._state:
            self._first_waiting += first
            try:
                while True:
                    now = time.monotonic()
                    giving_way = not first and self._first_waiting > 0 and now < precedence_ends
                    if not self._taken and not giving_way:
                        self._taken = True
                        return True
                    if now >= deadline:
                        return False
                    until = precedence_ends if giving_way and not self._taken else deadline
                    self._state.wait(until - now)
            finally:
                self._first_waiting -= first

    def _give(self) -> None:
        with self._state:
            self._taken = False
            self._state.notify_all()

    def _end(self, connection: Any) -> None:
        raw = getattr(connection, "dbapi_connection", connection)
        if self._holder is not None and self._holder == id(raw):
            self._holder = None
            self._give()


def row_exists(url: str, table: Table, key: str) -> bool:
    """Whether `table` holds the row whose primary key is `key`. One statement on a pooled driver
    connection: through SQLAlchemy's execution (events, a transaction, result objects) this read
    cost ~260 µs of CPU, this way ~40 µs, pool checkout included. On SQLite the driver runs it
    without a transaction (the connections are in autocommit; SQLAlchemy opens theirs): it takes
    no lock, so it never waits for a writer, which makes it fit to run on an event loop
    (`point_read`)."""
    sql, positional = _exists_statement(url, table)
    connection = _key_reads(url).raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql, (key,) if positional else {"key": key})
        found = cursor.fetchone() is not None
        cursor.close()
        return found
    finally:
        connection.close()  # back to the pool, rolled back


@cache
def _exists_statement(url: str, table: Table) -> tuple[str, bool]:
    (key_column,) = table.primary_key.columns
    dialect = _key_reads(url).dialect
    statement: Select[int] = select(literal_column("1")).where(key_column == bindparam("key"))
    return str(statement.compile(dialect=dialect)), dialect.positional


T = TypeVar("T")

WRITE_ATTEMPTS = 3


def retrying(db_url: str, write: Callable[..., T], *args: Any,
             attempts: int = WRITE_ATTEMPTS) -> T:
    """`write(conn, *args)` in one transaction; a concurrent writer that took a unique key first
    rolls it back whole, and the next pass reads what it wrote."""
    for attempt in range(attempts):
        try:
            with engine_for(db_url).begin() as conn:
                return write(conn, *args)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


async def point_read(url: str, read: Callable[..., T], *args: object) -> T:
    """`read(url, *args)`, a short lock-free read by key (`row_exists`), from async code. On
    SQLite it runs on the event loop, where it costs less than a hop to a worker thread and back
    would (~0.1 ms idle, more on a loaded machine). On PostgreSQL it waits on the network, so it
    runs in a worker thread."""
    if url.startswith("sqlite"):
        return read(url, *args)
    return await asyncio.to_thread(read, url, *args)


@contextmanager
def session_for(url: str) -> Iterator[Session]:
    with Session(engine_for(url), expire_on_commit=False) as session:
        yield session


@contextmanager
def reading(url: str) -> Iterator[Session]:
    """A session that only reads. On SQLite its transactions begin DEFERRED on connections of
    their own that refuse every write (`PRAGMA query_only`), and take no write turn: in WAL mode a
    reader sees the database as of its first statement, never waits for a writer and never holds
    one up. A read in `session_for` begins IMMEDIATE and holds SQLite's write lock until it ends:
    an evidence bundle's ledger read, at the builder's low CPU priority, kept the API's
    access-log writes waiting in SQLite's busy handler. On PostgreSQL it is `session_for`."""
    with Session(_reads(url), expire_on_commit=False) as session:
        yield session


@cache
def _reads(url: str) -> Engine:
    if not url.startswith("sqlite") or url.split("///", 1)[-1] in ("", ":memory:"):
        return engine_for(url)  # an in-memory SQLite is one connection's: share the writers'
    engine = _sqlite_engine(url)
    event.listen(engine, "connect", _query_only)
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    return engine


def _query_only(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.execute("PRAGMA query_only=ON")


def ping(url: str) -> None:
    """One round trip to the database (the health check): raises when it does not answer."""
    with engine_for(url).connect() as connection:
        connection.execute(select(literal_column("1")))


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # imported here: only start-up needs alembic

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest migration. A schema already there (every start but the
    first after an upgrade, and the workers, which start after the API migrated) costs one query:
    Alembic and the migration scripts, some 12 MB that would stay in a long-running process, are
    loaded only to upgrade."""
    if schema_revision(url) == newest_revision():
        return
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def schema_revision(url: str) -> str | None:
    """The migration the database's schema is at; None before the first, or on a branched
    history (Alembic then decides)."""
    try:
        with engine_for(url).connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except (OperationalError, ProgrammingError):  # no alembic_version table yet
        return None
    return str(versions[0][0]) if len(versions) == 1 else None


@cache
def newest_revision() -> str | None:
    """The head of store/migrations/versions, read from the scripts' `revision` and
    `down_revision` lines without importing them; None unless there is exactly one head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revisions.update(_REVISION.findall(source))
        parents.update(_DOWN_REVISION.findall(source))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


_REVISION = re.compile(r'^revision\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)
_DOWN_REVISION = re.compile(r'^down_revision\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)
