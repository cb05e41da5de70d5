"""The bare baseline of the month-end burst: one workflow per employee, one timer each, all due at
the same moment, then one activity that records the employee (a row in a SQLite table).

In a module of its own for the reason bench/bare_timer.py gives (the sandbox re-imports a
workflow's module for every workflow)."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta

from temporalio import activity, workflow

TABLE = "CREATE TABLE IF NOT EXISTS burst (key TEXT PRIMARY KEY, recorded_at REAL NOT NULL)"


@workflow.defn(name="BurstTimer")
class BurstTimer:
    @workflow.run
    async def run(self, due_epoch: float) -> None:
        due = datetime.fromtimestamp(due_epoch, UTC)
        await workflow.sleep(max(due - workflow.now(), timedelta(0)))
        await workflow.execute_activity(
            "record_due", workflow.info().workflow_id,
            start_to_close_timeout=timedelta(minutes=5))


@activity.defn(name="record_due")
def record_due(key: str) -> None:
    """One row per employee, once (a retry meets the primary key)."""
    with sqlite3.connect(os.environ["BENCH_BURST_DB"], timeout=60) as conn:
        conn.execute("INSERT OR IGNORE INTO burst VALUES (?, ?)",
                     (key, datetime.now(UTC).timestamp()))
