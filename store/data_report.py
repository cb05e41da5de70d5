"""`make data-report`: print the policy data coverage the API works with (domain/policy/coverage.py)."""

from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.compensation.compulsory import CompulsoryTable
from domain.compensation.data import CompensationTables
from domain.compensation.third_party import Coefficients
from domain.onboarding.policy import PolicyTable
from domain.policy.coverage import coverage, render, render_coefficients, render_compulsory
from settings import Settings


def main() -> int:
    """Bundled rows, then CASEGUARD_POLICY_FILE; print coverage, gaps and unverified rows."""
    settings = Settings()
    policy, tables = PolicyTable.bundled(), CompensationTables.bundled()
    if settings.policy_file:
        policy, tables = (policy.with_overrides(settings.policy_file),
                          tables.with_overrides(settings.policy_file))
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    print(render(coverage(policy, tables, today)))
    print()
    print(render_coefficients(Coefficients.bundled()))
    print()
    print(render_compulsory(CompulsoryTable.bundled()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
