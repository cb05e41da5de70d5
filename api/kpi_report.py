"""The KPI report (issue 19) one quarter and department asks for, as the JSON API, the workspace
page and the XLSX export all show it: each KPI's figure per department and in all, and its trend
over the quarters before. Counted by store/kpis.py within the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.employees.roster import neutralised
from domain.kpis import rules
from domain.kpis.quarters import Quarter
from domain.shared.scoping import Scope
from store import kpis

TREND = 4  # quarters on a chart, the asked one last
ALL = "全部"  # the row of every department the reader sees together


@dataclass(frozen=True)
class Section:
    """One KPI in the report: its rule, each department's figure, all together, the trend."""

    kpi: rules.Kpi
    departments: tuple[rules.Figure, ...]
    total: rules.Figure
    trend: tuple[rules.Figure, ...]


@dataclass(frozen=True)
class Report:
    quarter: Quarter
    department: str | None
    as_of: datetime
    sections: tuple[Section, ...]


def build(url: str, scope: Scope, quarter: Quarter, department: str | None,
          now: datetime) -> Report:
    """Every KPI of `quarter`, for `department` or every one the scope sees."""
    trail = quarter.trail(TREND)
    found = kpis.figures(url, kpis.Ask(trail, scope, department or None, now))
    sections = []
    for kpi in rules.KPIS:
        mine = [f for f in found if f.kpi == kpi.code]
        sections.append(Section(
            kpi, tuple(f for f in mine if f.quarter == quarter.code),
            rules.total(kpi, quarter.code, mine, department or ALL),
            tuple(rules.total(kpi, q.code, mine, department or ALL) for q in trail)))
    return Report(quarter, department or None, now, tuple(sections))


def _figure(f: rules.Figure) -> dict[str, Any]:
    return {"department": f.department, "quarter": f.quarter, "numerator": f.numerator,
            "denominator": f.denominator, "value": None if f.value is None else str(f.value)}


def as_json(report: Report) -> dict[str, Any]:
    """The report as GET /api/v1/kpis answers it."""
    q = report.quarter
    return {
        "quarter": q.code, "department": report.department,
        "starts_at": q.starts_at.isoformat(), "ends_at": q.ends_at.isoformat(),
        "as_of": report.as_of.isoformat(),
        "kpis": [{
            "code": s.kpi.code, "name": s.kpi.zh, "name_en": s.kpi.en,
            "numerator_rule": s.kpi.numerator, "denominator_rule": s.kpi.denominator,
            "source": s.kpi.source, "per": s.kpi.per,
            "window_hours": None if s.kpi.window is None
            else s.kpi.window.total_seconds() / 3600,
            "total": _figure(s.total), "departments": [_figure(f) for f in s.departments],
            "trend": [_figure(f) for f in s.trend],
        } for s in report.sections],
    }


HEADER = ("季度 quarter", "部门 department", "指标 kpi", "代码 code", "分子 numerator",
          "分母 denominator", "数值 value", "显示 shown", "依据 source")


def as_rows(report: Report) -> list[Sequence[str]]:
    """The XLSX export's rows: each KPI's departments, then all together; every cell text that a
    spreadsheet shows and never runs (roster.neutralised)."""
    rows: list[Sequence[str]] = []
    for s in report.sections:
        for f in (*s.departments, s.total):
            rows.append([neutralised(v) for v in (
                f.quarter, f.department, s.kpi.zh, s.kpi.code, f.numerator, f.denominator,
                "" if f.value is None else str(f.value),
                rules.shown(s.kpi, f.value) or "无数据", s.kpi.source)])
    return rows
