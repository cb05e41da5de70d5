"""Documents of an onboarding or case: upload (content-addressed), list, and download with the
hash."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from api import temporal_calls
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError, file_response
from api.privacy import logged
from api.responses.records import DocumentList, DocumentOut
from api.schemas import PlainText
from domain.shared import documents as rules
from domain.shared.input_rules import check_plain_text
from domain.shared.people import Actor
from settings import Settings
from store import document_rows, evidence
from store.documents import content_store
from store.models import DocumentRow

router = APIRouter(tags=["documents"])
CHUNK = 1024 * 1024
Uploader = Annotated[Actor, require("add_document")]
Reader = Annotated[Actor, require("read")]


@router.post("/api/v1/onboardings/{id}/documents", status_code=201, response_model=DocumentOut)
async def add_document(id: str, actor: Uploader, client: TemporalDep,
                       settings: SettingsDep, kind: Annotated[PlainText, Form()],
                       file: Annotated[UploadFile, File()],
                       note: Annotated[PlainText, Form(max_length=2000)] = "") -> dict[str, Any]:
    """Attach a document (accident report, invoice, courier receipt…); each upload is evidence."""
    return await _add(id, actor, client, settings, kind, file, note)


@router.post("/api/v1/cases/{id}/documents", status_code=201, response_model=DocumentOut,
             summary="Attach a document to a case")
async def add_case_document(id: str, actor: Uploader, client: TemporalDep,
                            settings: SettingsDep, kind: Annotated[PlainText, Form()],
                            file: Annotated[UploadFile, File()],
                            note: Annotated[PlainText, Form(max_length=2000)] = "") -> dict[str, Any]:
    """Attach a document to a case (diagnosis, agreement, courier receipt…); each upload is evidence."""
    if not id.startswith("case-"):
        raise ApiError(404, "case.not_found", f"no case with id {id}", "id")
    return await _add(id, actor, client, settings, kind, file, note)


async def _add(id: str, actor: Actor, client: TemporalDep, settings: Settings, kind: str,
               file: UploadFile, note: str) -> dict[str, Any]:
    rules.check_kind(kind)
    check_plain_text(file.filename or "", "file")
    data = await _read_limited(file, settings.document_max_bytes)
    file_type = rules.detect_type(data[:16])
    await temporal_calls.require_workflow(
        client, id, what="case" if id.startswith("case-") else "onboarding")
    row = await asyncio.to_thread(_store, settings, id, actor, kind, file.filename or "", note,
                                  data, file_type.content_type)
    return _public(row)


@router.get("/api/v1/cases/{id}/documents", response_model=DocumentList,
            summary="The documents of a case")
async def list_case_documents(id: str, actor: Reader, settings: SettingsDep) -> dict[str, Any]:
    """The documents of a case, oldest first (uploads and generated forms)."""
    return await _listed(settings, id)


@router.get("/api/v1/onboardings/{id}/documents", response_model=DocumentList)
async def list_documents(id: str, actor: Reader, settings: SettingsDep) -> dict[str, Any]:
    """The documents of an onboarding, oldest first."""
    return await _listed(settings, id)


async def _listed(settings: Settings, id: str) -> dict[str, Any]:
    rows = await asyncio.to_thread(document_rows.of_subject, settings.db_url, id)
    return {"subject_id": id, "items": [_public(r) for r in rows]}


@router.get("/api/v1/documents/{document_id}", response_class=Response,
            responses=file_response("application/octet-stream", "The file as uploaded (PDF, "
                                    "JPEG, PNG: its own content type)"))
async def get_document(document_id: str, actor: Annotated[Actor, logged("read_document")],
                       settings: SettingsDep) -> Response:
    """The file itself, with its SHA-256; every download is recorded as evidence."""
    row, data = await asyncio.to_thread(_load, settings, document_id, actor)
    return Response(data, media_type=row.content_type, headers={
        "X-Content-SHA256": row.sha256,
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(row.filename)}",
    })


async def _read_limited(file: UploadFile, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := await file.read(CHUNK):
        size += len(chunk)
        rules.check_size(size, limit)
        chunks.append(chunk)
    rules.check_size(size, limit)
    return b"".join(chunks)


def _store(settings: Settings, subject_id: str, actor: Actor, kind: str, filename: str,
           note: str, data: bytes, content_type: str) -> DocumentRow:
    digest = content_store(settings).put(data)
    row = DocumentRow(id=f"doc-{uuid.uuid4().hex}", subject_id=subject_id, kind=kind,
                      filename=filename[:255] or f"{kind}", content_type=content_type,
                      size=len(data), sha256=digest, note=note, uploaded_by=actor.name,
                      uploaded_at=datetime.now(UTC))
    document_rows.add(settings.db_url, row, evidence.NewEntry(
        subject_id=subject_id, idempotency_key=f"document:{row.id}", at=row.uploaded_at,
        actor=actor.name, kind="document_added",
        payload={"document_id": row.id, "kind": kind, "filename": row.filename,
                 "content_type": content_type, "size": row.size, "sha256": digest,
                 "note": note}))
    return row


def _load(settings: Settings, document_id: str, actor: Actor) -> tuple[DocumentRow, bytes]:
    row = document_rows.get(settings.db_url, document_id)
    if row is None:
        raise ApiError(404, "document.not_found", f"no document with id {document_id}",
                       "document_id")
    data = content_store(settings).get(row.sha256)
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id=row.subject_id, idempotency_key=f"viewed:{uuid.uuid4()}",
        at=datetime.now(UTC), actor=actor.name, kind="sensitive_data_viewed",
        payload={"document_id": row.id, "kind": row.kind, "sha256": row.sha256}))
    return row, data


def _public(row: DocumentRow) -> dict[str, Any]:
    body = row.model_dump(mode="json")
    body["url"] = f"/api/v1/documents/{row.id}"
    return body


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
