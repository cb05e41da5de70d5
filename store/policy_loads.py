"""Policy figures an admin loaded (POST /api/v1/admin/policy): kept as sent, applied in order over
the bundled rows and the deployment's policy file, each load an evidence event."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, Connection, text
from sqlalchemy import select as core_select
from sqlmodel import Field, Session, SQLModel, col, select

from domain.compensation.data import CompensationTables
from domain.onboarding.policy import PolicyTable
from store import evidence, load_deliveries
from store.db import reading, session_for
from store.models import _utc_column, table_of

POLICY_SUBJECT = "policy"  # the evidence ledger's subject for policy loads

# PostgreSQL: a load holds this lock for its transaction and a registration shares it, each as its
# transaction's first statement. Under READ COMMITTED a load reading which onboardings run and a
# registration reading which loads exist could otherwise each miss the other's uncommitted row,
# and the new onboarding would keep the old figures untold. SQLite runs one writer at a time.
_LOAD_LOCK = "caseguard:policy-loads"
_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))")
_SHARED = text("SELECT pg_advisory_xact_lock_shared(hashtextextended(:k, 0))")


class PolicyLoadRow(SQLModel, table=True):
    """One admin load: the rows per section (the policy file's shape), its source, who and when."""

    __tablename__ = "policy_loads"

    id: int | None = Field(default=None, primary_key=True)
    sections: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str
    loaded_by: str = Field(max_length=80)
    loaded_at: datetime = _utc_column(nullable=False)


def load_key(load_id: int) -> str:
    """The load's key in the signals it queues (store/load_deliveries.py) and the ledger."""
    return f"policy:{load_id}"


def save_load(url: str, sections: Mapping[str, list[dict[str, Any]]], source: str, by: str,
              at: datetime, signals_for: Callable[[Session, int], Sequence[tuple[str, str, str]]]
              = lambda _session, _load_id: ()) -> int:
    """Store a checked load, the signals it queues for running workflows and its `policy_loaded`
    entry in the evidence ledger, in one transaction; answers the load's id. `signals_for(session,
    load_id)` gives (workflow id, signal, payload JSON) each; it reads which workflows run in the
    same transaction, so none that the load's commit could miss."""
    with session_for(url) as session:
        if session.connection().dialect.name == "postgresql":
            session.connection().execute(_EXCLUSIVE, {"k": _LOAD_LOCK})
        row = PolicyLoadRow(sections=dict(sections), source=source, loaded_by=by, loaded_at=at)
        session.add(row)
        session.flush()
        load_id = row.id or 0
        load_deliveries.queue_in(session, load_key(load_id), signals_for(session, load_id), at)
        session.flush()
        evidence.append_in(session.connection(), POLICY_SUBJECT, [evidence.NewEntry(
            subject_id=POLICY_SUBJECT, idempotency_key=load_key(load_id), at=at, actor=by,
            kind="policy_loaded", payload={"load": load_id, "source": source, **sections})])
        session.commit()
    return load_id


def share_load_lock(conn: Connection) -> None:
    """Wait for a load in progress to commit, and keep the next from reading which onboardings run
    until the caller commits (PostgreSQL; SQLite needs nothing). The caller's first statement."""
    if conn.dialect.name == "postgresql":
        conn.execute(_SHARED, {"k": _LOAD_LOCK})


_LOADS = table_of(PolicyLoadRow)


def loads_after_in(conn: Connection, load_id: int) -> list[PolicyLoadRow]:
    """The loads newer than `load_id`, oldest first, in the caller's transaction."""
    rows = conn.execute(core_select(_LOADS).where(_LOADS.c.id > load_id).order_by(_LOADS.c.id))
    return [PolicyLoadRow.model_validate(dict(r._mapping)) for r in rows]


def loaded_sections(url: str) -> list[dict[str, Any]]:
    """Every load's sections, oldest first."""
    with reading(url) as session:
        rows = session.exec(select(PolicyLoadRow).order_by(col(PolicyLoadRow.id))).all()
        return [dict(r.sections) for r in rows]


def effective(url: str, policy: PolicyTable, tables: CompensationTables
              ) -> tuple[PolicyTable, CompensationTables, int]:
    """The tables with every load applied in order (a later row replaces overlapping ones), and
    the newest load's id (0: none)."""
    with reading(url) as session:
        rows = session.exec(select(PolicyLoadRow).order_by(col(PolicyLoadRow.id))).all()
        for row in rows:
            policy, tables = policy.with_overrides(row.sections), tables.with_overrides(row.sections)
        return policy, tables, (rows[-1].id or 0) if rows else 0


def in_force(url: str, policy_file: Path | None) -> tuple[PolicyTable, CompensationTables, int]:
    """The figures registrations and estimates use: the bundled rows, the deployment's policy
    file over them, then every load in order; and the newest load's id (0: none)."""
    policy, tables = PolicyTable.bundled(), CompensationTables.bundled()
    if policy_file:
        policy, tables = policy.with_overrides(policy_file), tables.with_overrides(policy_file)
    return effective(url, policy, tables)
