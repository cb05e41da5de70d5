"""Who handles what: hand an onboarding or a case to another HR person (its reminders and HR's
tasks go to them), and the admin's tasks the processes found (a role nobody reachable holds)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import select
from temporalio.client import WorkflowHandle

from api import temporal_calls
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError
from api.refusals import Attempt
from api.responses.processes import CaseAnswerOut, OnboardingAnswerOut
from api.routes.cases import _checked as case_id_checked
from api.routes.cases import _closed as case_closed
from api.routes.onboardings import _checked as onboarding_id_checked
from api.routes.onboardings import _closed as onboarding_closed
from api.schemas import Body, Offset, answer_json, case_answer_json
from domain.injury.views import CaseAnswer
from domain.onboarding.state import ActionAnswer
from domain.shared.directory import PersonFields, check_owner
from domain.shared.people import Actor, AssignOwner
from settings import Settings
from store import admin_tasks
from store.db import reading
from store.models import PersonRow
from store.people import fields_of

router = APIRouter(prefix="/api/v1", tags=["assignment"])


class AssignIn(Body):
    """The HR person (a name of the directory) who handles the record from now on."""

    owner: str = Field(min_length=1, max_length=80)


class TaskClose(Body):
    note: str = Field(min_length=1, max_length=2000, description="what was done about it")


class AdminTaskOut(BaseModel):
    id: int
    kind: str
    role: str
    department: str
    owner: str
    subject_id: str
    purpose: str
    detail: str
    occurrences: int
    opened_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    close_note: str | None


class AdminTaskPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[AdminTaskOut]


async def _owner(settings: Settings, name: str) -> str:
    """422 unless `name` is an active person of the directory holding an HR role."""
    def person() -> PersonFields | None:
        with reading(settings.db_url) as session:
            row = session.exec(select(PersonRow).where(PersonRow.name == name)).first()
            return fields_of(row) if row is not None else None

    return check_owner(await asyncio.to_thread(person), name).name


@router.post("/onboardings/{id}/assign", response_model=OnboardingAnswerOut)
async def assign_onboarding(id: str, body: AssignIn,
                            actor: Annotated[Actor, require("assign", record_refusal=True)],
                            client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Hand the onboarding to another HR person: the SI window's reminders go to them."""
    owner = await _owner(settings, body.owner)

    async def closed(handle: WorkflowHandle[Any, Any]) -> ApiError:
        return await onboarding_closed(handle, "assign")

    answer = await temporal_calls.update(
        client, onboarding_id_checked(id), "assign", AssignOwner(actor=actor, owner=owner),
        ActionAnswer, what="onboarding", attempt=Attempt(settings.db_url, id, actor, "assign"),
        closed=closed)
    return answer_json(answer)


@router.post("/cases/{id}/assign", response_model=CaseAnswerOut)
async def assign_case(id: str, body: AssignIn,
                      actor: Annotated[Actor, require("assign", record_refusal=True)],
                      client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Hand the case to another HR person: its reminders and HR's tasks go to them."""
    owner = await _owner(settings, body.owner)
    answer = await temporal_calls.update(
        client, case_id_checked(id), "assign", AssignOwner(actor=actor, owner=owner),
        CaseAnswer, what="case", attempt=Attempt(settings.db_url, id, actor, "assign"),
        closed=case_closed)
    return case_answer_json(answer)


@router.get("/admin/tasks", response_model=AdminTaskPage)
async def list_admin_tasks(actor: Annotated[Actor, require("handle_admin_tasks")],
                           settings: SettingsDep,
                           state: Literal["open", "closed"] | None = "open",
                           limit: int = Query(50, ge=1, le=500),
                           offset: Offset = 0) -> AdminTaskPage:
    """What only an admin can mend, newest first (default: the open ones)."""
    total, rows = await asyncio.to_thread(admin_tasks.listing, settings.db_url, state=state,
                                          limit=limit, offset=offset)
    return AdminTaskPage.model_validate({"total": total, "limit": limit, "offset": offset,
                                         "items": [r.model_dump() for r in rows]})


@router.post("/admin/tasks/{task_id}/close", response_model=AdminTaskOut)
async def close_admin_task(task_id: int, body: TaskClose,
                           actor: Annotated[Actor, require("handle_admin_tasks")],
                           settings: SettingsDep) -> AdminTaskOut:
    """Close a task, saying what was done (e.g. the department's manager added with a phone)."""
    row = await asyncio.to_thread(admin_tasks.close, settings.db_url, task_id, actor.name,
                                  body.note, datetime.now(UTC))
    if row is None:
        raise ApiError(404, "task.not_found", f"no admin task with id {task_id}", "task_id")
    return AdminTaskOut.model_validate(row.model_dump())
