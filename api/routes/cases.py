"""Injury cases: report an accident, send HR actions to its workflow, read and list cases."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import and_, exists
from sqlmodel import col, func, select
from temporalio.client import WorkflowHandle

from api import temporal_calls
from api.deps import CurrentPrincipal, ReadSessionDep, SettingsDep, TemporalDep, permit, require
from api.errors import ApiError
from api.privacy import logged
from api.refusals import Attempt
from api.responses.processes import CaseAnswerOut, CaseOut, CasePage
from api.routes.compensation import compensation_tables
from api.schemas import (
    CaseActionIn,
    CaseCreate,
    Offset,
    case_answer_json,
    case_json,
)
from api.scoping import CallerScope
from domain.employees.si_standing import RecordFacts
from domain.injury import rules
from domain.injury.clocks import initial_state_deadlines
from domain.injury.intake import CaseReport, build_case_input
from domain.injury.overview import view_of
from domain.injury.payloads import CaseAction, Witness, action_fields
from domain.injury.state import CaseState, Stage
from domain.injury.views import CaseAnswer, CaseView
from domain.shared.calendar import SHANGHAI
from domain.shared.calendar_sources import official_calendar
from domain.shared.errors import RuleViolation
from domain.shared.ids import case_id_of, case_workflow_id
from domain.shared.input_rules import check_date_in_window
from domain.shared.people import Actor
from store import calendar as stored_calendar
from store import si_standing, workflow_events
from store.db import point_read
from store.models import CaseDeadlineEntry, CaseRow
from store.scoping import within

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


@router.post("", status_code=201, response_model=CaseOut)
async def open_case(body: CaseCreate, actor: Annotated[Actor, require("open_case")],
                    client: TemporalDep, settings: SettingsDep,
                    request: Request) -> dict[str, Any]:
    """Report an injury: the case starts and its statutory clocks with it."""
    now = datetime.now(UTC)
    calendar = official_calendar(await stored_calendar.years_to_pin(settings.db_url))
    facts = await asyncio.to_thread(si_standing.facts_on, settings.db_url,
                                    body.employee.employee_id, _accident_day(body.accident_at))
    inp = build_case_input(_report(body, facts), created_by=actor.name, now=now,
                           process=request.app.state.case_settings, calendar=calendar,
                           provinces=compensation_tables(request).provinces)
    workflow_id = case_workflow_id(inp.case_id)
    if await point_read(settings.db_url, workflow_events.case_recorded, workflow_id):
        raise _case_exists(workflow_id)
    await temporal_calls.start(client, "InjuryCase", inp, workflow_id=workflow_id,
                               task_queue=settings.task_queue, exists=_case_exists(workflow_id))
    state = CaseState(stage=Stage.reported, deadlines=initial_state_deadlines(inp))
    return case_json(view_of(inp, state, (), now))


def _case_exists(workflow_id: str) -> ApiError:
    return ApiError(409, "case.exists", f"{workflow_id} already exists (one case per employee "
                    "and accident day; give case_id for a second accident)", "case_id",
                    {"id": workflow_id})


@router.get("", response_model=CasePage)
def list_cases(actor: Annotated[Actor, require("read")], scope: CallerScope, session: ReadSessionDep,
               stage: Stage | None = None, overdue: bool | None = None,
               due_before: datetime | None = None, limit: int = Query(50, ge=1, le=500),
               offset: Offset = 0) -> dict[str, Any]:
    """List cases from the projection, newest accident first: by stage, overdue, or due before;
    a manager's, of their departments only."""
    now = datetime.now(UTC)
    filters: list[Any] = [within(scope, CaseRow.department)]
    if stage is not None:
        filters.append(CaseRow.stage == stage.value)
    open_deadline = and_(col(CaseDeadlineEntry.case_id) == col(CaseRow.id),
                         col(CaseDeadlineEntry.active).is_(True),
                         col(CaseDeadlineEntry.met_at).is_(None))
    if overdue is not None:
        late = exists().where(open_deadline, col(CaseDeadlineEntry.kind) != "right",
                              col(CaseDeadlineEntry.due_at) < now)
        filters.append(late if overdue else ~late)
    if due_before is not None:
        check_date_in_window(due_before, "due_before")
        if due_before.tzinfo is None:
            raise ApiError(422, "due_before.timezone", "due_before needs a timezone offset "
                           "(e.g. 2026-12-01T00:00:00+08:00)", "due_before")
        filters.append(exists().where(open_deadline, col(CaseDeadlineEntry.due_at) < due_before))
    rows = session.exec(select(CaseRow).where(*filters)
                        .order_by(col(CaseRow.accident_at).desc(), col(CaseRow.id))
                        .offset(offset).limit(limit)).all()
    total = session.exec(select(func.count()).select_from(CaseRow).where(*filters)).one()
    deadlines = _open_deadlines(session, [r.id for r in rows])
    return {"total": total, "limit": limit, "offset": offset,
            "items": [{**r.model_dump(mode="json"), "open_deadlines": deadlines.get(r.id, []),
                       "overdue": any(d["overdue"] for d in deadlines.get(r.id, []))}
                      for r in rows]}


@router.get("/{id}", response_model=CaseOut)
async def get_case(id: str, actor: Annotated[Actor, logged("read")],
                   client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Stage, deadlines, open tasks with owner, notices and events of one case."""
    return case_json(await temporal_calls.read(client, settings.db_url, _checked(id), CaseView,
                                               args=[datetime.now(UTC)], what="case"))


async def case_actor(action: str, actor: CurrentPrincipal, request: Request) -> Actor:
    """The caller of a case action: 404 for an unknown action; a role that may not take it is a
    403 recorded in the case's ledger."""
    name = rules.action_name(action)
    if name not in rules.ACTION_STAGES:
        raise ApiError(404, "action.unknown", f"unknown action '{action}'; actions: "
                       + ", ".join(a.replace("_", "-") for a in rules.ACTIONS), "action")
    return await permit(rules.check_role, name, actor, request, record_refusal=True)


@router.post("/{id}/actions/{action}", response_model=CaseAnswerOut)
async def act(id: str, action: str, body: CaseActionIn,
              actor: Annotated[Actor, Depends(case_actor)], client: TemporalDep,
              settings: SettingsDep) -> dict[str, Any]:
    """An HR action (file-materials, apply-determination, … close); 409 names the allowed ones."""
    name, workflow_id = rules.action_name(action), _checked(id)
    _check_fields(name, body)
    answer = await temporal_calls.update(
        client, workflow_id, "act", _action(name, actor, body), CaseAnswer, what="case",
        attempt=Attempt(settings.db_url, id, actor, name), closed=_closed)
    return case_answer_json(answer)


async def _closed(handle: WorkflowHandle[Any, Any]) -> ApiError:
    """409 for an action on a finished case, naming its final stage."""
    final: CaseView = await handle.query("status", result_type=CaseView)
    return ApiError(409, "case.closed", f"{handle.id} is {final.stage.value} and takes no more "
                    "actions", "stage", {"stage": final.stage.value})


def _check_fields(name: str, body: CaseActionIn) -> None:
    """A field the action's type does not have is a 422 naming it and what the action takes."""
    takes = action_fields(rules.action_type(name))
    unused = sorted(body.model_fields_set - takes)
    if unused:
        raise RuleViolation(unused[0], "field.not_used", f"{unused[0]} is not used by "
                            f"{name.replace('_', '-')}; it takes: " + ", ".join(sorted(takes)))


def _action(name: str, actor: Actor, body: CaseActionIn) -> CaseAction:
    kind = rules.action_type(name)
    given = body.model_dump(include=set(action_fields(kind)))
    data: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()}
    return kind(actor=actor, **data)  # lists travel as tuples


def _open_deadlines(session: ReadSessionDep, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    if not ids:
        return {}
    now = datetime.now(UTC)
    rows = session.exec(select(CaseDeadlineEntry).where(
        col(CaseDeadlineEntry.case_id).in_(ids), col(CaseDeadlineEntry.active).is_(True),
        col(CaseDeadlineEntry.met_at).is_(None)).order_by(col(CaseDeadlineEntry.due_at))).all()
    found: dict[str, list[dict[str, Any]]] = {}
    for d in rows:
        found.setdefault(d.case_id, []).append({
            "name": d.name, "due_at": d.due_at.isoformat(), "kind": d.kind, "article": d.article,
            "overdue": d.kind != "right" and d.due_at < now})
    return found


def _checked(id: str) -> str:
    try:
        case_id_of(id)
    except RuleViolation:
        raise ApiError(404, "case.not_found", f"no case with id {id}", "id") from None
    return id


def _accident_day(accident_at: datetime) -> date:
    at = accident_at if accident_at.tzinfo else accident_at.replace(tzinfo=SHANGHAI)
    return at.astimezone(SHANGHAI).date()


def _report(body: CaseCreate, facts: RecordFacts) -> CaseReport:
    return CaseReport(
        employee=body.employee.to_domain(),
        region=body.region, accident_at=body.accident_at, location=body.location,
        description=body.description, injury=body.injury,
        witnesses=tuple(Witness(**w.model_dump()) for w in body.witnesses),
        si_enrolled=body.si_enrolled, traffic_accident=body.traffic_accident,
        case_id=body.case_id, si_facts=facts, occupational_disease=body.occupational_disease,
        diagnosed_on=body.diagnosed_on)
