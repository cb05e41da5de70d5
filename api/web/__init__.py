"""The HR workspace in the browser (issue 19): server-rendered pages under /hr, signed in with
email and password (api/web/auth.py). No script; one stylesheet; every answer with the headers of
render.WorkspaceHeaders."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web import (
    actions,
    auth,
    case_actions,
    disputes,
    kpis,
    onboarding_records,
    pages,
    reviews,
)
from api.web.render import PREFIX, WorkspaceHeaders, page


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    return RedirectResponse(f"{PREFIX}/login", status_code=303)


async def _refused(request: Request, exc: Exception) -> HTMLResponse:
    assert isinstance(exc, auth.PageRefused)
    return page(request, "error.html", exc.status, word=exc.word, user=None)


_SETUP = re.compile(r"/hr/setup/[A-Za-z0-9_-]+")


class WithoutSetupLinks(logging.Filter):
    """Access-log lines with a setup link's token replaced: the token sets a password."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_SETUP.sub("/hr/setup/[link]", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


def install(app: FastAPI) -> None:
    """The workspace's routes, their error pages and headers on `app`; access logs without
    setup links."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, WithoutSetupLinks) for f in access.filters):
        access.addFilter(WithoutSetupLinks())
    app.include_router(auth.router)
    app.include_router(pages.router)
    app.include_router(onboarding_records.router)  # before actions' /onboardings/{id}/{action}
    app.include_router(actions.router)
    app.include_router(case_actions.router)
    app.include_router(disputes.router)
    app.include_router(kpis.router)
    app.include_router(reviews.router)
    app.add_exception_handler(auth.SignInRequired, _to_sign_in)
    app.add_exception_handler(auth.PageRefused, _refused)
    app.add_middleware(WorkspaceHeaders)
