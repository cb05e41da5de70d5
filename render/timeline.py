"""The bundle's PDF: a timeline in Chinese that a non-technical arbitrator can read (ReportLab);
in English on request. Every code, citation, region and recorder goes through domain.shared.wording."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from domain.shared.calendar import local
from domain.shared.evidence import Verification
from domain.shared.labels import (
    DEADLINE_NAMES,
    ENROLLMENT_TYPES,
    EVENT_KINDS,
    ONBOARDING_STATUS,
    REQUEST_STATUS,
)
from domain.shared.wording import Words
from render.cover import company_lines, cover_page
from render.kit import build, styles, table

if TYPE_CHECKING:
    from render.bundle import BundleEvidence, BundleInput

_SKIP_IN_DETAILS = {"workflow_seq", "recipients"}


def evidence_sections(data: BundleEvidence, s: dict[str, ParagraphStyle],
                      numbers: tuple[str, str]) -> list[Any]:
    """The closing sections of every bundle: the ledger timeline, the documents, the chain check."""
    w = data.words
    return [
        Paragraph(w.t("{n}、事件时间线（证据链）", "{n}. Events (the evidence chain)", n=numbers[0]),
                  s["h"]),
        events_table(data, s),
        Paragraph(w.t("{n}、证据材料", "{n}. Documents", n=numbers[1]), s["h"]),
        documents_table(data, s),
        Spacer(1, 6 * mm),
        Paragraph(chain_sentence(data.verification, w), s["body"]),
    ]


def events_table(data: BundleEvidence, s: dict[str, ParagraphStyle]) -> Table:
    """Every ledger entry in chain order, with its label, recorder and details."""
    w = data.words
    return table([[w.t("序号", "No."), w.t("时间", "Time"), w.t("事件", "Event"),
                   w.t("记录人", "Recorded by"), w.t("说明", "Details")]] + [
        [str(e.seq), local(e.at), w.label(EVENT_KINDS, e.kind), w.actor(e.actor),
         _details(e.payload, w)]
        for e in data.entries], s, header=True,
        widths=(12 * mm, 28 * mm, 50 * mm, 25 * mm, 65 * mm))


def documents_table(data: BundleEvidence, s: dict[str, ParagraphStyle]) -> Table:
    w = data.words
    return table([[w.t("材料", "Kind"), w.t("文件名", "File"), w.t("上传人", "Uploaded by"),
                   "SHA-256"]] + [
        [w.document_kind(row.kind), row.filename, w.actor(row.uploaded_by), row.sha256]
        for row, _ in data.documents] or [["—"]], s, header=bool(data.documents))


def render_timeline(data: BundleInput) -> bytes:
    s = styles(data.evidence.font)
    v, w = data.view, data.evidence.words
    title = w.t("社保增员证据时间线", "Social-insurance onboarding evidence timeline")
    story: list[Any] = [
        *cover_page(data.evidence, title, s),
        Paragraph(f"{title}：{escape(v.employee_name)}", s["title"]),
        *company_lines(data.evidence, s),
        Paragraph(escape(w.t("编号 {id}；生成人 {by}；时间均为北京时间。",
                             "Reference {id}; exported by {by}; times are Beijing time.",
                             id=v.id, by=data.evidence.generated_by)), s["body"]),
        Paragraph(w.t("一、当事人与基本信息", "1. Parties"), s["h"]),
        table(_parties(data), s, widths=(40 * mm, 140 * mm)),
        Paragraph(w.t("二、法定期限", "2. Statutory deadlines"), s["h"]),
        table([[w.t("期限", "Deadline"), w.t("届满时间", "Due"),
                w.t("未顺延时间", "Due before holidays"), w.t("状态", "Status"),
                w.t("依据", "Basis")]] + [
            [w.label(DEADLINE_NAMES, d.name), local(d.due_at), local(d.raw_due_at),
             w.status(d.status), w.article(d.article)] for d in v.deadlines], s, header=True),
        Paragraph(w.t("三、增员申请及复核", "3. Enrolment requests and reviews"), s["h"]),
        table(_requests(data), s, header=True),
        *evidence_sections(data.evidence, s, (w.t("四", "4"), w.t("五", "5"))),
    ]
    return build(story, f"{title} {v.employee_name}")


def _parties(data: BundleInput) -> list[list[str]]:
    v, w = data.view, data.evidence.words
    base = v.base_limits
    verified = w.t("已核实", "verified") if base.verified else w.t("未核实", "not verified")
    return [
        [w.t("员工", "Employee"), w.t("{name}（工号 {id}）", "{name} (staff no. {id})",
                                       name=v.employee_name, id=v.employee_id)],
        [w.t("部门", "Department"), v.department],
        [w.t("参保地", "Insured in"), w.region(v.region)],
        [w.t("入职日期", "Hired on"), v.hire_date.isoformat()],
        [w.t("劳动合同起始", "Contract starts"),
         v.contract_start.isoformat() if v.contract_start else "—"],
        [w.t("申报缴费基数", "Contribution base"),
         w.t("{base} 元（当地上下限 {lo}–{hi} 元，{ok}）",
             "CNY {base} (local limits {lo}–{hi}, {ok})", base=v.contribution_base,
             lo=base.lower, hi=base.upper, ok=verified)],
        [w.t("当前状态", "Status"), w.label(ONBOARDING_STATUS, v.status.value)],
    ]


def _requests(data: BundleInput) -> list[list[str]]:
    w = data.evidence.words
    rows = [["#", w.t("类型", "Type"), w.t("基数", "Base"), w.t("状态", "Status"),
             w.t("提交", "Submitted"), w.t("复核", "Reviewed"),
             w.t("经办机构流水号/原因", "Bureau reference / reason")]]
    for r in data.view.enrollment_requests:
        reviewed = f"{w.actor(r.reviewed_by or '')} {local(r.reviewed_at)}" if r.reviewed_at else "—"
        rows.append([str(r.number), w.label(ENROLLMENT_TYPES, r.type), str(r.contribution_base),
                     w.label(REQUEST_STATUS, r.status.value),
                     f"{w.actor(r.submitted_by)} {local(r.submitted_at)}", reviewed,
                     r.bureau_reference or r.reason or "—"])
    return rows if len(rows) > 1 else [["—"]]


def _details(payload: dict[str, Any], w: Words) -> str:
    """The payload's fields a reader needs, named in the reader's language (all in ledger.json)."""
    parts = []
    for key, value in payload.items():
        name = w.field(key)
        if key in _SKIP_IN_DETAILS or name is None or value in ("", None):
            continue
        parts.append(f"{name}：{w.value(key, value)}")
    return "；".join(parts)[:400]


def chain_sentence(check: Verification, w: Words) -> str:
    if check.valid:
        return w.t("哈希链校验：完整，共 {n} 条记录；链头 SHA-256 为 {head}。"
                   "每条记录包含前一条记录的哈希值，任何改动都会在校验时被发现。",
                   "Hash chain check: intact, {n} entries; the head's SHA-256 is {head}. Each entry "
                   "includes the previous entry's hash, so any change is found by the check.",
                   n=check.entries, head=check.head)
    return w.t("哈希链校验：<b>不完整</b>，第 {seq} 条记录起与原始记录不一致（{why}）。",
               "Hash chain check: <b>broken</b> from entry {seq} on ({why}).",
               seq=check.first_broken_seq, why=escape(check.reason))
