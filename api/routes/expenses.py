"""The medical-expense ledger of a case: bills, who owes what after recognition, the claim statement."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy.exc import IntegrityError
from temporalio.client import Client

from api import temporal_calls
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError, file_response
from api.privacy import logged
from api.refusals import Attempt, refusal_error
from api.responses.tools import ExpenseRecorded, LedgerOut
from api.schemas import Body
from domain.compensation.expenses import (
    KINDS,
    Bill,
    HospitalStay,
    check_bill,
    check_duplicate,
    hospital_key,
    review_items,
    stored_invoice_key,
)
from domain.injury.views import CaseView
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.ids import case_id_of
from domain.shared.people import Actor
from render import expense_claim as claim
from settings import Settings
from store import document_rows, evidence
from store import expenses as expense_rows
from store.models import ExpenseRow

router = APIRouter(prefix="/api/v1/cases", tags=["expenses"])
Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]


class ExpenseIn(Body):
    """A bill: a medical invoice with who paid and the medical-insurance settlement slip; a hospital
    stay's food allowance (days × the region's daily standard); or travel for treatment outside the
    pooling region with the agency's consent."""

    kind: str = Field(default="medical", max_length=20,
                      description="medical, hospital_food (住院伙食补助费) or travel "
                                  "(统筹地区以外就医交通食宿费)")
    invoice_number: str = Field(max_length=60, description="the invoice; for hospital_food the "
                                "admission number (住院号); for travel the ticket or receipt")
    hospital: str = Field(max_length=200)
    bill_date: date | None = Field(default=None, description="required but for hospital_food, "
                                   "which is dated its discharge day")
    amount: Money | None = Field(default=None, description="required but for hospital_food, whose "
                                 "amount is days × daily_standard")
    eligible_amount: Money | None = Field(default=None, description="within the injury catalogues "
                                          "(travel: within the region's standard); unknown: the "
                                          "whole amount, flagged in the ledger")
    paid_by: str = Field(max_length=30, description="medical_insurance_card, employee or employer")
    medical_insurance_amount: Money = Decimal("0.00")
    slip_total: Money | None = Field(default=None, description="total shown on the settlement slip")
    third_party_amount: Money = Decimal("0.00")
    admitted_on: date | None = Field(default=None, description="hospital_food: the admission day")
    discharged_on: date | None = Field(default=None, description="hospital_food: the discharge day")
    daily_standard: Money | None = Field(default=None, description="hospital_food: the pooling "
                                         "region's yuan a day (Reg. art. 30 ¶4)")
    standard_source: str | None = Field(default=None, max_length=300, description="hospital_food: "
                                        "the regional document that sets daily_standard")
    approval_reference: str | None = Field(default=None, max_length=100, description="travel: the "
                                           "agency's consent (经办机构同意) and its reference")
    document_id: str | None = Field(default=None, max_length=40)
    file_sha256: str | None = Field(default=None, pattern="^[0-9a-fA-F]{64}$")
    note: str = Field(default="", max_length=2000)


_STAY_FIELDS = ("admitted_on", "discharged_on", "daily_standard", "standard_source")


class ApprovalIn(Body):
    """The agency's consent to treatment outside the pooling region (Reg. art. 30 ¶4)."""

    approval_reference: str = Field(min_length=1, max_length=100,
                                    description="the consent's document number (经办机构同意)")


Reader = Annotated[Actor, logged("read")]  # every read is in the access log


@router.post("/{id}/expenses", status_code=201, response_model=ExpenseRecorded)
async def add_expense(id: str, body: ExpenseIn,
                      actor: Annotated[Actor, require("record_expense", record_refusal=True)],
                      client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Enter a bill; a duplicate invoice or file, or a hospital stay overlapping one entered, is
    refused naming the earlier entry (409)."""
    return await _recorded(Attempt(settings.db_url, id, actor, "record_expense"), client,
                           settings, lambda view: _add(settings, view, actor, body))


@router.post("/{id}/expenses/{entry_id}/approval", response_model=ExpenseRecorded)
async def approve_travel(id: str, entry_id: str, body: ApprovalIn,
                         actor: Annotated[Actor, require("record_expense", record_refusal=True)],
                         client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Record the agency's consent on a travel entry, which the ledger then counts; the same
    consent again changes nothing, another one is a 409 naming the one recorded."""
    reference = body.approval_reference.strip()
    return await _recorded(Attempt(settings.db_url, id, actor, "record_expense"), client,
                           settings, lambda view: _approve(settings, view, actor, entry_id,
                                                           reference))


async def _recorded(attempt: Attempt, client: Client, settings: Settings,
                    write: Callable[[CaseView], dict[str, Any]]) -> dict[str, Any]:
    """`write` on the case as it stands (on a thread); a refusal is recorded in its ledger."""
    try:
        view = await case_view(client, settings.db_url, attempt.subject_id)
        return await asyncio.to_thread(write, view)
    except ActionRefused as refused:
        error = refusal_error(refused)
    except RuleViolation as bad:
        error = ApiError(422, bad.code, bad.message, bad.field)
    except ApiError as refused_here:
        error = refused_here
    await attempt.refused(error)
    raise error


@router.get("/{id}/expenses", response_model=LedgerOut)
async def get_expenses(id: str, actor: Reader, client: TemporalDep,
                       settings: SettingsDep) -> dict[str, Any]:
    """The bills with who owes what to whom, totals and open review items; labelled before recognition."""
    ledger = await _ledger(client, settings, id)
    return claim.ledger_json(ledger)


@router.get("/{id}/expenses/export.csv", response_class=Response,
            responses=file_response("text/csv", "The claim statement (CSV, UTF-8)"))
async def export_csv(id: str, actor: Reader, client: TemporalDep,
                     settings: SettingsDep) -> Response:
    """The claim statement for the SI agency as CSV: a header row, one row per bill, a TOTAL row."""
    ledger = await _ledger(client, settings, id)
    content = claim.claim_csv(ledger)
    await asyncio.to_thread(_exported, settings, ledger, actor, "csv", content)
    return _file(content, "text/csv; charset=utf-8", f"{id}-expenses.csv")


@router.get("/{id}/expenses/export.pdf", response_class=Response,
            responses=file_response("application/pdf", "The claim statement (PDF)"))
async def export_pdf(id: str, actor: Reader, client: TemporalDep,
                     settings: SettingsDep) -> Response:
    """The claim statement for the SI agency as a Chinese PDF."""
    try:
        font = settings.cjk_font()
    except RuntimeError as exc:
        raise ApiError(503, "export.font_missing", str(exc)) from None
    ledger = await _ledger(client, settings, id)
    content = await asyncio.to_thread(claim.claim_pdf, ledger, font, actor.name, datetime.now(UTC),
                                      settings.company())
    await asyncio.to_thread(_exported, settings, ledger, actor, "pdf", content)
    return _file(content, "application/pdf", f"{id}-expenses.pdf")


async def case_view(client: Client, db_url: str, id: str) -> CaseView:
    """The case as its workflow sees it now (kept at close); 404 case.not_found for an unknown or
    malformed id."""
    try:
        case_id_of(id)
    except RuleViolation:
        raise ApiError(404, "case.not_found", f"no case with id {id}", "id") from None
    return await temporal_calls.read(client, db_url, id, CaseView, args=[datetime.now(UTC)],
                                     what="case")


async def _ledger(client: Client, settings: Settings, id: str) -> claim.Ledger:
    view = await case_view(client, settings.db_url, id)
    rows = await asyncio.to_thread(expense_rows.rows_of, settings.db_url, view.id)
    return claim.build(view, rows)


def _add(settings: Settings, view: CaseView, actor: Actor, body: ExpenseIn) -> dict[str, Any]:
    now = datetime.now(UTC)
    bill = _bill(body, now.astimezone(SHANGHAI).date(), _file_hash(settings.db_url, view.id, body))
    check_bill(bill)
    accident = view.accident_at.astimezone(SHANGHAI).date()
    if bill.stay and bill.stay.admitted_on < accident:
        raise RuleViolation("admitted_on", "expense.stay_before_accident",
                            f"admitted_on {bill.stay.admitted_on} is before the accident ({accident}): "
                            "a food allowance is for a stay in hospital for this injury")
    _refuse_duplicate(bill, expense_rows.rows_of(settings.db_url, view.id))
    row = ExpenseRow(
        id=bill.entry_id, case_id=view.id, invoice_number=bill.invoice_number,
        invoice_key=stored_invoice_key(bill.kind, bill.invoice_number), hospital=bill.hospital,
        hospital_key=hospital_key(bill.hospital), bill_date=bill.date, amount=bill.amount,
        eligible_amount=body.eligible_amount if bill.kind != "hospital_food" else bill.amount,
        paid_by=bill.paid_by, medical_insurance_amount=bill.medical_insurance_amount,
        slip_total=bill.slip_total, third_party_amount=bill.third_party_amount,
        document_id=body.document_id, file_sha256=bill.file_hash, note=body.note,
        entered_by=actor.name, entered_at=now, kind=bill.kind,
        admitted_on=bill.stay.admitted_on if bill.stay else None,
        discharged_on=bill.stay.discharged_on if bill.stay else None,
        daily_standard=bill.stay.daily_standard if bill.stay else None,
        standard_source=bill.stay.standard_source.strip() if bill.stay else None,
        approval_reference=bill.approval_reference.strip() or None)
    try:
        expense_rows.save(settings.db_url, row)
    except IntegrityError:  # a concurrent entry of the same invoice or file won the race
        _refuse_duplicate(bill, expense_rows.rows_of(settings.db_url, view.id))
        raise
    reviews = [{"entry_id": i.entry_id, "invoice_number": i.invoice_number, "code": i.code,
                "message": i.message} for i in review_items(bill)]
    entry = claim.entry_json(row)
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id=view.id, idempotency_key=f"expense:{row.id}", at=now, actor=actor.name,
        kind="expense_recorded", payload={"entry": entry, "review_items": reviews}))
    return {"entry": entry, "review_items": reviews}


def _approve(settings: Settings, view: CaseView, actor: Actor, entry_id: str,
             reference: str) -> dict[str, Any]:
    if not reference:
        raise RuleViolation("approval_reference", "expense.missing",
                            "approval_reference must not be empty")
    row = expense_rows.approve_travel(settings.db_url, view.id, entry_id, reference)
    if row is None:
        raise ApiError(404, "expense.not_found", f"no entry {entry_id} in {view.id}", "entry_id")
    if row.kind != "travel":
        raise RuleViolation("entry_id", "expense.not_for_kind",
                            f"entry {entry_id} is a {row.kind} entry: a consent is for travel only")
    if row.approval_reference != reference:
        raise ApiError(409, "expense.already_approved",
                       f"entry {entry_id} holds the consent {row.approval_reference} already",
                       "approval_reference", {"approval_reference": row.approval_reference})
    entry = claim.entry_json(row)
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id=view.id, idempotency_key=f"expense-approval:{row.id}", at=datetime.now(UTC),
        actor=actor.name, kind="expense_travel_approved",
        payload={"entry_id": row.id, "approval_reference": reference}))
    reviews = [{"entry_id": i.entry_id, "invoice_number": i.invoice_number, "code": i.code,
                "message": i.message} for i in review_items(claim.to_bill(row))]
    return {"entry": entry, "review_items": reviews}


def _bill(body: ExpenseIn, today: date, file_hash: str | None) -> Bill:
    """The entry as the domain's bill; the fields its kind needs, and only those (RuleViolation)."""
    if body.kind not in KINDS:
        raise RuleViolation("kind", "expense.kind", f"kind: one of {', '.join(KINDS)}")
    _refuse_fields_of_other_kinds(body)
    stay = _stay(body) if body.kind == "hospital_food" else None
    bill_date = stay.discharged_on if stay else body.bill_date
    if stay and body.bill_date is not None and body.bill_date != stay.discharged_on:
        raise RuleViolation("bill_date", "expense.bill_date",
                            f"bill_date {body.bill_date}: a food allowance is dated its discharge "
                            f"day {stay.discharged_on}; leave bill_date empty")
    if bill_date is None:
        raise RuleViolation("bill_date", "expense.missing", "bill_date must not be empty")
    if bill_date > today:
        field = "discharged_on" if stay else "bill_date"
        raise RuleViolation(field, f"{field}.future", f"{field} {bill_date} is in the future")
    amount = body.amount if body.amount is not None else stay.allowance if stay else None
    if amount is None:
        raise RuleViolation("amount", "expense.missing", "amount must not be empty")
    eligible = body.eligible_amount if body.eligible_amount is not None else amount
    return Bill(entry_id=f"exp-{uuid.uuid4().hex}", invoice_number=body.invoice_number,
                hospital=body.hospital, date=bill_date, amount=amount, eligible_amount=eligible,
                paid_by=body.paid_by,  # type: ignore[arg-type]  # check_bill names a bad one
                medical_insurance_amount=body.medical_insurance_amount, slip_total=body.slip_total,
                third_party_amount=body.third_party_amount, file_hash=file_hash,
                kind=body.kind,  # type: ignore[arg-type]  # checked above
                stay=stay, approval_reference=body.approval_reference or "")


def _stay(body: ExpenseIn) -> HospitalStay:
    for name in _STAY_FIELDS:
        if getattr(body, name) in (None, ""):
            raise RuleViolation(name, "expense.stay_missing",
                                f"{name}: a hospital food allowance needs admitted_on, "
                                "discharged_on, daily_standard and standard_source")
    if body.eligible_amount is not None:
        raise RuleViolation("eligible_amount", "expense.not_for_kind",
                            "eligible_amount: a food allowance is the whole days × daily_standard")
    assert body.admitted_on and body.discharged_on and body.daily_standard and body.standard_source
    return HospitalStay(body.admitted_on, body.discharged_on, body.daily_standard,
                        body.standard_source)


def _refuse_fields_of_other_kinds(body: ExpenseIn) -> None:
    """A field that belongs to another kind is refused, not silently dropped."""
    only = dict.fromkeys(_STAY_FIELDS, "hospital_food") | {"approval_reference": "travel"}
    for name, kind in only.items():
        if body.kind != kind and getattr(body, name) not in (None, ""):
            raise RuleViolation(name, "expense.not_for_kind",
                                f"{name}: only for a {kind} entry, not {body.kind}")


def _file_hash(db_url: str, case_id: str, body: ExpenseIn) -> str | None:
    """The bill's file: an uploaded document of this case, or a hash given; both must agree."""
    given = body.file_sha256.lower() if body.file_sha256 else None
    if body.document_id is None:
        return given
    document = document_rows.get(db_url, body.document_id)
    if document is None or document.subject_id != case_id:
        raise RuleViolation("document_id", "expense.document_unknown",
                            f"document {body.document_id} is not a document of {case_id}")
    if given and given != document.sha256:
        raise RuleViolation("file_sha256", "expense.file_mismatch",
                            f"file_sha256 differs from document {document.id}'s {document.sha256}")
    return document.sha256


def _refuse_duplicate(bill: Bill, rows: list[ExpenseRow]) -> None:
    """409 naming the earlier entry (domain check_duplicate) with its id in details."""
    for row in rows:
        try:
            check_duplicate(bill, [claim.to_bill(row)])
        except RuleViolation as dup:
            field = "file_sha256" if dup.field == "file_hash" else dup.field  # the API's name
            raise ApiError(409, dup.code, dup.message, field, {
                "earlier_entry_id": row.id, "invoice_number": row.invoice_number,
                "hospital": row.hospital, "entered_by": row.entered_by,
                "entered_at": row.entered_at.isoformat()}) from None


def _exported(settings: Settings, ledger: claim.Ledger, actor: Actor, fmt: str, content: bytes) -> None:
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id=ledger.view.id, idempotency_key=f"expense-export:{uuid.uuid4()}",
        at=datetime.now(UTC), actor=actor.name, kind="expense_claim_exported",
        payload={"format": fmt, "sha256": hashlib.sha256(content).hexdigest(),
                 "entries": [r.id for r in ledger.rows], "basis": ledger.basis,
                 "totals": claim.totals_json(ledger)}))


def _file(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-SHA256": hashlib.sha256(content).hexdigest()})
