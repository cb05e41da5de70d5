"""Phone numbers normalised to E.164."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared.errors import RuleViolation
from domain.shared.identity import normalize_phone


@pytest.mark.parametrize(
    "raw",
    ["13800138000", "+86 138 0013 8000", "86-13800138000", "008613800138000",
     "(+86)13800138000", "+86-138-0013-8000", " 138 0013 8000 ", "0086 138 0013 8000"],
)
def test_chinese_mobile_forms(raw: str) -> None:
    assert normalize_phone(raw) == "+8613800138000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("+14155550100", "+14155550100"), ("+1 (415) 555-0100", "+14155550100"),
     ("+442071838750", "+442071838750"), ("00442071838750", "+442071838750"),
     ("+85291234567", "+85291234567")],
)
def test_foreign_e164_is_kept(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "12345", "1380013800", "138001380001", "12800138000", "23800138000", "abc",
     "+86 10 1234 5678", "+8612800138000", "+0123456789", "+1234567", "+1234567890123456",
     "1380013800O", "+86 138 0013 8000 ext 1", "８６13800138000"],
)
def test_rejected(raw: str) -> None:
    with pytest.raises(RuleViolation) as err:
        normalize_phone(raw, field="employee.phone")
    assert (err.value.field, err.value.code) == ("employee.phone", "phone.format")
    assert "employee.phone" in err.value.message


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_any_mainland_mobile_becomes_plus_86(number: str) -> None:
    assert normalize_phone(number) == "+86" + number
    assert normalize_phone("+86" + number) == "+86" + number  # idempotent
