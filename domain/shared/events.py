"""The event every process records: one line of its log, numbered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Event:
    seq: int
    at: datetime
    kind: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
