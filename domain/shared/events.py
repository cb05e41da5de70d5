"""The event every process records: one line of its log, numbered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Event:
    seq: int
    at: datetime
    kind: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)


# HR actions (onboardings; cases since patch 2026-12-case-write-behind) answer before their
# events are written. The events of a burst of actions reach the ledger and the list in one
# write, once no action came for ACTION_WRITE_QUIET, and never later than ACTION_WRITE_MAX_WAIT
# after the first of them (real time, never scaled). A product choice: no write on an answer's
# path, and a script firing actions back to back causes one write per pause, not one per action.
ACTION_WRITE_QUIET = timedelta(seconds=2)
ACTION_WRITE_MAX_WAIT = timedelta(seconds=30)
