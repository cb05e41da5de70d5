"""An injury case's PDF for an arbitrator: parties, accident, deadlines met or missed, decisions with
who recorded them, notices, couriers, settlement, then the ledger and the documents (ReportLab).
Chinese by default, English on request: every word goes through domain.shared.wording."""

from __future__ import annotations

from datetime import date, datetime
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
    DISPUTE_EVENTS,
    NOTICE_CHANNELS,
    NOTICE_PURPOSES,
    NOTICE_RESULTS,
    OFFER_PARTIES,
    RECIPIENT_ROLES,
)
from domain.shared.wording import ZH, Words
from render.cover import company_lines, cover_page
from render.kit import build, styles, table
from render.timeline import evidence_sections

if TYPE_CHECKING:
    from render.bundle import CaseBundleInput, NoticeLine
    from store.models import EvidenceEntry

KEY_VALUE = (40 * mm, 140 * mm)
_ENDED_BY = {"return": ("职工返岗", "the employee returned"),
             "appraisal": ("劳动能力鉴定结论作出", "the appraisal concluded")}


def render_case_timeline(data: CaseBundleInput) -> bytes:
    s = styles(data.evidence.font)
    v, w = data.view, data.evidence.words
    title = w.t("工伤案件证据时间线", "Work-injury case evidence timeline")
    heads = w.t("一、当事人|二、事故经过|三、法定期限|四、工伤认定与劳动能力鉴定|五、停工留薪期|"
                "六、通知及回执|七、书面通知（快递）|八、赔偿协商与支付|九、争议|十|十一",
                "1. Parties|2. The accident|3. Statutory deadlines|4. Determination and appraisal|"
                "5. Paid suspension|6. Notices and receipts|7. Written notices by courier|"
                "8. Settlement and payment|9. Disputes|10|11").split("|")
    story: list[Any] = [
        *cover_page(data.evidence, title, s),
        Paragraph(f"{title}：{escape(v.employee_name)}", s["title"]),
        *company_lines(data.evidence, s),
        Paragraph(escape(w.t("案件编号 {id}；生成人 {by}；生成时间 {at}；时间均为北京时间。",
                             "Case {id}; exported by {by} at {at}; times are Beijing time.",
                             id=v.id, by=data.evidence.generated_by,
                             at=local(data.evidence.generated_at))),
                  s["body"]),
        Paragraph(heads[0], s["h"]),
        table(_parties(data), s, widths=KEY_VALUE),
        Paragraph(heads[1], s["h"]),
        table(_accident(data), s, widths=KEY_VALUE),
        Paragraph(heads[2], s["h"]),
        _grid(_deadlines(data), s, (42 * mm, 21 * mm, 25 * mm, 25 * mm, 27 * mm, 40 * mm), w=w),
        *_late_application(data, s),
        Paragraph(heads[3], s["h"]),
        _grid(_decisions(data), s, (30 * mm, 20 * mm, 55 * mm, 35 * mm, 40 * mm), w=w),
        Paragraph(heads[4], s["h"]),
        _grid(_suspension(data), s, KEY_VALUE, header=False, w=w),
        Paragraph(heads[5], s["h"]),
        _grid(_notices(data.notices, w), s,
              (28 * mm, 22 * mm, 16 * mm, 22 * mm, 22 * mm, 22 * mm, 27 * mm, 21 * mm), w=w),
        Paragraph(heads[6], s["h"]),
        _grid(_couriers(data), s, (16 * mm, 30 * mm, 28 * mm, 20 * mm, 24 * mm, 62 * mm), w=w),
        Paragraph(heads[7], s["h"]),
        _grid(_settlement(data), s, KEY_VALUE, header=False, w=w),
        Paragraph(heads[8], s["h"]),
        _grid([[w.t("事项", "Event"), w.t("日期", "Date"), w.t("机构", "Forum"),
                w.t("说明", "Note"), w.t("记录人", "Recorded by")]] + [
            [w.label(DISPUTE_EVENTS, d.event), d.on.isoformat(), d.forum or "—", d.note or "—",
             w.actor(d.recorded_by)] for d in v.disputes], s, w=w),
        *evidence_sections(data.evidence, s, (heads[9], heads[10])),
    ]
    return build(story, f"{title} {v.employee_name}")


def _parties(data: CaseBundleInput) -> list[list[str]]:
    v, case, w = data.view, data.case, data.evidence.words
    stage = w.label(CASE_STAGES, v.stage.value)
    company = data.evidence.company
    return [
        [w.t("职工", "Employee"), w.t("{name}（工号 {id}）", "{name} (staff no. {id})",
                                       name=v.employee_name, id=v.employee_id)],
        [w.t("部门", "Department"), v.department],
        [w.t("部门负责人", "Department manager"), case.employee.manager.name],
        [w.t("用人单位", "Employer"), (company.name if company else "") or case.company or "—"],
        [w.t("经办人事（报告人）", "HR officer (reported it)"), w.actor(case.created_by)],
        [w.t("人事负责人", "HR manager"), case.hr_manager.name if case.hr_manager else "—"],
        [w.t("参保地", "Insured in"), w.region(v.region)],
        [w.t("案件状态", "Status"), w.t("{stage}；原因：{why}", "{stage}; reason: {why}",
                                       stage=stage, why=v.closed_reason)
         if v.closed_reason else stage],
    ]


def _accident(data: CaseBundleInput) -> list[list[str]]:
    v, case, w = data.view, data.case, data.evidence.words
    witnesses = "；".join(w.t("{name}（证言：{said}）", "{name} (statement: {said})",
                              name=p.name, said=p.statement) if p.statement else p.name
                         for p in case.witnesses)
    missing = [m["label_zh"] if w.zh else m["code"] for m in v.materials
               if m["code"] in v.missing_materials]
    enrolled = w.t("已参加工伤保险", "insured against work injury") if v.si_enrolled else w.t(
        "未参加工伤保险（依《工伤保险条例》第六十二条，工伤保险待遇由用人单位支付）",
        "not insured (Reg. art. 62: the employer pays the benefits)")
    return [
        [w.t("事故时间", "Accident at"), local(v.accident_at)],
        [w.t("报告时间", "Reported at"), local(v.reported_at)],
        [w.t("事故地点", "Place"), v.location],
        [w.t("事故经过", "What happened"), case.description],
        [w.t("受伤部位及伤情", "Injury"), v.injury],
        [w.t("证人", "Witnesses"), witnesses or w.t("无", "none")],
        [w.t("工伤保险", "Work-injury insurance"), enrolled],
        [w.t("交通事故", "Traffic accident"), w.yes(case.traffic_accident)],
        [w.t("认定申请材料", "Application materials"),
         w.t("尚缺：", "missing: ") + "、".join(missing) if missing
         else w.t("已齐备", "complete")],
    ]


def _deadlines(data: CaseBundleInput) -> list[list[str]]:
    w = data.evidence.words
    rows = [[w.t("期限", "Deadline"), w.t("性质", "Kind"), w.t("届满时间", "Due"),
             w.t("完成时间", "Met at"), w.t("状态", "Status"), w.t("依据", "Basis")]]
    for d in data.view.deadlines:
        status = w.status(d.status)
        if d.kind == "right" and d.status == "missed":
            status = w.t("期间已届满", "period over")
        rows.append([w.label(DEADLINE_NAMES, d.name), w.label(DEADLINE_KINDS, d.kind),
                     local(d.due_at) + (w.t("（已延长）", " (extended)") if d.extended else ""),
                     local(d.met_at) if d.met_at else "—", status, w.article(d.article)])
    return rows


def _late_application(data: CaseBundleInput, s: dict[str, ParagraphStyle]) -> list[Any]:
    late, w = data.view.late_application, data.evidence.words
    if not late:
        return []
    ends_on = late.get("ends_on", "filed")
    until = late["employer_bears_costs_until"] or {
        "accepted": w.t("申请受理之日", "the acceptance of the application"),
        "received": w.t("申请收到之日", "the receipt of the application"),
    }.get(ends_on, w.t("提出申请之日", "the application"))
    return [Spacer(1, 2 * mm), Paragraph(escape(w.t(
        "用人单位未在事故之日起30日内申请工伤认定：{start} 至 {until} 期间发生的符合规定的工伤待遇等费用"
        "由用人单位负担（{article}）。",
        "The employer did not apply within 30 days of the accident: qualifying costs from {start} "
        "to {until} are the employer's ({article}).",
        start=late["employer_bears_costs_from"], until=until,
        article=w.article(late.get("rule_article") or late["article"]))), s["body"])]


def _decisions(data: CaseBundleInput) -> list[list[str]]:
    v, entries, w = data.view, data.evidence.entries, data.evidence.words
    rows = [[w.t("事项", "Step"), w.t("日期", "Date"), w.t("结果/说明", "Result / note"),
             w.t("文号", "Reference"), w.t("记录人", "Recorded by")]]
    det = v.determination
    if det is not None:
        how = w.t("简易程序（15日内决定）", "simple procedure (15 days)") if det.simple_case \
            else w.t("一般程序（60日内决定）", "ordinary procedure (60 days)")
        if det.override_reason:
            how += w.t("；材料未齐即申请，理由：{why}", "; applied before the materials were "
                       "complete: {why}", why=det.override_reason)
        rows.append([w.t("申请工伤认定", "Applied for determination"), _day(det.applied_on), how,
                     "—", _who(entries, "determination_applied", w)])
        if det.accepted_on is not None:
            rows.append([w.t("认定申请受理", "Application accepted"), _day(det.accepted_on), "—",
                         det.reference or "—", _who(entries, "determination_accepted", w)])
        if det.recognised is not None:
            result = w.t("认定为工伤", "recognised as a work injury") if det.recognised \
                else w.t("不予认定为工伤", "not recognised")
            rows.append([w.t("工伤认定决定", "Determination"), _day(det.decided_on),
                         f"{result}：{det.reason}" if det.reason else result,
                         det.decision_reference or "—",
                         _who(entries, "determination_decided", w)])
    concluded = 0
    for a in v.appraisals:
        name, applied = (w.t("再次鉴定", "re-appraisal"), "reappraisal_requested") if a.round > 1 \
            else (w.t("劳动能力鉴定", "labour-ability appraisal"), "appraisal_applied")
        rows.append([w.t("申请{name}", "Applied for {name}", name=name), _day(a.applied_on), "—",
                     "—", _who(entries, applied, w, 0 if a.round == 1 else -1)])
        if a.concluded_on is not None:
            result = w.t("未达伤残等级", "no disability grade") if a.no_disability \
                else w.t("伤残{g}级", "disability grade {g}", g=a.grade)
            rows.append([w.t("{name}结论", "Conclusion of {name}", name=name),
                         _day(a.concluded_on), result, a.reference or "—",
                         _who(entries, "appraisal_concluded", w, concluded)])
            concluded += 1
    return rows


def _suspension(data: CaseBundleInput) -> list[list[str]]:
    p, w = data.view.suspension, data.evidence.words
    if p is None:
        return []
    months = w.t("{n} 个月", "{n} months", n=p.months) + (
        w.t("，延长 {n} 个月", ", extended by {n} months", n=p.extended_months)
        if p.extended_months else "")
    end = next((d for d in data.view.deadlines if d.name == "suspension_end"), None)
    ended_by = _ENDED_BY.get(p.ended_by or "", (p.ended_by or "", p.ended_by or ""))
    return [[w.t("开始日期", "Started on"), _day(p.started_on)], [w.t("期限", "Length"), months],
            [w.t("期满时间", "Ends at"), local(end.due_at) if end else "—"],
            [w.t("实际结束", "Ended"),
             f"{_day(p.ended_on)}（{ended_by[0] if w.zh else ended_by[1]}）"
             if p.ended_on else w.t("尚未结束", "not yet")]]


def _notices(notices: list[NoticeLine], w: Words) -> list[list[str]]:
    rows = [[w.t("通知", "Notice"), w.t("收件人", "To"), w.t("渠道", "Channels"),
             w.t("发出", "Sent"), w.t("送达", "Delivered"), w.t("阅读", "Read"),
             w.t("答复", "Answer"), w.t("结果", "Outcome")]]
    for n in notices:
        read = local(n.read_at) + (w.t("（邮件打开）", " (e-mail opened)")
                                   if n.read_status == "opened" else "") if n.read_at else "—"
        role = w.label(RECIPIENT_ROLES, n.recipient_role)
        rows.append([w.label(NOTICE_PURPOSES, n.purpose), f"{n.recipient}（{role}）",
                     "、".join(w.label(NOTICE_CHANNELS, c) for c in n.channels) or "—",
                     _at(n.sent_at), _at(n.delivered_at), read, _answer(n, w),
                     w.label(NOTICE_RESULTS, n.status)])
    return rows


def _answer(n: NoticeLine, w: Words) -> str:
    if n.answer is None or n.answered_at is None:
        return "—"
    said = w.t("确认", "confirmed") if n.answer.get("choice") == "confirm" else w.t("答复", "answered")
    text = n.answer.get("text") or ""
    back = n.answer.get("return_date")
    return (f"{local(n.answered_at)} {said}" + (f"：{text}" if text else "")
            + (w.t("；返岗日期 {d}", "; returns on {d}", d=back) if back else ""))


def _couriers(data: CaseBundleInput) -> list[list[str]]:
    w = data.evidence.words
    rows = [[w.t("快递公司", "Carrier"), w.t("运单号", "Tracking no."), w.t("用途", "Purpose"),
             w.t("寄出日期", "Posted"), w.t("状态", "Status"), w.t("跟踪记录", "Tracking")]]
    for c in data.view.couriers:
        track = "；".join(
            f"{local(u.at)} {w.label(COURIER_STATUS, u.status)}"
            + (w.t("，签收人 {who}", ", signed by {who}", who=u.signed_by) if u.signed_by else "")
            + (f"，{u.note}" if u.note else "")
            for u in c.history)
        rows.append([c.carrier, c.tracking_number, w.label(NOTICE_PURPOSES, c.purpose),
                     _day(c.posted_on), w.label(COURIER_STATUS, c.status), track or "—"])
    return rows


def _settlement(data: CaseBundleInput) -> list[list[str]]:
    st, w = data.view.settlement, data.evidence.words
    if st is None:
        return []
    rows = [[w.t("开始协商", "Negotiation opened"), _day(st.opened_on)]]
    rows += [[w.label(OFFER_PARTIES, o.party),
              w.t("{amount} 元（{on}）", "CNY {amount} ({on})", amount=o.amount, on=_day(o.on))
              + (f"；{o.note}" if o.note else "")]
             for o in st.offers]
    rows.append([w.t("赔偿协议", "Agreement"),
                 w.t("{amount} 元（{on}）", "CNY {amount} ({on})", amount=st.agreed_amount,
                     on=_day(st.agreed_on))
                 if st.agreed_amount is not None else w.t("尚未达成", "none yet")])
    rows.append([w.t("已支付", "Paid"),
                 w.t("{amount} 元（已付清，{on}）", "CNY {amount} (paid in full, {on})",
                     amount=st.paid_amount, on=_day(st.paid_on)) if st.paid_on
                 else w.t("{amount} 元（未付清）", "CNY {amount} (not in full)",
                          amount=st.paid_amount)])
    return rows


def _grid(rows: list[list[str]], s: dict[str, ParagraphStyle],
          widths: tuple[float, ...] | None = None, header: bool = True,
          w: Words | None = None) -> Any:
    """A table, or a plain "无记录" when there is nothing to show beyond its header."""
    if len(rows) <= (1 if header else 0):
        return Paragraph((w or ZH).t("无记录。", "Nothing recorded."), s["body"])
    return table(rows, s, header=header, widths=widths)


def _who(entries: list[EvidenceEntry], kind: str, w: Words, nth: int = -1) -> str:
    """Who recorded the nth event of this kind in the ledger, and when."""
    found = [e for e in entries if e.kind == kind]
    try:
        e = found[nth]
    except IndexError:
        return "—"
    return f"{w.actor(e.actor)}（{local(e.at)}）"


def _day(day: date | None) -> str:
    return day.isoformat() if day else "—"


def _at(moment: datetime | None) -> str:
    return local(moment) if moment else "—"
