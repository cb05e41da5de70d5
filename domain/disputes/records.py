"""A past dispute as the history keeps it: from a finished case's outcome, or from a CSV row.

Pure: parsing and validation only. A CSV is validated whole before anything is stored, and every
bad cell is reported by data row (1 = the first row after the header) and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.shared.errors import RuleViolation
from domain.shared.input_rules import check_date_in_window, check_plain_text, parse_ascii_int

COLUMNS = ("reference", "accident_on", "closed_on", "region", "cause", "injury", "location",
           "si_enrolled", "traffic_accident", "recognised", "grade", "no_disability",
           "suspension_months", "employer_offers", "employee_demands", "agreed_amount",
           "paid_amount", "duration_days", "outcome", "notes")
REQUIRED = ("injury", "si_enrolled", "outcome")
MAX_ROWS = 5000
MAX_ERRORS = 50
MAX_AMOUNT = Decimal("100000000")
_FEN = Decimal("0.01")
_TEXT_LIMITS = {"reference": 80, "region": 40, "cause": 2000, "injury": 500, "location": 200,
                "outcome": 40, "notes": 2000}
_TRUE, _FALSE = {"true", "yes", "y", "1", "是"}, {"false", "no", "n", "0", "否"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LIST_SPLIT = re.compile(r"[;；|]")


@dataclass(frozen=True)
class PastDispute:
    """The structured record of one finished dispute (the columns of dispute_history)."""

    injury: str
    si_enrolled: bool | None
    outcome: str
    reference: str = ""
    cause: str = ""
    location: str = ""
    region: str = ""
    accident_on: date | None = None
    closed_on: date | None = None
    traffic_accident: bool | None = None
    recognised: bool | None = None
    grade: int | None = None
    no_disability: bool = False
    suspension_months: int | None = None
    employer_offers: tuple[Decimal, ...] = ()
    employee_demands: tuple[Decimal, ...] = ()
    agreed_amount: Decimal | None = None
    paid_amount: Decimal | None = None
    duration_days: int | None = None
    disputes: tuple[str, ...] = ()
    missed_deadlines: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class RowError:
    row: int
    line: int
    column: str
    code: str
    message: str

    @property
    def field(self) -> str:
        return f"rows[{self.row}].{self.column}" if self.row else self.column


class CsvInvalid(ValueError):
    """The file cannot be imported; `errors` names every bad cell (up to MAX_ERRORS)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


def _money(raw: Any) -> Decimal | None:
    return None if raw in (None, "") else Decimal(str(raw)).quantize(_FEN)


def from_outcome(data: Mapping[str, Any], closed_on: date) -> PastDispute:
    """The record a finished case leaves: the payload of its case_outcome event."""
    accident = data.get("accident_on")
    return PastDispute(
        injury=str(data.get("injury") or ""), si_enrolled=data.get("si_enrolled"),
        outcome=str(data.get("outcome") or ""), cause=str(data.get("cause") or ""),
        location=str(data.get("location") or ""), region=str(data.get("region") or ""),
        accident_on=date.fromisoformat(accident) if accident else None, closed_on=closed_on,
        traffic_accident=data.get("traffic_accident"), recognised=data.get("recognised"),
        grade=data.get("grade"), no_disability=bool(data.get("no_disability")),
        suspension_months=data.get("suspension_months"),
        employer_offers=tuple(Decimal(a).quantize(_FEN) for a in data.get("employer_offers") or ()),
        employee_demands=tuple(Decimal(a).quantize(_FEN) for a in data.get("employee_demands") or ()),
        agreed_amount=_money(data.get("agreed_amount")),
        paid_amount=_money(data.get("paid_amount")), duration_days=data.get("duration_days"),
        disputes=tuple(data.get("disputes") or ()),
        missed_deadlines=tuple(data.get("missed_deadlines") or ()),
        notes=str(data.get("reason") or ""))


# ---- CSV ------------------------------------------------------------------------------------


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Excel in Chinese saves as CSV)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvInvalid([RowError(0, 0, "file", "csv.encoding", "the file is neither UTF-8 nor GB18030")])


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise RuleViolation("", "bool.invalid", f"'{raw}' is not true/false (yes/no, 1/0, 是/否)")


def _int(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        return parse_ascii_int(raw, "", low, high)
    return parse


def _amount(raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip().lstrip("¥￥").replace(",", ""))
    except InvalidOperation:
        raise RuleViolation("", "amount.invalid", f"'{raw}' is not an amount") from None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise RuleViolation("", "amount.range", f"'{raw}': an amount is from 0 to {MAX_AMOUNT}")
    if value != value.quantize(_FEN):
        raise RuleViolation("", "amount.precision", f"'{raw}': at most two decimal places (fen)")
    return value.quantize(_FEN)


def _amounts(raw: str) -> tuple[Decimal, ...]:
    return tuple(_amount(part) for part in _LIST_SPLIT.split(raw) if part.strip())


def _date(raw: str) -> date:
    try:
        parsed = date.fromisoformat(raw.strip()) if _ISO_DATE.fullmatch(raw.strip()) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise RuleViolation("", "date.invalid", f"'{raw}' is not an ISO date (YYYY-MM-DD)")
    return check_date_in_window(parsed, "")


_PARSERS: dict[str, Callable[[str], Any]] = {
    "accident_on": _date, "closed_on": _date, "si_enrolled": _bool, "traffic_accident": _bool,
    "recognised": _bool, "grade": _int(1, 10), "no_disability": _bool,
    "suspension_months": _int(0, 24), "employer_offers": _amounts, "employee_demands": _amounts,
    "agreed_amount": _amount, "paid_amount": _amount, "duration_days": _int(0, 36500),
}


def _header(names: list[str] | None) -> list[str]:
    if not names:
        raise CsvInvalid([RowError(0, 0, "file", "csv.empty", "the file is empty")])
    columns = [(n or "").strip().lstrip("\ufeff").lower() for n in names or []]
    problems = [f"unknown column '{c}'" for c in columns if c not in COLUMNS]
    problems += [f"column '{c}' appears twice" for c in set(columns) if columns.count(c) > 1]
    problems += [f"required column '{c}' is missing" for c in REQUIRED if c not in columns]
    if problems:
        raise CsvInvalid([RowError(0, 1, "header", "csv.header", "; ".join(sorted(problems)) +
                                   f" (columns: {', '.join(COLUMNS)})")])
    return columns


def _row(row: int, line: int, cells: dict[str, str], errors: list[RowError]) -> PastDispute | None:
    values: dict[str, Any] = {}
    before = len(errors)
    for column, raw in cells.items():
        text = raw.strip()
        if not text:
            if column in REQUIRED:
                errors.append(RowError(row, line, column, "required", f"{column} is required"))
            continue
        limit = _TEXT_LIMITS.get(column)
        if limit and len(text) > limit:
            errors.append(RowError(row, line, column, "too_long", f"at most {limit} characters"))
            continue
        try:
            values[column] = _PARSERS[column](text) if column in _PARSERS \
                else check_plain_text(text, column)
        except RuleViolation as exc:
            errors.append(RowError(row, line, column, exc.code, exc.message))
    accident, closed = values.get("accident_on"), values.get("closed_on")
    if accident and closed and closed < accident:
        errors.append(RowError(row, line, "closed_on", "date.order", "closed_on is before accident_on"))
    if values.get("grade") and values.get("no_disability"):
        errors.append(RowError(row, line, "no_disability", "grade.conflict",
                               "no_disability is true but a grade is given"))
    if len(errors) > before:
        return None
    if "duration_days" not in values and accident and closed:
        values["duration_days"] = (closed - accident).days
    return PastDispute(**values)


def parse_csv(text: str) -> list[PastDispute]:
    """Every row, or CsvInvalid naming each bad cell: a file imports whole or not at all."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = _header(next(reader, None))
        records: list[PastDispute] = []
        errors: list[RowError] = []
        for number, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                continue
            if number > MAX_ROWS:
                raise CsvInvalid([RowError(number, reader.line_num, "file", "csv.too_many_rows",
                                           f"at most {MAX_ROWS} rows per file")])
            if len(cells) != len(columns):
                errors.append(RowError(number, reader.line_num, "columns", "csv.columns",
                                       f"{len(cells)} cells, the header has {len(columns)}"))
                continue
            record = _row(number, reader.line_num, dict(zip(columns, cells, strict=True)), errors)
            if record is not None:
                records.append(record)
            if len(errors) >= MAX_ERRORS:
                break
    except csv.Error as exc:
        raise CsvInvalid([RowError(0, reader.line_num, "file", "csv.syntax", str(exc))]) from None
    if errors:
        raise CsvInvalid(errors[:MAX_ERRORS])
    if not records:
        raise CsvInvalid([RowError(0, 0, "file", "csv.empty", "the file has a header but no rows")])
    return records
