"""HR actions on an onboarding from its page: submit an enrolment, approve or reject it, revoke
it (an approval while its hold window runs, with the time left shown), apply to withdraw an
executed one and print that application for the bureau. Each
form goes through the API's own route function (api/routes/onboardings.py), so the same role
check, rules, workflow update and recorded refusal apply; a refusal shows on the page next to
the form. A back payment (补缴) first shows its estimated cost, item by item with its article, and
is submitted only once HR confirms that figure; approving one asks the reviewer to tick that they
checked it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import temporal_calls
from api.deps import permit
from api.errors import ApiError
from api.routes import letters as api_letters
from api.routes import onboardings as api_onboardings
from api.schemas import EnrollmentSubmit, Review, WithdrawalRequest
from api.web.auth import PageRefused, User, WebUser, allowed, check_csrf
from api.web.checks import of_reader, validated
from api.web.pages import onboarding_page
from api.web.render import PREFIX
from domain.onboarding import rules
from domain.onboarding.state import OnboardingView, RequestStatus
from domain.shared.errors import ActionRefused, Forbidden, RuleViolation
from domain.shared.people import Actor
from settings import Settings

router = APIRouter(prefix=PREFIX, include_in_schema=False)
UPDATES = {"submit": "submit_enrollment", "approve": "approve_enrollment",
           "reject": "reject_enrollment", "revoke": "revoke_enrollment",
           "withdraw": "request_withdrawal"}
Text = Annotated[str, Form(max_length=2000)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post("/onboardings/{id}/withdrawal-application", response_class=Response)
async def withdrawal_application(request: Request, user: User, id: str,
                                 csrf: Annotated[str, Form(max_length=128)] = "",
                                 number: Annotated[int, Form(ge=1, le=1000)] = 1) -> Response:
    """The 社会保险增员业务撤销申请 to print and take to the bureau, issued as the API issues it
    (kept as a document of the onboarding, evidence `letter_issued`)."""
    check_csrf(request, user, csrf)
    await of_reader(request, user, id, "onboarding-")
    actor = await allowed(request, user, "add_document")
    try:
        return await api_letters.issue_withdrawal_application(
            id, actor, request.app.state.temporal, _settings(request), number)
    except ApiError as refused:
        return await _again(request, user, id, refused.status, refused.code, refused.message,
                            refused.field, {}, refused.details)


@router.post("/onboardings/{id}/{action}", response_class=HTMLResponse)
async def onboarding_action(request: Request, user: User, id: str, action: str,
                            csrf: Annotated[str, Form(max_length=128)] = "",
                            type: Annotated[str, Form(max_length=20)] = "new",
                            contribution_base: Annotated[str, Form(max_length=20)] = "",
                            confirm_cost: Annotated[str, Form(max_length=20)] = "",
                            checked_cost: Annotated[str, Form(max_length=10)] = "",
                            note: Text = "", reason: Text = "") -> Response:
    """One HR action; back to the onboarding page, showing the refusal when there is one."""
    check_csrf(request, user, csrf)
    update = UPDATES.get(action)
    if update is None:
        raise PageRefused(404, "not_found")
    await of_reader(request, user, id, "onboarding-")
    form = {"type": type, "contribution_base": contribution_base, "confirm_cost": confirm_cost,
            "note": note, "reason": reason, "checked_cost": checked_cost}
    try:
        actor = await permitted(request, user, update)
        await _send(request, id, update, actor, form)
    except ApiError as refused:
        return await _again(request, user, id, refused.status, refused.code, refused.message,
                            refused.field, form, refused.details)
    except Forbidden as refused:
        return await _again(request, user, id, 403, refused.code, refused.message,
                            refused.field, form, refused.details)
    return RedirectResponse(f"{PREFIX}/onboardings/{id}", status_code=303)


async def permitted(request: Request, user: WebUser, update: str) -> Actor:
    """The actor in the first of the user's roles that may take the action; a refusal is
    recorded in the onboarding's ledger, as the API records it."""
    return await permit(rules.check_role, update, Actor(user.name, user.roles[0]), request,
                        record_refusal=True)


async def _send(request: Request, id: str, update: str, actor: Actor,
                form: dict[str, str]) -> None:
    client, settings = request.app.state.temporal, _settings(request)
    if update == "submit_enrollment":
        body = validated(EnrollmentSubmit, {
            "type": form["type"], "contribution_base": form["contribution_base"] or None,
            "confirm_cost": form["confirm_cost"] or None, "note": form["note"]})
        await api_onboardings.submit_enrollment(id, body, actor, client, settings)
        return
    review = validated(Review, {"reason": form["reason"]})
    if update == "approve_enrollment":
        await _cost_checked(request, id, form)
        await api_onboardings.approve_enrollment(id, review, actor, client, settings)
    elif update == "reject_enrollment":
        await api_onboardings.reject_enrollment(id, review, actor, client, settings)
    elif update == "revoke_enrollment":
        await api_onboardings.revoke_enrollment(id, review, actor, client, settings)
    else:
        if not form["reason"].strip():
            raise ApiError(422, "withdrawal.reason_required", "give the reason the enrolment is to be "
                           "withdrawn (it goes on the application)", "reason")
        await api_onboardings.request_withdrawal(
            id, WithdrawalRequest(reason=form["reason"]), actor, client, settings)


async def _cost_checked(request: Request, id: str, form: dict[str, str]) -> None:
    """A back payment is approved only with the reviewer's tick that they checked its cost."""
    if form["checked_cost"] != "yes" and await _open_back_payment(request, id):
        raise ApiError(422, "checked_cost.required", "tick that you checked the back "
                       "payment's cost before approving it", "checked_cost")


async def _open_back_payment(request: Request, id: str) -> bool:
    view: OnboardingView = await temporal_calls.read(
        request.app.state.temporal, _settings(request).db_url, id, OnboardingView,
        what="onboarding")
    return any(r.status == RequestStatus.submitted and r.type == "back_payment"
               for r in view.enrollment_requests)


async def again(request: Request, user: WebUser, id: str,
                refused: ApiError | ActionRefused | RuleViolation,
                form: dict[str, Any]) -> HTMLResponse:
    """The onboarding page with `refused` beside the form it came from."""
    status = refused.status if isinstance(refused, ApiError) else \
        refused.http_status if isinstance(refused, ActionRefused) else 422
    details = getattr(refused, "details", {}) or {}
    return await _again(request, user, id, status, refused.code, refused.message, refused.field,
                        form, details)


async def _again(request: Request, user: WebUser, id: str, status: int, code: str,
                 message: str, field: str, form: dict[str, Any],
                 details: dict[str, Any]) -> HTMLResponse:
    """The onboarding page with the refusal beside the form it came from; a back payment that
    needs its cost confirmed shows the estimate and a form to confirm exactly it."""
    error = {"code": code, "message": message, "field": field}
    estimate = details.get("estimate") if code == "back_payment.confirmation_required" else None
    return await onboarding_page(request, user, id, status_code=status, error=error, form=form,
                                 estimate=estimate)
