"""The employer (用人单位) every document names, and its unified social credit code (统一社会信用代码).

GB 32100-2015: 18 characters from 0-9 and the capitals but I, O, S, V and Z; the last is a check
character over the first 17, each weighted by 3^i mod 31.
"""

from __future__ import annotations

from dataclasses import dataclass

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def uscc_check_char(body: str) -> str:
    """The check character of the first 17 characters of a code (GB 32100-2015 §5)."""
    if len(body) != 17 or any(c not in USCC_ALPHABET for c in body):
        raise ValueError("the first 17 characters must be 0-9 or A-Y without I, O, S, V, Z")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str:
    """Why `code` is not a unified social credit code, or "" when it is one."""
    if len(code) != 18:
        return f"it has {len(code)} characters, not 18"
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        return f"{''.join(bad)} cannot appear in it (0-9 and A-Y without I, O, S, V, Z)"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"its check character is {code[17]}, the first 17 give {expected} (GB 32100-2015)"
    return ""


@dataclass(frozen=True)
class Company:
    """用人单位: name, 统一社会信用代码, address and contact, as every document shows them."""

    name: str = ""
    uscc: str = ""
    address: str = ""
    contact: str = ""

    @property
    def known(self) -> bool:
        return bool(self.name or self.uscc)
