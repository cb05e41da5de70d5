"""Regional social-insurance policy data: contribution base limits, rates, withdrawal windows.

Every figure is a data row (domain/data/*.json) carrying its `source` and whether it was
`verified` against the official notice (statutes.md §4 marks them all [?]). A deployment adds or
corrects rows with an override file of the same shape (CASEGUARD_POLICY_FILE).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from domain.onboarding.back_payment import (
    BackPaymentEstimate,
    EstimateItem,
    back_payment_estimate,
    months_owed,
)
from domain.shared.errors import RuleViolation
from domain.shared.policy_rows import RowError, document

__all__ = [
    "BackPaymentEstimate", "BaseLimits", "ContributionRates", "EstimateItem", "PolicyTable",
    "RateComponent", "WithdrawalWindow", "back_payment_estimate", "check_base", "months_owed",
    "suggest_base",
]

_DATA = Path(__file__).parents[1] / "data"
_SECTIONS = ("contribution_bases", "withdrawal_windows", "contribution_rates")
DEFAULT_REGION = "*"


@dataclass(frozen=True)
class BaseLimits:
    """Lower and upper monthly contribution base of a region for a period (statutes.md §4)."""

    region: str
    period_start: date
    period_end: date
    lower: Decimal
    upper: Decimal
    source: str
    verified: bool
    provisional: bool = False
    document: str | None = None  # the issuing notice (number and title); None: not identified


@dataclass(frozen=True)
class WithdrawalWindow:
    """Hours after execution during which a bureau lets an enrolment be withdrawn (撤销)."""

    region: str
    hours: int
    source: str
    verified: bool


@dataclass(frozen=True)
class RateComponent:
    name: str
    employer: Decimal
    employee: Decimal


@dataclass(frozen=True)
class ContributionRates:
    """Total employer and employee contribution rates (fractions of the base), with source."""

    region: str
    employer: Decimal
    employee: Decimal
    source: str
    verified: bool
    components: tuple[RateComponent, ...] = ()
    period_start: date | None = None
    period_end: date | None = None


Row = BaseLimits | WithdrawalWindow | ContributionRates
R = TypeVar("R", BaseLimits, WithdrawalWindow, ContributionRates)


@dataclass(frozen=True)
class PolicyTable:
    """All policy rows; lookups by region and date answer with the row and its source."""

    bases: tuple[BaseLimits, ...]
    windows: tuple[WithdrawalWindow, ...] = ()
    rates: tuple[ContributionRates, ...] = ()

    @classmethod
    def bundled(cls) -> PolicyTable:
        """The rows shipped in domain/data (loaded once)."""
        return _bundled()

    @classmethod
    def from_rows(
        cls,
        contribution_bases: Iterable[Mapping[str, Any]] = (),
        withdrawal_windows: Iterable[Mapping[str, Any]] = (),
        contribution_rates: Iterable[Mapping[str, Any]] = (),
    ) -> PolicyTable:
        """Build a table from JSON-shaped rows (ValueError on a malformed row)."""
        return cls(
            bases=tuple(_base_row(r) for r in contribution_bases),
            windows=tuple(_window_row(r) for r in withdrawal_windows),
            rates=tuple(_rates_row(r) for r in contribution_rates),
        )

    def with_overrides(
        self, source: str | Path | Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> PolicyTable:
        """Rows from a file or mapping (same shape) replace overlapping rows of the same region."""
        if isinstance(source, str | Path):
            source = json.loads(Path(source).read_text(encoding="utf-8"))
        if not isinstance(source, Mapping):
            source = {"contribution_bases": source}  # a bare list means base rows
        extra = PolicyTable.from_rows(**{k: source.get(k, ()) for k in _SECTIONS})
        return PolicyTable(
            bases=_merge(self.bases, extra.bases),
            windows=_merge(self.windows, extra.windows),
            rates=_merge(self.rates, extra.rates),
        )

    def regions(self) -> list[str]:
        """Regions that have contribution base limits."""
        return sorted({row.region for row in self.bases})

    def base_limits(self, region: str, on: date, field: str = "hire_date") -> BaseLimits:
        """The base limits in force in `region` on `on` (statutes.md §4)."""
        key = self._known(region)
        rows = [r for r in self.bases if r.region == key]
        matches = [r for r in rows if r.period_start <= on <= r.period_end]
        latest = max(rows, key=lambda r: r.period_end, default=None)
        if not matches and latest is not None and on > latest.period_end:
            return _provisional(latest)
        if not matches:
            periods = ", ".join(f"{r.period_start} to {r.period_end}" for r in sorted(
                rows, key=lambda r: r.period_start))
            raise RuleViolation(
                field, "policy.no_period",
                f"{field} {on}: no contribution base limits are on file for {key} on that date "
                f"(periods on file: {periods}); add the official figures to the policy file",
            )
        return max(matches, key=lambda r: r.period_start)

    def withdrawal_window(self, region: str) -> WithdrawalWindow:
        """The bureau's withdrawal window for `region`, or the "*" default row."""
        key = self._known(region)
        for wanted in (key, DEFAULT_REGION):
            for row in self.windows:
                if row.region == wanted:
                    return row
        raise RuleViolation("region", "policy.no_withdrawal_window",
                            f"region {key}: no withdrawal window on file and no default row")

    def withdrawal_window_hours(self, region: str) -> int:
        """Hours of the bureau's withdrawal window (source: `withdrawal_window(region)`)."""
        return self.withdrawal_window(region).hours

    def contribution_rates(self, region: str, on: date) -> ContributionRates:
        """Contribution rates for `region` on `on`, or the "*" default row."""
        key = self._known(region)
        for wanted in (key, DEFAULT_REGION):
            for row in self.rates:
                if row.region == wanted and _contains(row, on):
                    return row
        raise RuleViolation("region", "policy.no_rates",
                            f"region {key}: no contribution rates on file for {on}")

    def _known(self, region: str) -> str:
        key = (region or "").strip().lower()
        known = self.regions()
        if key not in known:
            raise RuleViolation(
                "region", "region.unknown",
                f"region {region!r} is unknown; known regions: {', '.join(known)}",
            )
        return key


def check_base(base: Decimal, limits: BaseLimits, field: str = "contribution_base") -> None:
    """The base must lie within the region's lower and upper limits (statutes.md §4)."""
    if limits.lower <= base <= limits.upper:
        return
    side = "below the lower" if base < limits.lower else "above the upper"
    checked = "verified" if limits.verified else "not verified against the official notice"
    raise RuleViolation(
        field, "contribution_base.out_of_range",
        f"{field} {base} is {side} limit: limits for {limits.region} are {limits.lower} to "
        f"{limits.upper} for {limits.period_start} to {limits.period_end} ({checked}; "
        f"source: {limits.source})",
    )


def suggest_base(wage: Decimal, limits: BaseLimits) -> Decimal:
    """The wage clamped to the region's lower and upper limits (statutes.md §4)."""
    return max(limits.lower, min(limits.upper, wage))


@cache
def _bundled() -> PolicyTable:
    sections: dict[str, Any] = {}
    for name in _SECTIONS:
        data = json.loads((_DATA / f"{name}.json").read_text(encoding="utf-8"))
        sections[name] = data[name]
    return PolicyTable.from_rows(**sections)


def _span(row: Row) -> tuple[date, date]:
    start = getattr(row, "period_start", None) or date.min
    end = getattr(row, "period_end", None) or date.max
    return start, end


def _contains(row: Row, on: date) -> bool:
    start, end = _span(row)
    return start <= on <= end


def _overlaps(a: Row, b: Row) -> bool:
    (a0, a1), (b0, b1) = _span(a), _span(b)
    return a.region == b.region and a0 <= b1 and b0 <= a1


def _merge(old: tuple[R, ...], new: tuple[R, ...]) -> tuple[R, ...]:
    return tuple(o for o in old if not any(_overlaps(o, n) for n in new)) + new


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RowError(row, key, "must be a non-empty string")
    return value.strip()


def _decimal(row: Mapping[str, Any], key: str, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise RowError(row, key, "is not a number")
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise RowError(row, key, "is not a number") from None
    if not number.is_finite() or number < 0:
        raise RowError(row, key, "must be a finite number >= 0")
    return number


def _flag(row: Mapping[str, Any]) -> bool:
    value = row.get("verified", False)
    if not isinstance(value, bool):
        raise RowError(row, "verified", "must be true or false")
    return value


def _date(row: Mapping[str, Any], key: str) -> date | None:
    value = row.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RowError(row, key, "must be a date (YYYY-MM-DD)") from None


def _base_row(row: Mapping[str, Any]) -> BaseLimits:
    start, end = _date(row, "period_start"), _date(row, "period_end")
    if start is None or end is None or end < start:
        raise RowError(row, "period_end" if start else "period_start",
                       "needs period_start <= period_end, both dates")
    limits = BaseLimits(
        region=_text(row, "region").lower(), period_start=start, period_end=end,
        lower=_decimal(row, "lower", row.get("lower")),
        upper=_decimal(row, "upper", row.get("upper")),
        source=_text(row, "source"), verified=_flag(row), document=document(row),
    )
    if limits.lower > limits.upper:
        raise RowError(row, "lower", "is above upper")
    return limits


def _window_row(row: Mapping[str, Any]) -> WithdrawalWindow:
    hours = row.get("hours")
    if not isinstance(hours, int) or isinstance(hours, bool) or hours < 0:
        raise RowError(row, "hours", "must be a whole number >= 0")
    return WithdrawalWindow(region=_text(row, "region").lower(), hours=hours,
                            source=_text(row, "source"), verified=_flag(row))


def _rates_row(row: Mapping[str, Any]) -> ContributionRates:
    components = row.get("components") or {}
    if not isinstance(components, Mapping) or not all(
            isinstance(shares, Mapping) for shares in components.values()):
        raise RowError(row, "components", "must map each insurance to employer/employee rates")
    parts = tuple(
        RateComponent(name, _decimal(row, f"{name}.employer", shares.get("employer", 0)),
                      _decimal(row, f"{name}.employee", shares.get("employee", 0)))
        for name, shares in components.items()
    )
    if not parts:
        raise RowError(row, "components", "must list the insurances")
    return ContributionRates(
        region=_text(row, "region").lower(),
        employer=sum((p.employer for p in parts), Decimal(0)),
        employee=sum((p.employee for p in parts), Decimal(0)),
        source=_text(row, "source"), verified=_flag(row),
        components=parts, period_start=_date(row, "period_start"),
        period_end=_date(row, "period_end"),
    )


def _provisional(latest: BaseLimits) -> BaseLimits:
    """After the newest period on file, its limits apply provisionally until the new notice.

    Bureaus commonly keep the previous year's limits in force until the new year's notice is
    published ("新基数公布前暂按上年度执行"); the answer says so and is never marked verified.
    """
    return replace(
        latest, provisional=True, verified=False,
        source=f"PROVISIONAL: the newest limits on file ({latest.period_start} to "
               f"{latest.period_end}) apply until the official notice for the new period is "
               f"added to the policy file; {latest.source}",
    )
