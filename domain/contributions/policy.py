"""The payment-deadline table (domain/data/payment_deadlines.json): read by the API when an account
opens; the account's workflow carries the row it was opened with, never reads the file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from domain.contributions.payloads import PaymentDeadlineRule
from domain.shared.errors import RuleViolation

DEFAULT_REGION = "*"
_DATA = Path(__file__).parents[1] / "data" / "payment_deadlines.json"


def deadline_rule(region: str, rows: Sequence[PaymentDeadlineRule] | None = None
                  ) -> PaymentDeadlineRule:
    """The region's row, else the "*" default row (data: domain/data/payment_deadlines.json)."""
    rows = rows if rows is not None else bundled_rules()
    for wanted in (region, DEFAULT_REGION):
        for row in rows:
            if row.region == wanted:
                return row
    raise RuleViolation("region", "policy.no_payment_deadline",
                        f"region {region}: no payment deadline on file and no default row")


@cache
def bundled_rules() -> tuple[PaymentDeadlineRule, ...]:
    rows = json.loads(_DATA.read_text(encoding="utf-8"))["payment_deadlines"]
    return tuple(_rule(row) for row in rows)


def _rule(row: dict[str, Any]) -> PaymentDeadlineRule:
    day = row["day_of_month"]
    if not isinstance(day, int) or not 1 <= day <= 31 or not row.get("source"):
        raise ValueError(f"payment deadline row {row!r}: day_of_month 1-31 and a source")
    return PaymentDeadlineRule(region=row["region"], day_of_month=day, source=row["source"],
                               verified=bool(row.get("verified", False)))
