"""The evidence ledger of an onboarding or case: its entries, and a verification of the hash chain."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api import temporal_calls
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError, file_response
from api.privacy import logged
from api.responses.records import EvidencePage, VerificationOut
from api.schemas import Offset
from domain.injury.payloads import CaseInput
from domain.injury.views import CaseView
from domain.onboarding.state import OnboardingView
from domain.shared.errors import RuleViolation
from domain.shared.evidence import verify_chain
from domain.shared.ids import CASE_PREFIX, ONBOARDING_PREFIX, case_id_of, employee_id_of
from domain.shared.people import Actor
from render.bundle import (
    BundleEvidence,
    BundleInput,
    CaseBundleInput,
    NoticeLine,
    build_bundle,
    build_case_bundle,
    notice_line,
)
from render.onboarding_link import linked_onboarding_files
from settings import Settings
from store import document_rows, evidence, timestamps
from store import notices as notice_store
from store.documents import content_store

router = APIRouter(prefix="/api/v1/onboardings", tags=["evidence"])
case_router = APIRouter(prefix="/api/v1/cases", tags=["evidence"])


Reader = Annotated[Actor, require("read")]
LoggedReader = Annotated[Actor, logged("read")]  # the ledger holds the events' data
Exporter = Annotated[Actor, logged("export_bundle")]
# The bundle's language: Chinese for an arbitrator or a court; English only on request.
BundleLang = Annotated[Literal["zh", "en"], Query(
    description="zh (default): the bundle in Chinese for its reader; en: in English")]


@router.get("/{id}/evidence", response_model=EvidencePage)
async def list_evidence(id: str, actor: LoggedReader, settings: SettingsDep,
                        offset: Offset = 0,
                        limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    """The onboarding's ledger entries in chain order, with their hashes."""
    _id_kind(id, ONBOARDING_PREFIX, "onboarding", other="cases", route="evidence")
    return await _ledger_page(id, settings, offset, limit)


@case_router.get("/{id}/evidence", response_model=EvidencePage)
async def list_case_evidence(id: str, actor: LoggedReader, settings: SettingsDep,
                             offset: Offset = 0,
                             limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    """The case's ledger entries in chain order, with their hashes."""
    _id_kind(id, CASE_PREFIX, "case", other="onboardings", route="evidence")
    return await _ledger_page(id, settings, offset, limit)


async def _ledger_page(id: str, settings: Settings, offset: int, limit: int) -> dict[str, Any]:
    total, rows = await asyncio.to_thread(evidence.page, settings.db_url, id, offset=offset,
                                          limit=limit)
    if total == 0:
        raise ApiError(404, "evidence.not_found", f"no evidence recorded for {id}", "id")
    return {"subject_id": id, "total": total, "offset": offset, "limit": limit,
            "items": [row.model_dump(mode="json", exclude={"id"}) for row in rows]}


@router.get("/{id}/evidence/verify", response_model=VerificationOut)
async def verify_evidence(id: str, actor: Reader, settings: SettingsDep) -> dict[str, Any]:
    """Recompute the onboarding's hash chain; a broken chain names the first entry that no longer
    agrees."""
    _id_kind(id, ONBOARDING_PREFIX, "onboarding", other="cases", route="evidence/verify")
    return await _verified(id, settings)


@case_router.get("/{id}/evidence/verify", response_model=VerificationOut)
async def verify_case_evidence(id: str, actor: Reader, settings: SettingsDep) -> dict[str, Any]:
    """Recompute the case's hash chain; a broken chain names the first entry that no longer
    agrees."""
    _id_kind(id, CASE_PREFIX, "case", other="onboardings", route="evidence/verify")
    return await _verified(id, settings)


async def _verified(id: str, settings: Settings) -> dict[str, Any]:
    result = await asyncio.to_thread(evidence.verify, settings.db_url, id)
    if result.entries == 0:
        raise ApiError(404, "evidence.not_found", f"no evidence recorded for {id}", "id")
    return {"subject_id": id, "valid": result.valid, "entries": result.entries,
            "head": result.head, "first_broken_seq": result.first_broken_seq,
            "reason": result.reason}


@router.get("/{id}/bundle", response_class=Response,
            responses=file_response("application/zip", "The evidence bundle (ZIP)"))
async def export_bundle(id: str, actor: Exporter, client: TemporalDep,
                        settings: SettingsDep, lang: BundleLang = "zh") -> Response:
    """A ZIP an arbitrator can read: Chinese PDF timeline, ledger, documents, manifest of hashes."""
    _id_kind(id, ONBOARDING_PREFIX, "onboarding", other="cases", route="bundle")
    view = await temporal_calls.read(client, settings.db_url, id, OnboardingView,
                                     what="onboarding")
    content = await asyncio.to_thread(
        _export, settings, view.id, actor,
        lambda ledger: build_bundle(BundleInput(view=view, evidence=ledger)), lang)
    return _zip(id, content)


@case_router.get("/{id}/bundle", response_class=Response,
                 responses=file_response("application/zip", "The evidence bundle (ZIP)"))
async def export_case_bundle(id: str, actor: Exporter, client: TemporalDep,
                             settings: SettingsDep, lang: BundleLang = "zh") -> Response:
    """The case's ZIP: PDF of parties, accident, deadlines, decisions, notices; ledger; documents."""
    _id_kind(id, CASE_PREFIX, "case", other="onboardings", route="bundle")
    view = await temporal_calls.read(client, settings.db_url, id, CaseView,
                                     args=[datetime.now(UTC)], what="case")
    # The report as HR filed it (manager, company, description, witnesses): the view leaves
    # these out, the start input keeps them.
    case = await temporal_calls.read_input(client, settings.db_url, id, CaseInput, what="case")

    def build(ledger: BundleEvidence) -> bytes:
        return build_case_bundle(CaseBundleInput(
            view=view, case=case, notices=_notice_lines(settings.db_url, id), evidence=ledger,
            linked=_linked_onboarding(settings.db_url, view)))

    return _zip(id, await asyncio.to_thread(_export, settings, id, actor, build, lang))


def _id_kind(id: str, prefix: str, what: str, other: str, route: str) -> None:
    """422 for the other kind's id (its workflow answers another view: a 500 or a wrong bundle;
    its ledger under the wrong heading), 404 for an id of no kind."""
    kind_of = employee_id_of if prefix == ONBOARDING_PREFIX else case_id_of
    other_kind_of = case_id_of if prefix == ONBOARDING_PREFIX else employee_id_of
    try:
        kind_of(id)
        return
    except RuleViolation:
        pass
    try:
        other_kind_of(id)
    except RuleViolation:
        raise ApiError(404, f"{what}.not_found", f"no {what} with id {id}", "id") from None
    article = "an" if what == "onboarding" else "a"
    raise ApiError(422, "id.wrong_kind", f"{id} is not {article} {what} id: ask "
                   f"GET /api/v1/{other}/{id}/{route}", "id")


def _linked_onboarding(db_url: str, view: CaseView) -> dict[str, bytes]:
    """The onboarding the case's SI standing names, its ledger as a file of the case's bundle
    (render.onboarding_link); nothing when the standing names none or it recorded nothing."""
    onboarding_id = (view.si_standing or {}).get("onboarding_id")
    if not onboarding_id:
        return {}
    _, entries = evidence.page(db_url, onboarding_id, limit=1_000_000)
    if not entries:
        return {}
    check = verify_chain(onboarding_id, map(evidence.chain_entry, entries))
    return linked_onboarding_files(onboarding_id, view.si_standing, entries, check)


def _notice_lines(db_url: str, subject_id: str) -> list[NoticeLine]:
    return [notice_line(row, *notice_store.timeline(db_url, row.id))
            for row in notice_store.notices_of(db_url, subject_id)]


def _zip(id: str, content: bytes) -> Response:
    return Response(content, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{id}-evidence.zip"',
        "X-Content-SHA256": hashlib.sha256(content).hexdigest()})


def _export(settings: Settings, subject_id: str, actor: Actor,
            build: Callable[[BundleEvidence], bytes], lang: Literal["zh", "en"] = "zh") -> bytes:
    """Read the ledger once, build the bundle from it, and record the export as evidence."""
    try:
        font = settings.cjk_font()
    except RuntimeError as exc:
        raise ApiError(503, "bundle.font_missing", str(exc)) from None
    _, entries = evidence.page(settings.db_url, subject_id, limit=1_000_000)
    stamp_error = ""
    if settings.tsa_url and entries:
        try:
            if timestamps.stamp_head(settings.db_url, subject_id, entries, settings.tsa_url,
                                     settings.tsa_timeout_seconds):
                _, entries = evidence.page(settings.db_url, subject_id, limit=1_000_000)
        except timestamps.TimestampError as exc:
            stamp_error = str(exc)  # the bundle still goes out, saying its head is unstamped
    store = content_store(settings)
    rows = document_rows.of_subject(settings.db_url, subject_id)
    content = build(BundleEvidence(
        subject_id=subject_id, entries=entries,
        verification=verify_chain(subject_id, map(evidence.chain_entry, entries)),
        documents=[(row, store.get(row.sha256)) for row in rows], generated_by=actor.name,
        font=font, company=settings.company(), lang=lang, timestamp_error=stamp_error,
        tsa_ca=settings.tsa_ca_file.read_bytes() if settings.tsa_ca_file else None))
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id=subject_id, idempotency_key=f"bundle:{uuid.uuid4()}", at=datetime.now(UTC),
        actor=actor.name, kind="bundle_exported",
        payload={"sha256": hashlib.sha256(content).hexdigest(), "entries": len(entries)}))
    return content
