"""The signals an admin's load queued for running workflows (the outbox of
domain/shared/load_delivery.py): written in the load's own transaction, taken a page at a time by
the load's LoadDelivery workflow, and marked with what became of each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Column, Connection, Text, UniqueConstraint, func, insert, update
from sqlalchemy import select as core_select
from sqlmodel import Field, Session, SQLModel, col, select

from domain.shared.load_delivery import DeliveredPage, QueuedSignal
from store.db import engine_for, reading
from store.models import _utc_column, table_of

TOLD, NOT_RUNNING = "told", "not_running"  # a delivered signal's outcome
QUEUED = "queued"  # not delivered yet (outcomes)


class LoadSignalRow(SQLModel, table=True):
    """One signal a load queued for one running workflow; `delivered_at` None: not yet sent."""

    __tablename__ = "load_signals"
    __table_args__ = (UniqueConstraint("load_key", "workflow_id"),)

    id: int | None = Field(default=None, primary_key=True)
    load_key: str = Field(max_length=80, index=True)
    workflow_id: str = Field(max_length=200)
    signal: str = Field(max_length=40)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    queued_at: datetime = _utc_column(nullable=False)
    delivered_at: datetime | None = _utc_column(nullable=True, index=True)  # NULL: queued
    outcome: str | None = Field(default=None, max_length=20)


_SIGNALS = table_of(LoadSignalRow)


def queue_in(session: Session, load_key: str, targets: Iterable[tuple[str, str, str]],
             at: datetime) -> int:
    """Queue (workflow id, signal, payload JSON) for each target in the caller's transaction, so
    the load and its signals commit together; answers how many."""
    rows = [LoadSignalRow(load_key=load_key, workflow_id=workflow_id, signal=signal,
                          payload=payload, queued_at=at)
            for workflow_id, signal, payload in targets]
    session.add_all(rows)
    return len(rows)


def queue_missing_in(conn: Connection, load_key: str, targets: Iterable[tuple[str, str, str]],
                     at: datetime) -> int:
    """Queue each target the load has not queued yet, in the caller's transaction; answers how
    many it queued."""
    rows = [{"load_key": load_key, "workflow_id": workflow_id, "signal": signal,
             "payload": payload, "queued_at": at}
            for workflow_id, signal, payload in targets]
    if not rows:
        return 0
    known = set(conn.execute(core_select(_SIGNALS.c.workflow_id).where(
        _SIGNALS.c.load_key == load_key,
        _SIGNALS.c.workflow_id.in_([r["workflow_id"] for r in rows]))).scalars())
    new = [r for r in rows if r["workflow_id"] not in known]
    if new:
        conn.execute(insert(_SIGNALS), new)
    return len(new)


def pending(url: str, load_key: str, limit: int) -> list[QueuedSignal]:
    """The load's oldest signals not yet delivered."""
    with reading(url) as session:
        rows = session.exec(select(LoadSignalRow).where(
            LoadSignalRow.load_key == load_key, col(LoadSignalRow.delivered_at).is_(None))
            .order_by(col(LoadSignalRow.id)).limit(limit)).all()
        return [QueuedSignal(r.id or 0, r.workflow_id, r.signal, r.payload) for r in rows]


def mark(url: str, page: DeliveredPage, at: datetime) -> int:
    """Mark a sent page; a row marked already keeps its first outcome (a retried activity)."""
    marked = 0
    with engine_for(url).begin() as conn:
        for outcome, ids in ((TOLD, page.told), (NOT_RUNNING, page.not_running)):
            if ids:
                marked += conn.execute(update(LoadSignalRow).where(
                    col(LoadSignalRow.load_key) == page.load_key,
                    col(LoadSignalRow.id).in_(ids), col(LoadSignalRow.delivered_at).is_(None))
                    .values(delivered_at=at, outcome=outcome)).rowcount
    return marked


def undelivered_keys(url: str) -> list[str]:
    """The loads with a signal still queued, oldest first (their delivery failed or never began)."""
    with reading(url) as session:
        rows = session.exec(select(LoadSignalRow.load_key, func.min(LoadSignalRow.id))
                            .where(col(LoadSignalRow.delivered_at).is_(None))
                            .group_by(LoadSignalRow.load_key)
                            .order_by(func.min(LoadSignalRow.id))).all()
        return [key for key, _ in rows]


def outcomes(url: str, load_key: str) -> dict[str, int]:
    """How many of the load's signals were told, found a workflow not running, or are queued."""
    with reading(url) as session:
        rows: Sequence[tuple[str | None, int]] = session.exec(
            select(LoadSignalRow.outcome, func.count()).where(LoadSignalRow.load_key == load_key)
            .group_by(LoadSignalRow.outcome)).all()
    found = {outcome or QUEUED: n for outcome, n in rows}
    return {TOLD: found.get(TOLD, 0), NOT_RUNNING: found.get(NOT_RUNNING, 0),
            QUEUED: found.get(QUEUED, 0)}
