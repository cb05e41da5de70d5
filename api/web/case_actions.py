"""HR actions on a case from its page, a document attached to it, and its evidence bundle. Each
goes through the API's own route function (api/routes/cases.py, documents.py, evidence.py), so
the same role check, rules, workflow update, access log and recorded refusal apply; a refusal
shows on the page beside the field it names, with the form as HR filled it in."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.errors import ApiError
from api.privacy import entry
from api.routes import cases as api_cases
from api.routes import documents as api_documents
from api.routes import evidence as api_evidence
from api.web import case_forms
from api.web.auth import PageRefused, User, WebUser, allowed, check_csrf
from api.web.pages import case_page
from api.web.render import PREFIX
from domain.injury import rules
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.people import Actor
from settings import Settings
from store import access_log, scoping

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _of_reader(request: Request, user: WebUser, id: str) -> None:
    """A case of the reader's departments, else the 404 of an unknown id."""
    if not id.startswith("case-"):
        raise PageRefused(404, "not_found")
    department = await asyncio.to_thread(scoping.department_of, _settings(request).db_url, id)
    if not user.scope.sees(department):
        raise PageRefused(404, "not_found")


@router.post("/cases/{id}/actions/{action}", response_class=HTMLResponse)
async def case_action(request: Request, user: User, id: str, action: str) -> Response:
    """One HR action; back to the case page, or the page with the refusal beside its field."""
    form = await request.form()
    check_csrf(request, user, str(form.get("csrf") or ""))
    name = rules.action_name(action)
    if name not in rules.ACTION_STAGES:
        raise PageRefused(404, "not_found")
    await _of_reader(request, user, id)
    filled = case_forms.filled_in(form, name)
    try:
        actor = await api_cases.case_actor(action, Actor(user.name, user.roles[0]), request)
        body = case_forms.action_body(name, filled)
        await api_cases.act(id, action, body, actor, request.app.state.temporal,
                            _settings(request))
    except (ApiError, ActionRefused, RuleViolation) as refused:
        return await case_page(request, user, id, status_code=_status(refused),
                               error=_error(refused, name), form=filled)
    return RedirectResponse(f"{PREFIX}/cases/{id}#timeline", status_code=303)


@router.post("/cases/{id}/documents", response_class=HTMLResponse)
async def case_document(request: Request, user: User, id: str,
                        file: Annotated[UploadFile, File()],
                        csrf: Annotated[str, Form(max_length=128)] = "",
                        kind: Annotated[str, Form(max_length=40)] = "",
                        note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Attach a scan or photo to the case; it can then go with an action."""
    check_csrf(request, user, csrf)
    await _of_reader(request, user, id)
    try:
        actor = await allowed(request, user, "add_document")
        await api_documents.add_case_document(id, actor, request.app.state.temporal,
                                              _settings(request), kind, file, note)
    except (ApiError, ActionRefused, RuleViolation) as refused:
        return await case_page(request, user, id, status_code=_status(refused),
                               error=_error(refused, "document"), form={"kind": kind,
                                                                       "note": note})
    return RedirectResponse(f"{PREFIX}/cases/{id}#documents", status_code=303)


@router.get("/cases/{id}/bundle", name="web_case_bundle")
async def case_bundle(request: Request, user: User, id: str) -> Response:
    """The case's evidence bundle (ZIP), as the API builds it; the download is access-logged."""
    await _of_reader(request, user, id)
    actor = await allowed(request, user, "export_bundle")
    await asyncio.to_thread(access_log.record, _settings(request).db_url, entry(request, actor))
    return await api_evidence.export_case_bundle(id, actor, request.app.state.temporal,
                                                 _settings(request), "zh")


def _status(refused: Exception) -> int:
    if isinstance(refused, ApiError):
        return refused.status
    if isinstance(refused, ActionRefused):
        return refused.http_status
    return 422


def _error(refused: ApiError | ActionRefused | RuleViolation, form: str) -> dict[str, Any]:
    """The refusal as the page shows it: which form, which field, the rule and why."""
    return {"form": form, "code": refused.code, "message": refused.message,
            "field": refused.field}
