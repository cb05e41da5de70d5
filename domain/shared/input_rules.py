"""Rules every input obeys, whatever it is for: dates in a sane window, text without control
characters, whole numbers written in ASCII digits (pure, no I/O).

Each rule raises RuleViolation naming the field and a stable code, so the API answers 422 and
nothing is started or stored. They exist because the wider inputs crashed deep inside: a date near
9999 overflows the date arithmetic of a deadline (`date.max + 1 day`), a moment in year 1 overflows
its conversion to UTC, PostgreSQL refuses a NUL in text, and a bidirectional control character
makes a name read differently on screen and in a PDF than it is stored (Trojan Source).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from domain.shared.errors import RuleViolation

EARLIEST_DATE = date(1900, 1, 1)
"""No record a caller sends (an accident, a hire, a bill, a past dispute) is older than this."""
LATEST_DATE = date(2199, 12, 31)
"""No date a caller sends lies beyond this; deadlines computed from it stay far from date.max."""

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Marks, embeddings, overrides and isolates that reorder how text is displayed."""
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_ASCII_DIGITS = frozenset("0123456789")


def check_date_in_window(value: date, field: str) -> date:
    """A calendar date between EARLIEST_DATE and LATEST_DATE (a datetime is judged by its own
    calendar day, before any conversion: converting 0001-01-01T00:00+14:00 to UTC overflows)."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise RuleViolation(field, "date.outside_window",
                            f"{field or 'the date'} ({value.isoformat()}) must lie between "
                            f"{EARLIEST_DATE} and {LATEST_DATE}")
    return value


def check_plain_text(value: str, field: str) -> str:
    """Text without NUL or other control characters (tab and line breaks allowed), without
    bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and without lone
    surrogates, which no database stores."""
    for position, char in enumerate(value):
        category = unicodedata.category(char)
        if (category == "Cc" and char not in _ALLOWED_CONTROLS) or category == "Cs" \
                or char in BIDI_CONTROLS:
            kind = "bidirectional control" if char in BIDI_CONTROLS else "control"
            raise RuleViolation(field, "text.control_character",
                                f"{field or 'the text'} contains the {kind} character "
                                f"U+{ord(char):04X} at position {position + 1}; remove it")
    return value


def without_controls(value: str) -> str:
    """The text with what check_plain_text refuses taken out: for text we must keep although we
    did not ask for it (an employee's SMS reply), so nothing the employee wrote is lost."""
    return "".join(char for char in value
                   if not ((unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS)
                           or unicodedata.category(char) == "Cs" or char in BIDI_CONTROLS))


def parse_ascii_int(raw: str, field: str, low: int, high: int) -> int:
    """A whole number written with the digits 0-9 only, from `low` to `high`; str.isdigit would
    also take '²' or '⑤', which int() then refuses."""
    text = raw.strip()
    if not text or not set(text) <= _ASCII_DIGITS or not low <= int(text) <= high:
        raise RuleViolation(field, "int.range", f"'{raw}' is not a whole number from {low} to {high}")
    return int(text)
