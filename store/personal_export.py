"""Everything held on one employee, as a ZIP written to a temporary file (PIPL 第四十五条: the
right to copy one's personal information): their onboardings and cases (list rows and the detail
views the API answers), the evidence of those records, the notices and outbox messages of them,
the documents themselves, expenses, the access-log entries about them, the legal holds on them,
and a manifest (manifest.json, README.txt) with the SHA-256 of every file.

Other people's contacts (an HR manager's or emergency contact's phone and email in a notice or an
outbox message) are masked: the right covers the employee's own information. Documents are read
from the content store one at a time and written straight into the ZIP on disk.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import ClientError
from sqlmodel import col, select

from domain.shared.evidence import verify_chain
from domain.shared.masking import mask_email, mask_phone_number, mask_text
from store import evidence, self_service
from store.access_log import AccessLogRow
from store.db import reading
from store.documents import ContentStore, CorruptContent
from store.legal_holds import LegalHoldRow
from store.models import (
    CaseRow,
    DocumentRow,
    ExpenseRow,
    NoticeAttemptRow,
    NoticeReceiptRow,
    NoticeRow,
    OnboardingRow,
    OutboxMessage,
)

EMPLOYEE_ROLE = "employee"
LEGAL_BASIS = "《个人信息保护法》第四十五条（查阅、复制权）"


@dataclass(frozen=True)
class Records:
    """The list rows of an employee's onboardings and cases (JSON), in creation order."""

    employee_id: str
    onboardings: list[dict[str, Any]]
    cases: list[dict[str, Any]]

    @property
    def subjects(self) -> list[str]:
        return [r["id"] for r in self.onboardings] + [r["id"] for r in self.cases]


@dataclass(frozen=True)
class Export:
    path: Path
    sha256: str
    files: int


@dataclass
class _Writer:
    archive: zipfile.ZipFile
    files: list[dict[str, Any]] = field(default_factory=list)

    def put(self, name: str, data: bytes, about: str, *, stored: bool = False) -> None:
        self.archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                              compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        self.files.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(),
                           "size": len(data), "about": about})

    def json(self, name: str, value: Any, about: str) -> None:
        self.put(name, _json(value), about)


def records_of(db_url: str, employee_id: str) -> Records:
    """The employee's onboardings and cases; both empty: nothing is held on them."""
    with reading(db_url) as session:
        onboardings = session.exec(select(OnboardingRow).where(
            OnboardingRow.employee_id == employee_id).order_by(col(OnboardingRow.created_at)))
        cases = session.exec(select(CaseRow).where(CaseRow.employee_id == employee_id)
                             .order_by(col(CaseRow.created_at)))
        return Records(employee_id, [r.model_dump(mode="json") for r in onboardings],
                       [r.model_dump(mode="json") for r in cases])


def build(db_url: str, documents: ContentStore, records: Records, views: dict[str, Any], *,
          by: str, at: datetime) -> Export:
    """Write the ZIP to a temporary file (the caller removes it); `views`: each subject's
    detail view as the API answers it."""
    handle = tempfile.NamedTemporaryFile(prefix="caseguard-export-", suffix=".zip", delete=False)
    path = Path(handle.name)  # created 0600 by tempfile
    try:
        count = _write(db_url, documents, records, views, handle, by=by, at=at)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return Export(path, digest.hexdigest(), count)


def _write(db_url: str, documents: ContentStore, records: Records, views: dict[str, Any],
           handle: IO[bytes], *, by: str, at: datetime) -> int:
    with handle, zipfile.ZipFile(handle, "w") as archive:
        out = _Writer(archive)
        out.json("onboardings.json", records.onboardings, "入职社保增员记录（列表行） onboardings: list rows")
        out.json("cases.json", records.cases, "工伤案件（列表行） injury cases: list rows")
        for subject in records.subjects:
            folder = "onboardings" if subject in {r["id"] for r in records.onboardings} else "cases"
            out.json(f"{folder}/{_safe(subject)}.json", views.get(subject),
                     f"详情（与 API 所答相同） detail view of {subject}, as the API answers it")
            _evidence(db_url, out, subject)
        own = self_service.subject_of(records.employee_id)  # their self-service proposals
        if evidence.has_subject(db_url, own):
            _evidence(db_url, out, own)
            out.json("change_proposals.json", [p.model_dump(mode="json") for p in
                                               self_service.latest_of(db_url, records.employee_id,
                                                                      limit=1_000_000)],
                     "本人提交的信息变更申请及审核结果 the employee's proposed changes and HR's "
                     "decisions")
        _messages(db_url, out, [*records.subjects, own])
        _documents(db_url, documents, out, records.subjects)
        _rows(db_url, out, records)
        readme = _readme(records.employee_id, by, at, out.files)
        out.put("README.txt", readme.encode("utf-8"), "说明 what each file is (Chinese first)")
        archive.writestr(zipfile.ZipInfo("manifest.json", date_time=(1980, 1, 1, 0, 0, 0)), _json({
            "employee_id": records.employee_id, "exported_at": at.isoformat(),
            "exported_by": by, "legal_basis": LEGAL_BASIS, "subjects": records.subjects,
            "files": out.files}), compress_type=zipfile.ZIP_DEFLATED)
    return len(out.files) + 1


def _evidence(db_url: str, out: _Writer, subject: str) -> None:
    _, entries = evidence.page(db_url, subject, limit=1_000_000)
    result = verify_chain(subject, map(evidence.chain_entry, entries))
    out.json(f"evidence/{_safe(subject)}.json", {
        "subject_id": subject, "verification": {
            "valid": result.valid, "entries": result.entries, "head": result.head,
            "first_broken_seq": result.first_broken_seq, "reason": result.reason,
            "redacted": result.redacted},
        "entries": [e.model_dump(mode="json", exclude={"id"}) for e in entries]},
        f"证据链条目与校验结果 evidence ledger of {subject} and its verification")


def _messages(db_url: str, out: _Writer, subjects: list[str]) -> None:
    with reading(db_url) as session:
        notices = session.exec(select(NoticeRow).where(col(NoticeRow.subject_id).in_(subjects))
                               .order_by(col(NoticeRow.created_at))).all()
        ids = [n.id for n in notices]
        attempts = session.exec(select(NoticeAttemptRow).where(
            col(NoticeAttemptRow.notice_id).in_(ids)).order_by(col(NoticeAttemptRow.id))).all()
        receipts = session.exec(select(NoticeReceiptRow).where(
            col(NoticeReceiptRow.notice_id).in_(ids)).order_by(col(NoticeReceiptRow.id))).all()
        outbox = session.exec(select(OutboxMessage).where(
            col(OutboxMessage.subject_id).in_(subjects)).order_by(col(OutboxMessage.id))).all()
    roles = {n.id: n.recipient_role for n in notices}
    out.json("notices.json", [{
        **_contacts(n.model_dump(mode="json"), n.recipient_role),
        "attempts": [_contacts(a.model_dump(mode="json"), roles[n.id]) for a in attempts
                     if a.notice_id == n.id],
        "receipts": [r.model_dump(mode="json") for r in receipts if r.notice_id == n.id]}
        for n in notices], "通知、发送记录与回执 notices, their attempts and receipts "
                           "(others' contacts masked)")
    out.json("outbox.json", [_contacts(m.model_dump(mode="json"), m.recipient_role)
                             for m in outbox],
             "发件箱消息 outbox messages (others' contacts masked)")


def _contacts(row: dict[str, Any], role: str) -> dict[str, Any]:
    """A message row with the contacts masked unless the employee is its recipient."""
    if role == EMPLOYEE_ROLE:
        return row
    masks: dict[str, Callable[[str], str]] = {
        "phone": mask_phone_number, "email": mask_email, "to_address": mask_text}
    return {k: masks[k](v) if k in masks and isinstance(v, str) and v else v
            for k, v in row.items()}


def _documents(db_url: str, documents: ContentStore, out: _Writer, subjects: list[str]) -> None:
    with reading(db_url) as session:
        rows = session.exec(select(DocumentRow).where(col(DocumentRow.subject_id).in_(subjects))
                            .order_by(col(DocumentRow.uploaded_at))).all()
    listed = []
    for row in rows:
        name = f"documents/{_safe(row.subject_id)}/{row.id}-{_safe(row.filename)}"
        try:
            content = documents.get(row.sha256)
        except (CorruptContent, OSError, ClientError) as error:
            # Said in the listing, not a failed export: the rest is still the employee's to have.
            listed.append({**row.model_dump(mode="json"), "path": None,
                           "unreadable": f"{type(error).__name__}: {error}"[:300]})
            continue
        out.put(name, content, f"文件 document {row.kind} of {row.subject_id}", stored=True)
        del content
        listed.append({**row.model_dump(mode="json"), "path": name})
    out.json("documents.json", listed, "文件清单 documents: what each file is, who uploaded it")


def _rows(db_url: str, out: _Writer, records: Records) -> None:
    masked = [mask_text(s) for s in [*records.subjects, records.employee_id]]
    with reading(db_url) as session:
        expenses = session.exec(select(ExpenseRow).where(
            col(ExpenseRow.case_id).in_(records.subjects)).order_by(col(ExpenseRow.entered_at))).all()
        reads = session.exec(select(AccessLogRow).where(
            col(AccessLogRow.subject_id).in_(masked)).order_by(col(AccessLogRow.at))).all()
        holds = session.exec(select(LegalHoldRow).where(
            col(LegalHoldRow.target).in_([*records.subjects, records.employee_id]))
            .order_by(col(LegalHoldRow.id))).all()
    out.json("expenses.json", [e.model_dump(mode="json") for e in expenses],
             "医疗费用票据 medical bills of the cases")
    out.json("access_log.json", [r.model_dump(mode="json") for r in reads],
             "个人信息访问记录 who read these records, when, from where")
    out.json("legal_holds.json", [h.model_dump(mode="json") for h in holds],
             "法律保全 legal holds on the employee or their records")


def _readme(employee_id: str, by: str, at: datetime, files: list[dict[str, Any]]) -> str:
    lines = [
        "个人信息副本 / A copy of personal information", "",
        f"员工编号 employee id: {employee_id}",
        f"导出时间 exported at: {at.isoformat()}",
        f"导出人 exported by: {by}",
        f"依据 legal basis: {LEGAL_BASIS}", "",
        "本压缩包包含本系统保存的该员工的全部记录。通知和发件箱消息中其他人的电话和邮箱已打码。",
        "This archive holds every record Caseguard keeps on the employee; in notices and outbox "
        "messages other people's phones and emails are masked. manifest.json lists the same files "
        "as JSON.", "",
        "文件 files (SHA-256, 字节 bytes, 说明 about):"]
    lines += [f"{f['sha256']}  {f['path']}  ({f['size']} B)  {f['about']}" for f in files]
    lines += ["", "校验 check: sha256sum <file>; manifest.json 与本说明本身不在上表中 "
              "(manifest.json and this README are not listed above; the manifest lists this README)."]
    return "\n".join(lines) + "\n"


_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]|^\.+")


def _safe(name: str) -> str:
    """A file name fit for a ZIP entry: no folders, no leading dots."""
    return _UNSAFE.sub("_", name)[:150] or "_"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode("utf-8")
