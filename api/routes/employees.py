"""The employee record (员工档案): the list (JSON, CSV, XLSX), one person across re-hires, and a
bulk registration of hires. A manager reads the people of their departments, masked; every read
is in the access log. (GET /api/v1/employees/{employee_id}/export is the PIPL export: api/routes/
subject_rights.py.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response

from api import contract_watch, hire_import, tables
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError
from api.privacy import logged, masked_reader
from api.responses.employees import ContractRecorded, EmployeeDetail, EmployeePage, HiresImported
from api.routes import written_contracts
from api.schemas import ContractIn, Offset
from api.scoping import CallerScope
from domain.employees import roster, self_service
from domain.employees.from_onboarding import local_date
from domain.employees.si_status import LABELS, SiStatus
from domain.shared.errors import RuleViolation
from domain.shared.ids import check_employee_id
from domain.shared.input_rules import check_plain_text
from domain.shared.masking import masked
from domain.shared.people import Actor
from store import employee_reads, employees, leave_corrections
from store.scoping import within

router = APIRouter(prefix="/api/v1/employees", tags=["employees"])
MAX_IMPORT_BYTES = 5 * 1024 * 1024
CHUNK = 64 * 1024
_FILES: dict[int | str, dict[str, Any]] = {200: {
    "description": "The list as JSON, or as a CSV (UTF-8 with BOM) or XLSX file",
    "content": {"application/json": {}, tables.CSV_MEDIA: {}, tables.XLSX_MEDIA: {}}}}


@router.get("", response_model=EmployeePage, responses=_FILES)
async def list_employees(actor: Annotated[Actor, logged("read")], scope: CallerScope,
                         settings: SettingsDep, request: Request,
                         department: str | None = Query(None, max_length=80),
                         si_status: SiStatus | None = None, active: bool | None = None,
                         format: Literal["json", "csv", "xlsx"] = "json",
                         limit: int = Query(50, ge=1, le=500),
                         offset: Offset = 0) -> Any:
    """People by employee id, each with their latest employment and the SI status in force
    today (未参保/参保/正常缴费/中断/停保); filters: department, si_status, active (employed now). A
    manager's: of their departments only, masked. `format=csv|xlsx`: every matching person as a
    file (limit and offset do not apply), cells that a spreadsheet would run made text."""
    if department is not None:
        check_plain_text(department, "department")
    filters = employee_reads.Filters(visible=within(scope, employees.EMPLOYEES.c.department),
                                     today=local_date(datetime.now(UTC)), department=department,
                                     si_status=si_status, active=active)
    whole = format == "json"
    total, rows = await asyncio.to_thread(employee_reads.listing, settings.db_url, filters,
                                          limit if whole else None, offset if whole else 0)
    items = [_item(r) for r in rows]
    if whole:
        return {"total": total, "limit": limit, "offset": offset, "items": items}
    return _file(format, masked(items) if masked_reader(request.scope) else items)


def _item(row: dict[str, Any]) -> dict[str, Any]:
    status = row.get("si_status")
    return {**row, "si_status_label": LABELS[SiStatus(status)] if status else None}


def _file(format: str, items: list[dict[str, Any]]) -> Response:
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    rows = [roster.export_row(i) for i in items]
    if format == "csv":
        content, media = tables.csv_bytes(roster.export_header(), rows), tables.CSV_MEDIA
    else:
        content = tables.xlsx_bytes("employees", roster.export_header(), rows)
        media = tables.XLSX_MEDIA
    return Response(content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="employees-{stamp}.{format}"'})


@router.post("/import", status_code=201, response_model=HiresImported,
             summary="Register hires from a CSV or XLSX file")
async def import_hires(actor: Annotated[Actor, require("register")], client: TemporalDep,
                       settings: SettingsDep, request: Request,
                       file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    """Register many hires at once from a CSV (UTF-8 or GB18030) or an XLSX (first sheet); max
    5 MiB, 5000 rows. The first line is the header, columns in any order, named in English or
    Chinese: employee_id 工号, name 姓名, id_number 身份证号, phone 手机, email 邮箱, department
    部门, manager_name 直属上级, manager_phone 上级手机, manager_email 上级邮箱, emergency_name
    紧急联系人, emergency_relation 紧急联系人关系, emergency_phone 紧急联系人电话, hire_date 入职日期
    (YYYY-MM-DD), region 参保地, contribution_base 缴费基数, contract_start 合同开始日期,
    contract_end 合同结束日期.

    Every row is checked first, with the rules of POST /api/v1/onboardings and the employee
    record's (an ID number on file under another name: employee.identity_conflict): one bad row
    and nothing is registered (422 `import.invalid`, `field` like `rows[12].id_number`, row 1
    being the first after the header; `details.errors` lists every error with its line). Then
    each row is registered as a single registration would be. Importing the same file again
    registers nobody twice: those rows answer `already_registered`."""
    content = await _read_limited(file)
    return await hire_import.import_hires(file.filename or "", content, actor, client, settings,
                                          request.app.state)


async def _read_limited(file: UploadFile) -> bytes:
    chunks, size = [], 0
    while chunk := await file.read(CHUNK):
        size += len(chunk)
        if size > MAX_IMPORT_BYTES:
            raise ApiError(413, "import.too_large", f"the limit is {MAX_IMPORT_BYTES} bytes",
                           "file")
        chunks.append(chunk)
    if not size:
        raise ApiError(422, "import.invalid", "the file is empty; nothing was imported", "file")
    return b"".join(chunks)


async def _in_scope(employee_id: str, actor: Annotated[Actor, require("read")],
                    scope: CallerScope, settings: SettingsDep) -> employees.EmployeeRecord:
    """The person, when of a department the caller sees; else the 404 of an unknown id, before
    the access log records anything (nothing was read)."""
    try:
        check_employee_id(employee_id, field="employee_id")
    except RuleViolation:  # no such id can be on file; and PostgreSQL refuses a NUL outright
        raise ApiError(404, "employee.not_found", f"no employee with id {employee_id}",
                       "employee_id") from None
    record = await asyncio.to_thread(employees.record_of, settings.db_url, employee_id)
    if record is None or not scope.sees(record.person.department):
        raise ApiError(404, "employee.not_found", f"no employee with id {employee_id}",
                       "employee_id")
    return record


@router.get("/{employee_id}", response_model=EmployeeDetail)
async def get_employee(employee_id: str,
                       record: Annotated[employees.EmployeeRecord, Depends(_in_scope)],
                       actor: Annotated[Actor, logged("read")], settings: SettingsDep,
                       request: Request, client: TemporalDep) -> dict[str, Any]:
    """The person once, across re-hires: contacts, department, each employment (hire to leave,
    contract dates, its onboarding), the SI status timeline with the ledger entry each change
    cites, their onboardings, cases, notices and documents, and `deadlines`: each employment's
    written contract (LCL art. 10) with its status and double wage so far. A manager: of their
    departments only (else 404, as an unknown id), masked, without documents or deadlines."""
    held = await asyncio.to_thread(employee_reads.related, settings.db_url, employee_id,
                                   [c.evidence_key for c in record.timeline])
    now = await asyncio.to_thread(employees.current, settings.db_url, employee_id)
    corrections = await asyncio.to_thread(leave_corrections.of, settings.db_url, employee_id)
    person = record.person
    return {
        **person.model_dump(exclude={"created_at", "updated_at"}),
        "bank_account": self_service.shown("bank_account", person.bank_account,
                                           whole=not masked_reader(request.scope)),
        "active": any(e.leave_date is None for e in record.employments),
        "si_status": now.si_status.value if now and now.si_status else None,
        "si_status_label": LABELS[now.si_status] if now and now.si_status else None,
        "employments": [{**e.model_dump(), "leave_corrections": [
            {**c, "reason": None if masked_reader(request.scope) else c["reason"]}
            for c in corrections.get(e.seq, [])]} for e in record.employments],
        "si_timeline": [{**c.model_dump(), "label": LABELS[SiStatus(c.status)],
                         "evidence": held["evidence"].get(c.evidence_key)}
                        for c in record.timeline],
        "onboardings": held["onboardings"], "cases": held["cases"], "notices": held["notices"],
        "documents": [] if masked_reader(request.scope) else held["documents"],
        "deadlines": [] if masked_reader(request.scope) else
        await written_contracts.deadlines_of(client, record),
    }


@router.put("/{employee_id}/contract", response_model=ContractRecorded)
async def record_contract(employee_id: str, body: ContractIn,
                          actor: Annotated[Actor, require("register")], client: TemporalDep,
                          settings: SettingsDep) -> dict[str, Any]:
    """Record the labour contract of the open employment (合同); a new contract start with no SI
    enrolment yet is watched: 30 days on, if the record still shows none, HR and the HR manager
    are alerted (contract_si_mismatch, SIL art. 58; LCL art. 10)."""
    return await contract_watch.record_contract(client, settings, check_employee_id(
        employee_id, "employee_id"), body.contract_start, body.contract_end, actor.name)
