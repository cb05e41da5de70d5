"""The filled-in 工伤认定申请表 (work-injury determination application form) of a case.

Regs. art. 18 ¶2: the form states the time, place and cause of the accident and the degree of the
employee's injury. Pure: the PDF is rendered by activities/forms.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.injury.payloads import CaseInput
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import RuleViolation
from domain.shared.identity import parse_resident_id

TITLE = "工伤认定申请表"
BASIS = "《工伤保险条例》第十八条"
EMPTY = "—"
_SEX = {"male": "男", "female": "女"}


@dataclass(frozen=True)
class ApplicationForm:
    """The form's rows as (Chinese label, value), in the order of the printed form."""

    title: str
    rows: tuple[tuple[str, str], ...]
    basis: str = BASIS

    def value(self, label: str) -> str:
        """The value of the row with this label (KeyError if the form has no such row)."""
        for name, value in self.rows:
            if name == label:
                return value
        raise KeyError(label)

    def text(self) -> str:
        """A plain-text rendering: the title, one `label：value` line per row, the legal basis."""
        lines = [self.title, ""]
        lines += [f"{label}：{value}" for label, value in self.rows]
        lines += ["", f"依据：{self.basis}"]
        return "\n".join(lines) + "\n"


def application_form(case: CaseInput, generated_at: datetime) -> ApplicationForm:
    """The 工伤认定申请表 filled in from the case data (Regs. art. 18 ¶2); times in Beijing time."""
    employee = case.employee
    applied_on = generated_at.astimezone(SHANGHAI).date()
    sex, born = _sex_and_birth(employee.id_number, applied_on)
    company = case.company.strip() or EMPTY
    rows = (
        ("职工姓名", _or_empty(employee.name)),
        ("性别", sex),
        ("出生日期", born),
        ("身份证号码", _or_empty(employee.id_number)),
        ("联系电话", _or_empty(employee.phone)),
        ("用人单位", company),
        ("部门", _or_empty(employee.department)),
        ("事故时间", _moment(case.accident_at)),
        ("事故地点", _or_empty(case.location)),
        ("事故经过", _or_empty(case.description)),
        ("受伤部位及伤害程度", _or_empty(case.injury)),
        ("证人", "、".join(w.name.strip() for w in case.witnesses if w.name.strip()) or "无"),
        ("是否参加工伤保险", "是" if case.si_enrolled else "否"),
        ("申请人", company),
        ("申请日期", _day(applied_on)),
    )
    return ApplicationForm(title=TITLE, rows=rows)


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


def _or_empty(value: str | None) -> str:
    return (value or "").strip() or EMPTY
