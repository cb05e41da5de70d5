"""What policy data is on file: region × table × period, the gaps and every unverified row.

`make data-report` prints it (store/data_report.py); the tables are the ones the API uses:
bundled rows, then the deployment's policy file, then the admin's loads (POST /api/v1/admin/policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.compensation.compulsory import CompulsoryTable
from domain.compensation.data import CompensationTables, SubsidyTable, WageFigure
from domain.compensation.third_party import Coefficients
from domain.onboarding.policy import BaseLimits, PolicyTable

# The regions issue 20 names: where the SMEs Caseguard serves are.
REGIONS = ("beijing", "shanghai", "guangdong", "guangzhou", "shenzhen", "zhejiang", "hangzhou",
           "jiangsu", "suzhou", "nanjing", "shandong", "henan", "sichuan", "chengdu", "hubei",
           "wuhan", "fujian")
TABLES = ("average_wage", "minimum_wage", "contribution_bases", "termination_subsidies")
FIRST_INCOME_YEAR = 2010


@dataclass(frozen=True)
class Cell:
    """One region × table × period: the row found (with its source), or a gap."""

    region: str
    table: str
    period: str  # "current" or "previous"
    on: date
    found: str | None  # the row's period and figure, None = gap
    verified: bool
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class Coverage:
    today: date
    income_years: tuple[int, ...]
    income_missing: tuple[int, ...]
    income_unverified: tuple[tuple[int, str], ...]
    cells: tuple[Cell, ...]

    @property
    def gaps(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.found is None)

    @property
    def unverified(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.found is not None and not c.verified)


def coverage(policy: PolicyTable, tables: CompensationTables, today: date) -> Coverage:
    """Coverage on `today` ("current") and a year before ("previous") for every listed region."""
    years = range(FIRST_INCOME_YEAR, today.year)
    on_file = {r.year: r for r in tables.incomes}
    cells: list[Cell] = []
    for region in REGIONS:
        for period, on in (("current", today), ("previous", _year_before(today))):
            cells.extend(_cells(policy, tables, region, period, on))
    return Coverage(
        today=today, income_years=tuple(y for y in years if y in on_file),
        income_missing=tuple(y for y in years if y not in on_file),
        income_unverified=tuple((y, on_file[y].source) for y in years
                                if y in on_file and not on_file[y].verified),
        cells=tuple(cells))


def _year_before(day: date) -> date:
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


def _cells(policy: PolicyTable, tables: CompensationTables, region: str, period: str,
           on: date) -> list[Cell]:
    average = (tables.wage_figure(region, "regional", on)
               or tables.wage_figure(region, "provincial", on))
    return [
        _wage_cell(region, "average_wage", period, on, average),
        _wage_cell(region, "minimum_wage", period, on, tables.wage_figure(region, "minimum", on)),
        _base_cell(policy, region, period, on),
        _subsidy_cell(tables, region, period, on),
    ]


def _span(start: date | None, end: date | None) -> str:
    return f"{start or '…'} to {end or '…'}"


def _wage_cell(region: str, table: str, period: str, on: date, row: WageFigure | None) -> Cell:
    if row is None:
        return Cell(region, table, period, on, None, False)
    return Cell(region, table, period, on, f"{row.monthly} ({_span(row.period_start, row.period_end)})",
                row.verified, row.source)


def _base_cell(policy: PolicyTable, region: str, period: str, on: date) -> Cell:
    table = "contribution_bases"
    rows = [r for r in policy.bases if r.region == region]
    match: BaseLimits | None = max((r for r in rows if r.period_start <= on <= r.period_end),
                                   key=lambda r: r.period_start, default=None)
    if match is None:
        latest = max(rows, key=lambda r: r.period_end, default=None)
        note = (f"after the newest period on file ({_span(latest.period_start, latest.period_end)}),"
                " whose limits apply PROVISIONALLY" if latest and on > latest.period_end else "")
        return Cell(region, table, period, on, None, False, note=note)
    return Cell(region, table, period, on,
                f"{match.lower}-{match.upper} ({_span(match.period_start, match.period_end)})",
                match.verified, match.source)


def _subsidy_cell(tables: CompensationTables, region: str, period: str, on: date) -> Cell:
    table = "termination_subsidies"
    own = [r for r in tables.subsidies if r.region == region]
    province = tables.provinces.get(region)
    rows = own or [r for r in tables.subsidies if r.region == province]
    live: list[SubsidyTable] = [r for r in rows if (r.period_start or date.min) <= on
                                <= (r.period_end or date.max)]
    if not live:
        return Cell(region, table, period, on, None, False)
    row = max(live, key=lambda r: r.period_start or date.min)
    via = f" (the {province} table)" if not own else ""
    fixed = " [yuan amounts, not months: named, not computed]" if row.base == "fixed_amount" else ""
    return Cell(region, table, period, on, f"{row.article}{via}{fixed}", row.verified, row.source)


def render(cov: Coverage) -> str:
    """The report as text: national income, the region × table grid, gaps, unverified rows."""
    lines = [f"Policy data coverage on {cov.today} (current = that day, previous = a year before)",
             "",
             "National urban per-capita disposable income (death subsidy, Reg. art. 39):",
             f"  on file: {_years(cov.income_years)}; missing: {_years(cov.income_missing) or 'none'}"]
    lines += [f"  UNVERIFIED {y}: {src}" for y, src in cov.income_unverified]
    lines += ["", f"{'region':<11}" + "".join(f"{t:<24}" for t in TABLES)]
    for region in REGIONS:
        for period in ("current", "previous"):
            row = [c for c in cov.cells if c.region == region and c.period == period]
            marks = "".join(f"{_mark(c):<24}" for c in row)
            lines.append(f"{region if period == 'current' else '':<11}{marks}  ({period})")
    lines += ["", f"Gaps ({len(cov.gaps)}): nothing on file; an estimate needs the figure passed in "
              "or loaded (POST /api/v1/admin/policy)"]
    lines += [f"  {c.region} {c.table} {c.period} ({c.on})" + (f": {c.note}" if c.note else "")
              for c in cov.gaps]
    lines += ["", f"Unverified ({len(cov.unverified)}): every answer that uses one says so"]
    lines += [f"  {c.region} {c.table} {c.period}: {c.found}; source: {c.source}"
              for c in cov.unverified]
    return "\n".join(lines)


def render_coefficients(coefficients: Coefficients) -> str:
    """The civil claim's disability coefficients (the negotiation's third-party estimate)."""
    grades = sorted(coefficients.percent)
    state = "verified" if coefficients.verified else "UNVERIFIED"
    return "\n".join([
        "Civil disability coefficients (claim against a liable third party, SPC personal-injury "
        "interpretation art. 12):",
        f"  on file: grades {grades[0]}-{grades[-1]} "
        f"({', '.join(f'{g}: {coefficients.percent[g]} %' for g in grades)})",
        f"  {state}: {coefficients.document}; source: {coefficients.source}"])


def render_compulsory(table: CompulsoryTable) -> str:
    """The 交强险 limits the civil claim spends first (道路交通安全法 art. 76 ¶1), per period."""
    lines = ["Compulsory motor insurance limits (交强险, civil claim; liable / not liable, yuan):"]
    for p in table.periods:
        heads = ", ".join(f"{h} {p.liable[h]:,} / {p.not_liable[h]:,}"
                          for h in ("death_disability", "medical", "property"))
        lines.append(f"  {p.start} – {p.end or 'open'}: {heads}")
        lines.append(f"    {'verified' if p.verified else 'UNVERIFIED'}: {p.document}; source: {p.source}")
    return "\n".join(lines)


def _mark(cell: Cell) -> str:
    if cell.found is None:
        return "GAP (provisional)" if cell.note else "GAP"
    return "verified" if cell.verified else "UNVERIFIED"


def _years(years: tuple[int, ...]) -> str:
    if not years:
        return ""
    runs: list[str] = []
    start = prev = years[0]
    for y in (*years[1:], None):
        if y is not None and y == prev + 1:
            prev = y
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(runs)
