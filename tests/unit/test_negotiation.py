"""Negotiation support, seed 001: a commuting traffic accident, each side half liable, and an
employer offering 100,000 yuan without a basis. Worked to the fen with the articles."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.compensation.estimate import estimate
from domain.compensation.payloads import EstimateRequest, NegotiationRange
from domain.compensation.third_party import (
    ADMIN_8_TEXT,
    Coefficients,
    ThirdPartyClaim,
    civil_claim,
    compensation_years,
)
from domain.shared.errors import RuleViolation

D = Decimal
# Guangzhou, grade 9, wage 6,000 (W = 6,000: A 9,000 × 60 % = 5,400 is below it), 3 months'
# suspension, still employed; traffic police: 同等责任, so the third party bears 50 %.
CLAIM = ThirdPartyClaim(liability_share=D("0.5"), age=35, urban_income=D("60000"),
                        medical_costs=D("30000"), third_party_paid_medical=D("15000"),
                        lost_income=D("18000"), nursing=D("3000"), transport=D("500"),
                        mental_distress=D("10000"))
SEED_001 = EstimateRequest(region="guangzhou", injury_date=date(2026, 3, 10), si_enrolled=True,
                           grade=9, monthly_wage=D("6000"), regional_average_monthly_wage=D("9000"),
                           suspension_months=3, third_party_liable=True, third_party=CLAIM,
                           offer=D("100000"))


def answer(req: EstimateRequest = SEED_001) -> NegotiationRange:
    return estimate(req).suggested_negotiation_range


def reason(rng: NegotiationRange, topic: str) -> list[str]:
    return [f"{r.zh} {r.basis}" for r in rng.reasons if r.topic == topic]


def test_seed_001_benefits_are_not_reduced_by_the_liability_split() -> None:
    result = estimate(SEED_001)
    amounts = {i.code: (i.amount, i.payer) for i in result.items}
    assert amounts == {"suspension_wages": (D("18000.00"), "employer"),             # 3 × 6,000, art. 33
                       "one_time_disability_subsidy": (D("54000.00"), "fund")}      # 9 × W, art. 37(1)
    rng = result.suggested_negotiation_range
    # 法定金额: 72,000 of benefits + the 15,000 of medical costs the third party did not pay
    assert rng.statutory_amount == D("87000.00")
    assert "不因交通事故责任划分而减少" in reason(rng, "statutory")[0]
    assert "Reg. arts. 14(6)" in reason(rng, "statutory")[0]
    assert rng.employer_share == D("18000.00") and rng.fund_share == D("69000.00")


def test_seed_001_the_range_and_each_bound_from_a_rule() -> None:
    rng = answer()
    assert (rng.low, rng.high) == (D("18000.00"), D("66000.00"))
    assert "民法典 arts. 147, 151" in reason(rng, "low")[0]
    risk = reason(rng, "risk")
    assert len(risk) == 1 and "8 个月 × 6000.00 = 48000.00" in risk[0]    # Guangdong grade 9
    assert "Reg. arts. 36 ¶2, 37(2)" in risk[0] and "广东省工伤保险条例" in risk[0]
    assert [r.topic for r in rng.reasons][:3] == ["statutory", "employer", "low"]
    assert "+" not in rng.basis and "20 %" not in rng.basis


def test_seed_001_the_offer_is_placed_against_the_range() -> None:
    offer = reason(answer(), "offer")[0]
    assert "100000.00 高于上限 66000.00（多 34000.00）" in offer
    below = reason(answer(replace(SEED_001, offer=D("10000"))), "offer")[0]
    assert "低于下限 18000.00（差 8000.00）" in below and "被撤销" in below


def test_seed_001_civil_claim_the_compulsory_insurer_first_then_the_share_to_the_fen() -> None:
    civil = answer().third_party
    assert civil is not None
    # (loss, 交强险 part, third party's 50 % of the rest, sum); the other car was liable (有责):
    # medical limit 18,000; death-and-disability limit 180,000 spent on the items in order
    claims = {i.code: (i.damage, i.insurer, i.claim, i.total) for i in civil.items}
    assert claims == {
        "medical_costs": (D("30000.00"), D("18000.00"), D("6000.00"), D("24000.00")),        # art. 6
        "lost_income": (D("18000.00"), D("18000.00"), D("0.00"), D("18000.00")),            # art. 7
        "nursing": (D("3000.00"), D("3000.00"), D("0.00"), D("3000.00")),                    # art. 8
        "transport": (D("500.00"), D("500.00"), D("0.00"), D("500.00")),                     # art. 9
        # art. 12: 60,000 × 20 × 20 % = 240,000; 180,000 − 21,500 = 158,500 of the limit left
        "disability_compensation": (D("240000.00"), D("158500.00"), D("40750.00"), D("199250.00")),
        "mental_distress": (D("10000.00"), D("0.00"), D("5000.00"), D("5000.00")),           # 1183
    }
    # insurer 18,000 + 180,000; third party (12,000 + 91,500) × 50 % = 51,750
    assert (civil.damages, civil.insurer, civil.claim, civil.total) == (
        D("301500.00"), D("198000.00"), D("51750.00"), D("249750.00"))
    item = next(i for i in civil.items if i.code == "disability_compensation")
    assert item.article.endswith("art. 12") and "coefficient unverified" in item.formula
    assert "(− 交强险 158500.00) × 50 %" in item.formula
    assert any("有责" in n and "道路交通安全法 art. 76 ¶1" in n for n in civil.notes)


def test_seed_001_the_range_says_both_parts_and_leaves_the_civil_claim_out() -> None:
    rng = answer()
    third = reason(rng, "third_party")[0]
    assert "民事赔偿 249750.00 = 交强险先赔 198000.00 + 第三人按责任 50 % 承担余额 51750.00" in third
    assert "道路交通安全法 art. 76 ¶1" in third
    assert "不含职工向交强险和第三人主张的民事赔偿 249750.00" in reason(rng, "high")[0]
    assert rng.high == D("66000.00")   # the civil claim is the worker's, never the employer's
    assert any("交强险责任限额" in u and "dnjxw.cn" in u for u in rng.unverified)


def test_the_other_car_not_liable_pays_within_the_no_fault_limits() -> None:
    civil = answer(replace(SEED_001, third_party=replace(CLAIM, liability_share=D(0)))).third_party
    assert civil is not None
    # 无责: medical 1,800 and death-and-disability 18,000; nothing more from the third party
    assert (civil.insurer, civil.claim, civil.total) == (D("19800.00"), D("0.00"), D("19800.00"))
    parts = {i.code: i.insurer for i in civil.items}
    assert parts["medical_costs"] == D("1800.00") and parts["lost_income"] == D("18000.00")
    assert parts["nursing"] == D("0.00") and any("无责" in n for n in civil.notes)


def test_a_non_motor_party_has_no_compulsory_insurance() -> None:
    civil = answer(replace(SEED_001, third_party=replace(CLAIM, motor_vehicle=False))).third_party
    assert civil is not None and civil.compulsory_verified is None
    assert (civil.insurer, civil.claim, civil.total) == (D("0.00"), D("150750.00"), D("150750.00"))
    assert any("不是机动车" in n for n in civil.notes)
    uninsured = answer(replace(SEED_001, third_party=replace(CLAIM, compulsory_insurance=False)))
    assert uninsured.third_party is not None and uninsured.third_party.total == D("150750.00")
    assert any("未投保交强险" in n for n in uninsured.third_party.notes)


def test_losses_below_the_limits_are_paid_whole_by_the_insurer() -> None:
    small = replace(CLAIM, medical_costs=D("1234.56"), third_party_paid_medical=D(0), lost_income=D(0),
                    nursing=D(0), transport=D(0), mental_distress=D("999.99"), civil_grade=10)
    civil = civil_claim(small, 9, False, accident_date=date(2026, 3, 10))
    # grade 10: 60,000 × 20 × 10 % = 120,000, inside the 180,000 limit with the 999.99
    assert (civil.insurer, civil.claim, civil.total) == (D("122234.55"), D("0.00"), D("122234.55"))


def test_the_limits_before_the_2020_reform_and_before_any_on_file() -> None:
    old = civil_claim(CLAIM, 9, False, accident_date=date(2020, 9, 18))
    # 2008 limits: medical 10,000, death and disability 110,000; rest (20,000 + 161,500) × 50 %
    assert (old.insurer, old.claim, old.total) == (D("120000.00"), D("90750.00"), D("210750.00"))
    new = civil_claim(CLAIM, 9, False, accident_date=date(2020, 9, 19))
    assert new.insurer == D("198000.00")
    with pytest.raises(RuleViolation) as err:
        civil_claim(CLAIM, 9, False, accident_date=date(2008, 1, 31))
    assert err.value.field == "injury_date" and "compulsory_insurance: false" in err.value.message


def test_contradictory_compulsory_inputs_are_refused() -> None:
    with pytest.raises(RuleViolation) as err:
        civil_claim(replace(CLAIM, motor_vehicle=False, compulsory_insurance=True), 9, False,
                    accident_date=date(2026, 3, 10))
    assert err.value.field == "third_party.compulsory_insurance"
    with pytest.raises(RuleViolation) as err:
        civil_claim(replace(CLAIM, other_party_liable=False), 9, False, accident_date=date(2026, 3, 10))
    assert err.value.field == "third_party.other_party_liable" and "0.5" in err.value.message


def test_medical_costs_the_third_party_paid_are_not_paid_twice() -> None:
    civil = answer().third_party
    assert civil is not None and civil.fund_medical == D("15000.00")
    assert any(ADMIN_8_TEXT in n for n in civil.notes)
    assert "但第三人已经支付的医疗费用除外" in ADMIN_8_TEXT
    paid_all = answer(replace(SEED_001, third_party=replace(CLAIM, third_party_paid_medical=D("30000"))))
    assert paid_all.statutory_amount == D("72000.00") and paid_all.fund_share == D("54000.00")


def test_every_unverified_figure_is_said() -> None:
    assert Coefficients.bundled().verified is False
    rng = answer()
    assert any("伤残赔偿指数" in u for u in rng.unverified)
    assert any("伤残赔偿指数未核实" in n for n in (rng.third_party.notes if rng.third_party else ()))


def test_not_enrolled_the_employer_bears_the_fund_items_and_the_resignation_risks() -> None:
    rng = answer(replace(SEED_001, si_enrolled=False, service_months=28))
    assert rng.employer_share == rng.low == D("87000.00") and rng.fund_share == 0   # Reg. 62 ¶2, SIL 41
    risks = reason(rng, "risk")
    assert "10 个月 × 6000.00 = 60000.00" in risks[0]       # employment 8 + medical 2 months
    assert "2.5 个月 × 6000.00 = 15000.00" in risks[1]      # LCL art. 47: 2 years 4 months
    assert "LCL arts. 38(3), 46(1), 47" in risks[1]
    assert rng.high == D("162000.00")
    assert "在协商区间 87000.00–162000.00 之内" in reason(rng, "offer")[0]
    # LCL art. 85(4): unpaid after the labour administration's order, 50–100 % more; not in high
    [unpaid] = reason(rng, "warning")
    assert "加付赔偿金 7500.00–15000.00" in unpaid and "LCL art. 85(4)" in unpaid
    assert "不计入上限" in unpaid


def test_enrolled_no_economic_compensation_risk_and_no_art_85_warning() -> None:
    assert reason(answer(replace(SEED_001, service_months=28)), "warning") == []


def test_economic_compensation_is_capped_at_three_times_the_average_and_twelve_years() -> None:
    rich = replace(SEED_001, si_enrolled=False, monthly_wage=D("40000"), service_months=20 * 12,
                   grade=3, third_party=None, offer=None)
    rng = answer(rich)
    risk = reason(rng, "risk")
    assert "12 个月 × 27000.00 = 324000.00" in risk[0] and "设区的市" in risk[0]
    # grade 3: the monthly allowance 80 % × W 27,000 = 21,600 continues, by the employer (not enrolled)
    assert "按月项目每月 21600.00（其中单位 21600.00）另行支付，未折算" in reason(rng, "high")[0]


@pytest.mark.parametrize(("age", "years"), [(35, 20), (60, 20), (61, 19), (74, 6), (75, 5), (90, 5)])
def test_compensation_years_by_age(age: int, years: int) -> None:
    assert compensation_years(age) == years   # SPC PI interpretation arts. 12, 15


def test_death_compensation_uses_the_same_years() -> None:
    civil = civil_claim(replace(CLAIM, age=65, medical_costs=D(0), third_party_paid_medical=D(0)),
                        None, death=True, accident_date=date(2026, 3, 10))
    death = next(i for i in civil.items if i.code == "death_compensation")
    # 60,000 × 15 years; the 180,000 limit goes to lost income, nursing, transport first (21,500)
    assert (death.damage, death.insurer, death.claim) == (D("900000.00"), D("158500.00"), D("370750.00"))
    assert any("丧葬费" in n and "未计算" in n for n in civil.notes)
    assert not any("伤残赔偿指数" in n for n in civil.notes)


def test_a_worker_mainly_liable_is_warned_and_bad_shares_refused() -> None:
    mainly = answer(replace(SEED_001, third_party=replace(CLAIM, liability_share=D("0.3"))))
    assert "Reg. art. 14(6)" in reason(mainly, "warning")[0]
    with pytest.raises(RuleViolation) as err:
        answer(replace(SEED_001, third_party=replace(CLAIM, liability_share=D("1.5"))))
    assert err.value.field == "third_party.liability_share"


@settings(max_examples=40, deadline=None)
@given(share=st.decimals(min_value=0, max_value=1, places=2), grade=st.integers(5, 10),
       enrolled=st.booleans(), service=st.integers(0, 480))
def test_the_split_never_moves_the_benefits_and_the_range_holds(share: Decimal, grade: int,
                                                               enrolled: bool, service: int) -> None:
    req = replace(SEED_001, grade=grade, si_enrolled=enrolled, service_months=service,
                  third_party=replace(CLAIM, liability_share=share))
    rng = answer(req)
    assert rng.statutory_amount == answer(replace(req, third_party=CLAIM)).statutory_amount
    assert rng.employer_share + rng.fund_share == rng.statutory_amount
    assert rng.low == rng.employer_share <= rng.high


def test_before_may_2022_the_rural_standard_may_still_apply() -> None:
    assert not reason(answer(), "warning")
    early = reason(answer(replace(SEED_001, injury_date=date(2022, 4, 30))), "warning")
    assert "2022-05-01" in early[0] and "农村居民" in early[0] and "法释〔2022〕14号" in early[0]
