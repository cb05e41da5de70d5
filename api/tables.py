"""CSV and XLSX files in and out of the employee routes: read a sheet's rows, write a list."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook

from domain.employees.roster import MAX_ROWS, RowError, TableInvalid

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA = "text/csv; charset=utf-8"
_XLSX_MAGIC = b"PK\x03\x04"
MAX_UNZIPPED = 50 * 1024 * 1024  # an XLSX is a ZIP: refuse one that would unpack past this


def is_xlsx(filename: str, content: bytes) -> bool:
    return content.startswith(_XLSX_MAGIC) or filename.lower().endswith(".xlsx")


def read_rows(filename: str, content: bytes) -> list[tuple[int, list[Any]]]:
    """Every row of the file that is not blank (the first sheet of an XLSX) with its line
    number, the header first; at most MAX_ROWS after it."""
    every = _xlsx_rows(content) if is_xlsx(filename, content) else _csv_rows(content)
    rows = [(line, r) for line, r in enumerate(every, 1)
            if any(c is not None and str(c).strip() for c in r)]
    if not rows:
        raise TableInvalid([RowError(0, 0, "file", "import.empty", "the file holds no rows")])
    if len(rows) - 1 > MAX_ROWS:
        raise TableInvalid([RowError(0, 0, "file", "import.too_many_rows",
                                     f"{len(rows) - 1} rows; at most {MAX_ROWS} per file")])
    return rows


def _csv_rows(content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030: what Excel in Chinese saves as CSV
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableInvalid([RowError(0, 0, "file", "import.encoding",
                                     "the file is neither UTF-8 nor GB18030, nor an XLSX")])
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED:
                raise TableInvalid([RowError(0, 0, "file", "import.too_large",
                                             "the XLSX unpacks to more than 50 MiB")])
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except TableInvalid:
        raise
    except Exception:  # noqa: BLE001 - any unreadable workbook is one answer to HR
        raise TableInvalid([RowError(0, 0, "file", "import.unreadable",
                                     "the file is not a readable XLSX workbook")]) from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[Any]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese as written."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """One sheet; every cell a string (data_type 's': never a formula)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
