"""The page kit every Caseguard PDF shares: the CJK font, paragraph styles, a grid table, and
one ReportLab build at a time (its font registry and TrueType state are shared by all threads)."""

from __future__ import annotations

import hashlib
import io
import threading
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

RENDER_LOCK = threading.Lock()
# A TableStyle command: name, first cell, last cell, then the command's own values.
TableCommand = tuple[str, tuple[int, int], tuple[int, int], *tuple[object, ...]]


@cache
def font_name(font: Path) -> str:
    """Register the TrueType font once, under a name of its own path (two fonts never share one)."""
    name = "CaseguardCJK-" + hashlib.sha256(str(font).encode("utf-8")).hexdigest()[:8]
    with RENDER_LOCK:
        pdfmetrics.registerFont(TTFont(name, str(font), subfontIndex=0))
    return name


def styles(font: Path, title: tuple[float, float] = (16, 22),
           heading: tuple[float, float, float] = (12, 18, 10)) -> dict[str, ParagraphStyle]:
    """title, h, body and small paragraph styles in the font: (size, leading) of the title,
    (size, leading, space before) of a heading."""
    base = ParagraphStyle("body", fontName=font_name(font), fontSize=9, leading=13, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=title[0], leading=title[1],
                                spaceAfter=6),
        "h": ParagraphStyle("h", parent=base, fontSize=heading[0], leading=heading[1],
                            spaceBefore=heading[2], spaceAfter=4),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
    }


def table(rows: list[list[str]], s: dict[str, ParagraphStyle], header: bool = False,
          widths: tuple[float, ...] | None = None) -> Table:
    """A grid of small paragraphs; a header row repeats on every page."""
    cells = [[Paragraph(escape(str(c)), s["small"]) for c in row] for row in rows]
    grid = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    style: list[TableCommand] = [("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                 ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")))
    grid.setStyle(TableStyle(style))
    return grid


def build(story: list[Any], title: str, pagesize: tuple[float, float] = A4,
          margin: float = 15 * mm) -> bytes:
    """Lay the story out as a PDF (its styles made with `styles()` or `font_name()`)."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=pagesize, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin, title=title, author="Caseguard")
    with RENDER_LOCK:
        doc.build(story)
    return out.getvalue()
