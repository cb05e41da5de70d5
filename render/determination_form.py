"""The 工伤认定申请表 (Regs. art. 18) as an A4 PDF in the national template's order, filled in from
the case data; what the records do not hold is left blank to fill in by hand."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from domain.injury.forms import ApplicationForm, application_form
from domain.injury.payloads import CaseInput
from domain.shared.calendar import local
from domain.shared.company import Company
from render.kit import build, font_name

# C0 controls but tab and newline, and DEL: a PDF cannot show them (a NUL, ESC or bell in a pasted
# description) and they are dropped from the rendered text; the case data keeps them.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# The template's grid: the fields side by side as it prints them (by label, in its order).
GRID = (("职工姓名", "性别", "出生日期"), ("身份证号码", "联系电话"), ("家庭地址", "邮政编码"),
        ("工作单位", "单位联系电话"), ("单位地址", "单位邮政编码"),
        ("职业、工种或工作岗位", "参加工作时间"), ("事故时间、地点及主要原因", "诊断时间"),
        ("受伤害部位", "职业病名称"), ("接触职业病危害岗位", "接触职业病危害时间"))
WIDTH = 174 * mm
SHADE = colors.HexColor("#f0f0f0")


def case_form_pdf(case: CaseInput, generated_at: datetime, generated_by: str,
                  company: Company | None, font: Path) -> bytes:
    """The case's form as FormActivities stores it, its subtitle naming who and what made it (a
    function of the module, so a rendering process can be handed it: render/processes.py)."""
    return render_pdf(application_form(case, generated_at, company), font,
                      subtitle=f"案件编号 {case.case_id}；由本单位工伤案件管理系统根据案件记录生成，"
                               f"生成人 {generated_by}，生成时间 {local(generated_at)}（北京时间）")


def render_pdf(form: ApplicationForm, font: Path, subtitle: str = "") -> bytes:
    """The form as an A4 PDF laid out as the national template: cover lines, the grid of fields
    side by side (a blank is a cell to fill in by hand), the account of the injury, then the
    application, opinion and review boxes. A description longer than a page (8,000 characters)
    continues on the next."""
    name = font_name(font)
    body = ParagraphStyle("body", fontName=name, fontSize=10, leading=15, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1,
                           spaceAfter=4)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, alignment=1)
    values = dict(form.rows)
    gridded = {label for group in GRID for label in group}
    rest = [(label, value) for label, value in form.rows if label not in gridded]
    story: list[Any] = [Paragraph(escape(_printable(form.title)), title)]
    if subtitle:
        story.append(Paragraph(escape(_printable(subtitle)), small))
    story.append(Spacer(1, 3 * mm))
    story += [Paragraph(escape(f"{label}：") + (_lines(value) if value else _FILL), body)
              for label, value in form.cover]
    story += [Spacer(1, 4 * mm), _grid(values, body), *_rows(rest, body), _boxes(form, body),
              Spacer(1, 3 * mm)]
    if form.notes:
        story.append(Paragraph(escape(form.notes), body))
    story.append(Paragraph(f"依据：{escape(form.basis)}。样式：人力资源社会保障部《工伤认定申请表》。",
                           body))
    return build(story, form.title, margin=18 * mm)


def _grid(values: dict[str, str], body: ParagraphStyle) -> Table:
    """Rows of two or three (label, value) pairs over six columns, as the template prints them."""
    def cell(text: str) -> Paragraph:
        return Paragraph(_lines(text), body)

    cells: list[list[Any]] = []
    style: list[Any] = [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]
    for r, group in enumerate(GRID):
        if len(group) == 3:
            cells.append([x for label in group for x in (cell(label), cell(values.get(label, "")))])
            style += [("BACKGROUND", (c, r), (c, r), SHADE) for c in (0, 2, 4)]
        else:
            first, second = group
            cells.append([cell(first), cell(values.get(first, "")), "", cell(second),
                          cell(values.get(second, "")), ""])
            style += [("SPAN", (1, r), (2, r)), ("SPAN", (4, r), (5, r)),
                      ("BACKGROUND", (0, r), (0, r), SHADE), ("BACKGROUND", (3, r), (3, r), SHADE)]
    grid = Table(cells, colWidths=(30 * mm, 28 * mm, 26 * mm, 30 * mm, 30 * mm, 30 * mm))
    grid.setStyle(TableStyle(style))
    return grid


def _rows(rows: list[tuple[str, str]], body: ParagraphStyle) -> list[Table]:
    """The full-width rows (the account of the injury); a row taller than a page splits."""
    out = []
    for label, value in rows:
        table = Table([[Paragraph(escape(_printable(label)), body), Paragraph(_lines(value), body)]],
                      colWidths=(30 * mm, WIDTH - 30 * mm), splitInRow=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("BACKGROUND", (0, 0), (0, 0), SHADE),
                                   ("TOPPADDING", (0, 0), (-1, -1), 5),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
        out.append(table)
    return out


def _boxes(form: ApplicationForm, body: ParagraphStyle) -> Table:
    """The application, the employer's opinion, the authority's review, the remarks."""
    boxes = Table([[_box(b.heading, b.text, b.signatures, body)] for b in form.boxes],
                  colWidths=(WIDTH,))
    boxes.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 0), (-1, -1), 5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return boxes


_FILL = "____________________"


def _box(heading: str, text: str, signatures: tuple[str, ...], body: ParagraphStyle) -> list[Any]:
    """A box: its heading and text, room to write, then the signature lines at its right."""
    right = ParagraphStyle("right", parent=body, alignment=2)
    lines = [f"{escape(s)}：{_FILL}" if s != "日期" else "______年____月____日" for s in signatures]
    return [Paragraph(f"<b>{escape(heading)}</b>{_lines(text) if text else ''}", body),
            Spacer(1, 12 * mm if signatures else 2 * mm),
            *[Paragraph(line, right) for line in lines]]


def _printable(value: str) -> str:
    return CONTROL.sub("", value)


def _lines(value: str) -> str:
    """The value's lines; a blank field stays an empty cell, to be filled in by hand."""
    return "<br/>".join(escape(_printable(line)) for line in value.splitlines())
