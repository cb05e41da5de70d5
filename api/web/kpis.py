"""The KPI page (关键指标, issue 19): a quarter's figures per department as tables, each KPI's
last quarters as a chart drawn on the server (api/web/charts.py), and the same report as XLSX.
The figures are GET /api/v1/kpis's (api/kpi_report.py), kept to the reader's departments."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import kpi_report
from api.routes.kpis import xlsx
from api.web import charts
from api.web.auth import User, WebUser, allowed
from api.web.i18n import WORDS
from api.web.render import PREFIX, language, page
from domain.kpis import rules
from domain.kpis.quarters import Quarter
from settings import Settings
from store import worklist

router = APIRouter(prefix=PREFIX, include_in_schema=False)
CHOICES = 8  # quarters the selector offers, the current one last


async def _report(request: Request, user: WebUser, quarter: str,
                  department: str) -> kpi_report.Report:
    await allowed(request, user, "read")
    settings: Settings = request.app.state.settings
    now = datetime.now(UTC)
    return await asyncio.to_thread(kpi_report.build, settings.db_url, user.scope,
                                   quarter_or_now(quarter, now), department or None, now)


def quarter_or_now(code: str, now: datetime) -> Quarter:
    """The quarter the selector chose; the current one for none (or one not written 2026Q4)."""
    try:
        return Quarter.parse(code)
    except ValueError:
        return Quarter.of(now)


def chart_of(section: kpi_report.Section, no_data: str) -> charts.Chart:
    """The section's trend as bars: a share against 100 %, a count against its largest."""
    values = [f.value for f in section.trend if f.value is not None]
    ceiling = Decimal(1) if section.kpi.per == 1 else max(values, default=Decimal(1))
    return charts.bars([(f.quarter, f.value, rules.shown(section.kpi, f.value) or no_data)
                        for f in section.trend], ceiling)


@router.get("/kpis", response_class=HTMLResponse, name="web_kpis")
async def kpis_page(request: Request, user: User,
                    quarter: Annotated[str, Query(max_length=10)] = "",
                    department: Annotated[str, Query(max_length=80)] = "") -> HTMLResponse:
    """关键指标: each KPI of the quarter per department, with its rule and source, and a chart
    of the last quarters."""
    report = await _report(request, user, quarter, department)
    settings: Settings = request.app.state.settings
    known = await asyncio.to_thread(worklist.departments, settings.db_url, user.scope)
    now_quarter = Quarter.of(datetime.now(UTC))
    words = WORDS[language(request)]
    sections = [(s, chart_of(s, words["no_data"])) for s in report.sections]
    return page(request, "kpis.html", user=user, report=report, sections=sections,
                show=rules.shown,
                quarters=[q.code for q in sorted({*now_quarter.trail(CHOICES), report.quarter},
                                                 reverse=True)],
                departments=known, department=department)


@router.get("/kpis.xlsx", name="web_kpis_xlsx")
async def kpis_xlsx(request: Request, user: User,
                    quarter: Annotated[str, Query(max_length=10)] = "",
                    department: Annotated[str, Query(max_length=80)] = "") -> Response:
    """The page's report as an XLSX file."""
    return xlsx(await _report(request, user, quarter, department))

