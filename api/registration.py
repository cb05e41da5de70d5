"""The one place the API writes a workflow's own events: an onboarding's registration.

DESIGN.md makes the workflow, through its idempotent activities, the writer of its events and list
rows. The registration is the exception, kept for speed: the API writes the `registered` event and
the list row before it answers 201, so the list shows the new hire at once (the workflow's first
task writes nothing, OnboardingInput.registration_recorded). It is safe as a second writer because
every event is keyed by (subject, sequence) (store/workflow_events.py): whoever writes first writes
it, every later attempt writes nothing. The write comes after the start, so a refused start leaves
no trace; if the write fails, the workflow is asked to write it (signal `write_now`); if the API
stops before writing, the workflow's next write brings it.

Injury cases have no such shortcut: their workflow writes `case_opened` itself.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from temporalio.client import WorkflowHandle

from domain.onboarding.payloads import OnboardingInput, registered_event
from domain.onboarding.state import Status, projection_of
from domain.shared.events import Event
from store import workflow_events

log = logging.getLogger("caseguard.api")


def recorded_by_api(inp: OnboardingInput, now: datetime) -> OnboardingInput:
    """The input of an onboarding whose registration the API writes, at the moment it records."""
    return replace(inp, registration_recorded=True, registered_at=now)


async def record_onboarding(db_url: str, handle: WorkflowHandle[Any, Any], inp: OnboardingInput,
                            now: datetime) -> Event:
    """Write the `registered` event and the list row of the onboarding just started; answers the
    event. A failed write is left to the workflow (signal `write_now`)."""
    registered = registered_event(inp, now)
    registration = projection_of(handle.id, inp, Status.awaiting_enrollment, (registered,))
    try:
        await asyncio.to_thread(workflow_events.record_registration, db_url, registration)
    except Exception:
        log.exception("registration of %s not written; the workflow writes it", handle.id)
        await handle.signal("write_now")
    return registered
