"""Generated documents of a case: the filled-in 工伤认定申请表 as a PDF, stored once per key."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import DataError, IntegrityError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.injury.forms import application_form
from domain.injury.payloads import DocumentRef, FormRequest
from domain.shared.calendar import local
from domain.shared.company import Company
from domain.shared.errors import RuleViolation
from domain.shared.ids import case_workflow_id
from settings import CJK_FONTS
from store import evidence
from store.db import reading, session_for
from store.documents import ContentStore, LocalContentStore
from store.models import DocumentRow

KIND = "determination_form"
NOTE = "generated from the case data"
FONT_MISSING = "pdf_font_missing"
RENDER_FAILED = "form_render_failed"
INVALID_DATA = "invalid_data"


def document_id(idempotency_key: str) -> str:
    """The id of the document a key generates: the same key always names the same document."""
    return "doc-" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:24]


class FormActivities:
    """Renders case forms as PDFs into the content store, with a document row and an evidence entry."""

    def __init__(self, db_url: str, documents: Path | ContentStore, font_path: str | None,
                 company: Company | None = None) -> None:
        self._db_url = db_url
        self._company = company  # the employer the form names (CASEGUARD_COMPANY_*)
        self._store = LocalContentStore(documents) if isinstance(documents, Path) else documents
        self._font_path = font_path

    @activity.defn(name="generate_determination_form", no_thread_cancel_exception=True)
    def generate_determination_form(self, request: FormRequest) -> DocumentRef:
        """Store the filled-in 工伤认定申请表 (Regs. art. 18) once per idempotency key."""
        try:
            subject_id = case_workflow_id(request.case.case_id)
        except RuleViolation as exc:
            raise ApplicationError(exc.message, type="invalid_case", non_retryable=True) from None
        doc_id = document_id(request.idempotency_key)
        row = self._row(doc_id) or self._create(doc_id, subject_id, request)
        if row.subject_id != subject_id:
            raise ApplicationError(
                f"idempotency key {request.idempotency_key!r} already generated document {row.id} "
                f"for {row.subject_id}, not {subject_id}", type="key_reused", non_retryable=True)
        self._record(row, request)  # a no-op when an earlier attempt already recorded it
        return DocumentRef(document_id=row.id, sha256=row.sha256, filename=row.filename)

    def _row(self, doc_id: str) -> DocumentRow | None:
        with reading(self._db_url) as session:
            return session.get(DocumentRow, doc_id)

    def _create(self, doc_id: str, subject_id: str, request: FormRequest) -> DocumentRow:
        case = request.case
        font = self._font()
        # Imported here: ReportLab (~7 MB) loads with the first form, not with every worker.
        from render.determination_form import render_pdf

        try:
            data = render_pdf(application_form(case, request.generated_at, self._company), font,
                              subtitle=f"案件编号 {case.case_id}；由本单位工伤案件管理系统根据案件记录生成，"
                                       f"生成人 {request.generated_by}，生成时间 "
                                       f"{local(request.generated_at)}（北京时间）")
        except Exception as exc:  # noqa: BLE001 - the same data fails the same way every time
            raise ApplicationError(f"the PDF could not be rendered: {type(exc).__name__}: "
                                   f"{str(exc)[:300]}", type=RENDER_FAILED,
                                   non_retryable=True) from exc
        digest = self._store.put(data)
        row = DocumentRow(id=doc_id, subject_id=subject_id, kind=KIND,
                          filename=f"工伤认定申请表-{case.case_id}.pdf", content_type="application/pdf",
                          size=len(data), sha256=digest, note=NOTE, uploaded_by=request.generated_by,
                          uploaded_at=request.generated_at)
        with session_for(self._db_url) as session, _refused_data():
            try:
                session.add(row)
                session.commit()
                return row
            except IntegrityError:
                session.rollback()  # a concurrent attempt stored it first: answer with its row
        stored = self._row(doc_id)
        if stored is None:
            raise RuntimeError(f"document {doc_id} conflicted on insert but cannot be read back")
        return stored

    def _record(self, row: DocumentRow, request: FormRequest) -> None:
        with _refused_data():
            self._append(row, request)

    def _append(self, row: DocumentRow, request: FormRequest) -> None:
        evidence.append(self._db_url, evidence.NewEntry(
            subject_id=row.subject_id, idempotency_key=request.idempotency_key,
            at=row.uploaded_at, actor=row.uploaded_by, kind="document_generated",
            payload={"document_id": row.id, "kind": row.kind, "filename": row.filename,
                     "content_type": row.content_type, "size": row.size, "sha256": row.sha256,
                     "note": row.note}))

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
