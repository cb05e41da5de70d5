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
transaction, so it cannot tell one whose row was not there yet.

Injury cases have no such shortcut: their workflow writes `case_opened` itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
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

log = logging.getLogger("caseguard.api")


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


async def record_onboarding(db_url: str, handle: WorkflowHandle[Any, Any], inp: OnboardingInput,
                            now: datetime, figures: PinnedFigures) -> Recorded:
    """Write the `registered` event and the list row of the onboarding just started, with the
    signals of the loads its figures missed. A failed write is left to the workflow (signal
    `write_now`)."""
    registered = registered_event(inp, now)
    registration = projection_of(handle.id, inp, Status.awaiting_enrollment, (registered,))
    missed = Missed([], figures.load_id)
    try:
        await asyncio.to_thread(workflow_events.record_registration, db_url, registration,
                                missed_loads(handle.id, inp, figures, now, missed))
    except Exception:
        log.exception("registration of %s not written; the workflow writes it", handle.id)
        await handle.signal("write_now")
    return Recorded(registered, tuple(missed.queued), missed.newest)


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
