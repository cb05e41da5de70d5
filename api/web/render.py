"""Pages from the Jinja2 templates under api/web/templates (autoescaped), in the reader's
language, with the security headers every workspace answer carries (`WorkspaceHeaders`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.edges import EMPLOYEE_PAGE_HEADERS
from api.web.i18n import LANGS, WORDS, labeller

PREFIX = "/hr"
SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKSPACE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                 "frame-ancestors 'none'; base-uri 'none'")
"""No script at all, the one stylesheet from this site, forms posted here only, never framed."""
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Templates(Environment):
    """Jinja's environment, with `x.name` on a plain dict read as `x["name"]` first when `name`
    is not one of dict's own attributes. Jinja tries `getattr` first, and on a dict that raises
    AttributeError before the lookup by key: that exception was a fifth of a long case's page
    render (its pages read dicts: events, notices, deadlines). For such a name `getattr` on a
    dict always fails, so the answer is the same; `x.items` or `x.get` still mean the methods."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_TEMPLATES = _Templates(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(("html",)), trim_blocks=True,
                        lstrip_blocks=True)


def local(moment: datetime | str | None) -> str:
    """A moment as Beijing time, to the minute."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


_TEMPLATES.filters["local"] = local

_EVENT_HEAD = frozenset(("seq", "at", "kind", "actor"))


def event_data(event: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """An event's fields beyond its head (seq, at, kind, actor), a list's items joined with 、:
    what the timeline shows under each event. In Python, not in the template: the case page of
    a long case spent a third of its render on these filters and tests."""
    return [(k, "、".join(map(str, v)) if _listed(v) else v)
            for k, v in event.items() if k not in _EVENT_HEAD]


def _listed(value: Any) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, str | Mapping)


_TEMPLATES.filters["event_data"] = event_data


def language(request: Request) -> str:
    """zh unless the reader chose English (`?lang=en` sets the cookie; the query wins)."""
    chosen = request.query_params.get("lang") or request.cookies.get("cg_lang", "zh")
    return chosen if chosen in LANGS else "zh"


def page(request: Request, template: str, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    """The rendered template, with the words and labels of the reader's language."""
    lang = language(request)
    html = _TEMPLATES.get_template(template).render(
        t=WORDS[lang], lang=lang, lx=labeller(lang), prefix=PREFIX, path=request.url.path,
        **context)
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("cg_lang", lang, max_age=365 * 86400, httponly=True, samesite="lax",
                            path="/")
    return response


class WorkspaceHeaders:
    """Every answer under /hr, pages, redirects and errors alike: the employee page's headers
    (DENY framing, nosniff, no-referrer, no-store: pages carry personal data) and WORKSPACE_CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in EMPLOYEE_PAGE_HEADERS.items():
                    headers[name] = value
                headers["Content-Security-Policy"] = WORKSPACE_CSP
            await send(message)

        await self.app(scope, receive, with_headers)
