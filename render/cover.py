"""The bundle's cover page: who produced it, when, from which records, and how to check it without
us; and the employer's lines every document carries under its title."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer

from domain.shared.calendar import local
from domain.shared.company import Company
from domain.shared.wording import Words
from render.kit import table
from store.timestamps import stamp_time, stamps

if TYPE_CHECKING:
    from render.bundle import BundleEvidence

VERIFY_COMMAND = "python3 verify_bundle.py <证据包.zip>"


def company_rows(company: Company, w: Words) -> list[list[str]]:
    """Name, 统一社会信用代码, address, contact; a field not configured is a blank to fill by hand."""
    blank = "________________"
    return [[w.t("用人单位名称", "Employer"), company.name or blank],
            [w.t("统一社会信用代码", "Unified social credit code"), company.uscc or blank],
            [w.t("单位地址", "Address"), company.address or blank],
            [w.t("联系人及电话", "Contact"), company.contact or blank]]


def company_lines(data: BundleEvidence, s: dict[str, ParagraphStyle]) -> list[Any]:
    """The employer under a document's title: one line, the unset fields left out."""
    c, w = data.company, data.words
    parts = [c.name, w.t("统一社会信用代码 {c}", "USCC {c}", c=c.uscc) if c.uscc else "",
             c.address, c.contact]
    text = "；".join(p for p in parts if p)
    return [Paragraph(escape(w.t("用人单位：{t}", "Employer: {t}", t=text)), s["body"])] if text \
        else []


def _stamps(data: BundleEvidence, w: Words) -> str:
    """Which heads an authority stamped and when; or why this export has none."""
    lines = [w.t("第 {seq} 条记录的链头，签发时间 {at}（北京时间）",
                 "head at entry {seq}, stamped at {at} (Beijing time)",
                 seq=s.seq, at=local(stamp_time(s.token))) for s in stamps(data.entries)]
    if data.timestamp_error:
        lines.append(w.t("本次导出未能取得时间戳：{why}", "no timestamp for this export: {why}",
                         why=data.timestamp_error))
    return "；".join(lines) or w.t("未配置时间戳服务", "no time-stamping authority configured")


def cover_page(data: BundleEvidence, title: str, s: dict[str, ParagraphStyle]) -> list[Any]:
    """Page one: the producer, the records it was made from, and the ways to verify it."""
    w, check = data.words, data.verification
    records = [
        [w.t("记录编号", "Record"), data.subject_id],
        [w.t("证据链记录条数", "Ledger entries"), str(check.entries)],
        [w.t("证据链链头哈希（SHA-256）", "Ledger head (SHA-256)"), check.head],
        [w.t("证据链校验", "Chain check"),
         w.t("完整", "intact") if check.valid else w.t("第 {n} 条起不一致", "broken from entry {n}",
                                                      n=check.first_broken_seq)],
        [w.t("可信时间戳（RFC 3161）", "Trusted timestamps (RFC 3161)"), _stamps(data, w)],
        [w.t("制作人", "Exported by"), data.generated_by],
        [w.t("制作时间（北京时间）", "Exported at (Beijing time)"), local(data.generated_at)],
    ]
    steps = [
        w.t("1. 证据包内 manifest.json 列出每个文件的 SHA-256 哈希值，可用任何 SHA-256 工具"
            "（如 sha256sum）逐一核对。",
            "1. manifest.json lists every file's SHA-256; check each with any SHA-256 tool."),
        w.t("2. ledger.json 为证据链原始记录：每条记录的哈希包含前一条记录的哈希，改动、删除或重排"
            "任何一条都会使其后的哈希不一致。",
            "2. ledger.json is the evidence chain: each entry's hash covers the one before, so an "
            "altered, removed or reordered entry breaks every hash after it."),
        w.t("3. timestamps/ 目录内为可信时间戳服务机构（RFC 3161）对链头哈希签发的时间戳，"
            "证明该链头在签发时间之前已经存在，本单位事后无法改写。",
            "3. timestamps/ holds RFC 3161 tokens a time-stamping authority issued over the ledger "
            "head: the head existed at that time and cannot be rewritten afterwards."),
        w.t("4. 核验无需本系统：解压后运行 {cmd}（仅需 Python 3 与 OpenSSL），或按"
            "“核验说明.txt”中的 openssl 命令逐项核对。",
            "4. No need for our system: run {cmd} (Python 3 and OpenSSL only), or follow the "
            "openssl commands of 核验说明.txt.", cmd=VERIFY_COMMAND),
    ]
    return [
        Paragraph(escape(w.t("{title} · 证据包", "{title} · evidence bundle", title=title)),
                  s["title"]),
        Paragraph(w.t("一、制作单位", "Produced by"), s["h"]),
        table(company_rows(data.company, w), s, widths=(50 * mm, 130 * mm)),
        Paragraph(w.t("二、数据来源", "Made from"), s["h"]),
        table(records, s, widths=(50 * mm, 130 * mm)),
        Paragraph(w.t("三、如何核验", "How to verify it"), s["h"]),
        *[Paragraph(escape(step), s["body"]) for step in steps],
        Spacer(1, 4 * mm),
        PageBreak(),
    ]
