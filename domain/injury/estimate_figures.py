"""What moved in the policy figures a case's compensation estimate uses (signal policy_updated).

A case pins no figure: GET /api/v1/cases/{id}/compensation estimates on demand from the tables in
force (Regs. on Work-Related Injury Insurance arts. 35-39: the regional average monthly wage for
the wage floor and ceiling, the provincial subsidy months, the national urban per-capita
disposable income of the year before the accident for a death, the minimum wage). So a case has
nothing to recompute when an admin loads a period's figures; it is told what moved in the figures
an estimate for its region and accident date uses (signal `policy_updated`), and records it
(`estimate_figures_changed`), so its evidence bundle shows when and why the estimate moved.
Which figures, and what a load changes in them: domain/policy/targets.py (this module is the
signal's payload only, so the case workflow reaches no data file through it).
"""

# No `from __future__ import annotations`: the update travels as a signal payload, and pydantic
# resolves string annotations through sys.modules (see domain/shared/calendar.py).
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One figure as an estimate uses it: its value in words, where it comes from, checked or not."""

    value: str
    period: str
    source: str
    verified: bool
    document: str | None = None


@dataclass(frozen=True)
class FigureChange:
    """A figure before and after a load (None: not on file, so the estimate asks for it)."""

    figure: str
    old: Figure | None
    new: Figure | None


@dataclass(frozen=True)
class EstimateFiguresUpdate:
    """Signal `policy_updated` to a case: a load changed figures its estimate uses."""

    load: int
    source: str
    loaded_by: str
    loaded_at: datetime
    region: str
    injury_date: date
    changes: tuple[FigureChange, ...] = ()

    def event_data(self) -> dict[str, Any]:
        """The `estimate_figures_changed` evidence event's data."""
        def text(f: Figure | None) -> dict[str, Any] | None:
            return None if f is None else {"value": f.value, "period": f.period,
                                           "source": f.source, "verified": f.verified,
                                           "document": f.document}

        return {"load": self.load, "source": self.source, "region": self.region,
                "injury_date": self.injury_date.isoformat(),
                "changes": [{"figure": c.figure, "from": text(c.old), "to": text(c.new)}
                            for c in self.changes],
                "note": "; ".join(_line(c) for c in self.changes)}


FIGURE_NAMES = {
    "regional_average_monthly_wage": "统筹地区上年度职工月平均工资",
    "provincial_average_monthly_wage": "全省上年度职工月平均工资",
    "minimum_monthly_wage": "当地最低月工资标准",
    "national_income": "上一年度全国城镇居民人均可支配收入",
    "termination_subsidies": "一次性工伤医疗补助金、伤残就业补助金标准",
}


def _line(change: FigureChange) -> str:
    """One figure's move in a line the bundle's event table shows (备注), Chinese first."""
    def value(f: Figure | None, missing: str) -> str:
        return missing if f is None else f.value

    where = change.new or change.old
    origin = f"（{where.document or where.source}）" if where is not None else ""
    name = FIGURE_NAMES.get(change.figure.split(":")[0], change.figure)
    return (f"{name} {value(change.old, '无数据')} → {value(change.new, '无数据')}{origin} / "
            f"{change.figure}: {value(change.old, 'not on file')} → "
            f"{value(change.new, 'not on file')}")
