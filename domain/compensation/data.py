"""Work-injury benefit data rows, each with its period, `source` and `verified` flag.

Provincial termination-subsidy tables (grades 5-10), the national urban per-capita disposable
income (death subsidy) and regional average and minimum wages live in
domain/data/compensation.json. A deployment adds or corrects rows with the policy override file
(CASEGUARD_POLICY_FILE, same section names): an override row replaces the rows of the same region
(and scope, or year) whose periods overlap it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from domain.shared.errors import RuleViolation
from domain.shared.policy_rows import RowError, document

SubsidyBase = Literal["own_wage", "provincial_average", "regional_average", "fixed_amount"]
WageScope = Literal["regional", "provincial", "minimum"]
_BASES = ("own_wage", "provincial_average", "regional_average", "fixed_amount")
_DATA = Path(__file__).parents[1] / "data" / "compensation.json"
_KIND = "compensation"
_SECTIONS = ("regions", "termination_subsidies", "national_income", "average_wages", "minimum_wages")


@dataclass(frozen=True)
class AgeReduction:
    """The employment subsidy falls near retirement: `percent_per_year` for each year of age past the
    mark `within_years` before the statutory retirement date (Zhejiang art. 27 ¶2).

    counting "full_years": a year counts once the worker has completed it past the mark (周岁, the
    statute's "每增加一周岁"; the 2014 Zhejiang rule's "每满一周年"); "started_years": any part
    of a year counts (under 5 years left means at least one step). statutes.md §2.6 [?]."""

    within_years: int
    percent_per_year: int
    counting: Literal["full_years", "started_years"]
    article: str


@dataclass(frozen=True)
class SubsidyTable:
    """A province's one-time medical and employment subsidies for grades 5-10 (statutes.md §2.6).

    Most provinces set months of a base wage (`medical_months`, `employment_months`); a province that
    sets yuan amounts instead (Jiangsu) has base "fixed_amount" and `medical_amounts` /
    `employment_amounts`, and no months.
    """

    region: str
    period_start: date | None
    period_end: date | None
    base: SubsidyBase
    medical_months: MappingProxyType[int, int]
    employment_months: MappingProxyType[int, int]
    article: str
    notes: tuple[str, ...]
    source: str
    verified: bool
    document: str | None = None  # the issuing document (number and title); None: not identified
    # own-wage base: the article that makes the 12-month average before employment ends the base
    # when it is higher than W (Guangdong art. 35); None: no such rule
    end_average_article: str | None = None
    employment_age_reduction: AgeReduction | None = None
    medical_amounts: MappingProxyType[int, Decimal] = field(  # base "fixed_amount" only: yuan by grade
        default_factory=lambda: MappingProxyType({}))
    employment_amounts: MappingProxyType[int, Decimal] = field(
        default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class NationalIncome:
    """National urban per-capita disposable income of one year (NBS), for the death subsidy."""

    year: int
    amount: Decimal
    source: str
    verified: bool
    document: str | None = None


@dataclass(frozen=True)
class WageFigure:
    """A monthly wage figure of a region and period: regional or provincial average, or minimum."""

    region: str
    scope: WageScope
    period_start: date | None
    period_end: date | None
    monthly: Decimal
    source: str
    verified: bool
    document: str | None = None


Dated = SubsidyTable | WageFigure
D = TypeVar("D", SubsidyTable, WageFigure)


@dataclass(frozen=True)
class CompensationTables:
    """All benefit data rows; lookups by region and date answer with the row and its source."""

    regions: MappingProxyType[str, str]
    subsidies: tuple[SubsidyTable, ...] = ()
    incomes: tuple[NationalIncome, ...] = ()
    wages: tuple[WageFigure, ...] = ()
    provinces: MappingProxyType[str, str] = field(  # a city's id -> its province's id
        default_factory=lambda: MappingProxyType({}))

    @classmethod
    def bundled(cls) -> CompensationTables:
        """The rows shipped in domain/data/compensation.json (loaded once)."""
        return _bundled()

    @classmethod
    def from_rows(cls, regions: Iterable[Mapping[str, Any]] = (),
                  termination_subsidies: Iterable[Mapping[str, Any]] = (),
                  national_income: Iterable[Mapping[str, Any]] = (),
                  average_wages: Iterable[Mapping[str, Any]] = (),
                  minimum_wages: Iterable[Mapping[str, Any]] = ()) -> CompensationTables:
        """Build the tables from JSON-shaped rows (ValueError on a malformed row)."""
        average_wages = list(average_wages)
        wages = [_wage_row(r, _text(r, "scope")) for r in average_wages]
        for w, r in zip(wages, average_wages, strict=True):
            if w.scope == "minimum":
                raise RowError(r, "scope", "must be regional or provincial", _KIND)
        regions = list(regions)
        return cls(
            regions=MappingProxyType({_text(r, "region").lower(): _text(r, "name") for r in regions}),
            provinces=MappingProxyType({_text(r, "region").lower(): _text(r, "province").lower()
                                        for r in regions if r.get("province") is not None}),
            subsidies=tuple(_subsidy_row(r) for r in termination_subsidies),
            incomes=tuple(_income_row(r) for r in national_income),
            wages=(*wages, *(_wage_row(r, "minimum") for r in minimum_wages)),
        )

    def with_overrides(self, source: str | Path | Mapping[str, Any]) -> CompensationTables:
        """Rows from a policy file or mapping replace overlapping rows; other sections are ignored."""
        data: Any = (json.loads(Path(source).read_text(encoding="utf-8"))
                     if isinstance(source, str | Path) else source)
        if not isinstance(data, Mapping):
            return self  # a bare list is SI base rows (domain/onboarding/policy.py): nothing for us
        extra = CompensationTables.from_rows(**{k: data.get(k, ()) for k in _SECTIONS})
        incomes = {row.year: row for row in (*self.incomes, *extra.incomes)}
        return CompensationTables(
            regions=MappingProxyType({**self.regions, **extra.regions}),
            provinces=MappingProxyType({**self.provinces, **extra.provinces}),
            subsidies=_merge(self.subsidies, extra.subsidies),
            incomes=tuple(sorted(incomes.values(), key=lambda r: r.year)),
            wages=_merge(self.wages, extra.wages),
        )

    def region_key(self, region: str) -> str:
        """The region's id from its id or Chinese name; RuleViolation if unknown."""
        key = (region or "").strip().lower()
        for rid, name in self.regions.items():
            if key in (rid, name, f"{name}省", f"{name}市"):
                return rid
        raise RuleViolation("region", "region.unknown",
                            f"region {region!r} is unknown; known regions: {', '.join(self.regions)}")

    def subsidy_table(self, region: str, on: date, field: str = "injury_date") -> SubsidyTable:
        """The province's grade 5-10 termination-subsidy table in force on `on`."""
        key = self.region_key(region)
        rows = [r for r in self.subsidies if r.region == key]
        if not rows and key in self.provinces:  # a city follows its province's regulation
            key = self.provinces[key]
            rows = [r for r in self.subsidies if r.region == key]
        if not rows:
            raise RuleViolation(
                "region", "policy.no_subsidy_table",
                f"region {key}: no one-time medical / employment subsidy table on file (the "
                "province sets them, Reg. arts. 36-37); add the official table to the policy file")
        match = _latest([r for r in rows if _contains(r, on)])
        if match is None:
            periods = ", ".join(f"{r.period_start or '…'} to {r.period_end or '…'}" for r in rows)
            raise RuleViolation(
                field, "policy.no_period",
                f"{field} {on}: no {key} termination-subsidy table for that date (tables on "
                f"file: {periods}); add the table then in force to the policy file")
        if match.base == "fixed_amount":  # yuan, not months of a wage: the estimate cannot apply it
            amounts = "; ".join(
                f"grade {g}: medical {match.medical_amounts[g]}, employment {match.employment_amounts[g]}"
                for g in range(5, 11))
            checked = "verified" if match.verified else "NOT verified"
            raise RuleViolation(
                "region", "policy.subsidy_fixed_amounts",
                f"region {key}: {match.article} sets the one-time medical and employment subsidies as "
                f"fixed amounts in yuan, not months of a wage ({amounts}; {checked}; source: "
                f"{match.source}); the estimate does not compute them: enter them yourself")
        return match

    def national_income(self, year: int, field: str = "injury_date") -> NationalIncome:
        """The national urban per-capita disposable income of `year`; RuleViolation if missing."""
        for row in self.incomes:
            if row.year == year:
                return row
        years = ", ".join(str(r.year) for r in self.incomes)
        raise RuleViolation(
            field, "policy.no_national_income",
            f"{field}: the death subsidy needs the national urban per-capita disposable income "
            f"of {year} (NBS), which is not on file (years on file: {years}); add it to the "
            "policy file")

    def wage_figure(self, region: str, scope: WageScope, on: date) -> WageFigure | None:
        """The region's average (regional / provincial) or minimum monthly wage on `on`, if on file."""
        key = self.region_key(region)
        return _latest([w for w in self.wages if w.region == key and w.scope == scope and _contains(w, on)])


@cache
def _bundled() -> CompensationTables:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    return CompensationTables.from_rows(**{k: data.get(k, ()) for k in _SECTIONS})


def _contains(row: Dated, on: date) -> bool:
    return (row.period_start or date.min) <= on <= (row.period_end or date.max)


def _latest(rows: list[D]) -> D | None:
    return max(rows, key=lambda r: r.period_start or date.min, default=None)


def _key(row: Dated) -> tuple[str, str]:
    return row.region, row.scope if isinstance(row, WageFigure) else "subsidy"


def _overlaps(a: Dated, b: Dated) -> bool:
    a0, a1 = a.period_start or date.min, a.period_end or date.max
    b0, b1 = b.period_start or date.min, b.period_end or date.max
    return _key(a) == _key(b) and a0 <= b1 and b0 <= a1


def _merge(old: tuple[D, ...], new: tuple[D, ...]) -> tuple[D, ...]:
    return tuple(o for o in old if not any(_overlaps(o, n) for n in new)) + new


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RowError(row, key, "must be a non-empty string", _KIND)
    return value.strip()


def _money(row: Mapping[str, Any], key: str) -> Decimal:
    value = row.get(key)
    if isinstance(value, bool):
        raise RowError(row, key, "is not a number", _KIND)
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise RowError(row, key, "is not a number", _KIND) from None
    if not number.is_finite() or number <= 0:
        raise RowError(row, key, "must be a number > 0", _KIND)
    return number


def _flag(row: Mapping[str, Any]) -> bool:
    value = row.get("verified", False)
    if not isinstance(value, bool):
        raise RowError(row, "verified", "must be true or false", _KIND)
    return value


def _day(row: Mapping[str, Any], key: str) -> date | None:
    value = row.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RowError(row, key, "must be a date (YYYY-MM-DD) or null", _KIND) from None


def _period(row: Mapping[str, Any]) -> tuple[date | None, date | None]:
    start, end = _day(row, "period_start"), _day(row, "period_end")
    if start and end and end < start:
        raise RowError(row, "period_end", "is before period_start", _KIND)
    return start, end


def _months(row: Mapping[str, Any], key: str) -> MappingProxyType[int, int]:
    raw = row.get(key)
    if not isinstance(raw, Mapping):
        raise RowError(row, key, "must map grades 5-10 to months", _KIND)
    try:
        months = {int(grade): int(n) for grade, n in raw.items()}
    except (TypeError, ValueError):
        raise RowError(row, key, "must map grades 5-10 to whole months", _KIND) from None
    if sorted(months) != list(range(5, 11)) or any(n < 0 for n in months.values()):
        raise RowError(row, key, "needs months >= 0 for grades 5-10", _KIND)
    return MappingProxyType(months)


def _amounts(row: Mapping[str, Any], key: str) -> MappingProxyType[int, Decimal]:
    raw = row.get(key)
    if not isinstance(raw, Mapping):
        raise RowError(row, key, "must map grades 5-10 to yuan amounts", _KIND)
    try:
        grades = sorted(int(grade) for grade in raw)
    except (TypeError, ValueError):
        raise RowError(row, key, "must map grades 5-10 to yuan amounts", _KIND) from None
    if grades != list(range(5, 11)):
        raise RowError(row, key, "needs an amount for each of grades 5-10", _KIND)
    return MappingProxyType({int(g): _money({key: n}, key) for g, n in raw.items()})


def _subsidy_row(row: Mapping[str, Any]) -> SubsidyTable:
    base = _text(row, "base")
    if base not in _BASES:
        raise RowError(row, "base", f"must be one of {', '.join(_BASES)}", _KIND)
    fixed = base == "fixed_amount"
    for key in ("medical_months", "employment_months", "medical_amounts", "employment_amounts"):
        if key.endswith("_months") == fixed and row.get(key) is not None:
            raise RowError(row, key, f"does not go with base {base}", _KIND)
    empty_months: MappingProxyType[int, int] = MappingProxyType({})
    empty_amounts: MappingProxyType[int, Decimal] = MappingProxyType({})
    start, end = _period(row)
    return SubsidyTable(
        region=_text(row, "region").lower(), period_start=start, period_end=end,
        base=base,  # type: ignore[arg-type]  # checked against _BASES above
        medical_months=empty_months if fixed else _months(row, "medical_months"),
        employment_months=empty_months if fixed else _months(row, "employment_months"),
        article=_text(row, "article"), notes=tuple(str(n) for n in row.get("notes") or ()),
        source=_text(row, "source"), verified=_flag(row), document=document(row, _KIND),
        end_average_article=_text(row, "end_average_article") if row.get("end_average_article")
        else None,
        employment_age_reduction=_reduction(row),
        medical_amounts=_amounts(row, "medical_amounts") if fixed else empty_amounts,
        employment_amounts=_amounts(row, "employment_amounts") if fixed else empty_amounts,
    )


def _reduction(row: Mapping[str, Any]) -> AgeReduction | None:
    raw = row.get("employment_age_reduction")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise RowError(row, "employment_age_reduction", "must be an object or null", _KIND)
    within, percent, counting = raw.get("within_years"), raw.get("percent_per_year"), raw.get("counting")
    if (not isinstance(within, int) or isinstance(within, bool) or not 1 <= within <= 15
            or not isinstance(percent, int) or isinstance(percent, bool) or not 1 <= percent <= 100):
        raise RowError(row, "employment_age_reduction",
                       "needs within_years 1-15 and percent_per_year 1-100 (whole numbers)", _KIND)
    if counting not in ("full_years", "started_years"):
        raise RowError(row, "employment_age_reduction", "counting must be full_years or started_years",
                       _KIND)
    return AgeReduction(within, percent, counting, _text(raw, "article"))


def _income_row(row: Mapping[str, Any]) -> NationalIncome:
    year = row.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2200:
        raise RowError(row, "year", "must be a year", _KIND)
    return NationalIncome(year=year, amount=_money(row, "amount"), source=_text(row, "source"),
                          verified=_flag(row), document=document(row, _KIND))


def _wage_row(row: Mapping[str, Any], scope: str) -> WageFigure:
    if scope not in ("regional", "provincial", "minimum"):
        raise RowError(row, "scope", "must be regional or provincial", _KIND)
    start, end = _period(row)
    return WageFigure(region=_text(row, "region").lower(), scope=scope,  # type: ignore[arg-type]  # checked
                      period_start=start, period_end=end, monthly=_money(row, "monthly"),
                      source=_text(row, "source"), verified=_flag(row),
                      document=document(row, _KIND))
