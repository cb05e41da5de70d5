"""HR's review of employees' proposed changes (self-service, issue 19 §3): the queue, and approve
or reject one. The HR workspace's /hr/reviews page goes through these same functions."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api.deps import SettingsDep, require
from api.errors import ApiError
from api.privacy import logged
from api.schemas import Body
from domain.employees import self_service as rules
from domain.shared.errors import ActionRefused
from domain.shared.people import Actor
from settings import Settings
from store import self_service as store

router = APIRouter(tags=["reviews"])
Reviewer = Annotated[Actor, require("review_employee_changes")]
ProposalId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ChangeOut(BaseModel):
    field: str
    label: str
    before: Any
    after: Any


class ReviewOut(BaseModel):
    id: int
    employee_id: str
    name: str = ""
    department: str = ""
    status: str
    changes: list[ChangeOut]
    proposed_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str = ""


class ReviewList(BaseModel):
    total: int
    items: list[ReviewOut]


class Decision(Body):
    reason: str = Field(default="", max_length=2000,
                        description="why; required to reject (the employee is told)")


def review_out(p: Any, name: str = "", department: str = "", *, whole: bool = True) -> ReviewOut:
    """A proposal as a reader sees it: bank numbers whole for HR roles, else their last 4."""
    return ReviewOut(
        id=p.id, employee_id=p.employee_id, name=name, department=department, status=p.status,
        changes=[ChangeOut(field=c["field"], label=rules.FIELD_LABELS[c["field"]],
                           before=rules.shown(c["field"], c["before"], whole=whole),
                           after=rules.shown(c["field"], c["after"], whole=whole))
                 for c in p.changes],
        proposed_at=p.proposed_at, decided_by=p.decided_by, decided_at=p.decided_at,
        reason=p.reason)


@router.get("/api/v1/reviews", response_model=ReviewList)
async def list_reviews(settings: SettingsDep,
                       actor: Annotated[Actor, logged("review_employee_changes")],
                       status: Literal["pending", "approved", "rejected", "superseded"] = "pending",
                       limit: Annotated[int, Query(ge=1, le=500)] = 100,
                       offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> ReviewList:
    """Employees' proposed changes to their own details, oldest first; `pending` by default
    (whole phones and bank numbers: each read is a row of the access log)."""
    total, rows = await asyncio.to_thread(store.queue, settings.db_url, status, limit, offset)
    return ReviewList(total=total, items=[review_out(r.proposal, r.name, r.department)
                                          for r in rows])


@router.post("/api/v1/reviews/{id}/approve", response_model=ReviewOut)
async def approve_review(id: ProposalId, settings: SettingsDep, actor: Reviewer,
                         body: Decision | None = None) -> ReviewOut:
    """Approve: the employee record takes the proposed values, the approval is evidence
    (`change_approved`), and the employee is told, all at once."""
    return await decide(settings, id, True, actor, body.reason if body else "")


@router.post("/api/v1/reviews/{id}/reject", response_model=ReviewOut)
async def reject_review(id: ProposalId, body: Decision, settings: SettingsDep,
                        actor: Reviewer) -> ReviewOut:
    """Reject with a reason (422 reason.required without one): evidence (`change_rejected`), and
    the employee is told the reason."""
    return await decide(settings, id, False, actor, body.reason)


async def decide(settings: Settings, id: int, approve: bool, actor: Actor,
                 reason: str) -> ReviewOut:
    """One decision, for the API and the workspace alike."""
    try:
        row = await asyncio.to_thread(store.decide, settings.db_url, id, approve, actor.name,
                                      reason)
    except ActionRefused as refused:
        if refused.code == "proposal.not_found":
            raise ApiError(404, refused.code, refused.message, "id") from None
        raise
    return review_out(row)
