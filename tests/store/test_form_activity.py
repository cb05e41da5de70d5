"""The generated 工伤认定申请表: a PDF stored once per key, with its document row and evidence."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import select
from temporalio.exceptions import ApplicationError

from activities.forms import FONT_MISSING, RENDER_FAILED, FormActivities, document_id
from domain.injury.payloads import DocumentRef, FormRequest
from domain.shared import documents
from render.processes import RendererDied, Renderers
from settings import CJK_FONTS
from store.db import session_for
from store.documents import LocalContentStore
from store.models import DocumentRow, EvidenceEntry
from tests.unit.test_injury_forms import case_input

ROOT = Path(__file__).resolve().parents[2]
FONT = next((p for p in CJK_FONTS if p.exists()), None)
needs_font = pytest.mark.skipif(FONT is None, reason="no CJK font installed (make install: "
                                                     "fonts-wqy-microhei)")
AT = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def request(key: str = "case-C1001:form:1", case_id: str = "C1001") -> FormRequest:
    return FormRequest(idempotency_key=key, case=case_input(case_id), generated_at=AT,
                       generated_by="hr-alice")


def rows(db_url: str) -> tuple[list[DocumentRow], list[EvidenceEntry]]:
    with session_for(db_url) as session:
        return (list(session.exec(select(DocumentRow)).all()),
                list(session.exec(select(EvidenceEntry).order_by(EvidenceEntry.seq)).all()))


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@needs_font
def test_the_form_is_a_pdf_with_the_case_data(sqlite_url: str, tmp_path: Path):
    root = tmp_path / "documents"
    ref = FormActivities(sqlite_url, root, None).generate_determination_form(request())
    data = LocalContentStore(root).get(ref.sha256)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ("工伤认定申请表", "张三", "11010519491231002X", "2026年11月23日 09:30",
                     "右手食指开放性骨折", "李四、王五", "北京示例制造有限公司", "第十八条",
                     "申请人与受伤害职工关系", "用人单位意见", "社会保险行政部门审查资料和受理意见",
                     "职业病名称", "参加工作时间"):
        assert expected in text
    assert ref == DocumentRef(document_id=document_id("case-C1001:form:1"), sha256=ref.sha256,
                              filename="工伤认定申请表-C1001.pdf")


@needs_font
def test_the_same_key_twice_returns_the_same_document_and_writes_nothing_new(db_url: str,
                                                                            tmp_path: Path):
    forms = FormActivities(db_url, tmp_path / "documents", str(FONT))
    first = forms.generate_determination_form(request())
    again = forms.generate_determination_form(request())
    assert again == first
    docs, entries = rows(db_url)
    assert len(docs) == 1 and len(entries) == 1
    doc, entry = docs[0], entries[0]
    assert (doc.id, doc.subject_id, doc.kind, doc.content_type, doc.uploaded_by, doc.note) == (
        first.document_id, "case-C1001", "determination_form", "application/pdf", "hr-alice",
        "generated from the case data")
    assert doc.uploaded_at == AT and doc.sha256 == first.sha256 and doc.size > 0
    assert (entry.subject_id, entry.idempotency_key, entry.kind, entry.actor, entry.seq) == (
        "case-C1001", "case-C1001:form:1", "document_generated", "hr-alice", 1)
    assert entry.payload["document_id"] == first.document_id
    assert entry.payload["sha256"] == first.sha256
    assert entry.payload["filename"] == first.filename
    assert "determination_form" in documents.KINDS


@needs_font
def test_another_key_generates_another_document(sqlite_url: str, tmp_path: Path):
    forms = FormActivities(sqlite_url, tmp_path / "documents", None)
    first = forms.generate_determination_form(request("case-C1001:form:1"))
    second = forms.generate_determination_form(request("case-C1001:form:2"))
    assert second.document_id != first.document_id
    docs, entries = rows(sqlite_url)
    assert len(docs) == 2 and [e.seq for e in entries] == [1, 2]


@needs_font
def test_a_lost_insert_race_answers_with_the_stored_row(sqlite_url: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    forms = FormActivities(sqlite_url, tmp_path / "documents", None)
    first = forms.generate_determination_form(request())
    real_row = FormActivities._row
    calls: list[str] = []

    def unseen_once(self: FormActivities, doc_id: str) -> DocumentRow | None:
        calls.append(doc_id)  # the first look misses, as if the other attempt had not committed
        return None if len(calls) == 1 else real_row(self, doc_id)

    monkeypatch.setattr(FormActivities, "_row", unseen_once)
    assert forms.generate_determination_form(request()) == first  # the write finds it stored
    assert len(calls) == 1
    docs, entries = rows(sqlite_url)
    assert len(docs) == 1 and len(entries) == 1


@needs_font
def test_a_row_stored_without_its_entry_gets_it_on_the_retry(db_url: str, tmp_path: Path):
    """A row an attempt stored before forms wrote row and entry in one transaction: the retry
    keeps the row and writes its entry."""
    forms = FormActivities(db_url, tmp_path / "documents", None)
    first = forms.generate_determination_form(request())
    with session_for(db_url) as session:
        for entry in session.exec(select(EvidenceEntry)).all():
            session.delete(entry)
        session.commit()
    assert forms.generate_determination_form(request()) == first
    docs, entries = rows(db_url)
    assert [d.id for d in docs] == [first.document_id]
    assert [(e.kind, e.payload["document_id"]) for e in entries] == [
        ("document_generated", first.document_id)]


@needs_font
def test_the_row_and_its_entry_are_written_together_or_not_at_all(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    forms = FormActivities(db_url, tmp_path / "documents", None)

    def ledger_down(*_: Any) -> int:
        raise RuntimeError("the ledger's insert failed")

    monkeypatch.setattr("store.evidence.append_in", ledger_down)
    with pytest.raises(RuntimeError):
        forms.generate_determination_form(request())
    assert rows(db_url) == ([], [])
    monkeypatch.undo()
    ref = forms.generate_determination_form(request())
    docs, entries = rows(db_url)
    assert [d.id for d in docs] == [ref.document_id] and len(entries) == 1


@needs_font
def test_concurrent_attempts_store_one_document(db_url: str, tmp_path: Path):
    forms = FormActivities(db_url, tmp_path / "documents", None)
    with ThreadPoolExecutor(max_workers=4) as pool:
        refs = list(pool.map(lambda _: forms.generate_determination_form(request()), range(4)))
    assert len(set(refs)) == 1
    docs, entries = rows(db_url)
    assert len(docs) == 1 and len(entries) == 1


def test_a_missing_font_is_a_non_retryable_error(sqlite_url: str, tmp_path: Path):
    forms = FormActivities(sqlite_url, tmp_path / "documents", str(tmp_path / "no-such-font.ttc"))
    with pytest.raises(ApplicationError) as caught:
        forms.generate_determination_form(request())
    assert caught.value.type == FONT_MISSING and caught.value.non_retryable
    assert "no-such-font.ttc" in str(caught.value)
    assert rows(sqlite_url) == ([], [])


@needs_font
def test_a_key_reused_for_another_case_is_refused(sqlite_url: str, tmp_path: Path):
    forms = FormActivities(sqlite_url, tmp_path / "documents", None)
    forms.generate_determination_form(request("k1", "C1001"))
    with pytest.raises(ApplicationError) as caught:
        forms.generate_determination_form(request("k1", "C2002"))
    assert caught.value.type == "key_reused" and caught.value.non_retryable
    docs, entries = rows(sqlite_url)
    assert len(docs) == 1 and len(entries) == 1


def test_a_malformed_case_id_is_a_non_retryable_error(sqlite_url: str, tmp_path: Path):
    forms = FormActivities(sqlite_url, tmp_path / "documents", None)
    with pytest.raises(ApplicationError) as caught:
        forms.generate_determination_form(request("k1", "../etc"))
    assert caught.value.type == "invalid_case" and caught.value.non_retryable


@needs_font
def test_a_description_of_8000_characters_wraps_across_pages_and_is_printed_whole(
        sqlite_url: str, tmp_path: Path):
    sentences = [f"第{n:04d}句，工人在车间搬运物料时被叉车撞伤右腿。" for n in range(1, 400)]
    description = "".join(sentences)[:7991] + "\x00以上为全部经过。"  # a NUL pasted in, too
    assert len(description) == 8000
    long = replace(request(), case=replace(request().case, description=description))
    root = tmp_path / "documents"
    ref = FormActivities(sqlite_url, root, None).generate_determination_form(long)
    pages = PdfReader(io.BytesIO(LocalContentStore(root).get(ref.sha256))).pages
    assert len(pages) >= 3
    text = re.sub(r"\s", "", "".join(page.extract_text() for page in pages))
    numbers = re.findall(r"第(\d{4})句", text)
    whole = len(description[:7991].split("句，")) - 1  # sentences whose number fits in the cut
    assert [int(n) for n in numbers] == list(range(1, whole + 1))
    assert "以上为全部经过" in text and "第十八条" in text  # the end of the text, then the basis


@pytest.mark.parametrize("renderers", [None, Renderers(1, 10)], ids=["in-thread", "in-process"])
def test_a_font_reportlab_cannot_read_is_refused_without_retries(
        sqlite_url: str, tmp_path: Path, renderers: Renderers | None):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    forms = FormActivities(sqlite_url, tmp_path / "documents", str(broken), renderers=renderers)
    with pytest.raises(ApplicationError) as caught:
        forms.generate_determination_form(request())
    assert caught.value.type == RENDER_FAILED and caught.value.non_retryable
    assert rows(sqlite_url) == ([], [])


@needs_font
def test_a_form_rendered_in_a_renderer_process_reads_as_one_rendered_here(sqlite_url: str,
                                                                         tmp_path: Path):
    renderers = Renderers(1, 10)
    here = FormActivities(sqlite_url, tmp_path / "here", None)
    there = FormActivities(sqlite_url, tmp_path / "there", None, renderers=renderers)
    mine = here.generate_determination_form(request("case-C1001:form:1"))
    theirs = there.generate_determination_form(request("case-C1001:form:2"))
    assert mine.document_id != theirs.document_id
    assert pdf_text(LocalContentStore(tmp_path / "there").get(theirs.sha256)) == \
        pdf_text(LocalContentStore(tmp_path / "here").get(mine.sha256))
    assert renderers.call(os.getpid, timeout=60) != os.getpid()


class Dying(Renderers):
    """Rendering processes whose process ends during every job."""

    def call(self, function: Any, *args: object, timeout: float) -> Any:
        return super().call(os._exit, 9, timeout=timeout)


@needs_font
def test_a_renderer_that_died_fails_the_attempt_to_be_retried_and_writes_nothing(
        sqlite_url: str, tmp_path: Path):
    with pytest.raises(RendererDied):  # not a non-retryable ApplicationError: it is retried
        FormActivities(sqlite_url, tmp_path / "documents", None,
                       renderers=Dying(1, 10)).generate_determination_form(request())
    assert rows(sqlite_url) == ([], [])
    assert not (tmp_path / "documents").exists() or not any((tmp_path / "documents").iterdir())
    renderers = Renderers(1, 10)
    killed = renderers.call(os.getpid, timeout=60)
    os.kill(killed, signal.SIGKILL)
    while Path(f"/proc/{killed}/stat").read_text().split(") ", 1)[1][0] != "Z":
        time.sleep(0.01)  # dead (a zombie, until reaped) before the next form comes
    ref = FormActivities(sqlite_url, tmp_path / "documents", None,
                         renderers=renderers).generate_determination_form(request())
    assert pdf_text(LocalContentStore(tmp_path / "documents").get(ref.sha256)).startswith(
        "工伤认定申请表")
    assert [entry.kind for entry in rows(sqlite_url)[1]] == ["document_generated"]


WORKER = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from activities.forms import FormActivities
from render.processes import Renderers
from tests.store.test_form_activity import request
forms = FormActivities(sys.argv[2], Path(sys.argv[3]), None, renderers=Renderers(1, 10))
forms.generate_determination_form(request())
print(sorted({name.split(".")[0] for name in sys.modules} & {"reportlab", "render"}))
"""


@needs_font
def test_a_worker_with_renderers_does_not_load_reportlab_itself(sqlite_url: str, tmp_path: Path):
    ran = subprocess.run([sys.executable, "-c", WORKER, str(ROOT), sqlite_url,
                          str(tmp_path / "documents")], capture_output=True, text=True,
                         timeout=120, check=True)
    assert ran.stdout.split() == ["['render']"]
    assert [entry.kind for entry in rows(sqlite_url)[1]] == ["document_generated"]
