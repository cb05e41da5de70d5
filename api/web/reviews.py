"""HR's review queue in the workspace (/hr/reviews): employees' proposed changes to their own
details, each with its difference, to approve or reject with a reason. The decision goes through
the API's own function (api/routes/reviews.py), so the rules are the API's; HR roles only (a
manager gets the 403 page); every form carries the session's CSRF token."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.errors import ApiError
from api.privacy import access_logged, entry
from api.routes.reviews import ProposalId, decide, review_out
from api.web.auth import PageRefused, User, WebUser, allowed, check_csrf
from api.web.render import PREFIX, page
from domain.shared.errors import ActionRefused, RuleViolation
from settings import Settings
from store import self_service

router = APIRouter(prefix=PREFIX, include_in_schema=False)
ACTION = "review_employee_changes"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("/reviews", response_class=HTMLResponse, name="web_reviews")
async def reviews(request: Request, user: User) -> HTMLResponse:
    """The pending proposals, oldest first, each with its difference and the two forms."""
    return await reviews_page(request, user)


async def reviews_page(request: Request, user: WebUser, *, status_code: int = 200,
                       error: dict[str, str] | None = None) -> HTMLResponse:
    """The queue, with a refused decision's error beside the proposal it was about."""
    actor = await allowed(request, user, ACTION)
    url = _settings(request).db_url
    async with access_logged(url, entry(request, actor)):
        total, rows = await asyncio.to_thread(self_service.queue, url)
    items = [review_out(r.proposal, r.name, r.department).model_dump(mode="json") for r in rows]
    return page(request, "reviews.html", status_code, user=user, items=items, total=total,
                error=error)


@router.post("/reviews/{id}/{action}", response_class=HTMLResponse)
async def review_action(request: Request, user: User, id: ProposalId, action: str,
                        csrf: Annotated[str, Form(max_length=128)] = "",
                        reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Approve or reject one proposal; back to the queue, showing a refusal beside it."""
    check_csrf(request, user, csrf)
    if action not in ("approve", "reject"):
        raise PageRefused(404, "not_found")
    actor = await allowed(request, user, ACTION)
    try:
        await decide(_settings(request), id, action == "approve", actor, reason)
    except (RuleViolation, ActionRefused, ApiError) as refused:
        status = refused.status if isinstance(refused, ApiError) else \
            422 if isinstance(refused, RuleViolation) else refused.http_status
        return await reviews_page(request, user, status_code=status, error={
            "id": str(id), "action": action, "code": refused.code,
            "message": refused.message, "field": refused.field})
    return RedirectResponse(f"{PREFIX}/reviews", status_code=303)
