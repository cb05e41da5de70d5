"""The dispute history (历史纠纷数据库) in the workspace: past cases ranked by similarity to what
HR describes (or to a case, from its page), the newest ones otherwise, and a CSV import. Each
goes through the API's own functions (api/routes/disputes.py): the same scoring, scope (a
manager searches the imports and their departments' finished cases) and all-or-nothing import."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from api.deps import role_check
from api.errors import ApiError
from api.routes import disputes as api_disputes
from api.web.auth import User, WebUser, allowed, check_csrf
from api.web.render import PREFIX, page
from domain.shared.errors import Forbidden
from domain.shared.people import Actor
from settings import Settings

router = APIRouter(prefix=PREFIX, include_in_schema=False)
CRITERIA = ("injury", "grade", "si_enrolled", "region", "traffic_accident")
YES_NO = {"yes": True, "no": False}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("/disputes", response_class=HTMLResponse, name="web_disputes")
async def disputes(request: Request, user: User) -> HTMLResponse:
    """Search by injury, grade, SI status, region and traffic accident; without criteria, the
    newest 50."""
    return await disputes_page(request, user)


async def disputes_page(request: Request, user: WebUser, *, status_code: int = 200,
                        imported: dict[str, Any] | None = None,
                        error: dict[str, Any] | None = None) -> HTMLResponse:
    actor = await allowed(request, user, "read")
    settings = _settings(request)
    asked = {c: request.query_params.get(c, "").strip()[:500] for c in CRITERIA}
    found: dict[str, Any] | None = None
    if any(asked[c] for c in ("injury", "grade", "si_enrolled")):
        try:
            found = await asyncio.to_thread(api_disputes.similar, actor, user.scope, settings,
                                            **_query(asked))
        except ApiError as refused:
            status_code, error = refused.status, {"code": refused.code,
                                                  "message": refused.message,
                                                  "field": refused.field, "form": "search"}
    listed = None if found is not None else await asyncio.to_thread(
        api_disputes.list_disputes, actor, user.scope, settings, source=None, grade=None,
        offset=0, limit=50)
    return page(request, "disputes.html", status_code, user=user, asked=asked, found=found,
                listed=listed, imported=imported, error=error,
                may_import=_may_import(user))


def _query(asked: dict[str, str]) -> dict[str, Any]:
    grade = asked["grade"]
    if grade and not (grade.isdigit() and 1 <= int(grade) <= 10):
        raise ApiError(422, "grade.range", "grade must be 1 to 10", "grade")
    return {"injury": asked["injury"], "grade": int(grade) if grade else None,
            "si_enrolled": YES_NO.get(asked["si_enrolled"]),
            "region": asked["region"] or None,
            "traffic_accident": YES_NO.get(asked["traffic_accident"]), "limit": 20}


def _may_import(user: WebUser) -> bool:
    """Whether one of the reader's roles may import (the form is shown only then)."""
    check = role_check("import_disputes")

    def may(role: str) -> bool:
        try:
            check("import_disputes", Actor(user.name, role))
        except Forbidden:
            return False
        return True

    return any(may(role) for role in user.roles)


@router.post("/disputes/import", response_class=HTMLResponse)
async def import_disputes(request: Request, user: User, file: Annotated[UploadFile, File()],
                          csrf: Annotated[str, Form(max_length=128)] = "") -> HTMLResponse:
    """Import past disputes from a CSV: all rows or none, the first errors shown by row."""
    check_csrf(request, user, csrf)
    actor = await allowed(request, user, "import_disputes")
    try:
        done = await api_disputes.import_disputes(actor, _settings(request), file)
    except ApiError as refused:
        return await disputes_page(request, user, status_code=refused.status, error={
            "code": refused.code, "message": refused.message, "field": refused.field,
            "form": "import", "rows": refused.details.get("errors", [])[:20]})
    return await disputes_page(request, user, status_code=201, imported=done)
