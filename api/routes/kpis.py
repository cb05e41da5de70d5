"""The KPIs of issue 19 per department and quarter (关键指标): JSON, or the XLSX the workspace's
export gives. Aggregates, not personal data: no access-log line; a manager's are of their
departments."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api import kpi_report, tables
from api.deps import SettingsDep, require
from api.responses.kpis import KpiReport
from api.scoping import CallerScope
from domain.kpis.quarters import Quarter
from domain.shared.input_rules import check_plain_text
from domain.shared.people import Actor

router = APIRouter(prefix="/api/v1/kpis", tags=["kpis"])
QUARTER_PATTERN = r"^2\d{3}[Qq][1-4]$"  # the years Quarter takes: 2000 to 2999
_FILES: dict[int | str, dict[str, Any]] = {200: {
    "description": "The report as JSON, or as an XLSX file",
    "content": {"application/json": {}, tables.XLSX_MEDIA: {}}}}


def chosen_quarter(code: str | None, now: datetime) -> Quarter:
    """The quarter asked for; the current one (Beijing time) when none is."""
    return Quarter.parse(code) if code else Quarter.of(now)


def xlsx(report: kpi_report.Report) -> Response:
    """The report as an XLSX download named after its quarter."""
    content = tables.xlsx_bytes("kpis", kpi_report.HEADER, kpi_report.as_rows(report))
    return Response(content, media_type=tables.XLSX_MEDIA, headers={
        "Content-Disposition": f'attachment; filename="kpis-{report.quarter.code}.xlsx"'})


@router.get("", response_model=KpiReport, responses=_FILES)
async def get_kpis(actor: Annotated[Actor, require("read")], scope: CallerScope,
                   settings: SettingsDep,
                   quarter: Annotated[str | None, Query(pattern=QUARTER_PATTERN)] = None,
                   department: Annotated[str | None, Query(max_length=80)] = None,
                   format: Literal["json", "xlsx"] = "json") -> Any:
    """Each KPI of `quarter` (like 2026Q4; default the current one, Beijing time) per department
    and in all, with its numerator, denominator, rule and source, and the three quarters before;
    `department` narrows it to one. A manager's: of their departments only."""
    if department:
        check_plain_text(department, "department")
    now = datetime.now(UTC)
    report = await asyncio.to_thread(kpi_report.build, settings.db_url, scope,
                                     chosen_quarter(quarter, now), department, now)
    return xlsx(report) if format == "xlsx" else kpi_report.as_json(report)
