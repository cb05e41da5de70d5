"""Which running onboardings and cases a policy load concerns (signal policy_updated).

Only a workflow that used a figure the load changes is told: an onboarding whose region and hire
date a loaded contribution-base row covers, unless the figures in force before the load were
already that verified row (it pinned them, or was told when they were loaded); a case whose
estimate figures (regional, provincial and minimum wages, subsidy months, national income) for
its region and accident date differ before and after the load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.compensation.data import CompensationTables
from domain.injury.estimate_figures import EstimateFiguresUpdate, FigureChange, figure_changes
from domain.onboarding.policy import BaseLimits, PolicyTable
from domain.onboarding.policy_update import PolicyUpdate, loaded_row_for
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import RuleViolation


@dataclass(frozen=True)
class Load:
    """A stored load: its id, source, who and when, and the tables before and after it."""

    id: int
    source: str
    loaded_by: str
    loaded_at: datetime
    sections: Mapping[str, Sequence[Mapping[str, Any]]]
    policy_before: PolicyTable
    tables_before: CompensationTables
    tables_after: CompensationTables


def onboarding_targets(load: Load, running: Sequence[tuple[str, str, date]]
                       ) -> list[tuple[str, PolicyUpdate]]:
    """The running onboardings whose base limits the load may change, each with its signal."""
    bases = PolicyTable.from_rows(contribution_bases=load.sections.get("contribution_bases", ())
                                  ).bases
    if not bases:
        return []
    update = PolicyUpdate(load.id, load.source, load.loaded_by, load.loaded_at, bases)
    return [(i, update) for i, region, hired in running
            if (row := loaded_row_for(bases, region, hired)) is not None
            and not _already_in_force(load.policy_before, row, region, hired)]


def case_targets(load: Load, running: Sequence[tuple[str, str, datetime]]
                 ) -> list[tuple[str, EstimateFiguresUpdate]]:
    """The running cases whose estimate figures differ after the load, each with its changes."""
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
