"""Evidence bundles are built in a process of their own, beside the API's.

Rendering a bundle is seconds of pure-Python CPU (ReportLab). In a thread of the API process it
held the interpreter lock the event loop needs: while ten bundles built, every other request of
that API process waited its turn (bench/bundle_bench.py: the p99 of ordinary reads went from 19 to
112 ms with only three bundles). A builder process renders them instead; the API process only waits
for the bytes. `CASEGUARD_BUNDLE_PROCESSES` builders (default 1: on a small machine the other
core keeps answering) take the bundles in order of request, at a lower CPU priority
(`CASEGUARD_BUNDLE_NICENESS`, default 10): where the machine's cores are all busy, the API, the
worker and Temporal, which answer HR's clicks, run first and a bundle takes longer.

This module imports no web framework: a builder process starts from it (spawn) and needs only the
store and the renderer.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from domain.injury.payloads import CaseInput
from domain.injury.views import CaseView
from domain.onboarding.state import OnboardingView
from domain.shared.evidence import verify_chain
from domain.shared.people import Actor
from render import processes
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

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Bundle:
    """A built bundle and its SHA-256 (hex), the one its `bundle_exported` event names: hashed in
    the builder, not again on the API's event loop (2.6 MB: about 2.4 ms there)."""

    content: bytes
    sha256: str


async def onboarding_bundle(settings: Settings, view: OnboardingView, actor: Actor,
                            lang: Lang) -> Bundle:
    return await _in_builder(settings, build_onboarding_file, settings, view, actor, lang)


async def case_bundle(settings: Settings, view: CaseView, case: CaseInput, actor: Actor,
                      lang: Lang) -> Bundle:
    return await _in_builder(settings, build_case_file, settings, view, case, actor, lang)


async def _in_builder(settings: Settings, build: Callable[..., Bundle], *args: object) -> Bundle:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        processes.pool(settings.bundle_processes, settings.bundle_niceness), build, *args)


def start_builders(settings: Settings) -> None:
    """Start the builders now, not with the first bundle (whose user would wait for their
    imports, ~2 s): for a server process. They import in the background."""
    processes.start(settings.bundle_processes, settings.bundle_niceness)


# ---- in the builder process -----------------------------------------------------------------


def build_onboarding_file(settings: Settings, view: OnboardingView, actor: Actor,
                          lang: Lang) -> Bundle:
    return export(settings, view.id, actor,
                  lambda ledger: build_bundle(BundleInput(view=view, evidence=ledger)), lang)


def build_case_file(settings: Settings, view: CaseView, case: CaseInput, actor: Actor,
                    lang: Lang) -> Bundle:
    def build(ledger: BundleEvidence) -> bytes:
        return build_case_bundle(CaseBundleInput(
            view=view, case=case, notices=notice_lines(settings.db_url, view.id),
            evidence=ledger, linked=linked_onboarding(settings.db_url, view)))

    return export(settings, view.id, actor, build, lang)


def linked_onboarding(db_url: str, view: CaseView) -> dict[str, bytes]:
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


def notice_lines(db_url: str, subject_id: str) -> list[NoticeLine]:
    rows = notice_store.notices_of(db_url, subject_id)
    found = notice_store.timelines(db_url, [row.id for row in rows])
    return [notice_line(row, *found[row.id]) for row in rows]


def export(settings: Settings, subject_id: str, actor: Actor,
           build: Callable[[BundleEvidence], bytes], lang: Lang = "zh") -> Bundle:
    """Read the ledger once, build the bundle from it, and record the export as evidence. The
    caller checked that the font is there (settings.cjk_font)."""
    font = settings.cjk_font()
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
    digest = hashlib.sha256(content).hexdigest()
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id=subject_id, idempotency_key=f"bundle:{uuid.uuid4()}", at=datetime.now(UTC),
        actor=actor.name, kind="bundle_exported",
        payload={"sha256": digest, "entries": len(entries)}))
    return Bundle(content, digest)
