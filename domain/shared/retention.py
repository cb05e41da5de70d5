"""How long each record type is kept (PIPL 第十九条: no longer than its purpose needs; 第四十七条:
delete when the period ends) and what holds a record past it.

The periods, their sources and whether each is a product choice or verified are data:
domain/data/retention.json (README, "Personal data: export, retention and legal holds"). Pure
functions: `store.retention` reads the records and applies them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

_DATA = Path(__file__).parents[1] / "data" / "retention.json"
RECORD_TYPES = ("onboarding", "case", "notice", "outbox", "document", "expense", "evidence",
                "access_log", "person", "change_proposal")
Action = Literal["delete", "redact", "clear_contacts"]
REDACTED = "_redacted"
"""The one key of an evidence payload whose personal data retention removed (store.retention)."""


@dataclass(frozen=True)
class Source:
    law: str
    article: str
    says: str


@dataclass(frozen=True)
class Period:
    """One record type's period: `years` after the moment `starts` (None: its subject's period
    alone, `follows_subject`); `action` once it is past."""

    record_type: str
    label: str
    years: int | None
    starts: str
    follows_subject: bool
    action: Action
    product_choice: bool
    verified: bool
    sources: tuple[Source, ...]
    note: str


@dataclass(frozen=True)
class RetentionTable:
    periods: dict[str, Period]
    dispute_limitation: Period

    def __getitem__(self, record_type: str) -> Period:
        return self.periods[record_type]


@cache
def table() -> RetentionTable:
    """The bundled table (domain/data/retention.json), checked once."""
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    periods = {name: _period(name, row) for name, row in data["records"].items()}
    missing = set(RECORD_TYPES) - set(periods)
    if missing:
        raise ValueError(f"retention.json names no period for {sorted(missing)}")
    return RetentionTable(periods, _period("dispute_limitation", data["dispute_limitation"]))


def _period(name: str, row: dict[str, Any]) -> Period:
    years = row.get("years")
    follows = bool(row.get("follows_subject", False))
    if years is None and not follows:
        raise ValueError(f"retention.json: {name} needs years or follows_subject")
    if years is not None and (not isinstance(years, int) or years < 1):
        raise ValueError(f"retention.json: {name}.years must be a whole number of years >= 1")
    if not row.get("sources"):
        raise ValueError(f"retention.json: {name} cites no source")
    return Period(record_type=name, label=str(row.get("label", name)), years=years,
                  starts=str(row["from"]), follows_subject=follows,
                  action=row.get("action", "delete"), product_choice=bool(row["product_choice"]),
                  verified=bool(row["verified"]),
                  sources=tuple(Source(**s) for s in row["sources"]), note=str(row.get("note", "")))


def years_after(start: datetime, years: int) -> datetime:
    """The same moment `years` calendar years later; 29 February becomes 28 February."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def expires_at(period: Period, start: datetime) -> datetime:
    """When a record whose period started at `start` is past it."""
    if period.years is None:
        raise ValueError(f"{period.record_type} follows its subject's period")
    return years_after(start, period.years)


def past(period: Period, start: datetime, now: datetime) -> bool:
    """Whether a record whose period started at `start` may be deleted at `now`."""
    return now >= expires_at(period, start)


def cutoff(period: Period, now: datetime) -> datetime:
    """The latest start whose period is past at `now` for certain (a SQL filter: start <= it).
    On 29 February it errs a day towards keeping."""
    if period.years is None:
        raise ValueError(f"{period.record_type} follows its subject's period")
    try:
        return now.replace(year=now.year - period.years)
    except ValueError:
        return now.replace(year=now.year - period.years, day=28)


def dispute_open(closed_at: datetime | None, now: datetime, limitation: Period) -> bool:
    """An open dispute (holds every record of its employee): a case not closed (None), or closed
    within the limitation period (《劳动争议调解仲裁法》第二十七条)."""
    return closed_at is None or not past(limitation, closed_at, now)


def redaction_marker(run_id: str) -> dict[str, Any]:
    """The payload an evidence entry keeps once retention removed its personal data."""
    return {REDACTED: {"run": run_id}}


def is_redacted(payload: dict[str, Any]) -> bool:
    """Whether the payload is retention's marker (its hash then is the original payload's)."""
    return set(payload) == {REDACTED} and isinstance(payload[REDACTED], dict)
