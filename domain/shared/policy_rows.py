"""A malformed policy data row, naming its field (the admin load answers 422 with it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class RowError(ValueError):
    """A policy row whose `key` is missing or wrong; the message names the row."""

    def __init__(self, row: Mapping[str, Any], key: str, problem: str, kind: str = "policy") -> None:
        super().__init__(f"{kind} row {dict(row)!r}: {key!r} {problem}")
        self.key = key
        self.problem = problem


def document(row: Mapping[str, Any], kind: str = "policy") -> str | None:
    """The issuing document (number and title), or None where no source named it."""
    value = row.get("document")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RowError(row, "document", "must be the issuing document's number and title, or null",
                       kind)
    return value.strip()
