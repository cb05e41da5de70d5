"""Dev-only routes that play the outside systems of an injury case (the authority, the courier),
and give a notice's personal link, which the outbox withholds.

They let a whole case be demonstrated without real integrations: each route sends the case workflow
the signal the real callback would send. `mount_dev_routes` mounts them only with CASEGUARD_ENV=dev.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field, StrictBool
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.gateways.injury import TRACKING_NUMBER
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError
from api.schemas import Body
from domain.injury.payloads import AuthorityDecision
from domain.injury.state import CourierStatus, CourierUpdate
from domain.shared.errors import RuleViolation
from domain.shared.ids import case_workflow_id
from domain.shared.people import Actor
from domain.shared.tokens import token_for
from settings import Env, Settings
from store import notices

router = APIRouter(prefix="/api/v1/dev", tags=["dev simulators"])
SHANGHAI = ZoneInfo("Asia/Shanghai")
Driver = Annotated[Actor, require("drive_simulators")]


class AuthorityDecisionIn(Body):
    """What the simulated injury-determination authority decided."""

    case_id: str
    recognised: StrictBool
    decided_on: date | None = None
    reference: str = Field(default="", max_length=100)
    reason: str = Field(default="", max_length=2000)
    received_on: date | None = None  # served on the parties (default: decided_on)


class CourierStatusIn(Body):
    """A simulated tracking event of a paper notice."""

    case_id: str
    tracking_number: str = Field(pattern=f"^{TRACKING_NUMBER.pattern}$")
    status: CourierStatus
    signed_by: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=2000)


class Signalled(BaseModel):
    """The case was sent the signal the real callback would send."""

    case_id: str
    signalled: Literal["authority_decision", "courier_status"]


@router.post("/authority/decide", status_code=202, response_model=Signalled)
async def authority_decide(body: AuthorityDecisionIn, actor: Driver,
                           client: TemporalDep) -> Signalled:
    """Simulate the authority's determination decision (工伤认定决定) on a case."""
    case_id = _checked(body.case_id)
    decided_on = body.decided_on or datetime.now(SHANGHAI).date()
    reference = body.reference or _decision_reference(case_id, decided_on, body.recognised)
    if body.received_on is not None and body.received_on < decided_on:
        raise RuleViolation("received_on", "received_on.before_decision",
                            f"received_on ({body.received_on}) is before the decision "
                            f"({decided_on})")
    decision = AuthorityDecision(recognised=body.recognised, decided_on=decided_on,
                                 reference=reference, reason=body.reason,
                                 source="authority_simulator", received_on=body.received_on)
    await _signal(client, case_id, "authority_decision", decision)
    return Signalled(case_id=case_id, signalled="authority_decision")


@router.post("/courier/status", status_code=202, response_model=Signalled)
async def courier_status(body: CourierStatusIn, actor: Driver, client: TemporalDep) -> Signalled:
    """Simulate a courier tracking event (posted, in transit, signed, returned) on a case."""
    case_id = _checked(body.case_id)
    update = CourierUpdate(tracking_number=body.tracking_number, status=body.status,
                           at=datetime.now(UTC), signed_by=body.signed_by, note=body.note,
                           source="courier_simulator")
    await _signal(client, case_id, "courier_status", update)
    return Signalled(case_id=case_id, signalled="courier_status")


class NoticeLink(BaseModel):
    """A notice's personal link, made again from the parameters its newest attempt stored."""

    notice_id: str
    attempt_no: int
    url: str
    expires_at: datetime


@router.get("/notices/{notice_id}/link", response_model=NoticeLink)
async def notice_link(notice_id: str, actor: Driver, settings: SettingsDep) -> NoticeLink:
    """The personal link the newest attempt of a notice carried (dev only: neither the outbox nor
    the notice rows keep links, so this is how a demo opens the employee page)."""
    found = await asyncio.to_thread(notices.newest_link, settings.db_url, notice_id)
    if found is None:
        raise ApiError(404, "notice.no_link", f"no attempt of {notice_id} carried a link",
                       "notice_id")
    attempt_no, link = found
    url = f"{settings.public_base_url.rstrip('/')}/r/{token_for(settings.secret_key, link)}"
    return NoticeLink(notice_id=notice_id, attempt_no=attempt_no, url=url,
                      expires_at=link.expires_at)


def mount_dev_routes(app: FastAPI, settings: Settings) -> bool:
    """Include the dev simulator routes when CASEGUARD_ENV=dev; says whether it did."""
    if settings.env != Env.dev:
        return False
    app.include_router(router)
    return True


def _checked(case_id: str) -> str:
    try:
        case_workflow_id(case_id)
    except RuleViolation as bad:
        raise ApiError(422, "case_id.format", bad.message, "case_id") from None
    return case_id


def _decision_reference(case_id: str, decided_on: date, recognised: bool) -> str:
    seed = f"{case_id}:{decided_on.isoformat()}:{recognised}"
    return f"SIM-DEC-{hashlib.sha256(seed.encode()).hexdigest()[:10]}"


async def _signal(client: Client, case_id: str, name: str, arg: object) -> None:
    workflow_id = case_workflow_id(case_id)
    try:
        await client.get_workflow_handle(workflow_id).signal(name, arg)
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise ApiError(503, "temporal.unavailable", f"Temporal answered: {exc.message}") from None
        if "completed" in exc.message or "closed" in exc.message:
            raise ApiError(409, "case.closed", f"case {case_id} has finished and takes no more "
                           "signals", "case_id") from None
        raise ApiError(404, "case.not_found", f"no case with id {case_id}", "case_id") from None
