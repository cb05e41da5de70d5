"""The rules every input obeys: dates in the sane window, plain text, whole numbers in ASCII digits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared.errors import RuleViolation
from domain.shared.input_rules import (
    BIDI_CONTROLS,
    EARLIEST_DATE,
    LATEST_DATE,
    check_date_in_window,
    check_plain_text,
    parse_ascii_int,
    without_controls,
)


@pytest.mark.parametrize("value", [
    date(1, 1, 1), date(9999, 12, 1), date.max, EARLIEST_DATE - timedelta(days=1),
    LATEST_DATE + timedelta(days=1),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),  # astimezone(UTC) would overflow
    datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
])
def test_a_date_outside_the_window_is_refused_naming_the_field(value):
    with pytest.raises(RuleViolation) as info:
        check_date_in_window(value, "contract_start")
    assert (info.value.field, info.value.code) == ("contract_start", "date.outside_window")
    assert "contract_start" in info.value.message


@given(st.dates(min_value=EARLIEST_DATE, max_value=LATEST_DATE))
def test_a_date_inside_the_window_passes_and_a_year_of_deadlines_after_it_cannot_overflow(day):
    assert check_date_in_window(day, "on") == day
    assert day + timedelta(days=366 * 60) <= date.max


@pytest.mark.parametrize("text", ["张\x00三", "a\x1bb", "\x7f", "x\u0085", "\ud800",
                                  *sorted(BIDI_CONTROLS)])
def test_text_with_a_control_character_is_refused_naming_it(text):
    with pytest.raises(RuleViolation) as info:
        check_plain_text(text, "employee.name")
    assert (info.value.field, info.value.code) == ("employee.name", "text.control_character")
    assert "U+" in info.value.message


def test_every_bidirectional_control_of_the_trojan_source_list_is_refused():
    listed = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F]}
    assert listed <= BIDI_CONTROLS


@pytest.mark.parametrize("text", ["张三", "line one\nline two\r\n\tindented", "O'Brien-Łukasz 😀", ""])
def test_ordinary_text_with_tabs_and_line_breaks_passes(text):
    assert check_plain_text(text, "note") == text


@pytest.mark.parametrize("raw", ["²", "⑤", "５", "٣", "1²", "-1", "+3", "0x5", " ", "11", "0"])
def test_only_ascii_digits_in_range_make_a_whole_number(raw):
    with pytest.raises(RuleViolation) as info:
        parse_ascii_int(raw, "grade", 1, 10)
    assert info.value.code == "int.range"


def test_an_ascii_whole_number_in_range_parses():
    assert [parse_ascii_int(raw, "grade", 1, 10) for raw in ("1", " 7 ", "10", "05")] == [1, 7, 10, 5]


@given(st.text())
def test_taking_the_controls_out_keeps_everything_else_and_passes_the_text_rule(text):
    cleaned = without_controls(text)
    assert check_plain_text(cleaned, "body") == cleaned
    kept = iter(text)
    assert all(char in kept for char in cleaned)  # a subsequence of the original, in order
    assert without_controls("复工\x00 下周一\u202e返岗") == "复工 下周一返岗"
