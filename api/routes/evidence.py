"""The evidence ledger of an onboarding or case: its entries, and a verification of the hash chain."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api import bundles, temporal_calls
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError, file_response
from api.privacy import logged
from api.responses.records import EvidencePage, VerificationOut
from api.schemas import Offset
from domain.injury.payloads import CaseInput
from domain.injury.views import CaseView
from domain.onboarding.state import OnboardingView
from domain.shared.errors import RuleViolation
from domain.shared.ids import CASE_PREFIX, ONBOARDING_PREFIX, case_id_of, employee_id_of
from domain.shared.people import Actor
from settings import Settings
from store import evidence

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
    _check_font(settings)
    return _zip(id, await bundles.onboarding_bundle(settings, view, actor, lang))


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
    _check_font(settings)
    return _zip(id, await bundles.case_bundle(settings, view, case, actor, lang))


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


def _zip(id: str, bundle: bundles.Bundle) -> Response:
    return Response(bundle.content, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{id}-evidence.zip"',
        "X-Content-SHA256": bundle.sha256})


def _check_font(settings: Settings) -> None:
    """503 before the builder starts when no CJK font is there to render the bundle."""
    try:
        settings.cjk_font()
    except RuntimeError as exc:
        raise ApiError(503, "bundle.font_missing", str(exc)) from None
