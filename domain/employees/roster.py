"""Hires in a table (CSV or XLSX, 花名册) and the employee list as a table: columns, the row a
registration is made of, the field an error names, and cells made safe for spreadsheets.

Pure: the API reads and writes the files (api/tables.py); the single registration's rules
(api.schemas.OnboardingCreate, domain.onboarding.intake) check every row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

# Each column: its name in the file (English, or the Chinese HR's sheet uses) → its path in the
# registration's JSON (POST /api/v1/onboardings).
COLUMNS: dict[str, tuple[str, ...]] = {
    "employee_id": ("employee", "employee_id"),
    "name": ("employee", "name"),
    "id_number": ("employee", "id_number"),
    "phone": ("employee", "phone"),
    "email": ("employee", "email"),
    "department": ("employee", "department"),
    "manager_name": ("employee", "manager", "name"),
    "manager_phone": ("employee", "manager", "phone"),
    "manager_email": ("employee", "manager", "email"),
    "emergency_name": ("employee", "emergency_contact", "name"),
    "emergency_relation": ("employee", "emergency_contact", "relation"),
    "emergency_phone": ("employee", "emergency_contact", "phone"),
    "hire_date": ("hire_date",),
    "region": ("region",),
    "contribution_base": ("contribution_base",),
    "contract_start": ("contract_start",),
    "contract_end": ("contract_end",),
}
ALIASES: dict[str, str] = {
    "工号": "employee_id", "姓名": "name", "身份证号": "id_number", "身份证号码": "id_number",
    "手机": "phone", "手机号": "phone", "邮箱": "email", "部门": "department",
    "直属上级": "manager_name", "上级手机": "manager_phone", "上级邮箱": "manager_email",
    "紧急联系人": "emergency_name", "紧急联系人关系": "emergency_relation",
    "紧急联系人电话": "emergency_phone", "入职日期": "hire_date", "参保地": "region",
    "缴费基数": "contribution_base", "合同开始日期": "contract_start",
    "合同结束日期": "contract_end",
}
REQUIRED = ("employee_id", "name", "id_number", "phone", "department", "manager_name",
            "manager_phone", "hire_date", "region", "contribution_base")
MAX_ROWS = 5000
_PATHS = {".".join(path): column for column, path in COLUMNS.items()}


@dataclass(frozen=True)
class RowError:
    """One broken rule of one row: `field` like rows[12].id_number (row 1: the first after the
    header; `line`: its line in the file)."""

    row: int
    line: int
    field: str
    code: str
    message: str


class TableInvalid(Exception):
    """The table cannot be read as hires at all (header, size): nothing is imported."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(errors[0].message)
        self.errors = list(errors)


def column_of(header: str) -> str | None:
    """The column a header cell names (English or Chinese), or None."""
    name = "".join(header.split())
    return name.lower() if name.lower() in COLUMNS else ALIASES.get(name)


def check_header(header: Sequence[str]) -> list[str | None]:
    """The column of each header cell; a missing required column, a repeated or unknown one is
    refused."""
    columns = [column_of(h) if h.strip() else None for h in header]
    problems = [f"unknown column '{h}'" for h, c in zip(header, columns, strict=True)
                if h.strip() and c is None]
    named = [c for c in columns if c is not None]
    problems += [f"column {c} appears twice" for c in sorted(set(named)) if named.count(c) > 1]
    problems += [f"required column {c} is missing" for c in REQUIRED if c not in columns]
    if problems:
        raise TableInvalid([RowError(0, 1, "header", "import.header",
                                     "; ".join(problems) + "; columns: " + ", ".join(COLUMNS))])
    return columns


def cell_text(value: Any) -> str:
    """A cell as text: a date as YYYY-MM-DD, a whole number without '.0', empty for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def registration_of(columns: Sequence[str | None], cells: Sequence[Any]) -> dict[str, Any]:
    """The registration's JSON a row makes: empty cells are left out; a contact with no cell
    given is left out whole."""
    body: dict[str, Any] = {}
    for column, value in zip(columns, cells, strict=False):
        text = cell_text(value)
        if column is None or not text:
            continue
        *parents, leaf = COLUMNS[column]
        node = body
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = text
    return body


def field_of(path: Sequence[str | int]) -> str:
    """The column a registration's error names (pydantic's loc, or a RuleViolation's field)."""
    keys = [str(p) for p in path if not isinstance(p, int)]
    while keys:
        if (column := _PATHS.get(".".join(keys))) is not None:
            return column
        keys.pop()  # a contact missing whole: its first column
    return "row"


def row_field(row: int, column: str) -> str:
    return f"rows[{row}].{column}"


def duplicates(rows: Mapping[int, dict[str, Any]], line_of: Mapping[int, int]) -> list[RowError]:
    """The same ID number or employee id twice in the file: each later row names the first."""
    errors: list[RowError] = []
    for column in ("id_number", "employee_id"):
        first: dict[str, int] = {}
        for row, body in rows.items():
            value = "".join(str(body.get("employee", {}).get(column, "")).split()).upper()
            if not value:
                continue
            if value in first:
                errors.append(RowError(row, line_of[row], row_field(row, column),
                                       "import.duplicate",
                                       f"the same {column} as rows[{first[value]}]"))
            else:
                first[value] = row
    return errors


# ---- the list as a table ----------------------------------------------------------------------

EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("employee_id", "工号"), ("name", "姓名"), ("id_number", "身份证号"), ("phone", "手机"),
    ("email", "邮箱"), ("department", "部门"), ("active", "在职"), ("hire_date", "入职日期"),
    ("leave_date", "离职日期"), ("contract_start", "合同开始日期"),
    ("contract_end", "合同结束日期"), ("employments", "任职次数"), ("si_status", "参保状态代码"),
    ("si_status_label", "参保状态"), ("si_since", "状态起始日"),
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs: one starting with = + - @ (or a tab or
    carriage return) is prefixed with an apostrophe (OWASP, CSV injection)."""
    text = cell_text(value) if not isinstance(value, bool) else ("是" if value else "否")
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def export_header() -> list[str]:
    """The header line: the Chinese a reader sees, the code a machine reads."""
    return [f"{zh} {code}" for code, zh in EXPORT_COLUMNS]


def export_row(item: Mapping[str, Any]) -> list[str]:
    return [neutralised(item.get(code)) for code, _ in EXPORT_COLUMNS]
