"""What HR records on an onboarding by hand, from its page: the SI bureau's answer to an
enrolment entered in its portal (with the receipt uploaded here), the bureau's answer to a
withdrawal, why enrolment is late, and a cancellation. Each goes through the API's own route
function (api/routes/onboardings.py, documents.py): the same role check, rules, workflow update
and recorded refusal; a refusal shows beside its field with the form as filled in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from api.errors import ApiError
from api.routes import documents as api_documents
from api.routes import onboardings as api_onboardings
from api.schemas import BureauOutcomeIn, CancelIn, DelayReasonIn, WithdrawalAnswer
from api.web.actions import again, permitted
from api.web.auth import PageRefused, User, allowed, check_csrf
from api.web.checks import of_reader, validated
from api.web.render import PREFIX
from domain.shared.errors import ActionRefused, RuleViolation
from settings import Settings

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Route = Callable[..., Awaitable[dict[str, Any]]]


class Record:
    """One kind of record: its update, the API's body and route, and the form's fields."""

    def __init__(self, update: str, body: type[BaseModel], route: Route,
                 fields: tuple[str, ...]) -> None:
        self.update, self.body, self.route, self.fields = update, body, route, fields


RECORDS = {
    "bureau-outcome": Record("record_bureau_outcome", BureauOutcomeIn,
                             api_onboardings.record_bureau_outcome,
                             ("outcome", "reference", "receipt_document", "reason", "note")),
    "withdrawal-answer": Record("record_withdrawal_answer", WithdrawalAnswer,
                                api_onboardings.record_withdrawal_answer,
                                ("bureau_answer", "note")),
    "delay-reason": Record("record_delay_reason", DelayReasonIn,
                           api_onboardings.record_delay_reason, ("reason", "note", "documents")),
    "cancel": Record("cancel", CancelIn, api_onboardings.cancel_onboarding, ("reason",)),
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post("/onboardings/{id}/record/{what}", response_class=HTMLResponse)
async def record(request: Request, user: User, id: str, what: str) -> Response:
    """One record; back to the onboarding page, or the page with the refusal beside its field."""
    form = await request.form()
    check_csrf(request, user, str(form.get("csrf") or ""))
    kind = RECORDS.get(what)
    if kind is None:
        raise PageRefused(404, "not_found")
    await of_reader(request, user, id, "onboarding-")
    filled: dict[str, Any] = {f: [str(v) for v in form.getlist(f)] if f == "documents"
                              else str(form.get(f) or "").strip() for f in kind.fields}
    try:
        actor = await permitted(request, user, kind.update)
        body = validated(kind.body, {k: v for k, v in filled.items() if v not in ("", [])})
        await kind.route(id, body, actor, request.app.state.temporal, _settings(request))
    except (ApiError, ActionRefused, RuleViolation) as refused:
        return await again(request, user, id, refused, {**filled, "record": what})
    return RedirectResponse(f"{PREFIX}/onboardings/{id}", status_code=303)


@router.post("/onboardings/{id}/documents", response_class=HTMLResponse)
async def onboarding_document(request: Request, user: User, id: str,
                              file: Annotated[UploadFile, File()],
                              csrf: Annotated[str, Form(max_length=128)] = "",
                              kind: Annotated[str, Form(max_length=40)] = "",
                              note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Attach a scan (the bureau's receipt, a notice of its system being down…) to the
    onboarding; it can then go with a record."""
    check_csrf(request, user, csrf)
    await of_reader(request, user, id, "onboarding-")
    try:
        actor = await allowed(request, user, "add_document")
        await api_documents.add_document(id, actor, request.app.state.temporal,
                                         _settings(request), kind, file, note)
    except (ApiError, ActionRefused, RuleViolation) as refused:
        return await again(request, user, id, refused, {"kind": kind, "note": note,
                                                        "record": "document"})
    return RedirectResponse(f"{PREFIX}/onboardings/{id}#documents", status_code=303)
