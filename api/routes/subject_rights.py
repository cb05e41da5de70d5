"""Subject rights (PIPL 第四十五条, 第四十七条), admins only: everything held on one employee as a
ZIP (store/personal_export.py), and the legal holds that keep an employee's or a record's data
past its retention period (store/retention.py). Each export, hold and lift is in the evidence
ledger, subject `personal-data`; each export is in the access log."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from temporalio.client import Client

from api import temporal_calls
from api.deps import SettingsDep, TemporalDep, require
from api.edges import client_address
from api.errors import ApiError, file_response
from api.schemas import Body, case_json, view_json
from domain.injury.views import CaseView
from domain.onboarding.state import OnboardingView
from domain.shared.errors import RuleViolation
from domain.shared.ids import check_employee_id
from domain.shared.masking import mask_text
from domain.shared.people import Actor
from settings import Settings
from store import access_log, evidence, legal_holds, personal_export
from store.documents import content_store

router = APIRouter(prefix="/api/v1", tags=["subject rights"])
Exporter = Annotated[Actor, require("export_personal_data")]
HoldKeeper = Annotated[Actor, require("manage_legal_holds")]
HoldId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class HoldIn(Body):
    """A hold on every record of an employee (`employee`: their employee id) or of one
    onboarding or case (`subject`: its id, e.g. case-E1001-20261120). The reason is required."""

    scope: Literal["employee", "subject"]
    target: str = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=1, max_length=500)


class LiftIn(Body):
    reason: str = Field(min_length=1, max_length=500)


class HoldOut(BaseModel):
    id: int
    scope: str
    target: str
    reason: str
    placed_by: str
    placed_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None
    lift_reason: str | None
    active: bool


class HoldList(BaseModel):
    items: list[HoldOut]


@router.get("/employees/{employee_id}/export", response_class=FileResponse,
            responses=file_response("application/zip", "Everything held on the employee (ZIP)"))
async def export_personal_data(employee_id: str, request: Request, actor: Exporter,
                               client: TemporalDep, settings: SettingsDep) -> FileResponse:
    """A ZIP of everything held on one employee, with a manifest of SHA-256s (PIPL art. 45)."""
    await asyncio.to_thread(access_log.record, settings.db_url, _read(request, actor, employee_id))
    try:
        check_employee_id(employee_id, field="employee_id")
    except RuleViolation:
        raise _unknown(employee_id) from None
    records = await asyncio.to_thread(personal_export.records_of, settings.db_url, employee_id)
    if not records.subjects:
        raise _unknown(employee_id)
    views = {s: await _view(client, settings, s, s in {r["id"] for r in records.onboardings})
             for s in records.subjects}
    at = datetime.now(UTC)
    export = await asyncio.to_thread(personal_export.build, settings.db_url,
                                     content_store(settings), records, views, by=actor.name, at=at)
    try:
        await asyncio.to_thread(evidence.append, settings.db_url, evidence.NewEntry(
            subject_id=legal_holds.PERSONAL_DATA_SUBJECT,
            idempotency_key=f"export:{uuid.uuid4()}", at=at, actor=actor.name,
            kind="personal_data_exported",
            payload={"employee_id": employee_id, "subjects": records.subjects,
                     "files": export.files, "sha256": export.sha256}))
    except BaseException:
        export.path.unlink(missing_ok=True)
        raise
    return FileResponse(
        export.path, media_type="application/zip", filename=f"{employee_id}-personal-data.zip",
        headers={"X-Content-SHA256": export.sha256, "Cache-Control": "no-store"},
        background=BackgroundTask(export.path.unlink, missing_ok=True))


async def _view(client: Client, settings: Settings, subject: str,
                onboarding: bool) -> dict[str, Any]:
    """The detail view as GET answers it; a record Temporal and the database both lost says so."""
    try:
        if onboarding:
            return view_json(await temporal_calls.read(client, settings.db_url, subject,
                                                       OnboardingView, what="onboarding"))
        return case_json(await temporal_calls.read(client, settings.db_url, subject, CaseView,
                                                   args=[datetime.now(UTC)], what="case"))
    except ApiError as error:
        return {"error": {"code": error.code, "message": error.message}}


def _unknown(employee_id: str) -> ApiError:
    return ApiError(404, "employee.not_found",
                    f"no onboarding or case is held on employee {employee_id}", "employee_id")


def _read(request: Request, actor: Actor, employee_id: str) -> access_log.AccessLogRow:
    return access_log.AccessLogRow(
        at=datetime.now(UTC), principal=actor.name[:100], role=actor.role[:40],
        method=request.method[:10], route="/api/v1/employees/{employee_id}/export",
        subject_id=mask_text(employee_id)[:120], client_address=client_address(request.scope)[:64],
        user_agent=mask_text(request.headers.get("user-agent", ""))[:300])


@router.post("/admin/legal-holds", status_code=201, response_model=HoldOut)
async def place_legal_hold(body: HoldIn, actor: HoldKeeper, settings: SettingsDep) -> dict[str, Any]:
    """Hold an employee's or a record's data past its retention period; recorded in the ledger."""
    row = await asyncio.to_thread(legal_holds.place, settings.db_url, body.scope, body.target,
                                  body.reason, actor.name, datetime.now(UTC))
    return _hold(row)


@router.delete("/admin/legal-holds/{hold_id}", response_model=HoldOut)
async def lift_legal_hold(hold_id: HoldId, body: LiftIn, actor: HoldKeeper,
                          settings: SettingsDep) -> dict[str, Any]:
    """Lift an active hold (a JSON body gives the reason); recorded in the ledger."""
    row = await asyncio.to_thread(legal_holds.lift, settings.db_url, hold_id, body.reason,
                                  actor.name, datetime.now(UTC))
    if row is None:
        raise ApiError(404, "legal_hold.not_found", f"no active legal hold with id {hold_id}",
                       "hold_id")
    return _hold(row)


@router.get("/admin/legal-holds", response_model=HoldList)
async def list_legal_holds(actor: HoldKeeper, settings: SettingsDep,
                           active: bool | None = None,
                           target: str | None = Query(None, max_length=120)) -> dict[str, Any]:
    """Legal holds, newest first; `active=true` those standing, `target` of one employee or record."""
    rows = await asyncio.to_thread(legal_holds.listed, settings.db_url, active=active,
                                   target=target)
    return {"items": [_hold(r) for r in rows]}


def _hold(row: legal_holds.LegalHoldRow) -> dict[str, Any]:
    return {**row.model_dump(), "active": row.lifted_at is None}
