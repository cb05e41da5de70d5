"""The evidence bundle: a ZIP with a Chinese PDF timeline, the ledger, the documents, a manifest.

One layout for every subject (an onboarding, an injury case): `pack` writes the files and the
manifest of their SHA-256 with the chain head; each subject brings its own PDF and view.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from domain.injury.payloads import CaseInput
from domain.injury.views import CaseView
from domain.onboarding.state import OnboardingView
from domain.shared.company import Company
from domain.shared.evidence import Verification
from domain.shared.wording import Lang, Words
from render.case_timeline import render_case_timeline
from render.timeline import render_timeline
from store import verify_bundle
from store.models import DocumentRow, EvidenceEntry, NoticeAttemptRow, NoticeReceiptRow, NoticeRow
from store.timestamps import stamp_time, stamps


@dataclass(frozen=True)
class BundleEvidence:
    """What every bundle carries: the ledger read once, its check, the documents, who exports it."""

    subject_id: str
    entries: list[EvidenceEntry]
    verification: Verification  # of exactly `entries`, so the manifest's head is ledger.json's last
    documents: list[tuple[DocumentRow, bytes]]
    generated_by: str
    font: Path
    company: Company = Company()
    lang: Lang = "zh"
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    tsa_ca: bytes | None = None      # the CA (PEM) of the time-stamping authority, for the verifier
    timestamp_error: str = ""        # why this export's head could not be stamped

    @property
    def words(self) -> Words:
        return Words(self.lang)


@dataclass(frozen=True)
class BundleInput:
    view: OnboardingView
    evidence: BundleEvidence


@dataclass(frozen=True)
class NoticeLine:
    """One notice to a person as an arbitrator asks about it: when sent, delivered, read, answered."""

    purpose: str
    recipient: str
    recipient_role: str
    channels: tuple[str, ...]
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    read_status: str                 # "read", or "opened" (an e-mail pixel: weaker evidence)
    answered_at: datetime | None
    answer: dict[str, Any] | None    # at, channel, choice (confirm|answer), text, return_date
    status: str                      # open | acknowledged | unacknowledged | sent


def notice_line(row: NoticeRow, attempts: list[NoticeAttemptRow],
                receipts: list[NoticeReceiptRow]) -> NoticeLine:
    """The first time each step happened, over all attempts and channels of the notice."""
    def first(*statuses: str) -> NoticeReceiptRow | None:
        return min((r for r in receipts if r.status in statuses), key=lambda r: r.at, default=None)

    sent = [a.sent_at for a in attempts if a.sent_at is not None and a.status != "failed"]
    read = first("read") or first("opened")
    delivered = first("delivered")
    answered = row.answer.get("at") if row.answer else None
    return NoticeLine(
        purpose=row.purpose, recipient=row.recipient_name, recipient_role=row.recipient_role,
        channels=tuple(dict.fromkeys(a.channel for a in attempts)) or tuple(row.channels),
        created_at=row.created_at, sent_at=min(sent, default=None),
        delivered_at=delivered.at if delivered else None, read_at=read.at if read else None,
        read_status=read.status if read else "",
        answered_at=datetime.fromisoformat(answered) if answered else None, answer=row.answer,
        status=row.status)


@dataclass(frozen=True)
class CaseBundleInput:
    view: CaseView
    case: CaseInput  # the report as HR filed it: parties, description, witnesses
    notices: list[NoticeLine]
    evidence: BundleEvidence
    linked: dict[str, bytes] = field(default_factory=dict)  # other subjects' evidence it cites


def build_bundle(data: BundleInput) -> bytes:
    return pack(data.evidence, {
        "timeline.pdf": render_timeline(data),
        "ledger.json": ledger_json(data.evidence.entries),
        "onboarding.json": _json(TypeAdapter(OnboardingView).dump_python(data.view, mode="json")),
    })


def build_case_bundle(data: CaseBundleInput) -> bytes:
    return pack(data.evidence, {
        "timeline.pdf": render_case_timeline(data),
        "ledger.json": ledger_json(data.evidence.entries),
        "case.json": _json(TypeAdapter(CaseView).dump_python(data.view, mode="json")),
        **data.linked,
    })


def pack(evidence: BundleEvidence, files: dict[str, bytes]) -> bytes:
    """Every file once, each document too, and a manifest of their SHA-256 with the chain head."""
    files = dict(files)
    for row, content in evidence.documents:
        files[f"documents/{row.sha256[:12]}-{Path(row.filename).name}"] = content
    files.update(timestamp_files(evidence))
    files["verify_bundle.py"] = Path(verify_bundle.__file__).read_bytes()
    files["核验说明.txt"] = GUIDE.encode("utf-8")
    check = evidence.verification
    manifest = {
        "subject_id": evidence.subject_id,
        "generated_at": evidence.generated_at.isoformat(),
        "generated_by": evidence.generated_by,
        "company": {"name": evidence.company.name, "uscc": evidence.company.uscc,
                    "address": evidence.company.address, "contact": evidence.company.contact},
        "lang": evidence.lang,
        "chain": {"valid": check.valid, "entries": check.entries, "head": check.head,
                  "first_broken_seq": check.first_broken_seq},
        "timestamps": [{"seq": s.seq, "head": s.head, "tsa_url": s.tsa_url}
                       for s in stamps(evidence.entries)],
        "timestamp_error": evidence.timestamp_error,
        "files": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        archive.writestr("manifest.json", _json(manifest))
    return out.getvalue()


def timestamp_files(evidence: BundleEvidence) -> dict[str, bytes]:
    """Each RFC 3161 token of the ledger as timestamps/<seq>.tsr, what it stamps beside it, and the
    authority's CA for the standalone verifier."""
    files: dict[str, bytes] = {}
    for s in stamps(evidence.entries):
        name = f"timestamps/{s.seq:06d}-{s.head[:12]}"
        files[f"{name}.tsr"] = s.token
        files[f"{name}.json"] = _json({"seq": s.seq, "head": s.head, "tsa_url": s.tsa_url,
                                       "gen_time": stamp_time(s.token).isoformat()})
    if files and evidence.tsa_ca:
        files["timestamps/tsa-ca.pem"] = evidence.tsa_ca
    return files


GUIDE = """证据包核验说明

本证据包可在不依赖制作单位系统的情况下核验，所需工具：Python 3 与 OpenSSL。

一、一次性核验全部内容
    python3 verify_bundle.py 证据包.zip [--ca-file 时间戳机构根证书.pem]
  输出 "bundle verifies" 即文件、证据链与时间戳均完整；否则逐项列出不一致之处。

二、逐项手工核验
1. 文件完整性：manifest.json 的 files 列出每个文件的 SHA-256，可用 sha256sum 逐一核对。
2. 证据链：ledger.json 中每条记录的 payload_sha256 为其 payload 规范化 JSON（键排序、无空格、
   UTF-8）的 SHA-256；entry_hash 为 subject_id、seq、at（UTC）、actor、kind、payload_sha256、
   prev_hash 七项规范化 JSON 的 SHA-256；每条记录的 prev_hash 等于前一条的 entry_hash，
   第一条为 64 个 0。任何一条被改动、删除或重排，其后的哈希均不一致。
3. 可信时间戳：timestamps/ 下每个 .tsr 为时间戳机构（RFC 3161）对链头哈希文本签发的时间戳，
   同名 .json 注明所盖的记录序号 seq 与链头 head。核验命令：
     printf %s <head> > head.txt
     openssl ts -verify -data head.txt -in <文件>.tsr -token_in -CAfile <时间戳机构根证书>.pem
     openssl ts -reply -in <文件>.tsr -token_in -text    （查看签发时间）
   输出 "Verification: OK" 且 head 等于 ledger.json 第 seq 条的 entry_hash，即证明该条及之前的
   全部记录在签发时间之前已经存在，此后未被改写。timestamps/tsa-ca.pem 为制作单位提供的机构证书，
   核验人宜使用从时间戳机构官方渠道取得的根证书。
"""


def ledger_json(entries: list[EvidenceEntry]) -> bytes:
    return _json([e.model_dump(mode="json", exclude={"id"}) for e in entries])


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")
