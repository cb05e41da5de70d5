"""The 工伤认定申请表 (Regs. art. 18) as an A4 PDF, filled in from the case data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from domain.injury.forms import ApplicationForm
from render.kit import build, font_name

# C0 controls but tab and newline, and DEL: a PDF cannot show them (a NUL, ESC or bell in a pasted
# description) and they are dropped from the rendered text; the case data keeps them.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def render_pdf(form: ApplicationForm, font: Path, subtitle: str = "") -> bytes:
    """The form as an A4 PDF: title, a two-column table of its rows, the legal basis, signatures.
    A row longer than a page (an 8,000-character description) splits across pages."""
    name = font_name(font)
    body = ParagraphStyle("body", fontName=name, fontSize=10, leading=15, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1,
                           spaceAfter=4)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, alignment=1)
    cells = [[Paragraph(escape(_printable(label)), body), Paragraph(_lines(value), body)]
             for label, value in form.rows]
    # splitInRow: a row taller than the page continues on the next one (else LayoutError).
    table = Table(cells, colWidths=(42 * mm, 132 * mm), splitInRow=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    story: list[Any] = [Paragraph(escape(_printable(form.title)), title)]
    if subtitle:
        story.append(Paragraph(escape(_printable(subtitle)), small))
    story += [
        Spacer(1, 5 * mm), table, Spacer(1, 4 * mm),
        Paragraph(f"依据：{escape(form.basis)}。申请表应当包括事故发生的时间、地点、原因以及职工伤害程度等"
                  "基本情况。", body),
        Spacer(1, 14 * mm),
        Paragraph("申请人（用人单位盖章）：____________________　　　日期：____年____月____日", body),
    ]
    return build(story, form.title, margin=18 * mm)


def _printable(value: str) -> str:
    return CONTROL.sub("", value)


def _lines(value: str) -> str:
    return "<br/>".join(escape(_printable(line)) for line in value.splitlines()) or "—"
