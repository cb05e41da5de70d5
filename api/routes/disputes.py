"""Dispute history (历史纠纷数据库): past cases ranked by similarity, the list, and a CSV import."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile

from api.deps import SettingsDep, require
from api.errors import ApiError
from api.responses.tools import DisputePage, DisputesImported, SimilarDisputes
from api.schemas import Offset
from api.scoping import CallerScope
from domain.disputes import records
from domain.disputes.similarity import DisputeQuery, DisputeRecord, agreed_summary, normalise, rank
from domain.shared.people import Actor
from settings import Settings
from store import disputes as store
from store import evidence
from store.models import DisputeHistoryRow

router = APIRouter(prefix="/api/v1/disputes", tags=["disputes"])
IMPORT_SUBJECT = "disputes-import"
MAX_CSV_BYTES = 2 * 1024 * 1024
CHUNK = 256 * 1024
Reader = Annotated[Actor, require("read")]


@router.get("/similar", response_model=SimilarDisputes,
            summary="Past disputes ranked by similarity to a case")
def similar(actor: Reader, scope: CallerScope, settings: SettingsDep,
            injury: Annotated[str, Query(max_length=500)] = "",
            grade: Annotated[int | None, Query(ge=1, le=10)] = None,
            si_enrolled: bool | None = None, region: Annotated[str | None, Query(max_length=40)] = None,
            traffic_accident: bool | None = None,
            limit: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
    """Past cases most like this one, with what was offered, demanded and agreed, how long it took
    and how it ended, so HR can prepare a negotiation. Scoring (domain.disputes): same grade
    weighs most, adjacent grades count partly, then injury wording (character bigrams and body-part
    keywords), SI status at the time, region and traffic accident; criteria left out do not count.
    A manager searches the imported disputes and the finished cases of their departments.
    """
    query = DisputeQuery(injury=injury, grade=grade, si_enrolled=si_enrolled, region=region,
                         traffic_accident=traffic_accident)
    if not normalise(injury) and grade is None and si_enrolled is None:
        raise ApiError(422, "query.empty", "give at least one of injury, grade or si_enrolled",
                       "injury")
    rows = {_key(r): r for r in store.all_rows(settings.db_url, scope)}
    matches = rank(query, (_record(r) for r in rows.values()), limit)
    items = [{"score": m.score, "match": m.parts, **_public(rows[m.key])} for m in matches]
    return {"query": {"injury": injury, "grade": grade, "si_enrolled": si_enrolled,
                      "region": region, "traffic_accident": traffic_accident},
            "searched": len(rows), "items": items,
            "summary": agreed_summary(rows[m.key].agreed_amount for m in matches)}


@router.get("", response_model=DisputePage, summary="The dispute history, newest first")
def list_disputes(actor: Reader, scope: CallerScope, settings: SettingsDep,
                  source: Literal["case", "import"] | None = None,
                  grade: Annotated[int | None, Query(ge=1, le=10)] = None,
                  offset: Offset = 0,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    """Finished cases and imported past disputes; filter by source or grade. A manager sees
    the imported ones and the finished cases of their departments."""
    total, rows = store.page(settings.db_url, offset=offset, limit=limit, source=source,
                             grade=grade, scope=scope)
    return {"total": total, "offset": offset, "limit": limit, "items": [_public(r) for r in rows]}


@router.post("/import", status_code=201, response_model=DisputesImported,
             summary="Import past disputes from a CSV file")
async def import_disputes(actor: Annotated[Actor, require("import_disputes")],
                          settings: SettingsDep,
                          file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    """Import closed past disputes from a CSV (UTF-8, or GB18030 as Excel saves it; max 2 MiB,
    5000 rows). The first line is the header; columns in any order, names as below. Required:
    injury, si_enrolled, outcome. Optional: reference, accident_on, closed_on (ISO YYYY-MM-DD),
    region, cause, location, traffic_accident, recognised, no_disability (true/false, yes/no, 1/0,
    是/否), grade (1-10 or empty), suspension_months (0-24), employer_offers, employee_demands
    (amounts separated by ';'), agreed_amount, paid_amount (yuan, ≥ 0, at most two decimals),
    duration_days (computed from the two dates when empty), notes.

    Every row is checked first: one bad cell and nothing is imported (422 `csv.invalid`, `field`
    like `rows[3].grade`, row 1 being the first after the header; `details.errors` lists them).
    The same file twice is refused (409). The import is recorded in the evidence ledger (subject
    `disputes-import`, kind `disputes_imported`, with the batch id, row count and SHA-256).
    """
    content = await _read_limited(file)
    return await asyncio.to_thread(_import, settings, actor, file.filename or "", content)


def _import(settings: Settings, actor: Actor, filename: str, content: bytes) -> dict[str, Any]:
    digest = hashlib.sha256(content).hexdigest()
    try:
        parsed = records.parse_csv(records.decode(content))
    except records.CsvInvalid as exc:
        first = exc.errors[0]
        where = f"row {first.row}, {first.column}" if first.row else first.column
        raise ApiError(422, "csv.invalid", f"{where}: {first.message}; nothing was imported",
                       first.field, {"errors": [_error(e) for e in exc.errors]}) from None
    earlier = store.find_import(settings.db_url, digest)
    if earlier is not None:
        raise ApiError(409, "csv.already_imported", f"this file was imported as {earlier}", "file",
                       {"batch_id": earlier, "sha256": digest})
    batch_id, now = f"imp-{uuid.uuid4().hex[:16]}", datetime.now(UTC)
    count = store.import_batch(settings.db_url, batch_id, digest, parsed, actor.name, now)
    try:
        entry, _ = evidence.append(settings.db_url, evidence.NewEntry(
            subject_id=IMPORT_SUBJECT, idempotency_key=f"{IMPORT_SUBJECT}:{batch_id}", at=now,
            actor=actor.name, kind="disputes_imported",
            payload={"batch_id": batch_id, "rows": count, "sha256": digest, "filename": filename,
                     "size": len(content)}))
    except Exception:
        store.delete_batch(settings.db_url, batch_id)  # no rows without their evidence
        raise
    return {"batch_id": batch_id, "rows": count, "sha256": digest,
            "evidence": {"subject_id": IMPORT_SUBJECT, "seq": entry.seq,
                         "entry_hash": entry.entry_hash}}


async def _read_limited(file: UploadFile) -> bytes:
    chunks, size = [], 0
    while chunk := await file.read(CHUNK):
        size += len(chunk)
        if size > MAX_CSV_BYTES:
            raise ApiError(413, "csv.too_large", f"the limit is {MAX_CSV_BYTES} bytes", "file")
        chunks.append(chunk)
    if not size:
        raise ApiError(422, "csv.invalid", "the file is empty; nothing was imported", "file")
    return b"".join(chunks)


def _error(e: records.RowError) -> dict[str, Any]:
    return {"row": e.row, "line": e.line, "field": e.field, "code": e.code, "message": e.message}


def _key(row: DisputeHistoryRow) -> str:
    return f"{row.id:012d}"  # ties go to the older record, numerically


def _record(row: DisputeHistoryRow) -> DisputeRecord:
    return DisputeRecord(key=_key(row), injury=row.injury, grade=row.grade,
                         si_enrolled=row.si_enrolled, region=row.region or None,
                         traffic_accident=row.traffic_accident)


def _public(row: DisputeHistoryRow) -> dict[str, Any]:
    return row.model_dump(mode="json", exclude={"import_sha256"})
