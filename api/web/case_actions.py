"""HR actions on a case from its page, a document attached to it, and its evidence bundle. Each
goes through the API's own route function (api/routes/cases.py, documents.py, evidence.py), so
the same role check, rules, workflow update, access log and recorded refusal apply; a refusal
shows on the page beside the field it names, with the form as HR filled it in."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import permit, role_check
from api.errors import ApiError
from api.privacy import access_logged, entry
from api.routes import cases as api_cases
from api.routes import compensation as api_compensation
from api.routes import documents as api_documents
from api.routes import evidence as api_evidence
from api.routes import expenses as api_expenses
from api.web import case_forms, death_inputs
from api.web.auth import PageRefused, User, allowed, check_csrf
from api.web.checks import of_reader, validated
from api.web.pages import case_page
from api.web.render import PREFIX, page
from domain.injury import rules
from domain.shared import labels
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.people import Actor
from settings import Settings
from store import access_log

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post("/cases/{id}/actions/{action}", response_class=HTMLResponse)
async def case_action(request: Request, user: User, id: str, action: str) -> Response:
    """One HR action; back to the case page, or the page with the refusal beside its field."""
    form = await request.form()
    check_csrf(request, user, str(form.get("csrf") or ""))
    name = rules.action_name(action)
    if name not in rules.ACTION_STAGES:
        raise PageRefused(404, "not_found")
    await of_reader(request, user, id, "case-")
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
    await of_reader(request, user, id, "case-")
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
    await of_reader(request, user, id, "case-")
    actor = await allowed(request, user, "export_bundle")
    await asyncio.to_thread(access_log.record, _settings(request).db_url, entry(request, actor))
    return await api_evidence.export_case_bundle(id, actor, request.app.state.temporal,
                                                 _settings(request), "zh")


EXPENSE_FIELDS = ("kind", "invoice_number", "hospital", "bill_date", "amount", "eligible_amount",
                  "paid_by", "medical_insurance_amount", "slip_total", "third_party_amount",
                  "admitted_on", "discharged_on", "daily_standard", "standard_source",
                  "approval_reference", "document_id", "note")


@router.post("/cases/{id}/expenses", response_class=HTMLResponse)
async def case_expense(request: Request, user: User, id: str) -> Response:
    """Enter a bill, a hospital stay's food allowance or a travel cost into the case's ledger (as
    POST /api/v1/cases/{id}/expenses)."""
    form = await request.form()
    check_csrf(request, user, str(form.get("csrf") or ""))
    await of_reader(request, user, id, "case-")
    filled = {f: str(form.get(f) or "").strip() for f in EXPENSE_FIELDS}
    try:
        actor = await permit(role_check("record_expense"), "record_expense",
                             Actor(user.name, user.roles[0]), request, record_refusal=True)
        body = _expense_body(filled)
        await api_expenses.add_expense(id, body, actor, request.app.state.temporal,
                                       _settings(request))
    except (ApiError, ActionRefused, RuleViolation) as refused:
        return await case_page(request, user, id, status_code=_status(refused),
                               error=_error(refused, "expense"), form=filled)
    return RedirectResponse(f"{PREFIX}/cases/{id}#expenses", status_code=303)


@router.post("/cases/{id}/expenses/{entry_id}/approval", response_class=HTMLResponse)
async def case_expense_approval(request: Request, user: User, id: str, entry_id: str) -> Response:
    """Record the agency's consent on a travel entry (as POST …/expenses/{entry_id}/approval)."""
    form = await request.form()
    check_csrf(request, user, str(form.get("csrf") or ""))
    await of_reader(request, user, id, "case-")
    filled = {"approval_reference": str(form.get("approval_reference") or "").strip()}
    try:
        actor = await permit(role_check("record_expense"), "record_expense",
                             Actor(user.name, user.roles[0]), request, record_refusal=True)
        body = validated(api_expenses.ApprovalIn, filled)
        await api_expenses.approve_travel(id, entry_id, body, actor, request.app.state.temporal,
                                          _settings(request))
    except (ApiError, ActionRefused, RuleViolation) as refused:
        return await case_page(request, user, id, status_code=_status(refused),
                               error=_error(refused, "expense"), form=filled)
    return RedirectResponse(f"{PREFIX}/cases/{id}#expenses", status_code=303)


def _expense_body(filled: dict[str, str]) -> api_expenses.ExpenseIn:
    given = {k: v for k, v in filled.items() if v}
    return validated(api_expenses.ExpenseIn, given)


@router.get("/cases/{id}/expenses.{fmt}", name="web_case_claim")
async def case_claim(request: Request, user: User, id: str, fmt: str) -> Response:
    """The claim statement for the SI agency (PDF or CSV), as the API exports it (evidence)."""
    if fmt not in ("pdf", "csv"):
        raise PageRefused(404, "not_found")
    await of_reader(request, user, id, "case-")
    actor = await allowed(request, user, "read")
    await asyncio.to_thread(access_log.record, _settings(request).db_url, entry(request, actor))
    export = api_expenses.export_pdf if fmt == "pdf" else api_expenses.export_csv
    return await export(id, actor, request.app.state.temporal, _settings(request))


COMPENSATION_FIELDS = ("monthly_wage", "wages_12_months", "grade", "suspension_months", "contract_ends",
                       "nursing_level", "regional_average_monthly_wage",
                       "minimum_monthly_wage", "third_party_liable",
                       "provincial_average_monthly_wage", "average_wage_before_employment_ends",
                       "retirement_date", "offer", "service_months",
                       "third_party_percent", "victim_age", "urban_income", "medical_costs",
                       "third_party_paid_medical", "lost_income", "nursing_costs",
                       "transport_costs", "mental_distress", "property_damage",
                       "civil_average_monthly_wage",
                       "urban_consumption", "civil_dependant", "other_party",
                       *death_inputs.DEATH_FIELDS)
OTHER_PARTY = {"motor_insured": (True, True), "motor_uninsured": (True, False),
               "non_motor": (False, False)}   # (motor vehicle, 交强险)
CIVIL_MONEY = ("urban_income", "medical_costs", "third_party_paid_medical", "lost_income",
               "nursing_costs", "transport_costs", "mental_distress", "property_damage",
               "civil_average_monthly_wage",
               "urban_consumption")


@router.get("/cases/{id}/compensation", response_class=HTMLResponse, name="web_compensation")
async def compensation(request: Request, user: User, id: str) -> Response:
    """The statutory compensation estimate of the case, item by item (payer, article, formula),
    from the wage HR gives and the case's grade (as GET /api/v1/cases/{id}/compensation)."""
    await of_reader(request, user, id, "case-")
    actor = await allowed(request, user, "read")
    filled = {f: request.query_params.get(f, "").strip() for f in COMPENSATION_FIELDS}
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    status = 200
    if filled["monthly_wage"] or filled["wages_12_months"]:
        async with access_logged(_settings(request).db_url, entry(request, actor)):
            try:
                result = await api_compensation.case_compensation(
                    id, actor, request.app.state.temporal, request, **_estimate_args(filled))
            except (ApiError, ActionRefused, RuleViolation) as refused:
                status, error = _status(refused), _error(refused, "compensation")
    return page(request, "case_compensation.html", status, user=user, id=id, form=filled,
                result=result, error=error, items_zh=labels.COMPENSATION_ITEMS,
                payers_zh=labels.PAYERS, options_zh=labels.COMPENSATION_OPTIONS,
                rows=death_inputs.DEPENDANT_ROWS, relations_zh=labels.DEPENDANT_RELATIONS,
                pension_cap=death_inputs.pension_cap(result) if result else None)


def _estimate_args(filled: dict[str, str]) -> dict[str, Any]:
    """The query as the API's arguments; a value of the wrong form is a 422 naming its field."""
    args: dict[str, Any] = {"third_party_liable": filled["third_party_liable"] == "yes",
                            **death_inputs.death_args(filled)}
    for name in ("monthly_wage", "regional_average_monthly_wage", "minimum_monthly_wage",
                 "provincial_average_monthly_wage", "average_wage_before_employment_ends",
                 "offer", *CIVIL_MONEY):
        if filled[name]:
            args[name] = _money(name, filled[name])
    if filled["wages_12_months"]:
        args["wages_12_months"] = _wages(filled["wages_12_months"])
    if filled["civil_dependant"]:  # "8/2, 70": AGE or AGE/SUPPORTERS each, as the API takes them
        args["civil_dependant"] = [d for d in re.split(r"[\s,，、;；]+", filled["civil_dependant"]) if d]
    if filled["third_party_percent"]:
        percent = filled["third_party_percent"]
        if not percent.isdigit() or int(percent) > 100:
            raise ApiError(422, "third_party_percent.invalid",
                           "third_party_percent must be a whole percent from 0 to 100",
                           "third_party_percent")
        args["third_party_share"] = Decimal(percent) / 100
    if filled["other_party"]:
        if filled["other_party"] not in OTHER_PARTY:
            raise ApiError(422, "other_party.invalid",
                           f"other_party must be one of {', '.join(OTHER_PARTY)}", "other_party")
        motor, insured = OTHER_PARTY[filled["other_party"]]
        args["other_party_motor_vehicle"], args["compulsory_insurance"] = motor, insured
    for name in ("grade", "suspension_months", "victim_age", "service_months"):
        if filled[name]:
            if not filled[name].isdigit():
                raise ApiError(422, f"{name}.invalid", f"{name} must be a whole number", name)
            args[name] = int(filled[name])
    if filled["grade"] and not 1 <= args["grade"] <= 10:
        raise ApiError(422, "grade.range", "grade must be 1 to 10", "grade")
    for name in ("contract_ends", "retirement_date"):
        if filled[name]:
            try:
                args[name] = date.fromisoformat(filled[name])
            except ValueError:
                raise ApiError(422, f"{name}.invalid", f"{name} must be a date", name) from None
    if filled["nursing_level"] in ("complete", "mostly", "partly"):
        args["nursing_level"] = filled["nursing_level"]
    return args


def _wages(text: str) -> list[Decimal]:
    """1 to 12 monthly wages, separated by commas, 、 or spaces, oldest first."""
    wages = [_money("wages_12_months", w) for w in re.split(r"[\s,，、;；]+", text) if w]
    if not 1 <= len(wages) <= 12:
        raise ApiError(422, "compensation.wage_months",
                       f"wages_12_months has {len(wages)} entries: give 1 to 12 monthly wages",
                       "wages_12_months")
    return wages


def _money(name: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ApiError(422, f"{name}.invalid", f"{name} must be an amount in yuan, like 6500.00",
                       name) from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise ApiError(422, f"{name}.invalid", f"{name} must be an amount in yuan, like 6500.00",
                       name)
    return value


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
