"""Texts of injury-case reminders, escalations and decision notices (Chinese first, English after)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.injury.clocks import local_date
from domain.injury.payloads import CaseInput
from domain.injury.state import Appraisal, CaseDeadline, Determination, NoticeRef, Settlement
from domain.shared.calendar import local
from domain.shared.labels import DEADLINE_NAMES
from domain.shared.people import EmergencyContact
from domain.shared.wording import REGIONS

_WHAT = {
    "materials_filed": ("工伤认定申请材料尚未备齐", "the determination materials are not on file"),
    "determination_application": ("尚未提出工伤认定申请", "the injury-determination application is "
                                  "not filed"),
    "determination_acceptance": ("工伤认定申请尚未受理", "the authority has not accepted the "
                                 "application (15 days, 工伤认定办法 art. 8)"),
    "determination_decision": ("工伤认定决定尚未作出", "the authority has not decided"),
    "suspension_end": ("停工留薪期届满，职工尚未返岗", "the paid suspension period ended and the "
                       "employee has not returned"),
    "appraisal_conclusion": ("劳动能力鉴定结论尚未作出", "the appraisal committee has not concluded"),
    "reappraisal_conclusion": ("再次鉴定结论尚未作出", "the re-appraisal has not concluded"),
    "reappraisal_request": ("再次鉴定申请期限即将届满", "the re-appraisal window is closing"),
    "administrative_review": ("行政复议申请期限即将届满", "the administrative-review window is closing"),
    "settlement_agreement": ("赔偿协商尚未达成协议", "no settlement agreement yet"),
    "arbitration_claim": ("劳动仲裁时效即将届满", "the arbitration limitation period is ending"),
}


def _who(inp: CaseInput) -> str:
    e = inp.employee
    return f"{e.name}（工号 {e.employee_id}，{e.department}）"


def _deadline_line(d: CaseDeadline) -> str:
    name = DEADLINE_NAMES.get(d.name, d.name)
    return f"{name}：{local(d.due_at)} 届满（{d.article}）"


def deadline_message(kind: str, inp: CaseInput, d: CaseDeadline, now: datetime) -> tuple[str, str]:
    """A reminder, escalation or chase about one deadline of a case."""
    zh, en = _WHAT.get(d.name, (d.name, d.name))
    tag = {"reminder": "提醒", "escalation": "逾期升级", "chase": "催办"}.get(kind, kind)
    consequence = f"\n逾期后果：{d.consequence}" if d.consequence else ""
    return (
        f"【工伤案件·{tag}】{inp.employee.name}：{zh}",
        f"{_who(inp)} {local(inp.accident_at)} 在 {inp.location} 受伤（{inp.injury}）。\n"
        f"{_deadline_line(d)}。截至 {local(now)}：{zh}。{consequence}\n"
        f"Work-injury case {inp.case_id} ({kind}): {en}; due {local(d.due_at)} Beijing time "
        f"({d.article}).",
    )


def return_unanswered(inp: CaseInput, sent_at: datetime, now: datetime) -> tuple[str, str]:
    """Escalation: the employee did not answer the return-to-work notice in time."""
    return (
        f"【工伤案件·升级】{inp.employee.name} 未答复复工通知",
        f"{_who(inp)} 于 {local(sent_at)} 收到复工通知，截至 {local(now)} 未作答复。"
        "请联系其紧急联系人或上门送达，并以快递（EMS/顺丰）寄送书面复工通知，记录快递单号。\n"
        f"{inp.employee.name} has not answered the return-to-work notice sent {local(sent_at)}. "
        "Reach the emergency contact or visit, and send a paper notice by courier.",
    )


def determination_notice(inp: CaseInput, det: Determination) -> dict[str, str]:
    """The determination, as the generic notice template's data, for the employee."""
    result = "认定为工伤" if det.recognised else "不予认定为工伤"
    review = "" if det.recognised else "如不服，可自知道之日起60日内申请行政复议，或6个月内提起行政诉讼。"
    return {
        "title": f"工伤认定结果通知：{result}",
        "body": f"{inp.employee.name}您好：您于 {local(inp.accident_at)} 受伤一事，"
                f"工伤认定部门已于 {det.decided_on} 作出决定：{result}"
                f"{'（文号 ' + det.decision_reference + '）' if det.decision_reference else ''}。"
                f"{review}请确认已收到本通知。",
    }


def appraisal_notice(inp: CaseInput, appraisal: Appraisal) -> dict[str, str]:
    """The appraisal conclusion, as the generic notice template's data, for the employee."""
    grade = f"{appraisal.grade}级伤残" if appraisal.grade else "未达伤残等级"
    which = "再次鉴定" if appraisal.round > 1 else "劳动能力鉴定"
    tail = "该结论为最终结论。" if appraisal.round > 1 else \
        "如不服，可自收到结论之日起15日内申请再次鉴定。"
    return {
        "title": f"{which}结论通知：{grade}",
        "body": f"{inp.employee.name}您好：您的{which}已于 {appraisal.concluded_on} 作出结论：{grade}。"
                f"{tail}请确认已收到本通知。",
    }


def _common(inp: CaseInput, documents: tuple[str, ...] = ()) -> dict[str, Any]:
    """What every notice to the employee may carry: the sender, HR's phone, attached documents
    (their ids: the employee's page shows and serves them)."""
    data: dict[str, Any] = {}
    if inp.company:
        data["company"] = inp.company
    if inp.hr_phone:
        data["hr_phone"] = inp.hr_phone
    if documents:
        data["documents"] = list(documents)
    return data


def return_data(inp: CaseInput, back_on: date, suspension_end: CaseDeadline) -> dict[str, Any]:
    """The return_to_work template's data: the day, where to report (the employee's department)
    and the last day of the paid suspension period (《工伤保险条例》第三十三条)."""
    last_day = local_date(suspension_end.raw_due_at) - timedelta(days=1)
    return {"return_date": back_on.isoformat(), "suspension_ends_on": last_day.isoformat(),
            "department": inp.employee.department, **_common(inp)}


def authority_of(region: str) -> str:
    """The deciding authority as the notice names it: the region's 社会保险行政部门 (Reg. 17, 20)."""
    return f"{REGIONS.get(region, region)}社会保险行政部门"


def determination_data(inp: CaseInput, det: Determination,
                       documents: tuple[str, ...] = ()) -> dict[str, Any]:
    """The determination_decision template's data: recognised or not, by whom, when, the decision
    document, and (in the template) the 60-day review right (Reg. 55; 行政复议法第二十条)."""
    return {**determination_notice(inp, det),  # title and body: what the generic template said
            "recognised": bool(det.recognised), "authority": authority_of(inp.region),
            "authority_en": f"the social insurance authority of {inp.region.capitalize()}",
            "decided_on": det.decided_on.isoformat() if det.decided_on else "",
            "accident_at": local(inp.accident_at), "reference": det.decision_reference,
            "reason": det.reason, **_common(inp, documents)}


def appraisal_data(inp: CaseInput, appraisal: Appraisal,
                   documents: tuple[str, ...] = ()) -> dict[str, Any]:
    """The appraisal_conclusion template's data: the grade, the date, whether it is final, and
    (in the template) the 15-day re-appraisal right (Reg. 26)."""
    final = appraisal.round > 1
    return {**appraisal_notice(inp, appraisal),
            "grade": appraisal.grade, "final": final,
            "concluded_on": appraisal.concluded_on.isoformat() if appraisal.concluded_on else "",
            "committee": f"{REGIONS.get(inp.region, inp.region)}劳动能力鉴定委员会" if final
                         else "设区的市级劳动能力鉴定委员会",
            "reference": appraisal.reference, **_common(inp, documents)}


def invitation_data(inp: CaseInput, meeting_at: datetime, place: str,
                    bring: tuple[str, ...]) -> dict[str, Any]:
    """The negotiation_invitation template's data (协商邀请): when, where, what to bring."""
    return {"meeting_at": local(meeting_at), "place": place,
            "bring": list(bring) or ["身份证", "病历和医疗费用票据", "本人银行卡"],
            "topic": "停工留薪期待遇、伤残待遇及相关费用", **_common(inp)}


def payment_data(inp: CaseInput, settlement: Settlement, paid: Decimal, paid_on: date,
                 reference: str, documents: tuple[str, ...] = ()) -> dict[str, Any]:
    """The settlement_payment template's data: the agreement, this payment, what remains."""
    data: dict[str, Any] = {"paid_amount": f"{paid:.2f}", "paid_on": paid_on.isoformat(),
                            "reference": reference, "total_paid": f"{settlement.paid_amount:.2f}",
                            **_common(inp, documents)}
    if settlement.agreed_amount is not None:
        data["agreed_amount"] = f"{settlement.agreed_amount:.2f}"
        if settlement.agreed_on is not None:
            data["agreed_on"] = settlement.agreed_on.isoformat()
        left = settlement.agreed_amount - settlement.paid_amount
        if left > 0:
            data["outstanding"] = f"{left:.2f}"
    return data


def escalation_data(inp: CaseInput, ref: NoticeRef, history: tuple[str, ...],
                    unreachable: bool) -> dict[str, object]:
    """The notice_escalation template's data: who did not answer what, with the receipt history."""
    return {"employee_name": inp.employee.name, "notice_title": "复工通知",
            "deadline": local(ref.sent_at + inp.timing.notice_response),
            "unreachable": unreachable, "history": list(history)}


def to_emergency_contact(inp: CaseInput, contact: EmergencyContact) -> tuple[str, str]:
    """To the emergency contact, where the employer's policy says so: ask them to pass it on."""
    hr = f"，电话 {inp.hr_phone}" if inp.hr_phone else ""
    return (
        f"【{inp.company or '人事部'}】请转告{inp.employee.name}",
        f"{contact.name}您好：我们多次联系{inp.employee.name}（您的{contact.relation}）未获答复，"
        f"其停工留薪期即将届满。请转告其尽快与人事部联系{hr}。",
    )
