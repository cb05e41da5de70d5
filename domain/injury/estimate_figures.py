"""The policy figures a case's compensation estimate uses, and what a load changes in them.

A case pins no figure: GET /api/v1/cases/{id}/compensation estimates on demand from the tables in
force (Regs. on Work-Related Injury Insurance arts. 35-39: the regional average monthly wage for
the wage floor and ceiling, the provincial subsidy months, the national urban per-capita
disposable income of the year before the accident for a death, the minimum wage). So a case has
nothing to recompute when an admin loads a period's figures; it is told what moved in the figures
an estimate for its region and accident date uses (signal `policy_updated`), and records it
(`estimate_figures_changed`), so its evidence bundle shows when and why the estimate moved.
"""

# No `from __future__ import annotations`: the update travels as a signal payload, and pydantic
# resolves string annotations through sys.modules (see domain/shared/calendar.py).
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.compensation.data import CompensationTables, WageScope
from domain.shared.errors import RuleViolation

_WAGES: tuple[tuple[str, WageScope], ...] = (
    ("regional_average_monthly_wage", "regional"),
    ("provincial_average_monthly_wage", "provincial"),
    ("minimum_monthly_wage", "minimum"),
)


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


def _line(change: FigureChange) -> str:
    """One figure's move in a line the bundle's event table shows (备注)."""
    def value(f: Figure | None) -> str:
        return "not on file" if f is None else f.value

    where = change.new or change.old
    origin = f" ({where.document or where.source})" if where is not None else ""
    return f"{change.figure}: {value(change.old)} → {value(change.new)}{origin}"


def estimate_figures(tables: CompensationTables, region: str,
                     injury_date: date) -> dict[str, Figure]:
    """The figures on file that an estimate for `region` and `injury_date` uses, by name."""
    found: dict[str, Figure] = {}
    try:
        tables.region_key(region)
    except RuleViolation:
        return found  # an unknown region: the estimate refuses it whatever is loaded
    for name, scope in _WAGES:
        wage = tables.wage_figure(region, scope, injury_date)
        if wage is not None:
            found[name] = Figure(str(wage.monthly), _period(wage.period_start, wage.period_end),
                                 wage.source, wage.verified, wage.document)
    try:
        table = tables.subsidy_table(region, injury_date)
        grades = sorted(table.medical_months.keys() | table.employment_months.keys())
        months = "; ".join(f"grade {g}: {table.medical_months.get(g, 0)}+"
                           f"{table.employment_months.get(g, 0)}" for g in grades)
        found["termination_subsidies"] = Figure(
            f"{table.base}; medical+employment months {months}",
            _period(table.period_start, table.period_end), table.source, table.verified,
            table.document)
    except RuleViolation:
        pass
    try:
        income = tables.national_income(injury_date.year - 1)
        found["national_income"] = Figure(str(income.amount), str(income.year), income.source,
                                          income.verified, income.document)
    except RuleViolation:
        pass
    return found


def figure_changes(before: CompensationTables, after: CompensationTables, region: str,
                   injury_date: date) -> tuple[FigureChange, ...]:
    """The figures an estimate for the case uses that differ after a load, in a fixed order."""
    old = estimate_figures(before, region, injury_date)
    new = estimate_figures(after, region, injury_date)
    return tuple(FigureChange(name, old.get(name), new.get(name))
                 for name in sorted(old.keys() | new.keys()) if old.get(name) != new.get(name))


def _period(start: date | None, end: date | None) -> str:
    return f"{start or '…'} to {end or '…'}"
