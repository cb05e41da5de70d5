"""The SI accounts (社保缴费): open a region's account, record a month paid with its voucher, read
the month watched now and the payments on file."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel, Field
from temporalio.client import Client

from api import temporal_calls
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError
from api.refusals import Attempt
from api.responses.records import DocumentOut
from api.routes.documents import _add as add_document
from api.schemas import Body, PlainText
from domain.contributions.payloads import AccountInput, AccountView, RecordPayment
from domain.contributions.policy import deadline_rule
from domain.contributions.rules import account_id, month_deadline, next_period, period_of
from domain.shared.calendar import SHANGHAI
from domain.shared.calendar_sources import official_calendar
from domain.shared.errors import RuleViolation
from domain.shared.people import Actor
from settings import Settings
from store import calendar as stored_calendar
from store import contributions, document_rows

router = APIRouter(prefix="/api/v1/si-accounts", tags=["si-accounts"])


class AccountOpen(Body):
    region: str = Field(min_length=1, max_length=40)


class PaymentIn(Body):
    """A month's contributions as the tax bureau's voucher (缴款凭证) shows them."""

    period: str = Field(description="the month paid, YYYY-MM")
    amount: Decimal = Field(description="yuan, as on the voucher")
    paid_on: date
    reference: str = Field(min_length=1, max_length=80, description="the voucher's number")
    documents: list[str] = Field(min_length=1, max_length=20,
                                 description="the voucher, uploaded to this account first")
    employees: list[str] = Field(default=[], max_length=100_000,
                                 description="employee ids it covers; none: every insured one")
    note: str = Field(default="", max_length=2000)


class PaymentOut(BaseModel):
    period: str
    amount: Decimal
    paid_on: date
    reference: str
    documents: list[str]
    employees: int | str
    days_late: int
    late_fee: Decimal
    source: str
    recorded_by: str
    recorded_at: datetime


class AccountOut(BaseModel):
    id: str
    region: str
    period: str
    status: str
    deadline: dict[str, Any]
    events: list[dict[str, Any]]
    payments: list[PaymentOut]
    now: datetime


@router.post("", status_code=201, response_model=AccountOut)
async def open_account(body: AccountOpen, request: Request,
                       actor: Annotated[Actor, require("open_si_account")],
                       client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Open the company's SI account in a region: from now on each month's payment deadline is
    watched (the first month whose deadline is still ahead)."""
    region = body.region.strip().lower()
    if region not in request.app.state.policy.regions():
        raise RuleViolation("region", "region.unknown", f"region {body.region!r} is unknown; "
                            f"known regions: {', '.join(request.app.state.policy.regions())}")
    calendar = official_calendar(await asyncio.to_thread(stored_calendar.loaded_years,
                                                         settings.db_url))
    rule = deadline_rule(region)
    now = datetime.now(UTC)
    period = period_of(now.astimezone(SHANGHAI).date())
    if month_deadline(period, rule, calendar).due_at <= now:
        period = next_period(period)
    workflow_id = account_id(region)
    await temporal_calls.start(
        client, "SiAccount", AccountInput(region=region, period=period, rule=rule,
                                          calendar=calendar, time_scale=settings.time_scale,
                                          opened_by=actor.name),
        workflow_id=workflow_id, task_queue=settings.task_queue,
        exists=ApiError(409, "account.exists", f"the {region} account is open already", "region"))
    return await _account(client, workflow_id, settings)


@router.get("/{region}", response_model=AccountOut)
async def read_account(region: str, actor: Annotated[Actor, require("read_si_account")],
                       client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """The month watched now, its deadline (with its source and whether it is verified), the
    account's events of this month and the payments on file, newest first."""
    return await _account(client, account_id(region), settings)


@router.post("/{region}/documents", status_code=201, response_model=DocumentOut)
async def add_voucher(region: str, actor: Annotated[Actor, require("record_si_payment")],
                      client: TemporalDep, settings: SettingsDep,
                      kind: Annotated[PlainText, Form()], file: Annotated[UploadFile, File()],
                      note: Annotated[PlainText, Form(max_length=2000)] = "") -> dict[str, Any]:
    """Upload a payment voucher (kind payment_voucher) to the account; each upload is evidence."""
    return await add_document(account_id(region), actor, client, settings, kind, file, note)


@router.post("/{region}/payments", response_model=AccountOut)
async def record_payment(region: str, body: PaymentIn,
                         actor: Annotated[Actor, require("record_si_payment")],
                         client: TemporalDep, settings: SettingsDep) -> dict[str, Any]:
    """Record a month paid: on time it confirms the month; late it is a back payment (补缴) that
    clears 中断 for the employees it covers, its late fee priced as of the day paid."""
    workflow_id = account_id(region)
    await asyncio.to_thread(_check_vouchers, settings, workflow_id, body.documents)
    payment = RecordPayment(actor=actor, period=body.period, amount=body.amount,
                            paid_on=body.paid_on, reference=body.reference,
                            documents=tuple(body.documents), employees=tuple(body.employees),
                            note=body.note)
    await temporal_calls.update(client, workflow_id, "record_payment", payment, AccountView,
                                what="account",
                                attempt=Attempt(settings.db_url, workflow_id, actor,
                                                "record_si_payment"))
    return await _account(client, workflow_id, settings)


def _check_vouchers(settings: Settings, workflow_id: str, documents: list[str]) -> None:
    for n, document_id in enumerate(documents):
        row = document_rows.get(settings.db_url, document_id)
        if row is None or row.subject_id != workflow_id or row.kind != "payment_voucher":
            raise RuleViolation(f"documents[{n}]", "documents.not_a_voucher",
                                f"no payment voucher {document_id} of {workflow_id}: upload it "
                                "first (POST …/documents, kind payment_voucher)")


async def _account(client: Client, workflow_id: str, settings: Settings) -> dict[str, Any]:
    view = await temporal_calls.query(client, workflow_id, AccountView, what="account")
    payments = await asyncio.to_thread(contributions.payments_of, settings.db_url, workflow_id)
    d = view.deadline
    return {
        "id": view.id, "region": view.region, "period": view.period, "status": view.status,
        "now": view.now,
        "deadline": {"period": d.period, "due_at": d.due_at.isoformat(),
                     "due_at_beijing": d.due_at.astimezone(SHANGHAI).isoformat(),
                     "reminder_at": d.reminder_at.isoformat(), "source": d.source,
                     "verified": d.verified, "calendar_verified": d.calendar_verified,
                     "article": d.article},
        "events": [{"seq": e.seq, "at": e.at.isoformat(), "kind": e.kind, "actor": e.actor,
                    **e.data} for e in view.events],
        "payments": [{**p.model_dump(), "employees": len(p.employees) or "all"}
                     for p in payments],
    }
