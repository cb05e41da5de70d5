"""Generated documents of a case: the filled-in 工伤认定申请表 as a PDF, stored once per key."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from sqlalchemy.exc import DataError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.injury.payloads import DocumentRef, FormRequest
from domain.shared.company import Company
from domain.shared.errors import RuleViolation
from domain.shared.ids import case_workflow_id
from render.processes import Renderers
from settings import CJK_FONTS
from store import document_rows, evidence
from store.db import reading
from store.documents import ContentStore, LocalContentStore
from store.models import DocumentRow

KIND = "determination_form"
NOTE = "generated from the case data"
FONT_MISSING = "pdf_font_missing"
RENDER_FAILED = "form_render_failed"
INVALID_DATA = "invalid_data"
# How long an attempt waits for a rendering process: far longer than a form takes at its lower
# priority on a busy machine, and shorter than the activity's 30 s (workflows/_policies.py
# DB_ACTIVITY), so a stuck renderer fails the attempt here, with its reason, and it is retried.
RENDER_TIMEOUT_S = 25.0
FORM_PDF = "render.determination_form:case_form_pdf"


def document_id(idempotency_key: str) -> str:
    """The id of the document a key generates: the same key always names the same document."""
    return "doc-" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:24]


class FormActivities:
    """Renders case forms as PDFs into the content store, with a document row and an evidence entry."""

    def __init__(self, db_url: str, documents: Path | ContentStore, font_path: str | None,
                 company: Company | None = None, renderers: Renderers | None = None) -> None:
        self._db_url = db_url
        self._company = company  # the employer the form names (CASEGUARD_COMPANY_*)
        self._store = LocalContentStore(documents) if isinstance(documents, Path) else documents
        self._font_path = font_path
        self._renderers = renderers  # None: in the activity's own thread (tests)

    @activity.defn(name="generate_determination_form", no_thread_cancel_exception=True)
    def generate_determination_form(self, request: FormRequest) -> DocumentRef:
        """Store the filled-in 工伤认定申请表 (Regs. art. 18) once per idempotency key."""
        try:
            subject_id = case_workflow_id(request.case.case_id)
        except RuleViolation as exc:
            raise ApplicationError(exc.message, type="invalid_case", non_retryable=True) from None
        doc_id = document_id(request.idempotency_key)
        # Read first: a retry, or a case asking again, renders nothing.
        row = self._row(doc_id) or self._made(doc_id, subject_id, request)
        with _refused_data():
            stored = document_rows.add_once(self._db_url, row, partial(_generated, request))
        if stored.subject_id != subject_id:
            raise ApplicationError(
                f"idempotency key {request.idempotency_key!r} already generated document "
                f"{stored.id} for {stored.subject_id}, not {subject_id}", type="key_reused",
                non_retryable=True)
        return DocumentRef(document_id=stored.id, sha256=stored.sha256, filename=stored.filename)

    def _row(self, doc_id: str) -> DocumentRow | None:
        with reading(self._db_url) as session:
            return session.get(DocumentRow, doc_id)

    def _made(self, doc_id: str, subject_id: str, request: FormRequest) -> DocumentRow:
        """The form rendered and its bytes in the content store (stored once by their digest);
        its row, not written yet."""
        case = request.case
        data = self._rendered(request, self._font())
        return DocumentRow(id=doc_id, subject_id=subject_id, kind=KIND,
                           filename=f"工伤认定申请表-{case.case_id}.pdf",
                           content_type="application/pdf", size=len(data),
                           sha256=self._store.put(data), note=NOTE,
                           uploaded_by=request.generated_by, uploaded_at=request.generated_at)

    def _rendered(self, request: FormRequest, font: Path) -> bytes:
        """The form's PDF. A rendering process that died (killed, out of memory) or did not answer
        in time fails this attempt, to be retried; the form's own failure is final."""
        job = (request.case, request.generated_at, request.generated_by, self._company, font)
        try:
            if self._renderers is not None:  # ReportLab loads there, not in the worker
                return self._renderers.call(FORM_PDF, *job, timeout=RENDER_TIMEOUT_S)
            # Imported here: ReportLab loads with the first form, not with every worker.
            from render.determination_form import case_form_pdf

            return case_form_pdf(*job)
        except (BrokenExecutor, TimeoutError):
            raise
        except Exception as exc:  # noqa: BLE001 - the same data fails the same way every time
            raise ApplicationError(f"the PDF could not be rendered: {type(exc).__name__}: "
                                   f"{str(exc)[:300]}", type=RENDER_FAILED,
                                   non_retryable=True) from exc

    def _font(self) -> Path:
        candidates = [Path(self._font_path)] if self._font_path else list(CJK_FONTS)
        for path in candidates:
            if path.exists():
                return path
        raise ApplicationError(
            "no CJK font for the generated PDF: install fonts-wqy-microhei (`make install`) or set "
            f"CASEGUARD_PDF_FONT to a TrueType font with Chinese glyphs (tried: "
            f"{', '.join(str(p) for p in candidates)})", type=FONT_MISSING, non_retryable=True)


@contextmanager
def _refused_data() -> Iterator[None]:
    """Data the database refuses (PostgreSQL: a NUL in a text) is refused again on every retry."""
    try:
        yield
    except DataError as exc:
        raise ApplicationError(f"the database refused the data: {str(exc.orig)[:300]}",
                               type=INVALID_DATA, non_retryable=True) from exc
    except ValueError as exc:
        if "NUL" not in str(exc):
            raise
        raise ApplicationError(f"the database refused the data: {exc}", type=INVALID_DATA,
                               non_retryable=True) from exc


def _generated(request: FormRequest, row: DocumentRow) -> evidence.NewEntry:
    """The ledger's `document_generated` entry of a stored form, under the request's key."""
    return evidence.NewEntry(
        subject_id=row.subject_id, idempotency_key=request.idempotency_key, at=row.uploaded_at,
        actor=row.uploaded_by, kind="document_generated",
        payload={"document_id": row.id, "kind": row.kind, "filename": row.filename,
                 "content_type": row.content_type, "size": row.size, "sha256": row.sha256,
                 "note": row.note})
