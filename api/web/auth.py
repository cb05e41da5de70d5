"""Signing in to the HR workspace: email and password, a session cookie, CSRF tokens, lockout.

- The session cookie (`cg_session`; `__Host-cg_session` outside dev) is HttpOnly, SameSite=Lax,
  Secure outside dev, and holds a random token whose SHA-256 only is stored (store/sessions.py).
- Every form carries a CSRF token: HMAC-SHA256 under CASEGUARD_SECRET_KEY of the session token
  (signed in) or of the random `cg_login` cookie (the sign-in and setup forms). A POST without the
  right one is refused (403) before anything else is read.
- Failed sign-ins lock the account after 5 in a row for 15 minutes (domain/shared/passwords.py),
  and count against the address's allowance of failed API keys (CASEGUARD_AUTH_FAILURES_PER_MINUTE,
  api/edges.py): an address past it gets 429 for any account.
- A signed-in person acts with every role of theirs, within their departments (api/scoping.py),
  through the same role checks as API keys (`api.deps.permit`), and managers read masked pages.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import permit, role_check
from api.edges import RateLimiter, client_address, retry_after
from api.web.render import PREFIX, page
from domain.shared.errors import ActionRefused, Forbidden, RuleViolation
from domain.shared.masking import sees_whole
from domain.shared.passwords import SESSION_MAX
from domain.shared.people import Actor
from domain.shared.scoping import Scope, scope_of
from settings import Env, Settings
from store import people, sessions

log = logging.getLogger("caseguard.web")
router = APIRouter(prefix=PREFIX, include_in_schema=False)


class SignInRequired(Exception):
    """No valid session: the browser goes to the sign-in page."""


class PageRefused(Exception):
    """A page answered with an error page: 403, 404."""

    def __init__(self, status: int, word: str) -> None:
        super().__init__(word)
        self.status, self.word = status, word


@dataclass(frozen=True)
class WebUser:
    """The signed-in person: who, their roles and scope, their session's CSRF token."""

    name: str
    roles: tuple[str, ...]
    scope: Scope
    csrf: str
    token: str

    @property
    def masked(self) -> bool:
        """Whether they read through masks (no role of theirs handles cases)."""
        return not any(sees_whole(r) for r in self.roles)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def cookie_name(settings: Settings, name: str) -> str:
    """`__Host-` names outside dev: the browser keeps them only Secure, host-only, Path=/."""
    return name if settings.env is Env.dev else f"__Host-{name}"


def _set_cookie(response: Response, settings: Settings, name: str, value: str,
                max_age: int) -> None:
    response.set_cookie(cookie_name(settings, name), value, max_age=max_age, path="/",
                        httponly=True, samesite="lax", secure=settings.env is not Env.dev)


def csrf_token(settings: Settings, purpose: str, value: str) -> str:
    return hmac.new(settings.secret_key.encode(), f"{purpose}:{value}".encode(),
                    hashlib.sha256).hexdigest()


def _csrf_ok(settings: Settings, purpose: str, value: str | None, given: str) -> bool:
    return bool(value) and hmac.compare_digest(csrf_token(settings, purpose, value or ""), given)


async def current_user(request: Request) -> WebUser:
    """The person the session cookie belongs to (SignInRequired: none valid); their roles and
    scope go to `request.state`, as `api.deps.get_principal` puts a key's."""
    settings = _settings(request)
    token = request.cookies.get(cookie_name(settings, "cg_session"), "")
    who = await asyncio.to_thread(sessions.signed_in, settings.db_url, token, people.now()) \
        if token else None
    if who is None:
        raise SignInRequired()
    scope = scope_of(who.roles, who.departments)
    request.state.roles, request.state.scope = who.roles, scope
    return WebUser(who.name, who.roles, scope, csrf_token(settings, "session", token), token)


User = Annotated[WebUser, Depends(current_user)]


async def allowed(request: Request, user: WebUser, action: str) -> Actor:
    """The actor in the first of the user's roles that may do `action` (api.deps.permit), else
    the 403 page."""
    try:
        return await permit(role_check(action), action, Actor(user.name, user.roles[0]), request,
                            record_refusal=False)
    except Forbidden:
        raise PageRefused(403, "forbidden") from None


def check_csrf(request: Request, user: WebUser, given: str) -> None:
    """403 unless the form's token is the session's."""
    if not _csrf_ok(_settings(request), "session", user.token, given):
        log.info("%s: a form without the session's CSRF token refused", user.name)
        raise PageRefused(403, "csrf")


def _login_form(request: Request, status: int = 200, error: str = "",
                headers: dict[str, str] | None = None) -> HTMLResponse:
    settings = _settings(request)
    seed = request.cookies.get(cookie_name(settings, "cg_login")) or secrets.token_urlsafe(32)
    response = page(request, "login.html", status, csrf=csrf_token(settings, "login", seed),
                    error=error, user=None)
    _set_cookie(response, settings, "cg_login", seed, 3600)
    response.headers.update(headers or {})
    return response


def _login_csrf_ok(request: Request, given: str) -> bool:
    settings = _settings(request)
    return _csrf_ok(settings, "login", request.cookies.get(cookie_name(settings, "cg_login")),
                    given)


@router.get("/login", response_class=HTMLResponse, name="web_login")
async def login_page(request: Request) -> HTMLResponse:
    """The sign-in form."""
    return _login_form(request)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, email: Annotated[str, Form(max_length=254)] = "",
                password: Annotated[str, Form(max_length=1024)] = "",
                csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    """Check the email and password: a session and the dashboard, or the form saying why not."""
    settings = _settings(request)
    if not _login_csrf_ok(request, csrf):
        return _login_form(request, 403, "csrf")
    limiter: RateLimiter = request.app.state.auth_limiter
    address = client_address(request.scope)
    if wait := limiter.wait(address):
        return _login_form(request, 429, "too_many", {"Retry-After": retry_after(wait)})
    attempt = await asyncio.to_thread(sessions.sign_in, settings.db_url, email, password,
                                      people.now())
    if attempt.outcome != "ok":
        limiter.take(address)
        log.info("sign-in refused (%s) for person %s", attempt.outcome,
                 attempt.person_id if attempt.person_id is not None else "unknown")
        return _login_form(request, 401 if attempt.outcome == "refused" else 429,
                           "bad_login" if attempt.outcome == "refused" else "locked")
    response = RedirectResponse(f"{PREFIX}/", status_code=303)
    _set_cookie(response, settings, "cg_session", attempt.token, int(SESSION_MAX.total_seconds()))
    response.delete_cookie(cookie_name(settings, "cg_login"), path="/")
    return response


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request, user: User,
                 csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    """End the session (CSRF-checked) and show the sign-in form."""
    settings = _settings(request)
    check_csrf(request, user, csrf)
    await asyncio.to_thread(sessions.sign_out, settings.db_url, user.token, people.now())
    response = _login_form(request, 200, "signed_out")
    response.delete_cookie(cookie_name(settings, "cg_session"), path="/")
    return response


@router.get("/setup/{token}", response_class=HTMLResponse, name="web_setup")
async def setup_page(request: Request, token: str) -> HTMLResponse:
    """The form behind a one-time setup link: choose a password."""
    settings = _settings(request)
    holder = await asyncio.to_thread(sessions.setup_holder, settings.db_url, token,
                                     people.now())
    return _setup_form(request, token, 200 if holder else 404, "" if holder else "link_invalid")


def _setup_form(request: Request, token: str, status: int, error: str,
                rule: str = "") -> HTMLResponse:
    settings = _settings(request)
    seed = request.cookies.get(cookie_name(settings, "cg_login")) or secrets.token_urlsafe(32)
    response = page(request, "setup.html", status, csrf=csrf_token(settings, "login", seed),
                    error=error, rule=rule, token=token, user=None)
    _set_cookie(response, settings, "cg_login", seed, 3600)
    return response


@router.post("/setup/{token}", response_class=HTMLResponse)
async def setup(request: Request, token: str,
                password: Annotated[str, Form(max_length=1024)] = "",
                csrf: Annotated[str, Form(max_length=128)] = "") -> HTMLResponse:
    """Set the password through the link (once), then the sign-in form."""
    settings = _settings(request)
    if not _login_csrf_ok(request, csrf):
        return _setup_form(request, token, 403, "csrf")
    try:
        await asyncio.to_thread(sessions.use_setup_link, settings.db_url, token, password,
                                people.now())
    except RuleViolation as weak:
        return _setup_form(request, token, 422, "", weak.message)
    except ActionRefused:
        return _setup_form(request, token, 404, "link_invalid")
    return _login_form(request, 200, "password_set")
