"""Which running onboardings and cases a policy load concerns, and telling them (policy_updated).

Only a workflow that used a figure the load changes is told: an onboarding whose region and hire
date a loaded contribution-base row covers, unless the figures in force before the load were
already that verified row (it pinned them, or was told when they were loaded); a case whose
estimate figures (regional, provincial and minimum wages, subsidy months, national income) for
its region and accident date differ before and after the load.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.compensation.data import CompensationTables
from domain.injury.estimate_figures import EstimateFiguresUpdate, figure_changes
from domain.onboarding.policy import BaseLimits, PolicyTable
from domain.onboarding.policy_update import PolicyUpdate, loaded_row_for
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import RuleViolation

log = logging.getLogger("caseguard.api")
SIGNAL_CONCURRENCY = 16  # signals in flight at once, so a load never floods the Temporal frontend
SIGNAL_ATTEMPTS = 3  # a refused signal (not a closed workflow) is tried again, then reported
SIGNAL_BACKOFF = 0.2  # seconds before the second attempt, doubled after


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
    found: dict[tuple[str, date], tuple[Any, ...]] = {}
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


async def tell(client: Client, signal: str, targets: Sequence[tuple[str, Any]]) -> int:
    """Signal each workflow its payload, SIGNAL_CONCURRENCY at a time; one closed since its row
    was written is skipped, one refused otherwise is tried SIGNAL_ATTEMPTS times and logged by
    id (no personal data). Answers how many took the signal."""
    gate = asyncio.Semaphore(SIGNAL_CONCURRENCY)

    async def one(workflow_id: str, payload: Any) -> bool:
        async with gate:
            for attempt in range(SIGNAL_ATTEMPTS):
                try:
                    await client.get_workflow_handle(workflow_id).signal(signal, payload)
                    return True
                except RPCError as exc:
                    if exc.status == RPCStatusCode.NOT_FOUND:  # closed or gone: nothing to tell
                        return False
                    if attempt + 1 == SIGNAL_ATTEMPTS:
                        log.warning("%s not signalled to %s after %d attempts: %s", signal,
                                    workflow_id, SIGNAL_ATTEMPTS, exc.status)
                        return False
                    await asyncio.sleep(SIGNAL_BACKOFF * 2 ** attempt)
            return False

    return sum(await asyncio.gather(*(one(i, p) for i, p in targets)))
