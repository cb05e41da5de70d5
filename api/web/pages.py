"""The workspace's pages: 今日待办 (the dashboard), the onboardings and their timelines, the case
board and each case's page. Lists come from the list tables (store/worklist.py), one record from
its workflow (or its kept final view), as the API's GET does; each is kept to the reader's
departments, masked for managers, and a read of one record is an access-log entry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import temporal_calls
from api.errors import ApiError
from api.privacy import access_logged, entry
from api.routes.notices import notice_details
from api.schemas import case_json, view_json
from api.web import case_forms
from api.web.auth import PageRefused, User, WebUser, allowed
from api.web.render import PREFIX, page
from domain.compensation.expenses import KIND_ZH
from domain.injury import rules as injury_rules
from domain.injury.views import CaseView
from domain.onboarding import rules as onboarding_rules
from domain.onboarding.state import OnboardingView, RequestStatus, Status
from domain.shared import documents
from domain.shared.masking import masked
from domain.shared.people import Actor
from domain.shared.roles import HR_ROLES
from domain.shared.scoping import NOWHERE, Scope
from domain.shared.wording import DOCUMENT_KINDS
from render import expense_claim as claim
from settings import GatewayMode, Settings
from store import document_rows, scoping, self_service, worklist
from store import expenses as expense_rows
from store.db import point_read
from store.models import ExpenseRow

router = APIRouter(prefix=PREFIX, include_in_schema=False)
CSS = (Path(__file__).parent / "static" / "app.css").read_bytes()
NOTICES_TO_ME_DAYS = 30  # how far back the dashboard lists the notices sent to the reader


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def document_kinds() -> list[tuple[str, str]]:
    """The kinds a document may have, with their Chinese names."""
    return [(kind, DOCUMENT_KINDS.get(kind, kind)) for kind in documents.KINDS]


def shown(user: WebUser, data: Any) -> Any:
    """`data` as the reader may see it: whole for HR roles, masked for a manager."""
    return masked(data) if user.masked else data


@router.get("/static/app.css", name="web_css")
async def stylesheet() -> Response:
    """The workspace's one stylesheet (the CSP allows no inline style)."""
    return Response(CSS, media_type="text/css")


@router.get("/", response_class=HTMLResponse, name="web_dashboard")
async def dashboard(request: Request, user: User,
                    department: Annotated[str, Query(max_length=80)] = "") -> HTMLResponse:
    """今日待办: deadlines overdue, due today and within 7 days; unanswered notices; admin tasks;
    all of one department when `department` is given (one the reader sees)."""
    await allowed(request, user, "read")
    url = _settings(request).db_url
    horizon = worklist.Horizon.at(datetime.now(UTC))
    scope = user.scope if not department else \
        Scope(company=False, departments=frozenset({department})) \
        if user.scope.sees(department) else NOWHERE
    due = await asyncio.to_thread(worklist.due_soon, url, scope, horizon)
    notices = await asyncio.to_thread(worklist.unanswered_notices, url, scope)
    known = await asyncio.to_thread(worklist.departments, url, user.scope)
    tasks = await asyncio.to_thread(worklist.open_admin_tasks, url) \
        if "admin" in user.roles else None
    by_hand = await asyncio.to_thread(worklist.at_the_bureau, url, scope) \
        if _settings(request).gateway("si_bureau") == GatewayMode.manual else []
    to_me = await asyncio.to_thread(worklist.notices_to, url, user.name,
                                    horizon.now - timedelta(days=NOTICES_TO_ME_DAYS), scope)
    buckets = {b: [d for d in due if d.bucket == b] for b in ("overdue", "today", "week")}
    reviews = await asyncio.to_thread(self_service.pending_count, url) \
        if set(user.roles) & HR_ROLES else None
    return page(request, "dashboard.html", user=user, buckets=shown(user, buckets),
                notices=notices, tasks=tasks, departments=known, department=department,
                to_me=to_me, to_me_days=NOTICES_TO_ME_DAYS, reviews=reviews,
                by_hand=by_hand)


@router.get("/onboardings", response_class=HTMLResponse, name="web_onboardings")
async def onboardings(request: Request, user: User,
                      status: Annotated[str, Query(max_length=40)] = "",
                      offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> HTMLResponse:
    """Onboardings, newest first, by status."""
    await allowed(request, user, "read")
    status = status if status in {s.value for s in Status} else ""
    total, rows = await asyncio.to_thread(worklist.onboardings, _settings(request).db_url,
                                          user.scope, status or None, offset=offset,
                                          limit=worklist.PAGE)
    return page(request, "onboardings.html", user=user, rows=rows, total=total, status=status,
                statuses=[s.value for s in Status], offset=offset, page_size=worklist.PAGE,
                open_statuses={s.value for s in worklist.OPEN_ONBOARDING})


@router.get("/onboardings/{id}", response_class=HTMLResponse, name="web_onboarding")
async def onboarding(request: Request, user: User, id: str) -> HTMLResponse:
    """One onboarding: status, deadlines, enrolment requests, the actions the reader may take
    now, and the timeline of its events."""
    return await onboarding_page(request, user, id)


async def onboarding_page(request: Request, user: WebUser, id: str, *, status_code: int = 200,
                          error: dict[str, str] | None = None,
                          form: dict[str, str] | None = None,
                          estimate: dict[str, Any] | None = None) -> HTMLResponse:
    """The onboarding page, with a refused action's error and its form as filled in."""
    actor = await _reader(request, user, id, "onboarding-")
    async with access_logged(_settings(request).db_url, entry(request, actor)):
        acts = bool(set(user.roles) & onboarding_rules.ACTION_ROLES["add_document"])
        view, rows = await asyncio.gather(
            _read(request, id, OnboardingView, "onboarding", ()),
            asyncio.to_thread(document_rows.of_subject, _settings(request).db_url, id) if acts
            else _nothing([]))
        documents = [d.model_dump(mode="json") for d in rows]
    may = {action: bool(set(user.roles) & onboarding_rules.ACTION_ROLES[update])
           and view.status in onboarding_rules.ACTION_STATUSES[update]
           for action, update in (("submit", "submit_enrollment"),
                                  ("approve", "approve_enrollment"),
                                  ("reject", "reject_enrollment"),
                                  ("revoke", "revoke_enrollment"),
                                  ("withdraw", "request_withdrawal"),
                                  ("bureau-outcome", "record_bureau_outcome"),
                                  ("withdrawal-answer", "record_withdrawal_answer"),
                                  ("delay-reason", "record_delay_reason"),
                                  ("cancel", "cancel"))}
    now = datetime.now(UTC)
    return page(request, "onboarding.html", status_code, user=user,
                o=shown(user, view_json(view)), may=may, error=error, form=form or {},
                estimate=estimate, hold_left=_hold_left(view, now), now=now, acts=acts,
                documents=documents, document_kinds=document_kinds() if acts else [])


def _hold_left(view: OnboardingView, now: datetime) -> str:
    """How long an approved enrolment may still be revoked (its hold window), as 3 小时 20 分;
    "" when no approval is on hold."""
    held = [r.hold_until for r in view.enrollment_requests
            if r.status == RequestStatus.approved and r.hold_until and r.hold_until > now]
    if not held:
        return ""
    minutes = int((max(held) - now).total_seconds() // 60)
    return f"{minutes // 60} 小时 {minutes % 60} 分" if minutes >= 60 else f"{minutes} 分"


@router.get("/cases", response_class=HTMLResponse, name="web_cases")
async def cases(request: Request, user: User) -> HTMLResponse:
    """The board: open cases by stage, each with its next deadline."""
    await allowed(request, user, "read")
    board = await asyncio.to_thread(worklist.case_board, _settings(request).db_url, user.scope)
    return page(request, "cases.html", user=user, board=board, now=datetime.now(UTC))


@router.get("/cases/{id}", response_class=HTMLResponse, name="web_case")
async def case(request: Request, user: User, id: str) -> HTMLResponse:
    """One case: stage, deadlines, open tasks, the actions the stage allows as forms, documents,
    the bundle, and the timeline of its events."""
    return await case_page(request, user, id)


async def case_page(request: Request, user: WebUser, id: str, *, status_code: int = 200,
                    error: dict[str, str] | None = None,
                    form: dict[str, Any] | None = None) -> HTMLResponse:
    """The case page, with a refused action's error beside its field and its form as filled."""
    actor = await _reader(request, user, id, "case-")
    acts = bool(set(user.roles) & injury_rules.HR_ROLES)
    async with access_logged(_settings(request).db_url, entry(request, actor)):
        # The case's records (by its id) are read on a thread while Temporal answers the view.
        view, (documents, notices, expenses) = await asyncio.gather(
            _read(request, id, CaseView, "case", (datetime.now(UTC),)),
            asyncio.to_thread(_case_records, _settings(request).db_url, id) if acts
            else _nothing(([], [], [])))
    c = shown(user, case_json(view))
    ledger = claim.ledger_json(claim.build(view, expenses)) if acts else None
    return page(request, "case.html", status_code, user=user, c=c, actor=actor,
                forms=case_forms.action_forms(c, documents) if acts else [],
                documents=documents, document_kinds=document_kinds() if acts else [],
                ledger=ledger, basis_zh=claim.BASIS_ZH, paid_by_zh=claim.PAID_BY_ZH,
                kind_zh=KIND_ZH,
                notices=notices,
                error=error, form=form or {})


def _case_records(db_url: str, case_id: str) -> tuple[list[dict[str, Any]],
                                                     list[dict[str, Any]], list[ExpenseRow]]:
    """The case's documents, notices and expense rows, read on one worker thread (one hop, not
    three: on a busy API each hop waits its turn for the interpreter lock)."""
    return ([d.model_dump(mode="json") for d in document_rows.of_subject(db_url, case_id)],
            notice_details(db_url, case_id), expense_rows.rows_of(db_url, case_id))


T = TypeVar("T")


async def _nothing(value: T) -> T:
    """`value`, as an awaitable: the read a reader without the role does not make."""
    return value


async def _reader(request: Request, user: WebUser, id: str, prefix: str) -> Actor:
    """The reader of one onboarding or case: may read, and it is of their departments (else the
    404 an unknown id gets). The page logs the read (`access_logged`) while it reads."""
    actor = await allowed(request, user, "read")
    department = await point_read(_settings(request).db_url, scoping.department_of, id)
    if not id.startswith(prefix) or not user.scope.sees(department) and not user.scope.company:
        raise PageRefused(404, "not_found")
    return actor


async def _read(request: Request, id: str, kind: type[Any], what: str,
                args: tuple[Any, ...]) -> Any:
    try:
        return await temporal_calls.read(request.app.state.temporal, _settings(request).db_url,
                                         id, kind, args=args, what=what)
    except ApiError as error:
        if error.status == 404:
            raise PageRefused(404, "not_found") from None
        raise
