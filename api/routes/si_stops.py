"""Leaving and the SI stop (减员): record an employee's leave, then the stop's maker-checker steps
and the bureau's answer HR records by hand."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, Field
from temporalio.client import Client

from api import temporal_calls
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError
from api.refusals import Attempt
from api.responses.records import DocumentOut
from api.routes import written_contracts
from api.routes.documents import _add as add_document
from api.schemas import Body, PlainText
from domain.employees.leave_delivery import LeaveCorrected
from domain.employees.si_status import SiStatus
from domain.separation.payloads import (
    LeaveCorrection,
    StopInput,
    StopOutcome,
    StopStep,
    StopView,
)
from domain.separation.policy import deadline_rule
from domain.separation.rules import check_correction, stop_deadline, stop_id
from domain.shared.calendar_sources import official_calendar
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.input_rules import check_date_in_window
from domain.shared.people import Actor
from settings import Settings
from store import calendar as stored_calendar
from store import document_rows, employees, leave_corrections
from store.models import EmploymentRow

router = APIRouter(tags=["si-stops"])
NEEDS_STOP = (SiStatus.enrolled, SiStatus.paying, SiStatus.interrupted)


class LeaveIn(Body):
    leave_date: date
    reason: str = Field(min_length=1, max_length=500)


class StepIn(Body):
    note: str = Field(default="", max_length=2000)


class OutcomeIn(Body):
    reference: str = Field(min_length=1, max_length=80)
    receipt_document: str = Field(min_length=1, max_length=80)
    note: str = Field(default="", max_length=2000)


class LeaveCorrectionIn(Body):
    leave_date: date
    reason: PlainText = Field(min_length=1, max_length=500)
    employment: int | None = Field(default=None, ge=1, le=99)  # None: the latest


class LeaveCorrectionOut(BaseModel):
    employee_id: str
    employment: int
    leave_date_before: date
    leave_date: date
    changed: bool  # False: the record had this day already (a repeated call)
    onboarding_told: bool  # the employment's onboarding runs and took the correction
    si_stop: dict[str, Any] | None
    written_contract: dict[str, Any] | None


class LeaveOut(BaseModel):
    employee_id: str
    leave_date: date
    si_stop: dict[str, Any] | None


@router.post("/api/v1/employees/{employee_id}/leave", status_code=201, response_model=LeaveOut)
async def record_leave(employee_id: str, body: LeaveIn,
                       actor: Annotated[Actor, require("record_leave")],
                       client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """The employment ends: recorded on the employee record, its written-contract watch ended on
    the leave day and, when the employee is insured, the SI stop starts (its deadline from the
    region's rule, with its source)."""
    check_date_in_window(body.leave_date, "leave_date")
    current = await asyncio.to_thread(employees.current, settings.db_url, employee_id)
    if current is None:
        raise ApiError(404, "employee.not_found", f"no employee {employee_id}", "employee_id")
    employment = current.employment
    repeated = employment is None
    if employment is None:
        employment = await asyncio.to_thread(_ended_on, settings.db_url, employee_id, body.leave_date)
    if body.leave_date < employment.hire_date:
        raise RuleViolation("leave_date", "leave_date.before_hire",
                            f"leave_date is before the hire date {employment.hire_date}")
    if not repeated:
        # Told first, durably (a 503 and nothing written when Temporal is unreachable), then
        # written: a call repeated after a failed write finds the employment open and starts
        # nothing twice.
        await written_contracts.end_on_leave(client, employee_id, employment, body.leave_date,
                                             body.reason, settings.task_queue)
        await asyncio.to_thread(employees.record_leave, settings.db_url, employee_id,
                                body.leave_date, body.reason, datetime.now(UTC))
    workflow_id = stop_id(employee_id, employment.seq)
    if repeated and await _started(client, workflow_id):
        return {"employee_id": employee_id, "leave_date": body.leave_date,
                "si_stop": await _view(client, workflow_id)}
    if current.si_status not in NEEDS_STOP:
        return {"employee_id": employee_id, "leave_date": body.leave_date, "si_stop": None}
    calendar = official_calendar(await asyncio.to_thread(stored_calendar.loaded_years,
                                                         settings.db_url))
    reason = (employment.leave_reason or body.reason) if repeated else body.reason
    await temporal_calls.start(
        client, "SiStop", StopInput(
            employee_id=employee_id, employment=employment.seq,
            department=employment.department, region=employment.region,
            leave_date=body.leave_date, reason=reason,
            deadline=stop_deadline(body.leave_date, deadline_rule(employment.region), calendar),
            hold=timedelta(minutes=settings.enrollment_hold_minutes), created_by=actor.name,
            time_scale=settings.time_scale),
        workflow_id=workflow_id, task_queue=settings.task_queue,
        exists=ApiError(409, "si_stop.exists", f"{workflow_id} is under way", "employee_id"))
    return {"employee_id": employee_id, "leave_date": body.leave_date,
            "si_stop": await _view(client, workflow_id)}


@router.post("/api/v1/employees/{employee_id}/leave/correction",
             response_model=LeaveCorrectionOut)
async def correct_leave(employee_id: str, body: LeaveCorrectionIn,
                        actor: Annotated[Actor, require("correct_leave")],
                        client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """The leave day on record was wrong: the employment's leave day (the latest employment's,
    or `employment`'s) is corrected, its SI stop (while not yet with the bureau) takes the
    deadline counted from the new day and goes back to submission if it was submitted, and the
    written contract's double wage is counted to the new day. The correction is evidence on the
    employee's record, with what it changed."""
    check_date_in_window(body.leave_date, "leave_date")
    rows = (await asyncio.to_thread(employees.employments_of, settings.db_url, [employee_id])
            ).get(employee_id, [])
    if not rows:
        raise ApiError(404, "employee.not_found", f"no employee {employee_id}", "employee_id")
    row, before = _corrected_employment(employee_id, rows, body)
    stop_workflow = stop_id(employee_id, row.seq)
    answer = {"employee_id": employee_id, "employment": row.seq, "leave_date_before": before,
              "leave_date": body.leave_date, "changed": False, "si_stop": None,
              "written_contract": None}
    stop = await _started(client, stop_workflow)
    if before == body.leave_date:  # a repeated call: the record has it (and it tells again)
        return answer | {"si_stop": await _view(client, stop_workflow) if stop else None,
                         "onboarding_told": await _tell_onboarding(client, settings.db_url, row)}
    recount = await written_contracts.double_wage_recount(client, employee_id, row,
                                                         body.leave_date)
    if stop:
        await _correct_stop(client, settings, stop_workflow, actor, body, before)
    details: dict[str, Any] = {"si_stop": stop_workflow if stop else None,
                               "written_contract": recount}
    changed = await asyncio.to_thread(leave_corrections.correct, settings.db_url,
                                      leave_corrections.LeaveCorrection(
                                          employee_id, row.seq, before, body.leave_date,
                                          body.reason, actor.name, datetime.now(UTC),
                                          {k: v for k, v in details.items() if v is not None}))
    return answer | {"changed": changed, "written_contract": recount,
                     "si_stop": await _view(client, stop_workflow) if stop else None,
                     "onboarding_told": await _tell_onboarding(client, settings.db_url, row)}


def _corrected_employment(employee_id: str, rows: list[EmploymentRow],
                          body: LeaveCorrectionIn) -> tuple[EmploymentRow, date]:
    """The employment the correction names, ended (with the leave day on record), and the new
    day within it: on or after its hire date and before the next employment's."""
    wanted = rows[-1].seq if body.employment is None else body.employment
    found = [r for r in rows if r.seq == wanted]
    if not found:
        raise ApiError(404, "employment.not_found",
                       f"{employee_id} has no employment {wanted} (they have 1–{rows[-1].seq})",
                       "employment")
    row = found[0]
    if row.leave_date is None:
        raise ActionRefused("leave.not_recorded", f"{employee_id}'s employment is open: record "
                            "the leave first (POST …/leave)", "leave_date")
    if body.leave_date < row.hire_date:
        raise RuleViolation("leave_date", "leave_date.before_hire",
                            f"leave_date is before the hire date {row.hire_date}")
    following = [r for r in rows if r.seq > row.seq]
    if following and body.leave_date >= following[0].hire_date:
        raise RuleViolation("leave_date", "leave_date.after_next_hire", (
            f"leave_date is on or after {following[0].hire_date}, the hire date of "
            f"{employee_id}'s employment {following[0].seq}: employments may not overlap"))
    return row, row.leave_date


async def _tell_onboarding(client: Client, db_url: str, row: EmploymentRow) -> bool:
    """The employment's onboarding, while it runs, takes the latest correction on record into
    its own record (told after the record is written; a repeated call tells it again, and it
    takes each correction once). False: no onboarding runs for the employment."""
    corrections = (await asyncio.to_thread(leave_corrections.of, db_url, row.employee_id)
                   ).get(row.seq, [])
    if row.onboarding_id is None or not corrections:
        return False
    last = corrections[-1]
    return await temporal_calls.signal_if_running(
        client, row.onboarding_id, "leave_date_corrected", LeaveCorrected(
            number=len(corrections), before=date.fromisoformat(last["leave_date_before"]),
            on=date.fromisoformat(last["leave_date"]), reason=last["reason"],
            actor=last["evidence"]["actor"]))


async def _correct_stop(client: Client, settings: Settings, workflow_id: str, actor: Actor,
                        body: LeaveCorrectionIn, before: date) -> None:
    """Tell the SI stop the new day and its deadline; refused (409, nothing changed) once the
    stop is with the bureau. Checked here first, so a stop already done (closed: it takes no
    update) is refused for what it is; the workflow checks again."""
    view = await temporal_calls.query(client, workflow_id, StopView, what="si_stop")
    calendar = official_calendar(await asyncio.to_thread(stored_calendar.loaded_years,
                                                         settings.db_url))
    correction = LeaveCorrection(
        actor=actor, leave_date=body.leave_date, reason=body.reason,
        deadline=stop_deadline(body.leave_date, deadline_rule(view.region), calendar),
        before=before)
    check_correction(view.status, view.leave_date, correction)
    await temporal_calls.update(
        client, workflow_id, "correct_leave_date", correction, StopView, what="si_stop",
        attempt=Attempt(settings.db_url, workflow_id, actor, "correct_leave_date"))


async def _started(client: Client, workflow_id: str) -> bool:
    try:
        await temporal_calls.require_workflow(client, workflow_id, what="si_stop")
    except ApiError as missing:
        if missing.status == 404:
            return False
        raise
    return True


def _ended_on(db_url: str, employee_id: str, leave_date: date) -> EmploymentRow:
    """The employment a repeated leave call names: the latest, ended on that very day. The call
    before wrote the leave and may have failed before the SI stop started (Temporal unreachable
    a moment): this one starts it, or answers the one started."""
    last = employees.last_employment(db_url, employee_id)
    if last is None or last.leave_date is None:
        raise ActionRefused("employment.none", f"{employee_id} has no open employment to end",
                            "employee_id")
    if last.leave_date != leave_date:
        raise ActionRefused("employment.ended", f"{employee_id}'s employment ended on "
                            f"{last.leave_date} already; a leave on {leave_date} is another "
                            "employment's, and there is none open", "leave_date")
    return last


@router.get("/api/v1/si-stops/{id}")
async def read_stop(id: str, actor: Annotated[Actor, require("read_stop")],
                    client: TemporalDep) -> dict[str, Any]:
    """The stop's status, its deadline (source, verified), who submitted and reviewed it, the
    hold, the bureau's reference and its events."""
    return await _view(client, _checked(id))


@router.post("/api/v1/si-stops/{id}/documents", status_code=201, response_model=DocumentOut)
async def add_receipt(id: str, actor: Annotated[Actor, require("record_stop_outcome")],
                      client: TemporalDep, settings: SettingsDep,
                      kind: Annotated[PlainText, Form()], file: Annotated[UploadFile, File()],
                      note: Annotated[PlainText, Form(max_length=2000)] = "") -> dict[str, Any]:
    """The bureau's receipt of the stop (kind bureau_receipt); each upload is evidence."""
    return await add_document(_checked(id), actor, client, settings, kind, file, note)


@router.post("/api/v1/si-stops/{id}/outcome")
async def record_outcome(id: str, body: OutcomeIn,
                         actor: Annotated[Actor, require("record_stop_outcome")],
                         client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """The bureau stopped it: its reference and the receipt (a document of this stop)."""
    workflow_id = _checked(id)
    await asyncio.to_thread(_check_receipt, settings, workflow_id, body.receipt_document)
    await temporal_calls.update(
        client, workflow_id, "record_stop_outcome",
        StopOutcome(actor=actor, reference=body.reference,
                    receipt_document=body.receipt_document, note=body.note),
        StopView, what="si_stop",
        attempt=Attempt(settings.db_url, workflow_id, actor, "record_stop_outcome"))
    return await _view(client, workflow_id)


@router.post("/api/v1/si-stops/{id}/submit")
async def submit(id: str, body: StepIn, client: TemporalDep, settings: SettingsDep,
                 actor: Annotated[Actor, require("submit_stop")]) -> dict[str, Any]:
    """HR submits the stop (the maker)."""
    return await _step(client, settings, id, "submit_stop", StopStep(actor, body.note))


@router.post("/api/v1/si-stops/{id}/approve")
async def approve(id: str, body: StepIn, client: TemporalDep, settings: SettingsDep,
                  actor: Annotated[Actor, require("approve_stop")]) -> dict[str, Any]:
    """A different HR manager approves it (the checker); it is held while it can be revoked."""
    return await _step(client, settings, id, "approve_stop", StopStep(actor, body.note))


@router.post("/api/v1/si-stops/{id}/reject")
async def reject(id: str, body: StepIn, client: TemporalDep, settings: SettingsDep,
                 actor: Annotated[Actor, require("reject_stop")]) -> dict[str, Any]:
    """A different HR manager sends it back, saying why."""
    return await _step(client, settings, id, "reject_stop", StopStep(actor, body.note))


@router.post("/api/v1/si-stops/{id}/revoke")
async def revoke(id: str, body: StepIn, client: TemporalDep, settings: SettingsDep,
                 actor: Annotated[Actor, require("revoke_stop")]) -> dict[str, Any]:
    """Withdraw it before the hold ends (e.g. the employee stays), saying why."""
    return await _step(client, settings, id, "revoke_stop", StopStep(actor, body.note))


async def _step(client: Client, settings: Settings, id: str, update: str,
                step: StopStep) -> dict[str, Any]:
    workflow_id = _checked(id)
    await temporal_calls.update(client, workflow_id, update, step, StopView, what="si_stop",
                                attempt=Attempt(settings.db_url, workflow_id, step.actor, update))
    return await _view(client, workflow_id)


def _checked(id: str) -> str:
    if not id.startswith("si-stop-"):
        raise ApiError(404, "si_stop.not_found", f"no SI stop with id {id}", "id")
    return id


def _check_receipt(settings: Settings, workflow_id: str, document_id: str) -> None:
    row = document_rows.get(settings.db_url, document_id)
    if row is None or row.subject_id != workflow_id or row.kind != "bureau_receipt":
        raise RuleViolation("receipt_document", "receipt_document.not_found",
                            f"no bureau receipt {document_id} of {workflow_id}: upload it first "
                            "(POST …/documents, kind bureau_receipt)")


async def _view(client: Client, workflow_id: str) -> dict[str, Any]:
    view = await temporal_calls.query(client, workflow_id, StopView, what="si_stop")
    d = view.deadline
    return {"id": view.id, "employee_id": view.employee_id, "employment": view.employment,
            "region": view.region, "leave_date": view.leave_date.isoformat(),
            "status": view.status.value, "overdue": view.overdue,
            "deadline": {"due_at": d.due_at.isoformat(), "source": d.source,
                         "verified": d.verified, "article": d.article},
            "submitted_by": view.submitted_by, "reviewed_by": view.reviewed_by,
            "hold_until": view.hold_until.isoformat() if view.hold_until else None,
            "reference": view.reference,
            "events": [{"seq": e.seq, "at": e.at.isoformat(), "kind": e.kind, "actor": e.actor,
                        **e.data} for e in view.events], "now": view.now.isoformat()}
