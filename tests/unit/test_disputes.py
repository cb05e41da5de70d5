"""Dispute history: similarity ranking on a fixture, its properties, and the CSV rows it imports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.disputes.records import COLUMNS, CsvInvalid, decode, from_outcome, parse_csv
from domain.disputes.similarity import (
    DisputeQuery,
    DisputeRecord,
    agreed_summary,
    match,
    rank,
    score,
    text_similarity,
)

PAST = [
    DisputeRecord("a-thumb-8", "右手拇指肌腱断裂", 8, True, "beijing", False),
    DisputeRecord("b-finger-8-no-si", "左手食指骨折", 8, False, "beijing", False),
    DisputeRecord("c-finger-9", "右手食指离断", 9, True, "shanghai", False),
    DisputeRecord("d-leg-8", "左小腿骨折", 8, True, "beijing", False),
    DisputeRecord("e-thumb-no-grade", "右手拇指挫伤", None, True, "beijing", False),
    DisputeRecord("f-spine-5", "腰椎压缩性骨折", 5, True, "beijing", False),
    DisputeRecord("g-head-10", "头部外伤", 10, True, "guangzhou", False),
    DisputeRecord("h-thumb-7-traffic", "右手拇指骨折", 7, True, "beijing", True),
]


def keys(query: DisputeQuery, limit: int | None = None) -> list[str]:
    return [m.key for m in rank(query, PAST, limit)]


def test_the_same_injury_and_grade_ranks_first_then_same_grade_then_adjacent_grades():
    ranked = keys(DisputeQuery("右手拇指肌腱断裂", grade=8, si_enrolled=True, region="beijing"))
    assert ranked[0] == "a-thumb-8"
    # the same grade weighs more than wording: the leg fracture of grade 8 beats the thumb of 7
    assert ranked.index("d-leg-8") < ranked.index("h-thumb-7-traffic")
    # not enrolled then, though grade 8: below the enrolled grade-8 records
    assert ranked.index("d-leg-8") < ranked.index("b-finger-8-no-si")
    assert ranked[-2:] == ["f-spine-5", "g-head-10"]


def test_a_case_without_si_finds_the_case_without_si():
    assert keys(DisputeQuery("左手拇指断裂", grade=8, si_enrolled=False), limit=1) == ["b-finger-8-no-si"]


def test_the_injury_text_alone_ranks_by_wording_and_body_part():
    ranked = keys(DisputeQuery("右手拇指受伤"))
    assert set(ranked[:3]) == {"a-thumb-8", "e-thumb-no-grade", "h-thumb-7-traffic"}
    assert match(DisputeQuery("右手拇指受伤"), PAST[6]).parts == {"injury": 0.0}


def test_left_out_criteria_do_not_count_and_no_criteria_scores_nothing():
    only_grade = rank(DisputeQuery(grade=8), PAST)
    assert [m.score for m in only_grade[:3]] == [1.0, 1.0, 1.0]
    assert [m.key for m in only_grade[:3]] == ["a-thumb-8", "b-finger-8-no-si", "d-leg-8"]  # by key
    assert {m.score for m in rank(DisputeQuery(), PAST)} == {0.0}
    assert match(DisputeQuery(region=" Beijing "), PAST[0]).score == 1.0


def test_texts_compare_by_bigrams_and_keywords():
    assert text_similarity("右手拇指骨折", "右手拇指骨折") == 1.0
    assert text_similarity("右手拇指", "左手食指") > 0  # both a hand
    assert text_similarity("头部外伤", "左小腿骨折") == 0.0
    assert text_similarity("", "头部外伤") == text_similarity("，。", "头部外伤") == 0.0
    assert text_similarity("手", "手") == 1.0


def test_the_summary_of_agreed_amounts():
    summary = agreed_summary([Decimal("30000"), None, Decimal("50000.50"), Decimal("40000")])
    assert summary == {"agreed_count": 3, "agreed_min": "30000", "agreed_median": "40000.00",
                       "agreed_max": "50000.50"}
    assert agreed_summary([Decimal("1"), Decimal("2")])["agreed_median"] == "1.50"
    assert agreed_summary([None])["agreed_count"] == 0


texts = st.text(alphabet="右左手拇指食骨折断裂腰椎头部小腿烧伤 ,.abc", max_size=12)
grades = st.none() | st.integers(1, 10)
flags = st.none() | st.booleans()
regions = st.none() | st.sampled_from(["beijing", "shanghai", "Beijing", ""])
queries = st.builds(DisputeQuery, texts, grades, flags, regions, flags)


@st.composite
def record_sets(draw: st.DrawFn) -> list[DisputeRecord]:
    n = draw(st.integers(1, 8))
    return [DisputeRecord(f"r{i}", draw(texts), draw(grades), draw(flags), draw(regions),
                          draw(flags)) for i in range(n)]


@given(queries, record_sets())
def test_every_score_is_between_0_and_1(query, records):
    for record in records:
        assert 0.0 <= score(query, record) <= 1.0


@given(record_sets())
def test_a_record_scores_highest_against_itself(records):
    for record in records:
        own = score(record.as_query(), record)
        assert all(own >= score(record.as_query(), other) for other in records)
        assert own in (0.0, 1.0)


@given(queries, record_sets(), st.randoms())
def test_the_ranking_does_not_depend_on_the_order_of_the_records(query, records, random):
    shuffled = list(records)
    random.shuffle(shuffled)
    assert rank(query, shuffled) == rank(query, records)
    ranked = rank(query, records)
    assert all((a.score, b.key) >= (b.score, a.key) for a, b in zip(ranked, ranked[1:], strict=False))


# ---- records: from a case's outcome, and from CSV ----------------------------------------------

HEADER = "injury,si_enrolled,outcome,grade,agreed_amount,accident_on,closed_on,employer_offers\n"


def test_a_case_outcome_becomes_a_record():
    record = from_outcome({"injury": "右手拇指肌腱断裂", "si_enrolled": True, "outcome": "closed",
                           "grade": 8, "accident_on": "2026-01-05", "agreed_amount": "42000",
                           "employer_offers": ["30000"], "paid_amount": None,
                           "reason": "paid in full", "duration_days": 90}, date(2026, 4, 5))
    assert record.agreed_amount == Decimal("42000.00") and record.grade == 8
    assert record.accident_on == date(2026, 1, 5) and record.notes == "paid in full"
    assert record.employer_offers == (Decimal("30000"),) and record.paid_amount is None


def test_a_good_csv_parses_every_row():
    rows = parse_csv(HEADER + "右手拇指骨折,是,settled,8,\"42,000.00\",2025-01-02,2025-03-03,30000;35000\n"
                     ",,,,,,,\n"
                     "头部外伤,no,arbitration,,,,,\n")
    assert len(rows) == 2
    assert rows[0].si_enrolled is True and rows[0].agreed_amount == Decimal("42000.00")
    assert rows[0].duration_days == 60 and rows[0].employer_offers == (Decimal("30000"), Decimal("35000"))
    assert rows[1].grade is None and rows[1].si_enrolled is False


@pytest.mark.parametrize(("row", "field", "code"), [
    ("右手,是,settled,11,,,,", "rows[2].grade", "int.range"),
    ("右手,是,settled,八,,,,", "rows[2].grade", "int.range"),
    ("右手,maybe,settled,,,,,", "rows[2].si_enrolled", "bool.invalid"),
    (",是,settled,,,,,", "rows[2].injury", "required"),
    ("右手,是,settled,,-5,,,", "rows[2].agreed_amount", "amount.range"),
    ("右手,是,settled,,12.345,,,", "rows[2].agreed_amount", "amount.precision"),
    ("右手,是,settled,,abc,,,", "rows[2].agreed_amount", "amount.invalid"),
    ("右手,是,settled,,,2025/01/02,,", "rows[2].accident_on", "date.invalid"),
    ("右手,是,settled,,,2025-02-30,,", "rows[2].accident_on", "date.invalid"),
    ("右手,是,settled,²,,,,", "rows[2].grade", "int.range"),  # str.isdigit takes it: was a 500
    ("右手,是,settled,⑤,,,,", "rows[2].grade", "int.range"),
    ("右手,是,settled,５,,,,", "rows[2].grade", "int.range"),  # full-width
    ("右手,是,settled,,,0001-01-01,,", "rows[2].accident_on", "date.outside_window"),
    ("右手\u202e,是,settled,,,,,", "rows[2].injury", "text.control_character"),
    ("右手,是,settled,,,2025-03-01,2025-02-01,", "rows[2].closed_on", "date.order"),
    ("右手,是,settled,,,,,1;x", "rows[2].employer_offers", "amount.invalid"),
    ("右手,是,settled", "rows[2].columns", "csv.columns"),
])
def test_a_bad_cell_is_named_by_row_and_column(row, field, code):
    with pytest.raises(CsvInvalid) as caught:
        parse_csv(HEADER + "头部外伤,是,settled,10,,,,\n" + row + "\n")
    first = caught.value.errors[0]
    assert (first.field, first.code, first.line) == (field, code, 3)


def test_every_bad_cell_is_listed():
    with pytest.raises(CsvInvalid) as caught:
        parse_csv(HEADER + "右手,x,settled,0,,,,\n,是,,,,,,\n")
    assert [e.field for e in caught.value.errors] == [
        "rows[1].si_enrolled", "rows[1].grade", "rows[2].injury", "rows[2].outcome"]


@pytest.mark.parametrize(("text", "field", "code"), [
    ("", "file", "csv.empty"),
    ("injury,si_enrolled,outcome\n", "file", "csv.empty"),
    ("injury,si_enrolled\n右手,是\n", "header", "csv.header"),
    ("injury,si_enrolled,outcome,grde\n右手,是,x,8\n", "header", "csv.header"),
    ("injury,injury,si_enrolled,outcome\n", "header", "csv.header"),
])
def test_a_bad_file_is_named(text, field, code):
    with pytest.raises(CsvInvalid) as caught:
        parse_csv(text)
    assert (caught.value.errors[0].field, caught.value.errors[0].code) == (field, code)


def test_the_header_lists_the_columns_and_excel_encodings_are_read():
    with pytest.raises(CsvInvalid) as caught:
        parse_csv("injury,si_enrolled,outcome,grde\n")
    assert "grde" in caught.value.errors[0].message and ", ".join(COLUMNS) in caught.value.errors[0].message
    text = "\ufeffInjury,SI_Enrolled,Outcome\n右手拇指骨折,是,调解结案\n"
    assert decode(text.encode("utf-8")) == text.lstrip("\ufeff")
    assert parse_csv(decode(text.encode("gb18030")))[0].outcome == "调解结案"
    with pytest.raises(CsvInvalid):
        decode(b"\xff\xfe\x00\xd8")
