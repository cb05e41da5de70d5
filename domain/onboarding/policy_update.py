"""A period's contribution base limits loaded while onboardings run (POST /api/v1/admin/policy).

An onboarding pins its region's base limits (缴费基数上下限) when it is registered. When the
official notice for the hire date's period was not on file yet, the newest limits on file were
pinned provisionally ("新基数公布前暂按上年度执行", domain/onboarding/policy.py `_provisional`),
or a row not yet verified against the notice was. When an admin loads the period's figures, the
onboarding takes the loaded row that covers its region and hire date and records what moved: the
limits, the registered base clamped to them, the monthly contributions at that base (statutes.md
§4), and the enrolment requests whose base now lies outside them. Limits pinned from a verified
row are kept: only what was provisional or unverified is taken again.

Contribution rates (the back-payment estimate's) are pinned the same way: unverified rates are
taken from a loaded rates row of the onboarding's own region in force on the hire date, or, when
it pinned the national default ("*"), from a loaded default row; the held back-payment requests
priced at the old rates are named for HR. Verified rates are kept.

The bureau's withdrawal window (撤销窗口) is pinned with its row's flag too: an unverified window
is taken from a loaded row of the region (or the loaded default, where the onboarding pinned the
default) for the executions still to come; one already running keeps the deadline it was given.
"""

# No `from __future__ import annotations`: PolicyUpdate travels as a signal payload, and pydantic
# resolves string annotations through sys.modules (see domain/shared/calendar.py).
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.onboarding.payloads import BaseLimitsRef, OnboardingInput, RatesRef, Timing
from domain.onboarding.policy import (
    DEFAULT_REGION,
    BaseLimits,
    ContributionRates,
    WithdrawalWindow,
)
from domain.onboarding.state import EnrollmentRequest, FiguresRecomputed, RequestStatus

_FEN = Decimal("0.01")
# Requests whose base HR (or the bureau) still holds: submitted, approved, on its way, accepted.
_HELD = (RequestStatus.submitted, RequestStatus.approved, RequestStatus.executing,
         RequestStatus.executed)


@dataclass(frozen=True)
class PolicyUpdate:
    """Signal `policy_updated` to an onboarding: an admin loaded contribution base or rates rows."""

    load: int
    source: str
    loaded_by: str
    loaded_at: datetime
    bases: tuple[BaseLimits, ...] = ()
    rates: tuple[ContributionRates, ...] = ()
    windows: tuple[WithdrawalWindow, ...] = ()


@dataclass(frozen=True)
class WindowRecomputed:
    """The withdrawal window an onboarding took from a load, for the executions still to come."""

    load: int
    old_hours: float
    new_hours: float
    source: str
    verified: bool
    region: str

    def event_data(self) -> dict[str, object]:
        return {"load": self.load, "old_hours": self.old_hours, "new_hours": self.new_hours,
                "source": self.source, "verified": self.verified, "region": self.region}


def loaded_window_for(windows: Sequence[WithdrawalWindow], region: str,
                      pinned: str | None) -> WithdrawalWindow | None:
    """The loaded window of `region`; else, for an onboarding that pinned the default (or did
    not record which row it pinned), the loaded default row."""
    key = region.strip().lower()
    for wanted in (key,) if pinned not in (None, DEFAULT_REGION) else (key, DEFAULT_REGION):
        for row in windows:
            if row.region == wanted:
                return row
    return None


def recompute_window(timing: Timing, region: str, update: PolicyUpdate
                     ) -> tuple[Timing, WindowRecomputed] | None:
    """The timing with the loaded window, when the pinned one was not verified and the load's
    row for the region says otherwise; None when nothing changes."""
    row = loaded_window_for(update.windows, region, timing.withdrawal_window_region)
    if row is None or timing.withdrawal_window_verified:
        return None
    new = timedelta(hours=row.hours)
    if new == timing.withdrawal_window and row.source == timing.withdrawal_window_source \
            and row.verified == timing.withdrawal_window_verified:
        return None
    taken = replace(timing, withdrawal_window=new, withdrawal_window_source=row.source,
                    withdrawal_window_verified=row.verified, withdrawal_window_region=row.region)
    return taken, WindowRecomputed(update.load, timing.withdrawal_window.total_seconds() / 3600,
                                   float(row.hours), row.source, row.verified, row.region)


def loaded_row_for(bases: Sequence[BaseLimits], region: str, on: date) -> BaseLimits | None:
    """The loaded row of `region` in force on `on` (the latest-starting one), if the load has it."""
    key = region.strip().lower()
    rows = [b for b in bases if b.region == key and b.period_start <= on <= b.period_end]
    return max(rows, key=lambda b: b.period_start, default=None)


def loaded_rates_for(rates: Sequence[ContributionRates], region: str, on: date,
                     pinned: str | None = None) -> ContributionRates | None:
    """The loaded rates row of `region` itself in force on `on`; else, for an onboarding that
    pinned the national default (`pinned` "*"), the loaded default row."""
    key = region.strip().lower()
    for wanted in (key, DEFAULT_REGION) if pinned == DEFAULT_REGION else (key,):
        rows = [r for r in rates if r.region == wanted and (r.period_start or date.min) <= on
                <= (r.period_end or date.max)]
        if rows:
            return max(rows, key=lambda r: r.period_start or date.min)
    return None


def rates_ref(row: ContributionRates) -> RatesRef:
    """The rates an onboarding pins from a row (at registration, or from a load)."""
    return RatesRef(employer_rate=row.employer, employee_rate=row.employee, source=row.source,
                    verified=row.verified, region=row.region)


def takes_load(pinned: BaseLimitsRef) -> bool:
    """Whether pinned limits are taken again from a load: provisional or unverified ones are."""
    return pinned.provisional or not pinned.verified


def recompute_figures(inp: OnboardingInput, requests: Sequence[EnrollmentRequest],
                      update: PolicyUpdate, at: datetime) -> FiguresRecomputed | None:
    """The onboarding's figures with the loaded rows for its region and hire date, or None when
    the load has no such row, the pinned figures were verified, or nothing differs."""
    old, new, document = inp.base_limits, inp.base_limits, None
    row = loaded_row_for(update.bases, inp.region, inp.hire_date)
    if row is not None and takes_load(old):
        new = BaseLimitsRef(lower=row.lower, upper=row.upper, period_start=row.period_start,
                            period_end=row.period_end, source=row.source, verified=row.verified,
                            provisional=False)
        document = row.document
    old_rates, new_rates = inp.rates, inp.rates
    rates_row = loaded_rates_for(update.rates, inp.region, inp.hire_date, inp.rates.region)
    if rates_row is not None and not old_rates.verified:
        loaded = rates_ref(rates_row)
        if replace(loaded, region=old_rates.region) != old_rates:  # the same figures: no change
            new_rates = loaded
    if new == old and new_rates == old_rates:
        return None
    base = inp.contribution_base
    old_clamped, new_clamped = _clamp(base, old), _clamp(base, new)
    rates_moved = new_rates != old_rates
    change = FiguresRecomputed(
        at=at, load=update.load, source=update.source, document=document,
        old_limits=old, new_limits=new, contribution_base=base,
        within_limits=new.lower <= base <= new.upper,
        old_clamped_base=old_clamped, new_clamped_base=new_clamped,
        old_monthly=monthly_contributions(inp, old_clamped, old_rates),
        new_monthly=monthly_contributions(inp, new_clamped, new_rates),
        requests_outside=tuple(r.number for r in requests if r.status in _HELD
                               and not new.lower <= r.contribution_base <= new.upper),
        old_rates=old_rates if rates_moved else None,
        new_rates=new_rates if rates_moved else None,
        requests_repriced=tuple(r.number for r in requests if rates_moved and r.status in _HELD
                                and r.cost_estimate is not None),
    )
    return replace(change, note=change.summary())


def monthly_contributions(inp: OnboardingInput, base: Decimal,
                          rates: RatesRef | None = None) -> tuple[Decimal, Decimal]:
    """Employer and employee monthly contributions at `base` with the rates (default: the
    pinned ones), to the fen."""
    rates = rates or inp.rates
    return ((base * rates.employer_rate).quantize(_FEN, ROUND_HALF_UP),
            (base * rates.employee_rate).quantize(_FEN, ROUND_HALF_UP))


def _clamp(base: Decimal, limits: BaseLimitsRef) -> Decimal:
    """The base clamped to the limits (domain/onboarding/policy.py `suggest_base`)."""
    return max(limits.lower, min(limits.upper, base))
