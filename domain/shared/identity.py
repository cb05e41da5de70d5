"""Resident ID numbers (GB 11643-1999) and phone numbers: parse, check, normalise.

Error messages never repeat the full ID number: they name the field and the broken rule only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from domain.shared.errors import RuleViolation

_DATA = Path(__file__).parents[1] / "data"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(18-i) mod 11
_CHECK_CHARS = "10X98765432"  # indexed by R = S mod 11 (ISO 7064:1983 MOD 11-2)
_ID_FORMAT = re.compile(r"[0-9]{17}[0-9X]")
EARLIEST_BIRTH = date(1900, 1, 1)  # product sanity bound, not a GB 11643 rule


@dataclass(frozen=True)
class ResidentId:
    """A checked 18-digit resident ID number and what it encodes (GB 11643-1999 §4-§5)."""

    number: str
    region_code: str
    birth_date: date
    sex: str  # "male" | "female"


@cache
def known_region_codes() -> frozenset[str]:
    """GB/T 2260 address codes, current and retired, bundled in data/region_codes.txt."""
    text = (_DATA / "region_codes.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def check_digit(body17: str) -> str:
    """The check character of a 17-digit body: ISO 7064 MOD 11-2 (GB 11643-1999 §5.2)."""
    if len(body17) != 17 or not body17.isascii() or not body17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    total = sum(int(ch) * w for ch, w in zip(body17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_resident_id(
    raw: str, *, today: date, field: str = "id_number", earliest_birth: date = EARLIEST_BIRTH
) -> ResidentId:
    """Check an 18-digit resident ID (GB 11643-1999; GB/T 2260 address code) and decode it."""
    number = "".join((raw or "").split()).upper()
    if len(number) != 18:
        raise RuleViolation(
            field, "id_number.length",
            f"{field} must be 18 characters (17 digits and a check digit or X), got {len(number)}",
        )
    if not _ID_FORMAT.fullmatch(number):
        raise RuleViolation(
            field, "id_number.format",
            f"{field} must be 17 digits followed by a digit or X (GB 11643-1999)",
        )
    region = number[:6]
    if region not in known_region_codes():
        raise RuleViolation(
            field, "id_number.region",
            f"{field} starts with {region}, which is not a GB/T 2260 administrative-division "
            "code (current or retired)",
        )
    birth = _birth_date(number[6:14], today=today, field=field, earliest=earliest_birth)
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise RuleViolation(
            field, "id_number.check_digit",
            f"{field} check character is {number[17]} but ISO 7064 MOD 11-2 over the first 17 "
            f"digits gives {expected} (GB 11643-1999): the number is mistyped",
        )
    sex = "male" if int(number[16]) % 2 == 1 else "female"
    return ResidentId(number=number, region_code=region, birth_date=birth, sex=sex)


def _birth_date(yyyymmdd: str, *, today: date, field: str, earliest: date) -> date:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        raise RuleViolation(
            field, "id_number.birth_date",
            f"{field} digits 7-14 ({yyyymmdd}) are not a real calendar date (GB 11643-1999)",
        ) from None
    if born > today:
        raise RuleViolation(
            field, "id_number.birth_date",
            f"{field} encodes a birth date {born} after today ({today})",
        )
    if born < earliest:
        raise RuleViolation(
            field, "id_number.birth_date",
            f"{field} encodes a birth date {born} before {earliest}",
        )
    return born


_SEPARATORS = re.compile(r"[\s\-().]")
_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_E164_DIGITS = re.compile(r"[1-9][0-9]{7,14}")


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """A phone number in E.164: Chinese mobiles become +86…, foreign E.164 numbers are kept."""
    compact = _SEPARATORS.sub("", raw or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+"):
        digits = compact[1:]
        if digits.isascii() and _E164_DIGITS.fullmatch(digits):
            if not digits.startswith("86"):
                return compact
            if _CN_MOBILE.fullmatch(digits[2:]):
                return compact
    elif compact.isascii() and compact.isdigit():
        if _CN_MOBILE.fullmatch(compact):
            return "+86" + compact
        if compact.startswith("86") and _CN_MOBILE.fullmatch(compact[2:]):
            return "+" + compact
    raise RuleViolation(
        field, "phone.format",
        f"{field} must be a Chinese mobile number (11 digits starting 13-19, optionally with +86) "
        "or an international number in E.164 form (+ and 8-15 digits)",
    )


def mask_phone(phone: str) -> str:
    """A phone number for logs: its first 3 and last 4 digits (+86 138****8000; the country code
    of an E.164 number is kept); a number too short to show that much is masked whole."""
    compact = _SEPARATORS.sub("", phone or "")
    prefix = ""
    if compact.startswith("+86"):
        prefix, compact = "+86", compact[3:]
    elif compact.startswith("+"):
        prefix, compact = "+", compact[1:]
    if len(compact) < 10:
        return prefix + "*" * len(compact)
    return f"{prefix}{compact[:3]}{'*' * (len(compact) - 7)}{compact[-4:]}"


def mask_id_number(id_number: str) -> str:
    """A resident ID number for logs: its first 6 (the region) and last 4 characters
    (110105********002X); anything shorter than 15 characters is masked whole."""
    value = (id_number or "").strip()
    if len(value) < 15:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_address(address: str) -> str:
    """A notice's address for logs: a phone number masked, an email's local part cut to its first
    character (z***@example.com); a name (the outbox's stand-in address) as it is."""
    local, at, domain = (address or "").partition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    if any(c.isdigit() for c in address):
        return mask_phone(address)
    return address
