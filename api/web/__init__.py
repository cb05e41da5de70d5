"""The HR workspace in the browser (issue 19): server-rendered pages under /hr, signed in with
email and password (api/web/auth.py). No script; one stylesheet; every answer with the headers of
render.WorkspaceHeaders."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web import auth, pages
from api.web.render import PREFIX, WorkspaceHeaders, page


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    return RedirectResponse(f"{PREFIX}/login", status_code=303)


async def _refused(request: Request, exc: Exception) -> HTMLResponse:
    assert isinstance(exc, auth.PageRefused)
    return page(request, "error.html", exc.status, word=exc.word, user=None)


def install(app: FastAPI) -> None:
    """The workspace's routes, their error pages and headers on `app`."""
    app.include_router(auth.router)
    app.include_router(pages.router)
    app.add_exception_handler(auth.SignInRequired, _to_sign_in)
    app.add_exception_handler(auth.PageRefused, _refused)
    app.add_middleware(WorkspaceHeaders)
