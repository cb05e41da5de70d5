"""Refused HR actions in the evidence ledger: who tried what on which onboarding or case, and why.

A refusal leaves no trace in Temporal (the Update's validator or the API refused it), so the API
writes it: a 403, 409 or 422 on an action route is appended once, as `action_refused`.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from api.errors import ApiError
from domain.shared.errors import ActionRefused
from domain.shared.people import Actor
from store import evidence

RECORDED_STATUSES = frozenset({403, 409, 422})


@dataclass(frozen=True)
class Attempt:
    """An HR action as it reaches the API: its refusal is recorded under these names."""

    db_url: str
    subject_id: str
    actor: Actor
    action: str

    async def refused(self, error: ApiError) -> None:
        """Record the refusal when its status is one the ledger keeps (403, 409, 422)."""
        if error.status in RECORDED_STATUSES:
            await record_refusal(self.db_url, self.subject_id, self.actor, self.action, error)


def refusal_error(refused: ActionRefused) -> ApiError:
    """The API error a domain refusal answers with (403 or 409, its code, field and details)."""
    return ApiError(refused.http_status, refused.code, refused.message, refused.field,
                    refused.details)


async def record_refusal(db_url: str, subject_id: str, actor: Actor, action: str,
                         error: ApiError) -> None:
    """Append `action_refused` for a subject the ledger already knows: a refusal never creates a
    subject of its own."""
    if not await asyncio.to_thread(evidence.has_subject, db_url, subject_id):
        return
    entry = evidence.NewEntry(
        subject_id=subject_id, idempotency_key=f"refused:{uuid.uuid4()}", at=datetime.now(UTC),
        actor=actor.name, kind="action_refused",
        payload={"action": action, "role": actor.role, "status": error.status,
                 "code": error.code, "message": error.message, "field": error.field})
    await asyncio.to_thread(evidence.append, db_url, entry)
