"""Onboardings: register a new hire, send HR actions to its workflow, read its state."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from sqlmodel import col, func, select
from temporalio.client import WorkflowHandle

from api import hires, temporal_calls
from api.deps import ReadSessionDep, SettingsDep, TemporalDep, require
from api.errors import ApiError
from api.privacy import logged
from api.refusals import Attempt
from api.responses.processes import OnboardingAnswerOut, OnboardingOut, OnboardingPage
from api.schemas import (
    BureauOutcomeIn,
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
from api.scoping import CallerScope
from domain.onboarding import rules
from domain.onboarding.payloads import (
    BureauOutcome,
    CancelOnboarding,
    DelayReason,
    ReviewDecision,
    SubmitEnrollment,
    WithdrawalAction,
)
from domain.onboarding.state import ActionAnswer, OnboardingView, RequestStatus, Status
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.ids import employee_id_of
from domain.shared.people import Actor
from settings import Settings
from store import document_rows
from store.models import OnboardingRow
from store.scoping import within

router = APIRouter(prefix="/api/v1/onboardings", tags=["onboardings"])
SHANGHAI = ZoneInfo("Asia/Shanghai")


@router.post("", status_code=201, response_model=OnboardingOut)
async def register_onboarding(body: OnboardingCreate, actor: Annotated[Actor, require("register")],
                              client: TemporalDep, settings: SettingsDep,
                              request: Request) -> dict[str, Any]:
    """Register a new hire and start watching the SI registration window. An ID number on file
    is that person (a re-hire: a new employment, onboarding-<employee_id>~<n>)."""
    now = hires.now_utc()
    hire = hires.checked(body, actor, request.app.state, await hires.pinned_calendar(settings), now)
    return view_json(await hires.register(hire, client, settings, request.app.state))


@router.get("", response_model=OnboardingPage)
def list_onboardings(actor: Annotated[Actor, require("read")], scope: CallerScope,
                     session: ReadSessionDep, status: Status | None = None,
                     limit: int = Query(50, ge=1, le=500),
                     offset: Offset = 0) -> dict[str, Any]:
    """List onboardings, newest first, optionally by status; a manager's, of their departments
    only."""
    visible = within(scope, OnboardingRow.department)
    query = select(OnboardingRow).where(visible)
    counted = select(func.count()).select_from(OnboardingRow).where(visible)
    if status is not None:
        query = query.where(OnboardingRow.status == status.value)
        counted = counted.where(OnboardingRow.status == status.value)
    rows = session.exec(query.order_by(col(OnboardingRow.created_at).desc())
                        .offset(offset).limit(limit)).all()
    return {"total": session.exec(counted).one(), "limit": limit, "offset": offset,
            "items": [row.model_dump(mode="json") for row in rows]}


@router.get("/{id}", response_model=OnboardingOut)
async def get_onboarding(id: str, actor: Annotated[Actor, logged("read")],
                         client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Status, deadlines, events and enrolment requests of one onboarding."""
    return view_json(await temporal_calls.read(client, settings.db_url, _checked(id),
                                               OnboardingView, what="onboarding"))


def _actor(action: str) -> Any:
    """The caller of an HR action; a role that may not is a 403 recorded in the ledger."""
    return require(action, record_refusal=True)


@router.post("/{id}/enrollment", response_model=OnboardingAnswerOut)
async def submit_enrollment(id: str, body: EnrollmentSubmit,
                            actor: Annotated[Actor, _actor("submit_enrollment")],
                            client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Submit an enrolment request (maker); a back payment needs confirm_cost = the estimate."""
    return await _act(client, settings, id, "submit_enrollment", actor, SubmitEnrollment(
        actor=actor, type=body.type, contribution_base=body.contribution_base,
        confirm_cost=body.confirm_cost, note=body.note))


@router.post("/{id}/enrollment/approve", response_model=OnboardingAnswerOut)
async def approve_enrollment(id: str, body: Review,
                             actor: Annotated[Actor, _actor("approve_enrollment")],
                             client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Approve the open request (checker: an hr_manager other than the submitter)."""
    return await _act(client, settings, id, "approve_enrollment", actor,
                      ReviewDecision(actor=actor, reason=body.reason))


@router.post("/{id}/enrollment/reject", response_model=OnboardingAnswerOut)
async def reject_enrollment(id: str, body: Review,
                            actor: Annotated[Actor, _actor("reject_enrollment")],
                            client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Reject the open request with a reason."""
    return await _act(client, settings, id, "reject_enrollment", actor,
                      ReviewDecision(actor=actor, reason=body.reason))


@router.post("/{id}/enrollment/revoke", response_model=OnboardingAnswerOut)
async def revoke_enrollment(id: str, body: Review,
                            actor: Annotated[Actor, _actor("revoke_enrollment")],
                            client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Revoke a submitted request, or an approval still inside its hold window."""
    return await _act(client, settings, id, "revoke_enrollment", actor,
                      ReviewDecision(actor=actor, reason=body.reason))


@router.post("/{id}/enrollment/withdrawal", response_model=OnboardingAnswerOut)
async def request_withdrawal(id: str, body: WithdrawalRequest,
                             actor: Annotated[Actor, _actor("request_withdrawal")],
                             client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Generate the bureau withdrawal application (申请撤销) for an executed enrolment."""
    return await _act(client, settings, id, "request_withdrawal", actor,
                      WithdrawalAction(actor=actor, reason=body.reason))


@router.post("/{id}/enrollment/withdrawal/answer", response_model=OnboardingAnswerOut)
async def record_withdrawal_answer(id: str, body: WithdrawalAnswer,
                                   actor: Annotated[Actor, _actor("record_withdrawal_answer")],
                                   client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Record the bureau's answer to the withdrawal application."""
    return await _act(client, settings, id, "record_withdrawal_answer", actor, WithdrawalAction(
        actor=actor, reason=body.note, bureau_answer=body.bureau_answer))


@router.post("/{id}/enrollment/bureau-outcome", response_model=OnboardingAnswerOut)
async def record_bureau_outcome(id: str, body: BureauOutcomeIn,
                                actor: Annotated[Actor, _actor("record_bureau_outcome")],
                                client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Record the SI bureau's answer to an enrolment HR entered in its portal by hand
    (CASEGUARD_GATEWAY_SI_BUREAU=manual): accepted with its reference and the receipt (a document
    of this onboarding), or rejected with its reason. The onboarding is enrolled only then."""
    if body.receipt_document:
        await asyncio.to_thread(_check_receipt, settings, id, body.receipt_document)
    return await _act(client, settings, id, "record_bureau_outcome", actor, BureauOutcome(
        actor=actor, outcome=body.outcome, reference=body.reference,
        receipt_document=body.receipt_document, reason=body.reason, note=body.note))


def _check_receipt(settings: Settings, onboarding: str, document_id: str) -> None:
    row = document_rows.get(settings.db_url, document_id)
    if row is None or row.subject_id != onboarding:
        raise RuleViolation("receipt_document", "receipt_document.not_found",
                            f"no document {document_id} of {onboarding}: upload the bureau's "
                            "receipt to this onboarding first (POST …/documents)")


@router.post("/{id}/delay-reason", response_model=OnboardingAnswerOut)
async def record_delay_reason(id: str, body: DelayReasonIn,
                              actor: Annotated[Actor, _actor("record_delay_reason")],
                              client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Record why enrolment is late (e.g. the bureau's system was down), with documents."""
    return await _act(client, settings, id, "record_delay_reason", actor, DelayReason(
        actor=actor, reason=body.reason, note=body.note, documents=tuple(body.documents)))


@router.post("/{id}/cancel", response_model=OnboardingAnswerOut)
async def cancel_onboarding(id: str, body: CancelIn, actor: Annotated[Actor, _actor("cancel")],
                            client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Cancel before enrolment (e.g. the employee left), keeping the reason."""
    return await _act(client, settings, id, "cancel", actor,
                      CancelOnboarding(actor=actor, reason=body.reason))


async def _act(client: TemporalDep, settings: Settings, id: str, update: str, actor: Actor,
               arg: object) -> dict[str, Any]:
    async def closed(handle: WorkflowHandle[Any, Any]) -> ApiError:
        return await _closed(handle, update)

    answer = await temporal_calls.update(
        client, _checked(id), update, arg, ActionAnswer, what="onboarding",
        attempt=Attempt(settings.db_url, id, actor, update), closed=closed)
    return answer_json(answer)


async def _closed(handle: WorkflowHandle[Any, Any], update: str) -> ApiError:
    """409 for an action on a finished onboarding, naming what closed it."""
    final: OnboardingView = await handle.query("status", result_type=OnboardingView)
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
