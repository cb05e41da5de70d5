"""The SI stop deadline table (domain/data/si_stop_deadlines.json), read by the API when a stop
starts; the workflow carries the deadline it was started with, never reads the file."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from domain.separation.payloads import StopDeadlineRule
from domain.shared.errors import RuleViolation

_DATA = Path(__file__).parents[1] / "data" / "si_stop_deadlines.json"


def deadline_rule(region: str) -> StopDeadlineRule:
    """The region's row, else the "*" default (domain/data/si_stop_deadlines.json); read by the API
    only: the workflow carries the deadline it was started with."""
    for wanted in (region, "*"):
        for row in _rules():
            if row.region == wanted:
                return row
    raise RuleViolation("region", "policy.no_stop_deadline", f"region {region}: no SI stop "
                        "deadline on file and no default row")


@cache
def _rules() -> tuple[StopDeadlineRule, ...]:
    rows = json.loads(_DATA.read_text(encoding="utf-8"))["si_stop_deadlines"]
    return tuple(StopDeadlineRule(region=r["region"], rule=r["rule"], days=r.get("days"),
                                  source=r["source"], verified=bool(r.get("verified", False)))
                 for r in rows)
