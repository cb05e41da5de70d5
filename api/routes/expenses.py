"""The medical-expense ledger of a case: bills, who owes what after recognition, the claim statement."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
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
    Bill,
    check_bill,
    check_duplicate,
    hospital_key,
    invoice_key,
    review_items,
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
    """A medical bill: the invoice, who paid at the time, and the medical-insurance settlement slip."""

    invoice_number: str = Field(max_length=60)
    hospital: str = Field(max_length=200)
    bill_date: date
    amount: Money
    eligible_amount: Money | None = Field(default=None, description="within the injury catalogues; "
                                          "unknown: the whole amount, flagged in the ledger")
    paid_by: str = Field(max_length=30, description="medical_insurance_card, employee or employer")
    medical_insurance_amount: Money = Decimal("0.00")
    slip_total: Money | None = Field(default=None, description="total shown on the settlement slip")
    third_party_amount: Money = Decimal("0.00")
    document_id: str | None = Field(default=None, max_length=40)
    file_sha256: str | None = Field(default=None, pattern="^[0-9a-fA-F]{64}$")
    note: str = Field(default="", max_length=2000)


Reader = Annotated[Actor, logged("read")]  # every read is in the access log


@router.post("/{id}/expenses", status_code=201, response_model=ExpenseRecorded)
async def add_expense(id: str, body: ExpenseIn,
                      actor: Annotated[Actor, require("record_expense", record_refusal=True)],
                      client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Enter a bill; a duplicate invoice or file is refused naming the earlier entry (409)."""
    attempt = Attempt(settings.db_url, id, actor, "record_expense")
    try:
        view = await case_view(client, settings.db_url, id)
        return await asyncio.to_thread(_add, settings, view, actor, body)
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
    if body.bill_date > now.astimezone(SHANGHAI).date():
        raise RuleViolation("bill_date", "bill_date.future", f"bill_date {body.bill_date} is in the future")
    file_hash = _file_hash(settings.db_url, view.id, body)
    bill = Bill(entry_id=f"exp-{uuid.uuid4().hex}", invoice_number=body.invoice_number,
                hospital=body.hospital, date=body.bill_date, amount=body.amount,
                eligible_amount=body.amount if body.eligible_amount is None else body.eligible_amount,
                paid_by=body.paid_by,  # type: ignore[arg-type]  # check_bill names a bad one
                medical_insurance_amount=body.medical_insurance_amount, slip_total=body.slip_total,
                third_party_amount=body.third_party_amount, file_hash=file_hash)
    check_bill(bill)
    _refuse_duplicate(bill, expense_rows.rows_of(settings.db_url, view.id))
    row = ExpenseRow(
        id=bill.entry_id, case_id=view.id, invoice_number=bill.invoice_number,
        invoice_key=invoice_key(bill.invoice_number), hospital=bill.hospital,
        hospital_key=hospital_key(bill.hospital), bill_date=bill.date, amount=bill.amount,
        eligible_amount=body.eligible_amount, paid_by=bill.paid_by,
        medical_insurance_amount=bill.medical_insurance_amount, slip_total=bill.slip_total,
        third_party_amount=bill.third_party_amount, document_id=body.document_id,
        file_sha256=file_hash, note=body.note, entered_by=actor.name, entered_at=now)
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
