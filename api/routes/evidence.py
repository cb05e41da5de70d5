"""The evidence ledger of an onboarding or case: its entries, and a verification of the hash chain."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlmodel import col, select
from temporalio.service import RPCError

from api.bundle import BundleInput, build_bundle
from api.deps import CurrentPrincipal, SettingsDep, TemporalDep
from api.errors import ApiError, from_rpc
from domain import onboarding_rules as rules
from domain.onboarding import Actor, OnboardingView
from settings import Settings
from store import evidence
from store.db import session_for
from store.documents import LocalContentStore
from store.models import DocumentRow

router = APIRouter(prefix="/api/v1/onboardings", tags=["evidence"])
case_router = APIRouter(prefix="/api/v1/cases", tags=["evidence"])


@router.get("/{id}/evidence")
async def list_evidence(id: str, actor: CurrentPrincipal, settings: SettingsDep,
                        offset: int = Query(0, ge=0),
                        limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    """The subject's ledger entries in chain order, with their hashes."""
    rules.check_role("read", actor)
    total, rows = await asyncio.to_thread(evidence.page, settings.db_url, id, offset=offset,
                                          limit=limit)
    if total == 0:
        raise ApiError(404, "evidence.not_found", f"no evidence recorded for {id}", "id")
    return {"subject_id": id, "total": total, "offset": offset, "limit": limit,
            "items": [row.model_dump(mode="json", exclude={"id"}) for row in rows]}


@router.get("/{id}/evidence/verify")
async def verify_evidence(id: str, actor: CurrentPrincipal,
                          settings: SettingsDep) -> dict[str, Any]:
    """Recompute the hash chain; a broken chain names the first entry that no longer agrees."""
    rules.check_role("read", actor)
    result = await asyncio.to_thread(evidence.verify, settings.db_url, id)
    if result.entries == 0:
        raise ApiError(404, "evidence.not_found", f"no evidence recorded for {id}", "id")
    return {"subject_id": id, "valid": result.valid, "entries": result.entries,
            "head": result.head, "first_broken_seq": result.first_broken_seq,
            "reason": result.reason}


case_router.add_api_route("/{id}/evidence", list_evidence, methods=["GET"],
                          summary="The case's ledger entries in chain order")
case_router.add_api_route("/{id}/evidence/verify", verify_evidence, methods=["GET"],
                          summary="Recompute the case's hash chain")


async def record_refusal(db_url: str, subject_id: str, actor: Actor, action: str,
                         error: ApiError) -> None:
    """A refused HR action leaves no trace in Temporal, so the ledger keeps who tried what, and why.

    Only for a subject the ledger already knows: a refusal never creates a subject of its own.
    """
    if not await asyncio.to_thread(evidence.has_subject, db_url, subject_id):
        return
    entry = evidence.NewEntry(
        subject_id=subject_id, idempotency_key=f"refused:{uuid.uuid4()}", at=datetime.now(UTC),
        actor=actor.name, kind="action_refused",
        payload={"action": action, "role": actor.role, "status": error.status,
                 "code": error.code, "message": error.message, "field": error.field})
    await asyncio.to_thread(evidence.append, db_url, entry)


@router.get("/{id}/bundle")
async def export_bundle(id: str, actor: CurrentPrincipal, client: TemporalDep,
                        settings: SettingsDep) -> Response:
    """A ZIP an arbitrator can read: Chinese PDF timeline, ledger, documents, manifest of hashes."""
    rules.check_role("export_bundle", actor)
    try:
        view = await client.get_workflow_handle(id).query("status", result_type=OnboardingView)
    except RPCError as exc:
        raise from_rpc(exc, id) from None
    content = await asyncio.to_thread(_bundle, settings, view, actor)
    return Response(content, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{id}-evidence.zip"',
        "X-Content-SHA256": hashlib.sha256(content).hexdigest()})


def _bundle(settings: Settings, view: OnboardingView, actor: Actor) -> bytes:
    try:
        font = settings.cjk_font()
    except RuntimeError as exc:
        raise ApiError(503, "bundle.font_missing", str(exc)) from None
    _, entries = evidence.page(settings.db_url, view.id, limit=1_000_000)
    store = LocalContentStore(settings.documents_dir)
    with session_for(settings.db_url) as session:
        rows = session.exec(select(DocumentRow).where(DocumentRow.subject_id == view.id)
                            .order_by(col(DocumentRow.uploaded_at))).all()
    content = build_bundle(BundleInput(
        view=view, entries=entries, verification=evidence.verify(settings.db_url, view.id),
        documents=[(row, store.get(row.sha256)) for row in rows], generated_by=actor.name,
        font=font))
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id=view.id, idempotency_key=f"bundle:{uuid.uuid4()}", at=datetime.now(UTC),
        actor=actor.name, kind="bundle_exported",
        payload={"sha256": hashlib.sha256(content).hexdigest(), "entries": len(entries)}))
    return content
