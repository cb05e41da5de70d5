"""Letters the employer sends, as A4 PDFs in Chinese: the return-to-work notice (返岗通知书) posted by
courier with its proof-of-service slip, and the withdrawal application (社会保险增员撤销申请) to the
SI agency. Each names the employer (name, 统一社会信用代码, address, contact) and leaves what the
records do not hold as a blank to fill in by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from domain.shared.calendar import SHANGHAI
from domain.shared.company import Company
from domain.shared.wording import ZH
from render.kit import build, styles, table

FILL = "________________"
SUSPENSION = "《工伤保险条例》第三十三条"


@dataclass(frozen=True)
class ReturnNotice:
    """What the 返岗通知书 says: who, the injury, the suspension period and when to report."""

    employee_name: str
    id_number: str
    accident_on: date
    location: str
    decision_reference: str       # 认定工伤决定书文号, "" if none recorded
    started_on: date
    months: int
    extended_months: int
    last_day: date                # the period's last day (Civil Code art. 202, not moved)
    report_on: date               # the first working day after it
    issued_on: date


@dataclass(frozen=True)
class WithdrawalApplication:
    """What the 撤销申请 says: which enrolment, why, by when the agency must have it."""

    region: str
    employee_name: str
    id_number: str
    hire_date: date
    enrollment_type: str          # new | back_payment
    contribution_base: Decimal
    bureau_reference: str
    executed_at: datetime | None
    reason: str
    window_ends: datetime | None
    applied_on: date


def return_notice_pdf(letter: ReturnNotice, company: Company, font: Path) -> bytes:
    """The 返岗通知书 with the proof-of-service slip (送达回执) the courier brings back."""
    s = _styles(font)
    extended = f"，经劳动能力鉴定委员会确认延长{letter.extended_months}个月" \
        if letter.extended_months else ""
    decided = f"，经社会保险行政部门认定为工伤（{letter.decision_reference}）" \
        if letter.decision_reference else ""
    body = [
        f"{letter.employee_name}（公民身份号码：{letter.id_number or FILL}）：",
        f"你于{_day(letter.accident_on)}在{letter.location or FILL}受到事故伤害{decided}。依据"
        f"{SUSPENSION}，你的停工留薪期自{_day(letter.started_on)}起{letter.months}个月{extended}，"
        f"至{_day(letter.last_day)}届满，其间原工资福利待遇不变。",
        f"请你于停工留薪期届满后的第一个工作日，即{_day(letter.report_on)}，到本单位"
        f"（{company.address or FILL}）报到，返回工作岗位。",
        "如你认为伤情尚需继续治疗、需要延长停工留薪期，请在期满前书面告知本单位，延长须经设区的市级"
        "劳动能力鉴定委员会确认（《工伤保险条例》第三十三条第二款）；如伤情相对稳定后存在残疾、影响劳动"
        "能力，可以申请劳动能力鉴定（《工伤保险条例》第二十一条、第二十三条）。",
        "无正当理由逾期不报到的，本单位将依照劳动合同及依法制定的规章制度处理。",
        f"联系人及电话：{company.contact or FILL}",
    ]
    story: list[Any] = [Paragraph("返岗通知书", s["title"]),
                        Paragraph(f"编号：{FILL}", s["right"]), Spacer(1, 4 * mm)]
    story += [Paragraph(escape(line), s["letter" if n == 0 else "para"])
              for n, line in enumerate(body)]
    story += _seal(company, letter.issued_on, s)
    story += [Spacer(1, 10 * mm), Paragraph("- - - - - - - - - - - - 沿此线剪开 - - - - - - - - - - - -",
                                            s["center"]),
              Paragraph("送达回执", s["h"]),
              table([["送达文书", "返岗通知书"], ["受送达人", letter.employee_name],
                     ["送达方式", "□ 邮寄（快递公司：________ 运单号：________________）　□ 直接送达"],
                     ["送达单位", company.name or FILL],
                     ["受送达人签收", "签名：________________　　　　年　　月　　日"],
                     ["备注", "受送达人拒绝签收的，由送达人注明情况并签名。"]], s,
                    widths=(35 * mm, 145 * mm))]
    return build(story, f"返岗通知书 {letter.employee_name}", margin=20 * mm)


def withdrawal_pdf(letter: WithdrawalApplication, company: Company, font: Path) -> bytes:
    """The application to the SI agency to withdraw an enrolment it has executed."""
    s = _styles(font)
    kind = "新参保（正常增员）" if letter.enrollment_type == "new" else "补缴"
    executed = _day(letter.executed_at.astimezone(SHANGHAI).date()) if letter.executed_at else FILL
    story: list[Any] = [
        Paragraph("社会保险增员业务撤销申请", s["title"]), Spacer(1, 4 * mm),
        Paragraph(escape(f"{ZH.region(letter.region)}社会保险经办机构："), s["letter"]),
        Paragraph(escape(f"我单位于{executed}为下列职工办理了社会保险增员（业务流水号："
                         f"{letter.bureau_reference or FILL}），现申请撤销该笔业务。"), s["para"]),
        Spacer(1, 2 * mm),
        table([["姓名", "公民身份号码", "入职日期", "业务类型", "缴费基数（元）"],
               [letter.employee_name, letter.id_number, _day(letter.hire_date), kind,
                f"{letter.contribution_base:.2f}"]], s, header=True),
        Spacer(1, 3 * mm),
        Paragraph(escape(f"撤销原因：{letter.reason or FILL}"), s["para"]),
    ]
    if letter.window_ends:
        ends = letter.window_ends.astimezone(SHANGHAI)
        story.append(Paragraph(escape(f"依经办机构的撤销时限，本申请应于{_day(ends.date())} "
                                      f"{ends:%H:%M}（北京时间）前送达。"), s["para"]))
    story.append(Paragraph(escape(f"联系人及电话：{company.contact or FILL}"), s["para"]))
    story += _seal(company, letter.applied_on, s)
    return build(story, f"社会保险增员业务撤销申请 {letter.employee_name}", margin=20 * mm)


def _seal(company: Company, on: date, s: dict[str, ParagraphStyle]) -> list[Any]:
    """The employer's block at the foot of a letter: name, code, address, seal, date."""
    lines = [f"用人单位（盖章）：{company.name or FILL}",
             f"统一社会信用代码：{company.uscc or FILL}",
             f"地址：{company.address or FILL}",
             f"日期：{_day(on)}"]
    return [Spacer(1, 10 * mm), *[Paragraph(escape(line), s["right"]) for line in lines]]


def _styles(font: Path) -> dict[str, ParagraphStyle]:
    s = styles(font, title=(18, 26), heading=(12, 18, 6))
    s["title"].alignment = 1
    s["letter"] = ParagraphStyle("letter", parent=s["body"], fontSize=11, leading=20)
    s["para"] = ParagraphStyle("para", parent=s["letter"], firstLineIndent=22)  # two characters
    s["right"] = ParagraphStyle("right", parent=s["letter"], alignment=2)
    s["center"] = ParagraphStyle("center", parent=s["small"], alignment=1)
    return s


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
