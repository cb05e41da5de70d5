"""The 工伤认定申请表 (Regs. art. 18) as an A4 PDF in the national template's order, filled in from
the case data; what the records do not hold is left blank to fill in by hand."""

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
    """The form as an A4 PDF in the national template's order: cover lines, the rows (a blank
    is a cell to fill in by hand), the application, opinion and review boxes, the notes.
    A row longer than a page (an 8,000-character description) splits across pages."""
    name = font_name(font)
    body = ParagraphStyle("body", fontName=name, fontSize=10, leading=15, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1,
                           spaceAfter=4)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, alignment=1)
    cells = [[Paragraph(escape(_printable(label)), body), Paragraph(_lines(value), body)]
             for label, value in form.rows]
    cells += [[Paragraph(_box(box.heading, box.text, box.signatures), body), Paragraph("", body)]
              for box in form.boxes]
    # splitInRow: a row taller than the page continues on the next one (else LayoutError).
    table = Table(cells, colWidths=(42 * mm, 132 * mm), splitInRow=1)
    spans: list[Any] = [("SPAN", (0, i), (1, i)) for i in range(len(form.rows), len(cells))]
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, len(form.rows) - 1), colors.HexColor("#f0f0f0")),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        *spans,
    ]))
    story: list[Any] = [Paragraph(escape(_printable(form.title)), title)]
    if subtitle:
        story.append(Paragraph(escape(_printable(subtitle)), small))
    story.append(Spacer(1, 3 * mm))
    story += [Paragraph(escape(f"{label}：") + (_lines(value) if value else _FILL), body)
              for label, value in form.cover]
    story += [Spacer(1, 4 * mm), table, Spacer(1, 3 * mm)]
    if form.notes:
        story.append(Paragraph(escape(form.notes), body))
    story.append(Paragraph(f"依据：{escape(form.basis)}。样式：人力资源社会保障部《工伤认定申请表》。",
                           body))
    return build(story, form.title, margin=18 * mm)


_FILL = "____________________"


def _box(heading: str, text: str, signatures: tuple[str, ...]) -> str:
    """A box: its heading and text, room to write, then each signature line."""
    lines = [f"<b>{escape(heading)}</b>{_lines(text) if text else ''}", "<br/><br/><br/>"]
    lines += [f"{escape(s)}：{_FILL}" if s != "日期" else "　　　　年　　月　　日"
              for s in signatures]
    return "<br/>".join(lines)


def _printable(value: str) -> str:
    return CONTROL.sub("", value)


def _lines(value: str) -> str:
    """The value's lines; a blank field stays an empty cell, to be filled in by hand."""
    return "<br/>".join(escape(_printable(line)) for line in value.splitlines())
