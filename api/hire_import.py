"""A bulk registration of hires (CSV or XLSX): every row checked first with the single
registration's rules, nothing registered if one row is bad, then each row registered as
POST /api/v1/onboardings registers it. A retried import registers nobody twice: a row whose
employment is registered already is reported so, not again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import State
from temporalio.client import Client

from api import hires, tables
from api.errors import ApiError
from api.schemas import OnboardingCreate
from domain.employees import roster
from domain.employees.roster import RowError, TableInvalid
from domain.shared.errors import ActionRefused, RuleViolation
from domain.shared.ids import employee_id_of
from domain.shared.people import Actor
from settings import Settings
from store import employees


@dataclass(frozen=True)
class Row:
    number: int  # 1: the first row after the header
    line: int
    hire: hires.Hire
    registered_already: bool


async def import_hires(filename: str, content: bytes, actor: Actor, client: Client,
                       settings: Settings, state: State) -> dict[str, Any]:
    """Check every row, then register each; the answer lists every row's outcome."""
    rows = await _checked_rows(filename, content, actor, settings, state)
    items = []
    for row in rows:
        outcome, onboarding = "already_registered", ""
        if not row.registered_already:
            try:
                view = await hires.register(row.hire, client, settings, state)
                outcome, onboarding = "registered", view.id
            except ApiError as error:
                if error.code != "onboarding.exists":
                    raise
                onboarding = str(error.details.get("id", ""))
        if not onboarding:
            onboarding = await asyncio.to_thread(_registered_onboarding, settings, row)
        items.append({"row": row.number, "employee_id": employee_id_of(onboarding),
                      "onboarding_id": onboarding, "outcome": outcome})
    return {"rows": len(items), "items": items,
            "registered": sum(i["outcome"] == "registered" for i in items),
            "already_registered": sum(i["outcome"] == "already_registered" for i in items)}


async def _checked_rows(filename: str, content: bytes, actor: Actor, settings: Settings,
                        state: State) -> list[Row]:
    try:
        table = await asyncio.to_thread(tables.read_rows, filename, content)
        columns = roster.check_header([roster.cell_text(c) for c in table[0][1]])
    except TableInvalid as invalid:
        raise _invalid(invalid.errors) from None
    calendar = await hires.pinned_calendar(settings)
    now = hires.now_utc()
    bodies = {n: roster.registration_of(columns, cells)
              for n, (_, cells) in enumerate(table[1:], 1)}
    lines = {n: line for n, (line, _) in enumerate(table[1:], 1)}
    errors = roster.duplicates(bodies, lines)
    checked: dict[int, hires.Hire] = {}
    for n, body in bodies.items():
        try:
            checked[n] = hires.checked(OnboardingCreate.model_validate(body), actor, state,
                                       calendar, now)
        except ValidationError as invalid:
            first = invalid.errors()[0]
            column = roster.field_of(first["loc"])
            errors.append(RowError(n, lines[n], roster.row_field(n, column),
                                   f"invalid.{first['type']}", f"{column}: {first['msg']}"))
        except RuleViolation as broken:
            column = roster.field_of(broken.field.split("."))
            errors.append(RowError(n, lines[n], roster.row_field(n, column), broken.code,
                                   broken.message))
    rows: list[Row] = []
    for n, hire in checked.items():
        try:
            already = await asyncio.to_thread(employees.check_registration, settings.db_url,
                                              hire.input.employee)
            rows.append(Row(n, lines[n], hire, already))
        except ActionRefused as refused:
            column = roster.field_of(refused.field.split("."))
            errors.append(RowError(n, lines[n], roster.row_field(n, column), refused.code,
                                   refused.message))
    if errors:
        raise _invalid(sorted(errors, key=lambda e: (e.row, e.field)))
    return rows


def _registered_onboarding(settings: Settings, row: Row) -> str:
    """The onboarding of a row registered by an earlier import (its open employment's)."""
    found = employees.upsert_from_registration(
        settings.db_url, row.hire.input.employee, hire_date=row.hire.input.hire_date,
        region=row.hire.input.region, contract_start=row.hire.body.contract_start,
        contract_end=row.hire.body.contract_end, at=row.hire.now)
    return found.onboarding_id


def _invalid(errors: list[RowError]) -> ApiError:
    first = errors[0]
    return ApiError(422, "import.invalid", f"{first.field}: {first.message}; nothing was imported"
                    + (f" ({len(errors)} errors in all)" if len(errors) > 1 else ""),
                    first.field, {"errors": [
                        {"row": e.row, "line": e.line, "field": e.field, "code": e.code,
                         "message": e.message} for e in errors]})
