"""The outbox: every reminder and escalation as it would be delivered."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlmodel import col, func, select

from api.deps import ReadSessionDep
from api.privacy import logged
from api.responses.records import OutboxPage
from api.schemas import Offset
from domain.shared.people import Actor
from store.models import OutboxMessage

router = APIRouter(prefix="/api/v1/outbox", tags=["outbox"])


@router.get("", response_model=OutboxPage)
def list_outbox(actor: Annotated[Actor, logged("read_messages")], session: ReadSessionDep,
                subject_id: str | None = None,
                purpose: str | None = None, limit: int = Query(100, ge=1, le=1000),
                offset: Offset = 0) -> dict[str, Any]:
    """Messages in the outbox, newest first, by subject (onboarding id) and purpose (HR roles
    only: they hold whole phones and emails)."""
    query = select(OutboxMessage)
    counted = select(func.count()).select_from(OutboxMessage)
    for column, value in ((OutboxMessage.subject_id, subject_id),
                          (OutboxMessage.purpose, purpose)):
        if value is not None:
            query, counted = query.where(column == value), counted.where(column == value)
    rows = session.exec(query.order_by(col(OutboxMessage.id).desc()).offset(offset)
                        .limit(limit)).all()
    return {"total": session.exec(counted).one(), "limit": limit, "offset": offset,
            "items": [row.model_dump(mode="json") for row in rows]}
