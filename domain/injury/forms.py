"""The filled-in 工伤认定申请表 (work-injury determination application form) of a case.

The national template (工伤认定办法, MOHRSS Order 8, art. 26: the form's style is set by the
ministry; docs/forms/工伤认定申请表.md keeps its fields and its source): a cover of applicant,
injured employee, their relation and the date; then the rows in the template's order, and the
boxes for the application, the employer's opinion and the authority's review. A field the records
do not hold is left blank, to be filled in by hand: never invented. Pure: the PDF is rendered by
render/determination_form.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.injury.payloads import CaseInput
from domain.shared.calendar import SHANGHAI
from domain.shared.company import Company
from domain.shared.errors import RuleViolation
from domain.shared.identity import parse_resident_id

TITLE = "工伤认定申请表"
BASIS = "《工伤保险条例》第十八条；《工伤认定办法》第六条、第二十六条"
BLANK = ""  # a blank to fill in by hand
EMPTY = BLANK
_SEX = {"male": "男", "female": "女"}
# The rows of the template, in its order (pairs printed side by side on the official form).
FIELDS = ("职工姓名", "性别", "出生日期", "身份证号码", "联系电话", "家庭地址", "邮政编码",
          "工作单位", "单位联系电话", "单位地址", "单位邮政编码", "职业、工种或工作岗位", "参加工作时间",
          "事故时间、地点及主要原因", "诊断时间", "受伤害部位", "职业病名称", "接触职业病危害岗位",
          "接触职业病危害时间", "受伤害经过简述（可附页）")


@dataclass(frozen=True)
class Box:
    """A box of the form: its heading, the text printed in it, who signs it."""

    heading: str
    text: str
    signatures: tuple[str, ...]


@dataclass(frozen=True)
class ApplicationForm:
    """The form: cover lines and rows as (label, value), then the signature boxes, in order."""

    title: str
    rows: tuple[tuple[str, str], ...]
    basis: str = BASIS
    cover: tuple[tuple[str, str], ...] = ()
    boxes: tuple[Box, ...] = ()
    notes: str = ""

    def value(self, label: str) -> str:
        """The value of the cover line or row with this label (KeyError if there is none)."""
        for name, value in self.cover + self.rows:
            if name == label:
                return value
        raise KeyError(label)

    def text(self) -> str:
        """A plain-text rendering: the title, the cover, one `label：value` line per row, the
        boxes, the legal basis."""
        lines = [self.title, ""]
        lines += [f"{label}：{value}" for label, value in self.cover + self.rows]
        for box in self.boxes:
            lines += ["", f"{box.heading}{box.text}", *(f"{s}：" for s in box.signatures)]
        lines += ["", f"依据：{self.basis}"]
        return "\n".join(lines) + "\n"


def application_form(case: CaseInput, generated_at: datetime,
                     company: Company | None = None) -> ApplicationForm:
    """The 工伤认定申请表 filled in from the case data (Regs. art. 18 ¶2); times in Beijing time."""
    employee, employer = case.employee, company or Company()
    applied_on = generated_at.astimezone(SHANGHAI).date()
    sex, born = _sex_and_birth(employee.id_number, applied_on)
    name = employer.name or case.company.strip()
    witnesses = "、".join(w.name.strip() for w in case.witnesses if w.name.strip())
    account = _or_blank(case.description) + (f"\n证人：{witnesses}" if witnesses else "")
    values = (
        _or_blank(employee.name), sex, born, _or_blank(employee.id_number),
        _or_blank(employee.phone), BLANK, BLANK,
        name, employer.contact, employer.address, BLANK, BLANK, BLANK,
        "，".join(p for p in (_moment(case.accident_at), case.location.strip()) if p),
        BLANK, _or_blank(case.injury), BLANK, BLANK, BLANK, account,
    )
    request = (f"申请认定{employee.name}于{_day(case.accident_at.astimezone(SHANGHAI).date())}"
               "所受事故伤害为工伤。")
    return ApplicationForm(
        title=TITLE, rows=tuple(zip(FIELDS, values, strict=True)),
        cover=(("编号", BLANK), ("申请人", name), ("受伤害职工", _or_blank(employee.name)),
               ("申请人与受伤害职工关系", "用人单位"), ("填表日期", _day(applied_on))),
        boxes=(Box("申请事项：", request, ("申请人签字（盖章）", "日期")),
               Box("用人单位意见：", BLANK, ("经办人签字", "（公章）", "日期")),
               Box("社会保险行政部门审查资料和受理意见：", BLANK,
                   ("经办人签字", "负责人签字", "（公章）", "日期")),
               Box("备注：", "已参加工伤保险。" if case.si_enrolled else
                   "未参加工伤保险（《工伤保险条例》第六十二条）。", ())),
        notes="空白栏目为本系统记录中没有的信息，请申请人如实手工填写；非职业病的，职业病相关栏目不填。")


def _sex_and_birth(id_number: str, today: date) -> tuple[str, str]:
    """Sex and birth date from the resident ID (GB 11643-1999); a number that does not parse
    (e.g. a foreign passport) leaves both for the applicant to fill in by hand."""
    try:
        rid = parse_resident_id(id_number, today=today)
    except RuleViolation:
        return EMPTY, EMPTY
    return _SEX[rid.sex], _day(rid.birth_date)


def _day(d: date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def _moment(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{_day(local.date())} {local:%H:%M}（北京时间）"


def _or_blank(value: str | None) -> str:
    return (value or "").strip()
