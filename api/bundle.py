"""The evidence bundle: a ZIP with a Chinese PDF timeline, the ledger, the documents, a manifest."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.bundle_pdf import render_timeline
from domain.evidence import Verification
from domain.onboarding import OnboardingView
from store.models import DocumentRow, EvidenceEntry


@dataclass(frozen=True)
class BundleInput:
    view: OnboardingView
    entries: list[EvidenceEntry]
    verification: Verification
    documents: list[tuple[DocumentRow, bytes]]
    generated_by: str
    font: Path


def build_bundle(data: BundleInput) -> bytes:
    """Every file once, and a manifest of their SHA-256 with the chain head to verify them."""
    files: dict[str, bytes] = {
        "timeline.pdf": render_timeline(data),
        "ledger.json": _json([_entry(e) for e in data.entries]),
        "onboarding.json": _json(_view_json(data.view)),
    }
    for row, content in data.documents:
        files[f"documents/{row.sha256[:12]}-{Path(row.filename).name}"] = content
    manifest = {
        "subject_id": data.view.id,
        "generated_at": datetime.now(UTC).isoformat(),
        "generated_by": data.generated_by,
        "chain": {"valid": data.verification.valid, "entries": data.verification.entries,
                  "head": data.verification.head,
                  "first_broken_seq": data.verification.first_broken_seq},
        "files": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        archive.writestr("manifest.json", _json(manifest))
    return out.getvalue()


def _entry(e: EvidenceEntry) -> dict[str, Any]:
    return e.model_dump(mode="json", exclude={"id"})


def _view_json(view: OnboardingView) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(OnboardingView).dump_python(view, mode="json")


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")
