"""A period's contribution base limits loaded while onboardings run (POST /api/v1/admin/policy).

An onboarding pins its region's base limits (缴费基数上下限) when it is registered. When the
official notice for the hire date's period was not on file yet, the newest limits on file were
pinned provisionally ("新基数公布前暂按上年度执行", domain/onboarding/policy.py `_provisional`),
or a row not yet verified against the notice was. When an admin loads the period's figures, the
onboarding takes the loaded row that covers its region and hire date and records what moved: the
limits, the registered base clamped to them, the monthly contributions at that base (statutes.md
§4), and the enrolment requests whose base now lies outside them. Limits pinned from a verified
row are kept: only what was provisional or unverified is taken again.
"""

# No `from __future__ import annotations`: PolicyUpdate travels as a signal payload, and pydantic
# resolves string annotations through sys.modules (see domain/shared/calendar.py).
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from domain.onboarding.payloads import BaseLimitsRef, OnboardingInput
from domain.onboarding.policy import BaseLimits
from domain.onboarding.state import EnrollmentRequest, FiguresRecomputed, RequestStatus

_FEN = Decimal("0.01")
# Requests whose base HR (or the bureau) still holds: submitted, approved, on its way, accepted.
_HELD = (RequestStatus.submitted, RequestStatus.approved, RequestStatus.executing,
         RequestStatus.executed)


@dataclass(frozen=True)
class PolicyUpdate:
    """Signal `policy_updated` to an onboarding: an admin loaded contribution base rows."""

    load: int
    source: str
    loaded_by: str
    loaded_at: datetime
    bases: tuple[BaseLimits, ...] = ()


def loaded_row_for(bases: Sequence[BaseLimits], region: str, on: date) -> BaseLimits | None:
    """The loaded row of `region` in force on `on` (the latest-starting one), if the load has it."""
    key = region.strip().lower()
    rows = [b for b in bases if b.region == key and b.period_start <= on <= b.period_end]
    return max(rows, key=lambda b: b.period_start, default=None)


def takes_load(pinned: BaseLimitsRef) -> bool:
    """Whether pinned limits are taken again from a load: provisional or unverified ones are."""
    return pinned.provisional or not pinned.verified


def recompute_figures(inp: OnboardingInput, requests: Sequence[EnrollmentRequest],
                      update: PolicyUpdate, at: datetime) -> FiguresRecomputed | None:
    """The onboarding's figures with the loaded row for its region and hire date, or None when
    the load has no such row, the pinned limits were verified, or nothing differs."""
    old = inp.base_limits
    row = loaded_row_for(update.bases, inp.region, inp.hire_date)
    if row is None or not takes_load(old):
        return None
    new = BaseLimitsRef(lower=row.lower, upper=row.upper, period_start=row.period_start,
                        period_end=row.period_end, source=row.source, verified=row.verified,
                        provisional=False)
    if new == old:
        return None
    base = inp.contribution_base
    old_clamped, new_clamped = _clamp(base, old), _clamp(base, new)
    change = FiguresRecomputed(
        at=at, load=update.load, source=update.source, document=row.document,
        old_limits=old, new_limits=new, contribution_base=base,
        within_limits=new.lower <= base <= new.upper,
        old_clamped_base=old_clamped, new_clamped_base=new_clamped,
        old_monthly=monthly_contributions(inp, old_clamped),
        new_monthly=monthly_contributions(inp, new_clamped),
        requests_outside=tuple(r.number for r in requests if r.status in _HELD
                               and not new.lower <= r.contribution_base <= new.upper),
    )
    return replace(change, note=change.summary())


def monthly_contributions(inp: OnboardingInput, base: Decimal) -> tuple[Decimal, Decimal]:
    """Employer and employee monthly contributions at `base` with the pinned rates, to the fen."""
    return ((base * inp.rates.employer_rate).quantize(_FEN, ROUND_HALF_UP),
            (base * inp.rates.employee_rate).quantize(_FEN, ROUND_HALF_UP))


def _clamp(base: Decimal, limits: BaseLimitsRef) -> Decimal:
    """The base clamped to the limits (domain/onboarding/policy.py `suggest_base`)."""
    return max(limits.lower, min(limits.upper, base))
