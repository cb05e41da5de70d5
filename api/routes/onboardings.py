"""Onboardings: register a new hire, send HR actions to its workflow, read its state."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from sqlmodel import col, func, select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.deps import CurrentPrincipal, SessionDep, SettingsDep, TemporalDep
from api.errors import ApiError, from_rpc, from_update_failure, workflow_exists
from api.routes.evidence import record_refusal
from api.schemas import (
    CancelIn,
    DelayReasonIn,
    EnrollmentSubmit,
    Offset,
    OnboardingCreate,
    Review,
    WithdrawalAnswer,
    WithdrawalRequest,
    answer_json,
    view_json,
)
from domain.onboarding import rules
from domain.onboarding.intake import build_input
from domain.onboarding.payloads import (
    CancelOnboarding,
    DelayReason,
    ProjectionUpdate,
    ReviewDecision,
    SubmitEnrollment,
    WithdrawalAction,
    registered_event,
)
from domain.onboarding.state import (
    ActionAnswer,
    OnboardingView,
    RequestStatus,
    Status,
    projection_of,
    view_of,
)
from domain.shared.calendar_sources import official_calendar
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.ids import employee_id_of, onboarding_id
from domain.shared.people import Actor
from store import calendar as stored_calendar
from store import workflow_events
from store.db import point_read
from store.models import OnboardingRow

router = APIRouter(prefix="/api/v1/onboardings", tags=["onboardings"])
SHANGHAI = ZoneInfo("Asia/Shanghai")
log = logging.getLogger("caseguard.api")


@router.post("", status_code=201)
async def register_onboarding(body: OnboardingCreate, actor: CurrentPrincipal,
                              client: TemporalDep, settings: SettingsDep,
                              request: Request) -> dict[str, Any]:
    """Register a new hire and start watching the SI registration window."""
    rules.check_role("register", actor)
    workflow_id = onboarding_id(body.employee.employee_id)
    now = datetime.now(UTC)
    inp = build_input(
        employee=body.employee.to_domain(), hire_date=body.hire_date, region=body.region,
        contribution_base=body.contribution_base, contract_start=body.contract_start,
        created_by=actor.name, policy=request.app.state.policy,
        today=now.astimezone(SHANGHAI).date(), process=request.app.state.process,
        calendar=official_calendar(await stored_calendar.years_to_pin(settings.db_url)),
    )
    inp = replace(inp, registration_recorded=True, registered_at=now)
    if await point_read(settings.db_url, workflow_events.onboarding_recorded, workflow_id):
        raise _exists(workflow_id)
    try:
        handle = await client.start_workflow(
            "Onboarding", inp, id=workflow_id, task_queue=settings.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
    except WorkflowAlreadyStartedError:
        raise _exists(workflow_id) from None
    registered = registered_event(inp, now)
    await _record_registration(settings, handle, projection_of(
        workflow_id, inp, Status.awaiting_enrollment, (registered,)))
    return view_json(view_of(workflow_id, inp, status=Status.awaiting_enrollment, now=now,
                             events=(registered,)))


def _exists(workflow_id: str) -> ApiError:
    """409 for an id that is taken: by an onboarding in the records (workflow_events.
    onboarding_recorded), or by a workflow Temporal holds that the records do not list yet."""
    return ApiError(409, "onboarding.exists", f"{workflow_id} already exists",
                    "employee.employee_id", {"id": workflow_id})


async def _record_registration(settings: SettingsDep, handle: WorkflowHandle[Any, Any],
                               registration: ProjectionUpdate) -> None:
    """The registration in the ledger and the list before the answer, so the list shows the new
    hire at once (the workflow's first task writes nothing). Written after the start, so a refused
    start leaves no trace. If the write fails, the workflow is asked to write it; if the API stops
    before it is written, the workflow's next write brings it (keyed: never written twice)."""
    try:
        await asyncio.to_thread(workflow_events.record_registration, settings.db_url, registration)
    except Exception:
        log.exception("registration of %s not written; the workflow writes it", handle.id)
        await handle.signal("write_now")


@router.get("")
def list_onboardings(actor: CurrentPrincipal, session: SessionDep,
                     status: Status | None = None,
                     limit: int = Query(50, ge=1, le=500),
                     offset: Offset = 0) -> dict[str, Any]:
    """List onboardings, newest first, optionally by status."""
    rules.check_role("read", actor)
    query = select(OnboardingRow)
    counted = select(func.count()).select_from(OnboardingRow)
    if status is not None:
        query = query.where(OnboardingRow.status == status.value)
        counted = counted.where(OnboardingRow.status == status.value)
    rows = session.exec(query.order_by(col(OnboardingRow.created_at).desc())
                        .offset(offset).limit(limit)).all()
    return {"total": session.exec(counted).one(), "limit": limit, "offset": offset,
            "items": [row.model_dump(mode="json") for row in rows]}


@router.get("/{id}")
async def get_onboarding(id: str, actor: CurrentPrincipal, client: TemporalDep) -> dict[str, Any]:
    """Status, deadlines, events and enrolment requests of one onboarding."""
    rules.check_role("read", actor)
    handle = client.get_workflow_handle(_checked(id))
    try:
        view = await handle.query("status", result_type=OnboardingView)
    except RPCError as exc:
        raise from_rpc(exc, id) from None
    return view_json(view)


@router.post("/{id}/enrollment")
async def submit_enrollment(id: str, body: EnrollmentSubmit, actor: CurrentPrincipal,
                            client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Submit an enrolment request (maker); a back payment needs confirm_cost = the estimate."""
    return await _act(client, settings, id, "submit_enrollment", actor, SubmitEnrollment(
        actor=actor, type=body.type, contribution_base=body.contribution_base,
        confirm_cost=body.confirm_cost, note=body.note))


@router.post("/{id}/enrollment/approve")
async def approve_enrollment(id: str, body: Review, actor: CurrentPrincipal,
                             client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Approve the open request (checker: an hr_manager other than the submitter)."""
    return await _act(client, settings, id, "approve_enrollment", actor,
                      ReviewDecision(actor=actor, reason=body.reason))


@router.post("/{id}/enrollment/reject")
async def reject_enrollment(id: str, body: Review, actor: CurrentPrincipal,
                            client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Reject the open request with a reason."""
    return await _act(client, settings, id, "reject_enrollment", actor,
                      ReviewDecision(actor=actor, reason=body.reason))


@router.post("/{id}/enrollment/revoke")
async def revoke_enrollment(id: str, body: Review, actor: CurrentPrincipal,
                            client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Revoke a submitted request, or an approval still inside its hold window."""
    return await _act(client, settings, id, "revoke_enrollment", actor,
                      ReviewDecision(actor=actor, reason=body.reason))


@router.post("/{id}/enrollment/withdrawal")
async def request_withdrawal(id: str, body: WithdrawalRequest, actor: CurrentPrincipal,
                             client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Generate the bureau withdrawal application (申请撤销) for an executed enrolment."""
    return await _act(client, settings, id, "request_withdrawal", actor,
                      WithdrawalAction(actor=actor, reason=body.reason))


@router.post("/{id}/enrollment/withdrawal/answer")
async def record_withdrawal_answer(id: str, body: WithdrawalAnswer, actor: CurrentPrincipal,
                                   client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Record the bureau's answer to the withdrawal application."""
    return await _act(client, settings, id, "record_withdrawal_answer", actor, WithdrawalAction(
        actor=actor, reason=body.note, bureau_answer=body.bureau_answer))


@router.post("/{id}/delay-reason")
async def record_delay_reason(id: str, body: DelayReasonIn, actor: CurrentPrincipal,
                              client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Record why enrolment is late (e.g. the bureau's system was down), with documents."""
    return await _act(client, settings, id, "record_delay_reason", actor, DelayReason(
        actor=actor, reason=body.reason, note=body.note, documents=tuple(body.documents)))


@router.post("/{id}/cancel")
async def cancel_onboarding(id: str, body: CancelIn, actor: CurrentPrincipal,
                            client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Cancel before enrolment (e.g. the employee left), keeping the reason."""
    return await _act(client, settings, id, "cancel", actor, CancelOnboarding(actor=actor,
                                                                    reason=body.reason))


async def _act(client: TemporalDep, settings: SettingsDep, id: str, update: str, actor: Actor,
               arg: object) -> dict[str, Any]:
    handle = client.get_workflow_handle(_checked(id))
    try:
        rules.check_role(update, actor)
        try:
            answer = await handle.execute_update(update, arg, result_type=ActionAnswer)
        except WorkflowUpdateFailedError as exc:
            raise from_update_failure(exc) from None
        except RPCError as exc:
            error = from_rpc(exc, id)
            if exc.status == RPCStatusCode.NOT_FOUND and await workflow_exists(handle):
                error = await _closed(handle, update)  # finished: say what closed it
            raise error from None
    except ActionRefused as refused:
        error = ApiError(refused.http_status, refused.code, refused.message, refused.field,
                         refused.details)
        await _record_refusal(settings, id, actor, update, error)
        raise error from None
    except ApiError as error:
        await _record_refusal(settings, id, actor, update, error)
        raise
    return answer_json(answer)


async def _record_refusal(settings: SettingsDep, id: str, actor: Actor, update: str,
                          error: ApiError) -> None:
    if error.status in (403, 409, 422):
        await record_refusal(settings.db_url, id, actor, update, error)


async def _closed(handle: WorkflowHandle[Any, Any], update: str) -> ApiError:
    """409 for an action on a finished onboarding, naming what closed it."""
    final = await handle.query("status", result_type=OnboardingView)
    executed = [r for r in final.enrollment_requests if r.status == RequestStatus.executed]
    if update == "request_withdrawal" and executed and executed[-1].withdrawal_window_ends:
        # An onboarding finishes enrolled only once the window has closed; under a dev time scale
        # its last business time can read a few scaled minutes short of the window's end.
        closed_at = max(final.now, executed[-1].withdrawal_window_ends)
        try:
            rules.check_withdrawal_window(closed_at, executed[-1])
        except ActionRefused as refused:
            return ApiError(409, refused.code, refused.message, refused.field, refused.details)
    return ApiError(409, "onboarding.closed",
                    f"{final.id} is closed with status '{final.status.value}' and takes no more "
                    "actions", "status", {"status": final.status.value})


def _checked(id: str) -> str:
    try:
        employee_id_of(id)
    except RuleViolation:
        raise ApiError(404, "onboarding.not_found", f"no onboarding with id {id}", "id") from None
    return id
