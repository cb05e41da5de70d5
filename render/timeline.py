"""The bundle's PDF: a timeline in Chinese that a non-technical arbitrator can read (ReportLab)."""

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
    DEADLINE_STATUS,
    ENROLLMENT_TYPES,
    EVENT_KINDS,
    REQUEST_STATUS,
    label,
)
from render.kit import build, styles, table

if TYPE_CHECKING:
    from render.bundle import BundleEvidence, BundleInput

_SKIP_IN_DETAILS = {"workflow_seq", "recipients"}


def evidence_sections(data: BundleEvidence, s: dict[str, ParagraphStyle],
                      numbers: tuple[str, str]) -> list[Any]:
    """The closing sections of every bundle: the ledger timeline, the documents, the chain check."""
    return [
        Paragraph(f"{numbers[0]}、事件时间线（证据链）", s["h"]),
        events_table(data, s),
        Paragraph(f"{numbers[1]}、证据材料", s["h"]),
        documents_table(data, s),
        Spacer(1, 6 * mm),
        Paragraph(chain_sentence(data.verification), s["body"]),
    ]


def events_table(data: BundleEvidence, s: dict[str, ParagraphStyle]) -> Table:
    """Every ledger entry in chain order, with its Chinese label, actor and details."""
    return table([["序号", "时间", "事件", "操作人", "说明"]] + [
        [str(e.seq), local(e.at), label(EVENT_KINDS, e.kind), e.actor, _details(e.payload)]
        for e in data.entries], s, header=True,
        widths=(12 * mm, 28 * mm, 50 * mm, 25 * mm, 65 * mm))


def documents_table(data: BundleEvidence, s: dict[str, ParagraphStyle]) -> Table:
    return table([["材料", "文件名", "上传人", "SHA-256"]] + [
        [row.kind, row.filename, row.uploaded_by, row.sha256] for row, _ in data.documents]
        or [["—"]], s, header=bool(data.documents))


def render_timeline(data: BundleInput) -> bytes:
    s = styles(data.evidence.font)
    v = data.view
    story: list[Any] = [
        Paragraph(f"社保增员证据时间线：{escape(v.employee_name)}", s["title"]),
        Paragraph(f"编号 {v.id}；生成人 {escape(data.evidence.generated_by)}；时间均为北京时间。",
                  s["body"]),
        Paragraph("一、当事人与基本信息", s["h"]),
        table(_parties(data), s, widths=(40 * mm, 140 * mm)),
        Paragraph("二、法定期限", s["h"]),
        table([["期限", "届满时间", "未顺延时间", "状态", "依据"]] + [
            [label(DEADLINE_NAMES, d.name), local(d.due_at), local(d.raw_due_at),
             label(DEADLINE_STATUS, d.status), d.article] for d in v.deadlines], s, header=True),
        Paragraph("三、增员申请及复核", s["h"]),
        table(_requests(data), s, header=True),
        *evidence_sections(data.evidence, s, ("四", "五")),
    ]
    return build(story, f"社保增员证据时间线 {v.employee_name}")


def _parties(data: BundleInput) -> list[list[str]]:
    v = data.view
    base = v.base_limits
    return [
        ["员工", f"{v.employee_name}（工号 {v.employee_id}）"],
        ["部门", v.department],
        ["参保地", v.region],
        ["入职日期", v.hire_date.isoformat()],
        ["劳动合同起始", v.contract_start.isoformat() if v.contract_start else "—"],
        ["申报缴费基数", f"{v.contribution_base} 元（当地上下限 {base.lower}–{base.upper} 元，"
                   f"{'已核实' if base.verified else '未核实'}）"],
        ["当前状态", v.status.value],
    ]


def _requests(data: BundleInput) -> list[list[str]]:
    rows = [["#", "类型", "基数", "状态", "提交", "复核", "经办机构流水号/原因"]]
    for r in data.view.enrollment_requests:
        reviewed = f"{r.reviewed_by} {local(r.reviewed_at)}" if r.reviewed_at else "—"
        rows.append([str(r.number), label(ENROLLMENT_TYPES, r.type), str(r.contribution_base),
                     label(REQUEST_STATUS, r.status.value),
                     f"{r.submitted_by} {local(r.submitted_at)}", reviewed,
                     r.bureau_reference or r.reason or "—"])
    return rows if len(rows) > 1 else [["—"]]


def _details(payload: dict[str, Any]) -> str:
    parts = [f"{k}: {v}" for k, v in payload.items() if k not in _SKIP_IN_DETAILS and v != ""]
    return "；".join(parts)[:400]


def chain_sentence(check: Verification) -> str:
    if check.valid:
        return (f"哈希链校验：完整，共 {check.entries} 条记录；链头 SHA-256 为 {check.head}。"
                "每条记录包含前一条记录的哈希值，任何改动都会在校验时被发现。")
    return (f"哈希链校验：<b>不完整</b>，第 {check.first_broken_seq} 条记录起与原始记录不一致"
            f"（{escape(check.reason)}）。")
