"""Letters the employer issues from a record: the return-to-work notice (返岗通知书) of a case and the
withdrawal application (撤销申请) of an onboarding. Each issue is stored as a document of the record
and entered in its ledger, so the bundle shows exactly what was sent."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api import temporal_calls
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError
from domain.injury.payloads import CaseInput
from domain.injury.views import CaseView
from domain.onboarding.payloads import OnboardingInput
from domain.onboarding.state import EnrollmentRequest, OnboardingView
from domain.shared.calendar import LEGACY_CALENDAR, SHANGHAI, HolidayCalendar, is_rest_day
from domain.shared.ids import CASE_PREFIX, ONBOARDING_PREFIX
from domain.shared.people import Actor
from render.letters import ReturnNotice, WithdrawalApplication, return_notice_pdf, withdrawal_pdf
from settings import Settings
from store import document_rows, evidence
from store.documents import content_store
from store.models import DocumentRow

router = APIRouter(tags=["letters"])
Issuer = Annotated[Actor, require("add_document")]
PDF_CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "The letter (PDF), stored as a document of the record",
          "content": {"application/pdf": {}}}}


@router.post("/api/v1/cases/{id}/letters/return-notice", status_code=201,
             response_class=Response, responses=PDF_CREATED)
async def issue_return_notice(id: str, actor: Issuer, client: TemporalDep,
                              settings: SettingsDep) -> Response:
    """The 返岗通知书 to post by courier, with its proof-of-service slip (409 before a paid
    suspension period is recorded)."""
    _prefixed(id, CASE_PREFIX, "case")
    view = await temporal_calls.read(client, settings.db_url, id, CaseView,
                                     args=[datetime.now(UTC)], what="case")
    case = await temporal_calls.read_input(client, settings.db_url, id, CaseInput, what="case")
    end = next((d for d in view.deadlines if d.name == "suspension_end"), None)
    if view.suspension is None or end is None:
        raise ApiError(409, "letter.no_suspension", f"{id} has no paid suspension period: record "
                       "it first (POST /api/v1/cases/{id}/start-suspension)", "id")
    det = view.determination
    # The period ends on its calendar day (Civil Code art. 202): the day before its raw end.
    last_day = end.raw_due_at.astimezone(SHANGHAI).date() - timedelta(days=1)
    letter = ReturnNotice(
        employee_name=view.employee_name, id_number=case.employee.id_number,
        accident_on=view.accident_at.astimezone(SHANGHAI).date(), location=view.location,
        decision_reference=(det.decision_reference or "") if det and det.recognised else "",
        started_on=view.suspension.started_on, months=view.suspension.months,
        extended_months=view.suspension.extended_months, last_day=last_day,
        report_on=_first_working_day(last_day + timedelta(days=1), case.calendar or LEGACY_CALENDAR),
        issued_on=datetime.now(SHANGHAI).date())
    font = _font(settings)
    content = await asyncio.to_thread(return_notice_pdf, letter, settings.company(), font)
    return await _issued(settings, id, actor, "return_notice", f"返岗通知书-{view.employee_id}.pdf",
                         content)


@router.post("/api/v1/onboardings/{id}/letters/withdrawal-application", status_code=201,
             response_class=Response, responses=PDF_CREATED)
async def issue_withdrawal_application(
        id: str, actor: Issuer, client: TemporalDep, settings: SettingsDep,
        number: int = Query(ge=1, description="the enrolment request to withdraw")) -> Response:
    """The 社会保险增员业务撤销申请 of an enrolment whose withdrawal was requested (409 before)."""
    _prefixed(id, ONBOARDING_PREFIX, "onboarding")
    view = await temporal_calls.read(client, settings.db_url, id, OnboardingView,
                                     what="onboarding")
    inp = await temporal_calls.read_input(client, settings.db_url, id, OnboardingInput,
                                          what="onboarding")
    request = next((r for r in view.enrollment_requests if r.number == number), None)
    if request is None or request.withdrawal_application is None:
        raise ApiError(409, "letter.no_withdrawal", f"enrolment request #{number} of {id} has no "
                       "withdrawal requested: POST /api/v1/onboardings/{id}/enrollment/withdrawal "
                       "first", "number")
    letter = WithdrawalApplication(
        region=view.region, employee_name=view.employee_name, id_number=inp.employee.id_number,
        hire_date=view.hire_date, enrollment_type=str(request.type),
        contribution_base=request.contribution_base,
        bureau_reference=request.bureau_reference or "", executed_at=request.executed_at,
        reason=_withdrawal_reason(view, request),
        window_ends=request.withdrawal_window_ends, applied_on=datetime.now(SHANGHAI).date())
    font = _font(settings)
    content = await asyncio.to_thread(withdrawal_pdf, letter, settings.company(), font)
    return await _issued(settings, id, actor, "withdrawal_application",
                         f"社会保险增员撤销申请-{view.employee_id}-{number}.pdf", content)


def _withdrawal_reason(view: OnboardingView, request: EnrollmentRequest) -> str:
    """The reason HR gave, as the onboarding's events hold it with the withdrawal request."""
    asked = [e for e in view.events if e.kind == "withdrawal_requested"
             and e.data.get("request") == request.number]
    return str(asked[-1].data.get("reason", "")) if asked else ""


def _first_working_day(day: date, cal: HolidayCalendar) -> date:
    while is_rest_day(day, cal):
        day += timedelta(days=1)
    return day


def _prefixed(id: str, prefix: str, what: str) -> None:
    if not id.startswith(prefix):
        raise ApiError(404, f"{what}.not_found", f"no {what} with id {id}", "id")


def _font(settings: Settings) -> Any:
    try:
        return settings.cjk_font()
    except RuntimeError as exc:
        raise ApiError(503, "letter.font_missing", str(exc)) from None


async def _issued(settings: Settings, subject_id: str, actor: Actor, kind: str, filename: str,
                  content: bytes) -> Response:
    row = await asyncio.to_thread(_store, settings, subject_id, actor, kind, filename, content)
    return Response(content, status_code=201, media_type="application/pdf", headers={
        "X-Document-Id": row.id, "X-Content-SHA256": row.sha256,
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


def _store(settings: Settings, subject_id: str, actor: Actor, kind: str, filename: str,
           content: bytes) -> DocumentRow:
    """The letter as a document of the record, and its issue in the record's ledger."""
    digest = content_store(settings).put(content)
    now = datetime.now(UTC)
    row = DocumentRow(id=f"doc-{uuid.uuid4().hex}", subject_id=subject_id, kind=kind,
                      filename=filename, content_type="application/pdf", size=len(content),
                      sha256=digest, note="根据记录生成", uploaded_by=actor.name, uploaded_at=now)
    document_rows.add(settings.db_url, row, evidence.NewEntry(
        subject_id=subject_id, idempotency_key=f"letter:{row.id}", at=now, actor=actor.name,
        kind="document_generated",
        payload={"document_id": row.id, "kind": kind, "filename": filename,
                 "content_type": row.content_type, "size": row.size, "sha256": digest,
                 "note": row.note}))
    assert hashlib.sha256(content).hexdigest() == digest
    return row
