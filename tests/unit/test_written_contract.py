"""Labour Contract Law arts. 10, 14, 82 and its Implementing Regulations arts. 6-7: the written
contract is due within one month of the start of work; past it, double wages each month to the
day before signing (at most to the day before the year is complete); a year without one, an
open-ended contract is deemed (domain/employees/written_contract.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.employees import written_contract as wc
from domain.employees import written_contract_watch as watch
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import Forbidden, RuleViolation
from domain.shared.labels import DEADLINE_NAMES, REFUSALS, WRITTEN_CONTRACT_STATUS
from domain.shared.people import Actor
from tests.factories import onboarding_input

START = date(2026, 1, 5)  # 用工之日


def test_art_10_the_first_month_ends_the_day_before_the_same_date_next_month() -> None:
    dates = wc.contract_dates(START)
    assert dates.sign_by == date(2026, 2, 4)
    assert dates.double_wage_from == date(2026, 2, 5)     # 满一个月的次日 (实施条例 art. 6)
    assert dates.year_complete == date(2027, 1, 4)        # 满一年的当日 (实施条例 art. 7)
    assert dates.double_wage_to == date(2027, 1, 3)       # 满一年的前一日
    deadline = wc.sign_deadline(START)
    assert deadline.due_at == datetime(2026, 2, 5, tzinfo=SHANGHAI) == deadline.raw_due_at
    assert deadline.article == "Labour Contract Law art. 10" and deadline.name in DEADLINE_NAMES


def test_art_10_a_month_without_the_same_day_ends_on_its_last_day() -> None:
    assert wc.contract_dates(date(2026, 1, 31)).sign_by == date(2026, 2, 27)
    assert wc.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert wc.add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_art_82_signed_in_time_owes_nothing() -> None:
    exposure = wc.double_wage_exposure(START, D("8000"), date(2026, 6, 1),
                                       signed_on=date(2026, 2, 4))
    assert exposure.months == () and exposure.total == D("0.00")
    assert not exposure.open_ended_deemed


def test_art_82_signed_late_double_wage_to_the_day_before_worked_to_the_fen() -> None:
    # signed 2026-03-20: month 2 (02-05..03-04) whole = 8000.00; month 3 (03-05..04-04, 31 days)
    # accrued 03-05..03-19 = 15 days: 8000 × 15 / 31 = 3870.967… → 3870.97
    exposure = wc.double_wage_exposure(START, D("8000"), date(2026, 4, 20),
                                       signed_on=date(2026, 3, 20))
    assert [(m.month, m.first_day, m.last_day, m.days, m.days_in_month, m.amount)
            for m in exposure.months] == [
        (2, date(2026, 2, 5), date(2026, 3, 4), 28, 28, D("8000.00")),
        (3, date(2026, 3, 5), date(2026, 3, 19), 15, 31, D("3870.97"))]
    assert exposure.total == D("11870.97") and exposure.months_accrued == D("1.48")
    assert exposure.article == "Labour Contract Law art. 82; Implementing Regulations arts. 6-7"
    assert "15/31" in exposure.months[1].formula


def test_art_82_not_signed_accrues_up_to_the_day_counted() -> None:
    # as of 2026-02-14, month 2 (28 days) accrued 02-05..02-14 = 10 days: 9000 × 10/28 = 3214.29
    exposure = wc.double_wage_exposure(START, D("9000"), date(2026, 2, 14))
    assert [(m.days, m.amount) for m in exposure.months] == [(10, D("3214.29"))]
    assert wc.double_wage_exposure(START, D("9000"), date(2026, 2, 4)).total == D("0.00")


def test_art_14_and_regulations_art_7_a_year_without_a_contract() -> None:
    # 10 whole months (02-05..12-04) and month 12 (12-05..01-04, 31 days) to 01-03: 30/31
    exposure = wc.double_wage_exposure(START, D("10000"), date(2027, 3, 1))
    assert len(exposure.months) == 11 and exposure.months[-1].last_day == date(2027, 1, 3)
    assert exposure.total == D("100000.00") + D("9677.42")
    assert exposure.open_ended_deemed
    assert not wc.double_wage_exposure(START, D("10000"), date(2027, 1, 3)).open_ended_deemed
    signed_after_the_year = wc.double_wage_exposure(START, D("10000"), date(2027, 3, 1),
                                                    signed_on=date(2027, 2, 1))
    assert signed_after_the_year.open_ended_deemed
    assert signed_after_the_year.total == exposure.total  # capped: nothing after the year


def test_regulations_art_7_literal_total_beside_what_arbitration_commonly_awards() -> None:
    # literal: to 满一年的前一日, month 12 lacks a day (30/31); arbitration: 11 months whole
    year = wc.double_wage_exposure(START, D("10000"), date(2027, 3, 1))
    assert (year.total, year.commonly_awarded) == (D("109677.42"), D("110000.00"))
    odd = wc.double_wage_exposure(START, D("8765.43"), date(2027, 1, 3))  # the last day accrued
    assert (odd.total, odd.commonly_awarded) == (D("96136.97"), D("96419.73"))  # 87654.30 + ...
    assert wc.COMMONLY_AWARDED_NOTE.startswith("仲裁常见裁决：二倍工资差额最多按 11 个月计")
    assert " / What arbitration commonly awards: at most 11 months" in wc.COMMONLY_AWARDED_NOTE


def test_art_14_the_one_year_notice_quotes_both_readings() -> None:
    inp = watch.watch_input(onboarding_input(START, base="10000"), "onboarding-X")
    year = wc.double_wage_exposure(START, D("10000"), date(2027, 3, 1))
    title, body = watch.open_ended(inp, year)
    assert title.startswith("【视为无固定期限劳动合同】")
    assert "二倍工资差额估算 109677.42 元" in body and "仲裁常见按 11 个月整计为 110000.00 元" in body
    assert "commonly awarded as 11 whole months: 110000.00 yuan" in body
    same = wc.double_wage_exposure(START, D("10000"), date(2027, 1, 2))  # both readings agree
    assert "仲裁常见" not in watch.open_ended(inp, same)[1]


def test_regulations_art_7_both_readings_agree_before_the_years_last_day() -> None:
    partial = wc.double_wage_exposure(START, D("8000"), date(2026, 4, 20),
                                      signed_on=date(2026, 3, 20))
    assert partial.commonly_awarded == partial.total == D("11870.97")
    in_month_12 = wc.double_wage_exposure(START, D("10000"), date(2027, 1, 2))  # 12-05..01-02
    assert in_month_12.commonly_awarded == in_month_12.total == D("109354.84")  # 29/31
    signed = wc.double_wage_exposure(START, D("10000"), date(2027, 3, 1),
                                     signed_on=date(2026, 12, 22))  # month 12: 12-05..12-21
    assert signed.commonly_awarded == signed.total == D("105483.87")  # 100000 + 17/31
    assert wc.double_wage_exposure(START, D("10000"), date(2026, 2, 1)).commonly_awarded == D(0)


@pytest.mark.parametrize(("wage", "code"), [(D("0"), "monthly_wage.range"),
                                            (D("-1"), "monthly_wage.range"),
                                            (D("8000.001"), "monthly_wage.fen")])
def test_art_82_a_bad_wage_is_refused_naming_the_field(wage: D, code: str) -> None:
    with pytest.raises(RuleViolation) as info:
        wc.double_wage_exposure(START, wage, date(2026, 4, 1))
    assert (info.value.field, info.value.code) == ("monthly_wage", code) and code in REFUSALS


def test_art_82_signed_after_the_day_counted_is_refused() -> None:
    with pytest.raises(RuleViolation) as info:
        wc.double_wage_exposure(START, D("8000"), date(2026, 4, 1), signed_on=date(2026, 4, 2))
    assert (info.value.field, info.value.code) == ("signed_on", "signed_on.after_as_of")
    assert info.value.code in REFUSALS


@pytest.mark.parametrize(("signed_on", "document", "field", "code"), [
    (date(2026, 4, 2), "doc-1", "signed_on", "signed_on.future"),
    (date(2024, 12, 1), "doc-1", "signed_on", "signed_on.before_start"),
    (date(2026, 3, 1), "  ", "document", "document.required"),
])
def test_art_10_recording_the_signed_contract_checks_day_and_document(
        signed_on: date, document: str, field: str, code: str) -> None:
    with pytest.raises(RuleViolation) as info:
        wc.check_signed_contract(START, signed_on, document, today=date(2026, 4, 1))
    assert (info.value.field, info.value.code) == (field, code) and code in REFUSALS
    wc.check_signed_contract(START, date(2025, 12, 20), "doc-1", today=date(2026, 4, 1))


def test_art_10_the_watch_status_over_the_year() -> None:
    inp = watch.watch_input(onboarding_input(START, base="8000"), "onboarding-E1001")
    assert watch.watch_id("E1001", START) == "written-contract-E1001-20260105"
    assert inp.due == wc.sign_deadline(START) and inp.monthly_wage == D("8000")
    assert watch.status_of(inp, None, date(2026, 2, 4)) == "upcoming"
    assert watch.status_of(inp, None, date(2026, 2, 5)) == "missed"
    assert watch.status_of(inp, None, date(2027, 1, 4)) == "open_ended_deemed"
    assert watch.status_of(inp, date(2026, 2, 4), date(2026, 5, 1)) == "met"
    assert watch.status_of(inp, date(2026, 2, 5), date(2026, 5, 1)) == "signed_late"
    assert watch.status_of(inp, None, date(2026, 5, 1), ended_on=date(2026, 3, 1)) \
        == "ended_missed"
    assert set(WRITTEN_CONTRACT_STATUS) == {"upcoming", "met", "missed", "signed_late",
                                            "open_ended_deemed", "ended", "ended_missed"}
    with pytest.raises(Forbidden):
        watch.check_role("record_written_contract", Actor("li", "manager"))


WAGES = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)
STARTS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@given(STARTS, WAGES, st.integers(min_value=0, max_value=800))
def test_art_82_at_most_eleven_months_and_the_total_is_the_sum_of_the_months(
        start: date, wage: D, days_on: int) -> None:
    exposure = wc.double_wage_exposure(start, wage, start + timedelta(days=days_on))
    assert len(exposure.months) <= wc.MONTHS_MAX and exposure.total <= wage * wc.MONTHS_MAX
    assert exposure.total == sum((m.amount for m in exposure.months), D("0.00"))
    assert all(m.amount <= wage for m in exposure.months)
    assert exposure.total <= exposure.commonly_awarded <= wage * wc.MONTHS_MAX
    if exposure.open_ended_deemed:  # a whole year unsigned: 11 monthly wages, to the fen
        assert exposure.commonly_awarded == wage * wc.MONTHS_MAX


@given(STARTS, WAGES, st.integers(min_value=0, max_value=800), st.integers(1, 400))
def test_art_82_the_exposure_never_shrinks_as_days_pass_nor_grows_once_signed(
        start: date, wage: D, days_on: int, later: int) -> None:
    as_of = start + timedelta(days=days_on)
    now = wc.double_wage_exposure(start, wage, as_of)
    assert wc.double_wage_exposure(start, wage, as_of + timedelta(days=later)).total >= now.total
    signed = wc.double_wage_exposure(start, wage, as_of + timedelta(days=later), signed_on=as_of)
    assert signed.total == wc.double_wage_exposure(start, wage, as_of, signed_on=as_of).total


def _ended_view(leave: date, today: date) -> watch.WrittenContractView:
    inp = watch.watch_input(onboarding_input(START, base="8000"), "onboarding-E1001")
    return watch.pending_view(inp, watch.watch_id("E1001", START),
                              datetime.combine(today, time(12), SHANGHAI), ended_on=leave)


def test_art_82_a_corrected_leave_day_counts_the_double_wage_to_it() -> None:
    view = _ended_view(date(2026, 3, 1), today=date(2026, 6, 1))
    later = watch.as_recorded_leave(view, date(2026, 4, 10))
    assert (later.ended_on, later.status) == (date(2026, 4, 10), "ended_missed")
    assert later.exposure == wc.double_wage_exposure(START, D("8000"), date(2026, 4, 10))
    assert later.exposure.total > view.exposure.total > 0
    earlier = watch.as_recorded_leave(view, date(2026, 2, 1))  # left within the first month
    assert (earlier.status, earlier.exposure.total) == ("ended", D("0.00"))
    future = watch.as_recorded_leave(view, date(2026, 7, 1))  # a leave still to come
    assert future.exposure.as_of == date(2026, 6, 1)
    assert watch.as_recorded_leave(view, date(2026, 3, 1)) is view  # the day the watch has
    assert watch.as_recorded_leave(view, None) is view
    signed = replace(view, signed_on=date(2026, 2, 20))  # a signed contract owes no more
    assert watch.as_recorded_leave(signed, date(2026, 4, 10)) is signed


@given(st.dates(START, START + timedelta(days=420)), st.dates(START, START + timedelta(days=420)))
def test_art_82_recounted_to_another_leave_day_is_the_view_that_ended_on_it(
        first: date, second: date) -> None:
    today = START + timedelta(days=400)
    recounted = watch.as_recorded_leave(_ended_view(first, today), second)
    direct = _ended_view(second, today)
    assert (recounted.ended_on, recounted.status, recounted.exposure) == \
        (direct.ended_on, direct.status, direct.exposure)
