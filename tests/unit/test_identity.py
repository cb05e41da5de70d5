"""Resident ID numbers: GB 11643-1999 structure, GB/T 2260 address codes, MOD 11-2 check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared.errors import RuleViolation
from domain.shared.identity import ResidentId, check_digit, known_region_codes, parse_resident_id

TODAY = date(2026, 11, 23)


def make_id(region: str, born: date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def code_of(raw: str, **kwargs: object) -> str:
    with pytest.raises(RuleViolation) as err:
        parse_resident_id(raw, today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == kwargs.get("field", "id_number")
    assert err.value.field in err.value.message
    return err.value.code


valid_ids = st.builds(
    make_id,
    st.sampled_from(sorted(known_region_codes())),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)


@pytest.mark.parametrize(
    ("number", "s_mod_11", "check"),
    [("11010519491231002X", 2, "X"), ("440524188001010014", 8, "4"),
     ("34052419800101001X", 2, "X")],
)
def test_published_vectors_have_the_published_check_character(
    number: str, s_mod_11: int, check: str
) -> None:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert sum(int(c) * w for c, w in zip(number[:17], weights, strict=True)) % 11 == s_mod_11
    assert check_digit(number[:17]) == check


def test_published_vectors_parse() -> None:
    assert parse_resident_id("11010519491231002X", today=TODAY) == ResidentId(
        "11010519491231002X", "110105", date(1949, 12, 31), "female")
    assert parse_resident_id("34052419800101001X", today=TODAY) == ResidentId(
        "34052419800101001X", "340524", date(1980, 1, 1), "male")
    # Born 1880: valid under GB 11643, but below the product's 1900-01-01 sanity bound.
    old = parse_resident_id("440524188001010014", today=TODAY, earliest_birth=date(1800, 1, 1))
    assert old == ResidentId("440524188001010014", "440524", date(1880, 1, 1), "male")
    assert code_of("440524188001010014") == "id_number.birth_date"


def test_lowercase_x_and_spaces_are_normalised() -> None:
    assert parse_resident_id(" 110105 19491231 002x ", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize("raw", ["", "11010519491231002", "11010519491231002X1"])
def test_wrong_length(raw: str) -> None:
    assert code_of(raw) == "id_number.length"


@pytest.mark.parametrize("raw", ["11010519491231002A", "1101051949123100X2", "11010519491231002Ｘ",
                                 "１1010519491231002X"])
def test_wrong_format(raw: str) -> None:
    assert code_of(raw) == "id_number.format"


@pytest.mark.parametrize("region", ["000000", "999999", "110199"])
def test_unknown_region(region: str) -> None:
    assert region not in known_region_codes()
    assert code_of(make_id(region, date(1990, 5, 17), 123)) == "id_number.region"


def test_future_birth_date() -> None:
    tomorrow = TODAY + timedelta(days=1)
    assert code_of(make_id("110105", tomorrow, 1)) == "id_number.birth_date"
    assert parse_resident_id(make_id("110105", TODAY, 1), today=TODAY).birth_date == TODAY


@pytest.mark.parametrize("body", ["11010519900230001", "11010519901301001", "11010518991231001"])
def test_impossible_or_too_early_birth_date(body: str) -> None:
    assert code_of(body + check_digit(body)) == "id_number.birth_date"


def test_custom_field_name_is_reported() -> None:
    assert code_of("11010519491231002", field="employee.id_number") == "id_number.length"


def test_sex_follows_the_parity_of_the_sequence_code() -> None:
    assert parse_resident_id(make_id("110105", date(1990, 1, 1), 11), today=TODAY).sex == "male"
    assert parse_resident_id(make_id("110105", date(1990, 1, 1), 12), today=TODAY).sex == "female"


def test_retired_codes_are_known() -> None:
    # 440524 潮阳县 (retired 1990s), 110103 崇文区 and 110104 宣武区 (merged 2010).
    assert {"440524", "110103", "110104", "110105"} <= known_region_codes()
    assert all(len(c) == 6 and c.isdigit() for c in known_region_codes())


@given(valid_ids)
def test_generated_valid_ids_parse(number: str) -> None:
    rid = parse_resident_id(number, today=TODAY)
    assert rid.number == number
    assert rid.region_code == number[:6]
    assert f"{rid.birth_date:%Y%m%d}" == number[6:14]


@given(valid_ids, st.sampled_from("0123456789X"))
def test_any_other_check_character_is_rejected(number: str, other: str) -> None:
    if other != number[17]:
        assert code_of(number[:17] + other) == "id_number.check_digit"


@given(valid_ids, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_body_digit_change_is_rejected(number: str, pos: int, shift: int) -> None:
    digit = str((int(number[pos]) + shift) % 10)
    code_of(number[:pos] + digit + number[pos + 1:])  # some rule always catches it (MOD 11-2)
