"""The KPI report's answer (GET /api/v1/kpis)."""

from __future__ import annotations

from pydantic import BaseModel


class KpiFigure(BaseModel):
    """A KPI's counts in one department (or all, `department` 全部) and quarter; `value` the
    share met (0 to 1, four places) or the count per `per`, as a decimal string; null: nothing
    to count (无数据)."""

    department: str
    quarter: str
    numerator: int
    denominator: int
    value: str | None


class KpiSection(BaseModel):
    """One KPI: its rule and source, the asked quarter's figures, the quarters before it."""

    code: str
    name: str
    name_en: str
    numerator_rule: str
    denominator_rule: str
    source: str
    per: int
    window_hours: float | None
    total: KpiFigure
    departments: list[KpiFigure]
    trend: list[KpiFigure]


class KpiReport(BaseModel):
    """Every KPI of a quarter (Beijing time), counted as of `as_of`."""

    quarter: str
    department: str | None
    starts_at: str
    ends_at: str
    as_of: str
    kpis: list[KpiSection]
