"""Reg. art. 17 ¶4 in money: the fund's costs within a late application's period are the employer's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.compensation.estimate import LATE_MEDICAL, EstimateRequest, estimate
from domain.compensation.expenses import Bill, reconcile
from domain.compensation.late_period import LatePeriod, fund_costs_of, late_period_costs
from domain.injury.late_costs import late_application_costs, late_rule
from domain.shared.errors import RuleViolation

ACCIDENT = date(2026, 3, 2)   # the employer's last day is 2026-04-01 (30 days, Civil Code art. 201)


def bill(entry: str, on: date, amount: str, eligible: str, insurance: str = "0.00",
         third_party: str = "0.00") -> Bill:
    return Bill(entry_id=entry, invoice_number=f"INV-{entry}", hospital="市第一人民医院", date=on,
                amount=Decimal(amount), eligible_amount=Decimal(eligible),
                paid_by="medical_insurance_card" if insurance != "0.00" else "employee",
                medical_insurance_amount=Decimal(insurance),
                third_party_amount=Decimal(third_party))


NATIONAL_BILLS = (
    # day 1 (the accident): fund's share M 3000.00 + max(0, 11234.56 − 3000.00 − 0) = 11234.56
    bill("B1", date(2026, 3, 2), "12345.67", "11234.56", insurance="3000.00"),
    # day 50 (the acceptance day itself): E 1800.25 − T 200.00 = 1600.25
    bill("B2", date(2026, 4, 20), "2000.50", "1800.25", third_party="200.00"),
    # the day after the acceptance: stays with the fund
    bill("B3", date(2026, 4, 21), "999.99", "999.99"),
)


def costs(bills: tuple[Bill, ...], enrolled: bool = True):  # type: ignore[no-untyped-def]
    return fund_costs_of(bills, reconcile(bills, recognised=True, si_enrolled=enrolled))


def national_period(today: date = date(2026, 5, 6)) -> LatePeriod:
    late = late_application_costs("beijing", ACCIDENT, date(2026, 4, 10),
                                  accepted_on=date(2026, 4, 20))
    assert late is not None
    return LatePeriod(late.since, late.until, late.rule, today)


def request(period: LatePeriod | None, bills: tuple[Bill, ...] = NATIONAL_BILLS,
            region: str = "beijing") -> EstimateRequest:
    return EstimateRequest(region=region, injury_date=ACCIDENT, si_enrolled=True, grade=8,
                           monthly_wage=Decimal("8000"),
                           regional_average_monthly_wage=Decimal("9000"),
                           late_period=period, fund_costs=costs(bills) if period else ())


def test_national_reading_moves_the_bills_to_the_acceptance_day_to_the_employer() -> None:
    late = late_period_costs(national_period(), costs(NATIONAL_BILLS))
    assert (late.since, late.last_day, late.days, late.provisional) == (
        ACCIDENT, date(2026, 4, 20), 50, False)
    assert [(m.reference, m.day, m.amount) for m in late.moved] == [
        ("invoice INV-B1 (市第一人民医院)", 1, Decimal("11234.56")),
        ("invoice INV-B2 (市第一人民医院)", 50, Decimal("1600.25"))]
    assert late.moved_total == Decimal("12834.81")
    assert [(c.on, c.amount) for c in late.stays_with_fund] == [(date(2026, 4, 21), Decimal("999.99"))]
    first = late.moved[0]
    assert first.article == "工伤保险条例 art. 17 ¶4"
    assert "day 1 of the late period 2026-03-02 to 2026-04-20 (50 days)" in first.formula
    assert "11234.56" in first.formula and "moves from the fund to the employer" in first.formula
    assert late.label.startswith("逾期申请工伤认定：2026-03-02 至 2026-04-20")


def test_the_estimate_counts_the_moved_bills_as_the_employers_money() -> None:
    before = estimate(request(None))
    after = estimate(request(national_period()))
    moved = [i for i in after.items if i.code == LATE_MEDICAL]
    assert [(i.amount, i.payer) for i in moved] == [
        (Decimal("11234.56"), "employer"), (Decimal("1600.25"), "employer")]
    assert all("art. 17 ¶4" in i.article for i in moved)
    assert after.once.fund == before.once.fund == Decimal("88000.00")  # 11 months × 8000
    assert after.once.employer == before.once.employer + Decimal("12834.81")
    assert after.once.total == Decimal("100834.81")
    assert after.late_period is not None and after.late_period.moved_total == Decimal("12834.81")
    assert any("stay with the fund" in n for n in after.notes)
    # the moved bills are the employer's statutory duty: the floor of any settlement
    assert after.suggested_negotiation_range.employer_share == Decimal("12834.81")
    assert after.suggested_negotiation_range.low == Decimal("12834.81")
    assert before.late_period is None


def test_zhejiang_ends_the_period_the_day_before_the_filing() -> None:
    """浙江省工伤保险条例 art. 13: costs incurred before the application date are the employer's."""
    filed = date(2026, 4, 15)
    late = late_application_costs("zhejiang", ACCIDENT, filed)
    assert late is not None and late.until == filed
    period = LatePeriod(late.since, late.until, late.rule, date(2026, 5, 6))
    bills = (
        # day 44, the day before the filing: M 1000.00 + max(0, 3456.78 − 1000.00) = 3456.78
        bill("Z1", date(2026, 4, 14), "3456.78", "3456.78", insurance="1000.00"),
        bill("Z2", filed, "765.43", "765.43"),   # the filing day: stays with the fund
    )
    found = late_period_costs(period, costs(bills))
    assert (found.last_day, found.days) == (date(2026, 4, 14), 44)
    assert [(m.day, m.amount) for m in found.moved] == [(44, Decimal("3456.78"))]
    assert found.moved[0].article == "工伤保险条例 art. 17 ¶4; 浙江省工伤保险条例 art. 13"
    assert [c.amount for c in found.stays_with_fund] == [Decimal("765.43")]
    answer = estimate(request(period, bills, region="zhejiang"))
    assert answer.once.employer - estimate(request(None, bills, "zhejiang")).once.employer == \
        Decimal("3456.78")


def test_sichuan_counts_to_the_receipt_of_the_application() -> None:
    late = late_application_costs("sichuan", ACCIDENT, date(2026, 4, 10),
                                  received_on=date(2026, 4, 13))
    assert late is not None
    period = LatePeriod(late.since, late.until, late.rule, date(2026, 5, 6))
    bills = (bill("S1", date(2026, 4, 13), "520.10", "500.05"),
             bill("S2", date(2026, 4, 14), "80.00", "80.00"))
    found = late_period_costs(period, costs(bills))
    assert (found.days, [m.amount for m in found.moved]) == (43, [Decimal("500.05")])


def test_an_end_not_yet_known_is_counted_to_today_and_provisional() -> None:
    period = LatePeriod(ACCIDENT, None, late_rule("beijing"), date(2026, 4, 5))
    bills = (bill("P1", date(2026, 4, 5), "300.00", "300.00"),)
    answer = estimate(request(period, bills))
    assert answer.late_period is not None and answer.late_period.provisional
    assert (answer.late_period.last_day, answer.late_period.days) == (date(2026, 4, 5), 35)
    assert answer.late_period.moved_total == Decimal("300.00")
    [warning] = [w for w in answer.warnings if w.startswith("逾期申请工伤认定")]
    assert "预估" in warning and "provisional, up to today" in warning


def test_an_unenrolled_employer_already_pays_so_nothing_moves() -> None:
    late = late_period_costs(national_period(), costs(NATIONAL_BILLS, enrolled=False))
    assert late.moved == () and late.moved_total == Decimal("0.00")


def test_a_period_ending_before_the_accident_is_refused_naming_the_field() -> None:
    period = LatePeriod(ACCIDENT, date(2026, 3, 1), late_rule("beijing"), date(2026, 5, 6))
    with pytest.raises(RuleViolation) as bad:
        late_period_costs(period, ())
    assert bad.value.field == "accepted_on" and "before the accident" in bad.value.message


def death_request(period: LatePeriod | None, died_on: date | None, **more) -> EstimateRequest:  # type: ignore[no-untyped-def]
    from domain.compensation.payloads import Dependant
    return EstimateRequest(region="beijing", injury_date=ACCIDENT, si_enrolled=True, death=True,
                           died_after_suspension=False, died_on=died_on,
                           monthly_wage=Decimal("8000"), regional_average_monthly_wage=Decimal("9000"),
                           dependants=(Dependant("spouse"),), late_period=period,
                           fund_costs=costs(NATIONAL_BILLS) if period else (), **more)


def test_a_death_within_the_late_period_is_the_employers_with_its_pension_months() -> None:
    """Reg. art. 17 ¶4 with art. 39: died 2026-03-10 (day 9 of 2026-03-02 … 2026-04-20): the funeral
    subsidy (6 × 9000 = 54000.00) and the one-time death subsidy are the employer's, and so is
    the pension of April (its first day in the period): 40 % × 8000 = 3200.00."""
    from domain.compensation.estimate import LATE_PENSION
    result = estimate(death_request(national_period(), date(2026, 3, 10)))
    payers = {i.code: (i.payer, i.amount) for i in result.items}
    assert payers["funeral_subsidy"] == ("employer", Decimal("54000.00"))
    assert payers["one_time_death_subsidy"][0] == "employer"
    assert payers["dependant_pension"] == ("fund", Decimal("3200.00"))
    assert payers[LATE_PENSION] == ("employer", Decimal("3200.00"))
    funeral = next(i for i in result.items if i.code == "funeral_subsidy")
    assert "art. 17 ¶4" in funeral.article and "day 9 of the late period" in funeral.formula
    assert result.once.employer == (Decimal("54000.00") + payers["one_time_death_subsidy"][1]
                                    + Decimal("3200.00") + Decimal("12834.81"))


def test_a_death_of_an_unenrolled_worker_in_the_late_period_is_not_counted_twice() -> None:
    """Not enrolled: every item is the employer's already (Reg. art. 62 ¶2); the pension's months
    within the period are not added again on top of the monthly pension."""
    from domain.compensation.estimate import LATE_PENSION
    result = estimate(replace(death_request(national_period(), date(2026, 3, 10)),
                              si_enrolled=False))
    assert not [i for i in result.items if i.code == LATE_PENSION]
    assert {i.payer for i in result.items} == {"employer"}


def test_a_death_after_the_late_period_stays_with_the_fund() -> None:
    result = estimate(death_request(national_period(), date(2026, 4, 21)))
    assert {i.payer for i in result.items if i.code != LATE_MEDICAL} == {"fund"}
    assert any("after the late period" in n for n in result.notes)


def test_a_death_with_no_day_is_warned_about_and_left_with_the_fund() -> None:
    result = estimate(death_request(national_period(), None))
    assert any("give died_on" in w for w in result.warnings)
    assert next(i for i in result.items if i.code == "funeral_subsidy").payer == "fund"


def test_a_death_within_a_period_still_running_is_provisional() -> None:
    late = late_application_costs("beijing", ACCIDENT, date(2026, 4, 10))
    assert late is not None
    period = LatePeriod(late.since, None, late.rule, date(2026, 6, 15))
    result = estimate(death_request(period, date(2026, 5, 20)))
    assert next(i for i in result.items if i.code == "funeral_subsidy").payer == "employer"
    assert any("provisional" in w for w in result.warnings)


def test_a_bad_death_day_is_refused_naming_it() -> None:
    with pytest.raises(RuleViolation) as before:
        estimate(death_request(None, date(2026, 3, 1)))
    assert (before.value.field, before.value.code) == ("died_on", "compensation.died_before_injury")
    with pytest.raises(RuleViolation) as no_death:
        estimate(replace(request(None), died_on=ACCIDENT))
    assert (no_death.value.field, no_death.value.code) == ("died_on", "compensation.died_on_without_death")


@given(st.dates(date(2000, 1, 1), date(2040, 1, 1)), st.integers(0, 800))
def test_the_pension_months_are_the_month_starts_after_the_death_within_the_period(
        died_on: date, length: int) -> None:
    from domain.compensation.estimate import _pension_months_within
    last_day = died_on + timedelta(days=length)
    starts = {d.replace(day=1) for d in (died_on + timedelta(days=n) for n in range(1, length + 1))}
    assert _pension_months_within(died_on, last_day) == len(
        {s for s in starts if died_on < s <= last_day})
