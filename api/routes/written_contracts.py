"""The written labour contract of an employee's employment (书面劳动合同, LCL arts. 10, 14, 82):
its deadline, status and double-wage exposure, and HR's record of the signed contract."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api import temporal_calls
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError
from api.refusals import Attempt
from api.schemas import Body
from api.temporal_calls import unavailable
from domain.employees import written_contract as wc
from domain.employees.leave_delivery import LeaveDelivery, delivery_id
from domain.employees.written_contract_watch import (
    EmploymentEnded,
    OpenWatch,
    RecordMonthlyWage,
    RecordWrittenContract,
    WrittenContractView,
    as_recorded_leave,
    watch_id,
)
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import RuleViolation
from domain.shared.ids import check_employee_id
from domain.shared.labels import WRITTEN_CONTRACT_STATUS
from domain.shared.people import Actor
from settings import Settings
from store import document_rows, employees
from store.models import EmploymentRow

PENDING: Any = WrittenContractView | None  # the onboarding's query answers either

router = APIRouter(prefix="/api/v1/employees", tags=["employees"])
Employment = Annotated[int | None, Query(ge=1, le=99, description="the employment (1: the first "
                                         "hire, 2: a re-hire …); default: the open one")]


class WrittenContractIn(Body):
    """The signed written contract: the day it was signed and its signed copy."""

    signed_on: date
    document: str = Field(min_length=1, max_length=80, description="the signed contract, "
                          "uploaded to the employment's onboarding first (kind labour_contract)")
    note: str = Field(default="", max_length=2000)
    monthly_wage: Decimal | None = Field(default=None, description="the monthly wage, when not "
                                         "given before (PUT …/written-contract/wage)")


class WrittenContractOut(BaseModel):
    id: str
    employee_id: str
    start: date
    status: str
    status_label: str
    deadline: dict[str, Any]
    signed_on: date | None
    document: str | None
    open_ended_deemed_on: date
    ended_on: date | None
    exposure: dict[str, Any]
    events: list[dict[str, Any]]


@router.get("/{employee_id}/written-contract", response_model=WrittenContractOut)
async def read_written_contract(employee_id: str,
                                actor: Annotated[Actor, require("read_written_contract")],
                                client: TemporalDep, settings: SettingsDep,
                                employment: Employment = None) -> dict[str, Any]:
    """The employment's written contract: due by the first month's last day (LCL art. 10), its
    status (upcoming, met, missed, signed_late, open_ended_deemed, ended), and once missed the
    double wage owed month by month (LCL art. 82; 实施条例 arts. 6-7)."""
    row = await asyncio.to_thread(_employment_of, settings, employee_id, employment)
    return _out(await _current_view(client, employee_id, row))


@router.post("/{employee_id}/written-contract", response_model=WrittenContractOut)
async def record_written_contract(employee_id: str, body: WrittenContractIn,
                                  actor: Annotated[Actor, require("record_written_contract")],
                                  client: TemporalDep, settings: SettingsDep,
                                  employment: Employment = None) -> dict[str, Any]:
    """Record the signed written contract (date and document): by the first month's last day it
    meets the deadline; later, the double wage stops the day before it was signed."""
    onboarding = await asyncio.to_thread(_check_document, settings, employee_id, employment,
                                         body.document)
    row = await asyncio.to_thread(_employment_of, settings, employee_id, employment)
    workflow_id = await _open_watch(client, settings, employee_id, row, actor,
                                    "record_written_contract")
    view = await temporal_calls.update(
        client, workflow_id, "record_written_contract",
        RecordWrittenContract(actor=actor, signed_on=body.signed_on, document=body.document,
                              note=body.note, monthly_wage=body.monthly_wage),
        WrittenContractView, what="written_contract",
        attempt=Attempt(settings.db_url, onboarding, actor, "record_written_contract"),
        closed=_closed)
    return _out(view)


class MonthlyWageIn(Body):
    """The employee's monthly wage (月工资), the basis of the double wage."""

    monthly_wage: Decimal = Field(description="yuan a month, at most 2 decimals")
    note: str = Field(default="", max_length=2000)


@router.put("/{employee_id}/written-contract/wage", response_model=WrittenContractOut)
async def record_monthly_wage(employee_id: str, body: MonthlyWageIn,
                              actor: Annotated[Actor, require("record_monthly_wage")],
                              client: TemporalDep, settings: SettingsDep,
                              employment: Employment = None) -> dict[str, Any]:
    """Give the monthly wage the double wage is counted on (LCL art. 82); until then it is the
    contribution base declared at registration, an estimate the answer names as such."""
    row = await asyncio.to_thread(_employment_of, settings, employee_id, employment)
    assert row.onboarding_id is not None  # _employment_of answers only employments with one
    workflow_id = await _open_watch(client, settings, employee_id, row, actor,
                                    "record_monthly_wage")
    view = await temporal_calls.update(
        client, workflow_id, "record_monthly_wage",
        RecordMonthlyWage(actor=actor, monthly_wage=body.monthly_wage, note=body.note),
        WrittenContractView, what="written_contract",
        attempt=Attempt(settings.db_url, row.onboarding_id, actor, "record_monthly_wage"),
        closed=_closed)
    return _out(view)


async def _closed(handle: WorkflowHandle[Any, Any]) -> ApiError:
    """The 409 for a watch that ended: its contract was recorded, or the employment ended."""
    view = await handle.query("status", result_type=WrittenContractView)
    if view.signed_on is not None:
        return ApiError(409, "written_contract.recorded", f"the written contract signed "
                        f"{view.signed_on} is on record already", "signed_on")
    return ApiError(409, "written_contract.ended", f"the employment ended on {view.ended_on}: "
                    "the watch is closed", "signed_on")


async def _current_view(client: Client, employee_id: str, row: EmploymentRow
                        ) -> WrittenContractView:
    """The watch's view, counted to the leave day on the record (a corrected one); before the
    watch started (it starts at the reminder's moment, patch 2026-12-lazy-contract-watch), the
    employment's onboarding answers for it."""
    try:
        view = await temporal_calls.query(client, watch_id(employee_id, row.hire_date),
                                          WrittenContractView, what="written_contract")
    except ApiError as exc:
        if exc.status != 404 or row.onboarding_id is None:
            raise
        pending = await _pending_view(client, row.onboarding_id)
        if pending is None:
            raise
        view = pending
    return as_recorded_leave(view, row.leave_date)


async def double_wage_recount(client: Client, employee_id: str, row: EmploymentRow,
                              leave_date: date) -> dict[str, Any] | None:
    """What correcting the employment's leave day to `leave_date` does to the written contract's
    double wage (LCL art. 82), for the correction's answer and evidence; None when the
    employment has no watch, or its contract was signed (the leave day counts nothing)."""
    try:
        view = await _current_view(client, employee_id, row)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    if view.signed_on is not None or view.ended_on is None:
        return None
    after = as_recorded_leave(view, leave_date)
    return {"watch_id": view.id, "status_before": view.status, "status": after.status,
            "double_wage_total_before": str(view.exposure.total),
            "double_wage_total": str(after.exposure.total),
            "counted_to": after.exposure.as_of.isoformat(), "article": after.exposure.article}


async def _pending_view(client: Client, onboarding_id: str) -> WrittenContractView | None:
    """The onboarding's answer for a watch not started yet; None when it started one, or when
    it predates watches (then there is none: 404)."""
    try:
        found: WrittenContractView | None = await temporal_calls.query(
            client, onboarding_id, PENDING, what="onboarding", name="written_contract")
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    return found


async def _open_watch(client: Client, settings: Settings, employee_id: str, row: EmploymentRow,
                      actor: Actor, action: str) -> str:
    """The watch's id, started now by the onboarding when HR acts before the reminder's moment
    (the onboarding is the one that starts it: at most one watch per employment)."""
    workflow_id = watch_id(employee_id, row.hire_date)
    if row.onboarding_id is None or await temporal_calls.exists(client, workflow_id):
        return workflow_id
    try:
        await temporal_calls.update(
            client, row.onboarding_id, "open_written_contract_watch", OpenWatch(actor, action),
            str, what="onboarding",
            attempt=Attempt(settings.db_url, row.onboarding_id, actor, action))
    except ApiError as exc:
        if exc.code != "onboarding.closed":
            raise
        raise ApiError(404, "written_contract.not_found", f"{employee_id}'s employment from "
                       f"{row.hire_date} was registered before written contracts were "
                       "watched", "employee_id") from None
    return workflow_id


def _employment_of(settings: Settings, employee_id: str, employment: int | None
                   ) -> EmploymentRow:
    """The employment named (`?employment=N`), else the open one: 404/409 otherwise."""
    check_employee_id(employee_id, "employee_id")
    record = employees.record_of(settings.db_url, employee_id)
    if record is None:
        raise ApiError(404, "employee.not_found", f"no employee with id {employee_id}",
                       "employee_id")
    rows = [e for e in record.employments if e.seq == employment] if employment is not None \
        else [e for e in record.employments if e.leave_date is None]
    if not rows or rows[-1].onboarding_id is None:
        raise ApiError(409, "employment.none", f"{employee_id} has no such employment "
                       "(an open one, or ?employment=N)", "employment")
    return rows[-1]


def _check_document(settings: Settings, employee_id: str, employment: int | None,
                    document_id: str) -> str:
    onboarding = _employment_of(settings, employee_id, employment).onboarding_id
    assert onboarding is not None  # _employment_of answers only employments with one
    row = document_rows.get(settings.db_url, document_id)
    if row is None or row.subject_id != onboarding or row.kind != "labour_contract":
        raise RuleViolation("document", "document.not_a_contract",
                            f"no signed contract {document_id} of {onboarding}: upload it first "
                            f"(POST /api/v1/onboardings/{onboarding}/documents, kind "
                            "labour_contract)")
    return onboarding


async def end_on_leave(client: Client, employee_id: str, row: EmploymentRow, leave_date: date,
                       reason: str, task_queue: str) -> None:
    """The employee left (离职): the employment's written-contract exposure ends on the leave
    day (LCL art. 82). A LeaveDelivery workflow, one per employment, tells the onboarding and
    then the watch, durably (workflows/leave_delivery.py); started again for the same employment
    it starts nothing (a retried leave call). Temporal unreachable: a 503, nothing started."""
    delivery = LeaveDelivery(employee_id=employee_id, onboarding_id=row.onboarding_id,
                             watch_id=watch_id(employee_id, row.hire_date),
                             ended=EmploymentEnded(on=leave_date, reason=reason))
    workflow_id = delivery_id(employee_id, row.seq)
    try:
        delivered = await _delivered_leave(client, workflow_id)
        if delivered is not None and delivered.on != leave_date:
            raise ApiError(409, "leave.delivered_other_day", (
                f"a leave on {delivered.on} was already sent to {employee_id}'s onboarding and "
                "written-contract watch by a call that failed before writing it: repeat that "
                f"call with leave_date {delivered.on}"), "leave_date")
        await client.start_workflow(
            "LeaveDelivery", delivery, id=workflow_id, task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
    except WorkflowAlreadyStartedError:
        pass  # delivered already, for this employment
    except RPCError as exc:
        raise unavailable(exc) from None


async def _delivered_leave(client: Client, workflow_id: str) -> EmploymentEnded | None:
    """The leave a delivery for this employment already carried (read from its start in
    Temporal's history), None when there is none. The workflows take the first leave they are
    told, so a repeated call naming another day would leave them and the record apart."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        history = await handle.fetch_history()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    started = history.events[0].workflow_execution_started_event_attributes
    [delivery] = await client.data_converter.decode(started.input.payloads, [LeaveDelivery])
    ended: EmploymentEnded = delivery.ended
    return ended


async def deadlines_of(client: Client, record: employees.EmployeeRecord) -> list[dict[str, Any]]:
    """The written-contract deadline of each employment whose onboarding started a watch (the
    employee record's `deadlines`): its status and, once missed, the double wage so far."""
    found = []
    for employment in record.employments:
        workflow_id = watch_id(record.person.employee_id, employment.hire_date)
        try:
            view = await _current_view(client, record.person.employee_id, employment)
        except ApiError as exc:
            if exc.status == 404:
                continue  # registered before the watch existed (patch 2026-12-written-contract)
            raise
        found.append({"name": view.deadline.name, "employment": employment.seq,
                      "watch_id": workflow_id, "due_at": view.deadline.due_at.isoformat(),
                      "status": view.status,
                      "status_label": WRITTEN_CONTRACT_STATUS[view.status],
                      "article": view.deadline.article,
                      "double_wage_total": str(view.exposure.total),
                      "double_wage_commonly_awarded": str(view.exposure.commonly_awarded),
                      "open_ended_deemed": view.exposure.open_ended_deemed})
    return found


def _out(view: WrittenContractView) -> dict[str, Any]:
    d, x = view.deadline, view.exposure
    return {
        "id": view.id, "employee_id": view.employee_id, "start": view.start,
        "status": view.status, "status_label": WRITTEN_CONTRACT_STATUS[view.status],
        "signed_on": view.signed_on, "document": view.document,
        "open_ended_deemed_on": view.open_ended_deemed_on, "ended_on": view.ended_on,
        "deadline": {"name": d.name, "due_at": d.due_at.isoformat(),
                     "due_at_beijing": d.due_at.astimezone(SHANGHAI).isoformat(),
                     "article": d.article},
        "exposure": {
            "total": str(x.total), "months_accrued": str(x.months_accrued),
            "commonly_awarded": str(x.commonly_awarded),
            "commonly_awarded_note": wc.COMMONLY_AWARDED_NOTE,
            "monthly_wage": str(x.monthly_wage), "wage_source": view.wage_source,
            "as_of": x.as_of, "open_ended_deemed": x.open_ended_deemed, "article": x.article,
            "months": [{"month": m.month, "first_day": m.first_day, "last_day": m.last_day,
                        "days": m.days, "days_in_month": m.days_in_month,
                        "amount": str(m.amount), "formula": m.formula} for m in x.months]},
        "events": [{"seq": e.seq, "at": e.at.isoformat(), "kind": e.kind, "actor": e.actor,
                    **e.data} for e in view.events],
    }

