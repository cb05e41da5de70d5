"""An injury case's PDF for an arbitrator: parties, accident, deadlines met or missed, decisions with
who recorded them, notices, couriers, settlement, then the ledger and the documents (ReportLab)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from domain.shared.calendar import local
from domain.shared.labels import (
    CASE_STAGES,
    COURIER_STATUS,
    DEADLINE_KINDS,
    DEADLINE_NAMES,
    DEADLINE_STATUS,
    DISPUTE_EVENTS,
    NOTICE_CHANNELS,
    NOTICE_PURPOSES,
    NOTICE_RESULTS,
    OFFER_PARTIES,
    RECIPIENT_ROLES,
    label,
)
from render.kit import build, styles, table
from render.timeline import evidence_sections

if TYPE_CHECKING:
    from render.bundle import CaseBundleInput, NoticeLine
    from store.models import EvidenceEntry

KEY_VALUE = (40 * mm, 140 * mm)
_ENDED_BY = {"return": "职工返岗", "appraisal": "劳动能力鉴定结论作出"}


def render_case_timeline(data: CaseBundleInput) -> bytes:
    s = styles(data.evidence.font)
    v = data.view
    story: list[Any] = [
        Paragraph(f"工伤案件证据时间线：{escape(v.employee_name)}", s["title"]),
        Paragraph(f"案件编号 {v.id}；生成人 {escape(data.evidence.generated_by)}；生成时间 "
                  f"{local(datetime.now(UTC))}；时间均为北京时间。", s["body"]),
        Paragraph("一、当事人", s["h"]),
        table(_parties(data), s, widths=KEY_VALUE),
        Paragraph("二、事故经过", s["h"]),
        table(_accident(data), s, widths=KEY_VALUE),
        Paragraph("三、法定期限", s["h"]),
        _grid(_deadlines(data), s, (42 * mm, 21 * mm, 25 * mm, 25 * mm, 27 * mm, 40 * mm)),
        *_late_application(data, s),
        Paragraph("四、工伤认定与劳动能力鉴定", s["h"]),
        _grid(_decisions(data), s, (30 * mm, 20 * mm, 55 * mm, 35 * mm, 40 * mm)),
        Paragraph("五、停工留薪期", s["h"]),
        _grid(_suspension(data), s, KEY_VALUE, header=False),
        Paragraph("六、通知及回执", s["h"]),
        _grid(_notices(data.notices), s,
              (28 * mm, 22 * mm, 16 * mm, 22 * mm, 22 * mm, 22 * mm, 27 * mm, 21 * mm)),
        Paragraph("七、书面通知（快递）", s["h"]),
        _grid(_couriers(data), s, (16 * mm, 30 * mm, 28 * mm, 20 * mm, 24 * mm, 62 * mm)),
        Paragraph("八、赔偿协商与支付", s["h"]),
        _grid(_settlement(data), s, KEY_VALUE, header=False),
        Paragraph("九、争议", s["h"]),
        _grid([["事项", "日期", "机构", "说明", "记录人"]] + [
            [label(DISPUTE_EVENTS, d.event), d.on.isoformat(), d.forum or "—", d.note or "—",
             d.recorded_by] for d in v.disputes], s),
        *evidence_sections(data.evidence, s, ("十", "十一")),
    ]
    return build(story, f"工伤案件证据时间线 {v.employee_name}")


def _parties(data: CaseBundleInput) -> list[list[str]]:
    v, case = data.view, data.case
    stage = label(CASE_STAGES, v.stage.value)
    return [
        ["职工", f"{v.employee_name}（工号 {v.employee_id}）"],
        ["部门", v.department],
        ["部门负责人", case.employee.manager.name],
        ["用人单位", case.company or "—"],
        ["经办人事（报告人）", case.created_by],
        ["人事负责人", case.hr_manager.name if case.hr_manager else "—"],
        ["参保地", v.region],
        ["案件状态", f"{stage}；原因：{v.closed_reason}" if v.closed_reason else stage],
    ]


def _accident(data: CaseBundleInput) -> list[list[str]]:
    v, case = data.view, data.case
    witnesses = "；".join(f"{w.name}（证言：{w.statement}）" if w.statement else w.name
                         for w in case.witnesses)
    missing = [m["label_zh"] for m in v.materials if m["code"] in v.missing_materials]
    return [
        ["事故时间", local(v.accident_at)],
        ["报告时间", local(v.reported_at)],
        ["事故地点", v.location],
        ["事故经过", case.description],
        ["受伤部位及伤情", v.injury],
        ["证人", witnesses or "无"],
        ["工伤保险", "已参加工伤保险" if v.si_enrolled else
         "未参加工伤保险（依《工伤保险条例》第六十二条，工伤保险待遇由用人单位支付）"],
        ["交通事故", "是" if case.traffic_accident else "否"],
        ["认定申请材料", "尚缺：" + "、".join(missing) if missing else "已齐备"],
    ]


def _deadlines(data: CaseBundleInput) -> list[list[str]]:
    rows = [["期限", "性质", "届满时间", "完成时间", "状态", "依据"]]
    for d in data.view.deadlines:
        status = label(DEADLINE_STATUS, d.status)
        if d.kind == "right" and d.status == "missed":
            status = "期间已届满（missed）"
        rows.append([label(DEADLINE_NAMES, d.name), DEADLINE_KINDS.get(d.kind, d.kind),
                     local(d.due_at) + ("（已延长）" if d.extended else ""),
                     local(d.met_at) if d.met_at else "—", status, d.article])
    return rows


def _late_application(data: CaseBundleInput, s: dict[str, ParagraphStyle]) -> list[Any]:
    late = data.view.late_application
    if not late:
        return []
    until = late["employer_bears_costs_until"] or "提出申请之日"
    return [Spacer(1, 2 * mm), Paragraph(escape(
        f"用人单位未在事故之日起30日内申请工伤认定：{late['employer_bears_costs_from']} 至 {until} "
        f"期间发生的符合规定的工伤待遇等费用由用人单位负担（{late['article']}）。"), s["body"])]


def _decisions(data: CaseBundleInput) -> list[list[str]]:
    v, entries = data.view, data.evidence.entries
    rows = [["事项", "日期", "结果/说明", "文号", "记录人"]]
    det = v.determination
    if det is not None:
        how = "简易程序（15日内决定）" if det.simple_case else "一般程序（60日内决定）"
        if det.override_reason:
            how += f"；材料未齐即申请，理由：{det.override_reason}"
        rows.append(["申请工伤认定", _day(det.applied_on), how, "—",
                     _who(entries, "determination_applied")])
        if det.accepted_on is not None:
            rows.append(["认定申请受理", _day(det.accepted_on), "—", det.reference or "—",
                         _who(entries, "determination_accepted")])
        if det.recognised is not None:
            result = "认定为工伤" if det.recognised else "不予认定为工伤"
            rows.append(["工伤认定决定", _day(det.decided_on),
                         f"{result}：{det.reason}" if det.reason else result,
                         det.decision_reference or "—", _who(entries, "determination_decided")])
    concluded = 0
    for a in v.appraisals:
        name, applied = ("再次鉴定", "reappraisal_requested") if a.round > 1 \
            else ("劳动能力鉴定", "appraisal_applied")
        rows.append([f"申请{name}", _day(a.applied_on), "—", "—",
                     _who(entries, applied, 0 if a.round == 1 else -1)])
        if a.concluded_on is not None:
            result = "未达伤残等级" if a.no_disability else f"伤残{a.grade}级"
            rows.append([f"{name}结论", _day(a.concluded_on), result, a.reference or "—",
                         _who(entries, "appraisal_concluded", concluded)])
            concluded += 1
    return rows


def _suspension(data: CaseBundleInput) -> list[list[str]]:
    p = data.view.suspension
    if p is None:
        return []
    months = f"{p.months} 个月" + (f"，延长 {p.extended_months} 个月" if p.extended_months else "")
    end = next((d for d in data.view.deadlines if d.name == "suspension_end"), None)
    return [["开始日期", _day(p.started_on)], ["期限", months],
            ["期满时间", local(end.due_at) if end else "—"],
            ["实际结束", f"{_day(p.ended_on)}（{_ENDED_BY.get(p.ended_by, p.ended_by)}）"
             if p.ended_on else "尚未结束"]]


def _notices(notices: list[NoticeLine]) -> list[list[str]]:
    rows = [["通知", "收件人", "渠道", "发出", "送达", "阅读", "答复", "结果"]]
    for n in notices:
        read = local(n.read_at) + ("（邮件打开）" if n.read_status == "opened" else "") \
            if n.read_at else "—"
        role = RECIPIENT_ROLES.get(n.recipient_role, n.recipient_role)
        rows.append([label(NOTICE_PURPOSES, n.purpose), f"{n.recipient}（{role}）",
                     "、".join(NOTICE_CHANNELS.get(c, c) for c in n.channels) or "—",
                     _at(n.sent_at), _at(n.delivered_at), read, _answer(n),
                     label(NOTICE_RESULTS, n.status)])
    return rows


def _answer(n: NoticeLine) -> str:
    if n.answer is None or n.answered_at is None:
        return "—"
    said = "确认" if n.answer.get("choice") == "confirm" else "答复"
    text = n.answer.get("text") or ""
    back = n.answer.get("return_date")
    return (f"{local(n.answered_at)} {said}" + (f"：{text}" if text else "")
            + (f"；返岗日期 {back}" if back else ""))


def _couriers(data: CaseBundleInput) -> list[list[str]]:
    rows = [["快递公司", "运单号", "用途", "寄出日期", "状态", "跟踪记录"]]
    for c in data.view.couriers:
        track = "；".join(
            f"{local(u.at)} {COURIER_STATUS.get(u.status, u.status)}"
            + (f"，签收人 {u.signed_by}" if u.signed_by else "") + (f"，{u.note}" if u.note else "")
            for u in c.history)
        rows.append([c.carrier, c.tracking_number, label(NOTICE_PURPOSES, c.purpose),
                     _day(c.posted_on), label(COURIER_STATUS, c.status), track or "—"])
    return rows


def _settlement(data: CaseBundleInput) -> list[list[str]]:
    st = data.view.settlement
    if st is None:
        return []
    rows = [["开始协商", _day(st.opened_on)]]
    rows += [[OFFER_PARTIES.get(o.party, o.party),
              f"{o.amount} 元（{_day(o.on)}）" + (f"；{o.note}" if o.note else "")]
             for o in st.offers]
    rows.append(["赔偿协议", f"{st.agreed_amount} 元（{_day(st.agreed_on)}）"
                 if st.agreed_amount is not None else "尚未达成"])
    rows.append(["已支付", f"{st.paid_amount} 元（已付清，{_day(st.paid_on)}）" if st.paid_on
                 else f"{st.paid_amount} 元（未付清）"])
    return rows


def _grid(rows: list[list[str]], s: dict[str, ParagraphStyle],
          widths: tuple[float, ...] | None = None, header: bool = True) -> Any:
    """A table, or a plain "无记录" when there is nothing to show beyond its header."""
    if len(rows) <= (1 if header else 0):
        return Paragraph("无记录。", s["body"])
    return table(rows, s, header=header, widths=widths)


def _who(entries: list[EvidenceEntry], kind: str, nth: int = -1) -> str:
    """Who recorded the nth event of this kind in the ledger, and when."""
    found = [e for e in entries if e.kind == kind]
    try:
        e = found[nth]
    except IndexError:
        return "—"
    return f"{e.actor}（{local(e.at)}）"


def _day(day: date | None) -> str:
    return day.isoformat() if day else "—"


def _at(moment: datetime | None) -> str:
    return local(moment) if moment else "—"
