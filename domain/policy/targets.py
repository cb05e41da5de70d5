"""Which running onboardings and cases a policy load concerns (signal policy_updated).

Only a workflow that used a figure the load changes is told: an onboarding whose region and hire
date a loaded contribution-base or contribution-rates row covers, or whose region a loaded
withdrawal-window row names (the default row, where the region had none), unless the figures in force
before the load were already that verified row (it pinned them, or was told when they were
loaded); a case whose estimate figures (regional, provincial and minimum wages, subsidy months,
national income) for its region and accident date differ before and after the load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.compensation.data import CompensationTables, WageScope
from domain.injury.estimate_figures import EstimateFiguresUpdate, Figure, FigureChange
from domain.onboarding.policy import BaseLimits, ContributionRates, PolicyTable, WithdrawalWindow
from domain.onboarding.policy_update import (
    PolicyUpdate,
    loaded_rates_for,
    loaded_row_for,
    loaded_window_for,
)
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import RuleViolation

# The figures an estimate uses from the tables, by the name of the request field that overrides it.
_WAGES: tuple[tuple[str, WageScope], ...] = (
    ("regional_average_monthly_wage", "regional"),
    ("provincial_average_monthly_wage", "provincial"),
    ("minimum_monthly_wage", "minimum"),
)


@dataclass(frozen=True)
class Load:
    """A stored load: its id, source, who and when, and the tables before and after it (the
    compensation tables only where cases are concerned: a registration asks about itself)."""

    id: int
    source: str
    loaded_by: str
    loaded_at: datetime
    sections: Mapping[str, Sequence[Mapping[str, Any]]]
    policy_before: PolicyTable
    tables_before: CompensationTables | None = None
    tables_after: CompensationTables | None = None


def onboarding_targets(load: Load, running: Sequence[tuple[str, str, date]]
                       ) -> list[tuple[str, PolicyUpdate]]:
    """The running onboardings whose base limits or contribution rates the load may change,
    each with its signal."""
    table = PolicyTable.from_rows(contribution_bases=load.sections.get("contribution_bases", ()),
                                  contribution_rates=load.sections.get("contribution_rates", ()),
                                  withdrawal_windows=load.sections.get("withdrawal_windows", ()))
    if not table.bases and not table.rates and not table.windows:
        return []
    update = PolicyUpdate(load.id, load.source, load.loaded_by, load.loaded_at, table.bases,
                          table.rates, table.windows)
    return [(i, update) for i, region, hired in running
            if _new_limits(load.policy_before, table.bases, region, hired)
            or _new_rates(load.policy_before, table.rates, region, hired)
            or _new_window(load.policy_before, table.windows, region)]


def _new_window(before: PolicyTable, windows: Sequence[WithdrawalWindow], region: str) -> bool:
    """A loaded window of the region, or the default row where the region had none of its own,
    unless the window in force before the load was that row, verified (a repeated load)."""
    try:
        in_force: WithdrawalWindow | None = before.withdrawal_window(region)
    except RuleViolation:
        in_force = None
    row = loaded_window_for(windows, region, in_force.region if in_force else None)
    if row is None:
        return False
    return in_force is None or not (in_force.verified and in_force == row)


def _new_limits(before: PolicyTable, bases: Sequence[BaseLimits], region: str, hired: date) -> bool:
    row = loaded_row_for(bases, region, hired)
    return row is not None and not _already_in_force(before, row, region, hired)


def _new_rates(before: PolicyTable, rates: Sequence[ContributionRates], region: str,
               hired: date) -> bool:
    """A loaded rates row of the region, or the default row where the region had none of its
    own before the load, covers the hire date, unless the rates in force before the load were
    that row, verified (a repeated load)."""
    try:
        in_force: ContributionRates | None = before.contribution_rates(region, hired)
    except RuleViolation:
        in_force = None
    row = loaded_rates_for(rates, region, hired, in_force.region if in_force else None)
    if row is None:
        return False
    return in_force is None or not (in_force.verified and in_force == row)


def case_targets(load: Load, running: Sequence[tuple[str, str, datetime]]
                 ) -> list[tuple[str, EstimateFiguresUpdate]]:
    """The running cases whose estimate figures differ after the load, each with its changes."""
    if load.tables_before is None or load.tables_after is None:
        raise ValueError(f"load {load.id}: the compensation tables before and after are needed")
    found: dict[tuple[str, date], tuple[FigureChange, ...]] = {}
    targets = []
    for case_id, region, accident_at in running:
        injured = accident_at.astimezone(SHANGHAI).date()
        if (region, injured) not in found:
            found[(region, injured)] = figure_changes(load.tables_before, load.tables_after,
                                                      region, injured)
        if changes := found[(region, injured)]:
            targets.append((case_id, EstimateFiguresUpdate(
                load.id, load.source, load.loaded_by, load.loaded_at, region, injured,
                changes)))
    return targets


def _already_in_force(policy: PolicyTable, row: BaseLimits, region: str, on: date) -> bool:
    """Whether the limits in force before the load were this row, verified (a repeated load)."""
    try:
        before = policy.base_limits(region, on)
    except RuleViolation:
        return False
    return before.verified and not before.provisional and before == row


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
