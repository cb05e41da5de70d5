"""The one place the API writes a workflow's own events: an onboarding's registration.

DESIGN.md makes the workflow, through its idempotent activities, the writer of its events and list
rows. The registration is the exception, kept for speed: the API writes the `registered` event and
the list row before it answers 201, so the list shows the new hire at once (the workflow's first
task writes nothing, OnboardingInput.registration_recorded). It is safe as a second writer because
every event is keyed by (subject, sequence) (store/workflow_events.py): whoever writes first writes
it, every later attempt writes nothing. The write comes after the start, so a refused start leaves
no trace; if the write fails, the workflow is asked to write it (signal `write_now`); if the API
stops before writing, the workflow's next write brings it.

The same transaction queues the signals of any admin policy load that committed after the figures
the input pinned were read (`missed_loads`): a load reads which onboardings run in its own
transaction, so it cannot tell one whose row was not there yet. When that write fails, the process
checks again once the workflow has written the row (`check_when_listed`), for up to an hour; a
process that stops before then leaves that check undone (logged when it gives up).

Injury cases have no such shortcut: their workflow writes `case_opened` itself.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from temporalio.client import WorkflowHandle

from api import load_signals
from domain.onboarding.payloads import OnboardingInput, registered_event
from domain.onboarding.policy import PolicyTable
from domain.onboarding.state import Status, projection_of
from domain.policy import targets
from domain.shared.events import Event
from store import load_deliveries, policy_loads, workflow_events
from store.db import retrying

log = logging.getLogger("caseguard.api")
# When the registration's own write failed: how long to wait before each look for the workflow's
# row (the last one repeats), and for how long in all (the workflow's writes retry for an hour).
CHECK_AFTER_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
CHECK_FOR_S = 3600.0
_checks: set[asyncio.Task[None]] = set()  # held, so a pending check is not collected


def recorded_by_api(inp: OnboardingInput, now: datetime) -> OnboardingInput:
    """The input of an onboarding whose registration the API writes, at the moment it records."""
    return replace(inp, registration_recorded=True, registered_at=now)


@dataclass(frozen=True)
class PinnedFigures:
    """The policy an onboarding's input was built with, and the newest admin load it includes."""

    policy: PolicyTable
    load_id: int


@dataclass(frozen=True)
class Recorded:
    """The registration's event, the keys of the loads whose signals it queued, and the newest
    load it found (the figures' own when it found none newer)."""

    event: Event
    missed_loads: tuple[str, ...]
    newest_load: int


@dataclass
class Missed:
    """What a registration found: the keys of the loads it queued a signal of, the newest load."""

    queued: list[str]
    newest: int


Told = Callable[[Recorded], Awaitable[None]]


async def record_onboarding(db_url: str, handle: WorkflowHandle[Any, Any], inp: OnboardingInput,
                            now: datetime, figures: PinnedFigures, later: Told) -> Recorded:
    """Write the `registered` event and the list row of the onboarding just started, with the
    signals of the loads its figures missed. A failed write is left to the workflow (signal
    `write_now`); the loads are then checked once its row is listed, and `later` gets what that
    found."""
    registered = registered_event(inp, now)
    registration = projection_of(handle.id, inp, Status.awaiting_enrollment, (registered,))
    missed = Missed([], figures.load_id)
    queue = missed_loads(handle.id, inp, figures, now, missed)
    try:
        await asyncio.to_thread(workflow_events.record_registration, db_url, registration, queue)
    except Exception:
        log.exception("registration of %s not written; the workflow writes it", handle.id)
        await handle.signal("write_now")
        check = asyncio.create_task(check_when_listed(db_url, handle.id, queue, missed,
                                                      registered, later))
        _checks.add(check)
        check.add_done_callback(_checks.discard)
        return Recorded(registered, (), figures.load_id)
    return Recorded(registered, tuple(missed.queued), missed.newest)


async def check_when_listed(db_url: str, onboarding_id: str, queue: Callable[[Connection], None],
                            missed: Missed, registered: Event, later: Told) -> None:
    """Once the onboarding's row is listed (the workflow wrote it), queue the loads its figures
    missed, in a transaction of their own: a load committed after that sees the row and tells
    it. Gives up, logged, after CHECK_FOR_S."""
    started = time.monotonic()
    for attempt in itertools.count():
        await asyncio.sleep(CHECK_AFTER_S[min(attempt, len(CHECK_AFTER_S) - 1)])
        try:
            if await asyncio.to_thread(workflow_events.onboarding_recorded, db_url,
                                       onboarding_id):
                await asyncio.to_thread(retrying, db_url, queue)
                await later(Recorded(registered, tuple(missed.queued), missed.newest))
                return
        except Exception as error:  # noqa: BLE001 - the database still away: look again
            log.warning("policy loads of %s not checked yet: %s", onboarding_id,
                        type(error).__name__)
        if time.monotonic() - started > CHECK_FOR_S:
            break
    log.error("policy loads of %s not checked: its row was not listed within %.0f s; a load "
              "committed since its registration may not have told it", onboarding_id,
              CHECK_FOR_S)


def missed_loads(onboarding_id: str, inp: OnboardingInput, figures: PinnedFigures, now: datetime,
                 missed: Missed) -> Callable[[Connection], None]:
    """Queue, in the caller's transaction, the signal of every load newer than the figures that
    changes them (domain/policy/targets.py); `missed` gets the keys of the loads that queued one
    and the newest load's id."""
    def queue(conn: Connection) -> None:
        policy_loads.share_load_lock(conn)
        missed.queued.clear()  # an attempt rolled back queued nothing
        for load in policy_loads.loads_after_in(conn, figures.load_id):
            load_id = load.id or 0
            missed.newest = max(missed.newest, load_id)
            told = targets.onboarding_targets(
                targets.Load(load_id, load.source, load.loaded_by, load.loaded_at,
                             load.sections, figures.policy),
                [(onboarding_id, inp.region, inp.hire_date)])
            key = policy_loads.load_key(load_id)
            if load_deliveries.queue_missing_in(conn, key,
                                                load_signals.queued("policy_updated", told), now):
                missed.queued.append(key)
    return queue
