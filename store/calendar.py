"""The official holiday schedules an admin loaded, kept so every new workflow pins them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import col, select

from domain.shared.calendar import CalendarYear
from store import evidence, load_deliveries
from store.db import reading, session_for
from store.models import CalendarYearRow

CALENDAR_SUBJECT = "calendar"  # the evidence ledger's subject for calendar loads
_CACHE_SECONDS = 30.0
_cache: dict[str, tuple[float, tuple[CalendarYear, ...]]] = {}


def _year_of(row: CalendarYearRow) -> CalendarYear:
    return CalendarYear(row.year, tuple(date.fromisoformat(d) for d in row.holidays),
                        tuple(date.fromisoformat(d) for d in row.workdays), row.source)


async def years_to_pin(url: str) -> tuple[CalendarYear, ...]:
    """The loaded years a start pins, read at most every 30 s per process (a start must not pay a
    query; a year loaded through another API process is seen within that time)."""
    cached = _cache.get(url)
    if cached is not None and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    return await asyncio.to_thread(loaded_years, url)


def loaded_years(url: str) -> tuple[CalendarYear, ...]:
    """Every loaded year, from the database."""
    now = time.monotonic()
    with reading(url) as session:
        rows = session.exec(select(CalendarYearRow).order_by(col(CalendarYearRow.year)))
        years = tuple(_year_of(r) for r in rows)
    _cache[url] = (now, years)
    return years


def load_key(year: int, at: datetime) -> str:
    """The load's key in the signals it queues (store/load_deliveries.py) and the ledger."""
    return f"calendar:{year}:{at.isoformat()}"


def save_year(url: str, year: CalendarYear, by: str, at: datetime,
              signals: Iterable[tuple[str, str, str]] = ()) -> bool:
    """Store (or replace) a year with the signals it queues for running workflows ((workflow id,
    signal, payload JSON) each), in one transaction, and record the load in the evidence ledger;
    True if it replaced an earlier load of the same year."""
    with session_for(url) as session:
        row = session.get(CalendarYearRow, year.year)
        replaced = row is not None
        row = row or CalendarYearRow(year=year.year, source=year.source, loaded_by=by,
                                     loaded_at=at)
        row.holidays = [d.isoformat() for d in sorted(year.holidays)]
        row.workdays = [d.isoformat() for d in sorted(year.workdays)]
        row.source, row.loaded_by, row.loaded_at = year.source, by, at
        session.add(row)
        load_deliveries.queue_in(session, load_key(year.year, at), signals, at)
        session.commit()
    evidence.append(url, evidence.NewEntry(
        subject_id=CALENDAR_SUBJECT, idempotency_key=load_key(year.year, at),
        at=at, actor=by, kind="calendar_loaded",
        payload={"year": year.year, "holidays": [d.isoformat() for d in year.holidays],
                 "workdays": [d.isoformat() for d in year.workdays], "source": year.source,
                 "replaced": replaced}))
    _cache.pop(url, None)
    return replaced
