"""Statutory compensation estimate: the tables, worked examples, bad input and properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.compensation.data import CompensationTables
from domain.compensation.estimate import estimate, wage_basis
from domain.compensation.payloads import Dependant, Estimate, EstimateRequest
from domain.compensation.rules import REG_2003, REG_2010, rule_set_for
from domain.shared.errors import RuleViolation

D = Decimal
TABLES = CompensationTables.bundled()
INJURED = date(2025, 3, 1)
BASE = EstimateRequest(region="guangdong", injury_date=INJURED, si_enrolled=True, grade=7,
                       monthly_wage=D("6000"), regional_average_monthly_wage=D("8000"))


def rule(fn, *args, **kwargs) -> RuleViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as err:
        fn(*args, **kwargs)
    return err.value


def items(result: Estimate) -> dict[str, tuple[Decimal, str]]:
    return {i.code: (i.amount, i.payer) for i in result.items}


def item(result: Estimate, code: str):  # type: ignore[no-untyped-def]
    return next(i for i in result.items if i.code == code)


# --- the statutory tables, exactly -------------------------------------------------------------

def test_the_2010_national_tables() -> None:
    assert dict(REG_2010.disability_months) == {1: 27, 2: 25, 3: 23, 4: 21, 5: 18, 6: 16, 7: 13,
                                                 8: 11, 9: 9, 10: 7}
    assert dict(REG_2010.allowance_percent) == {1: 90, 2: 85, 3: 80, 4: 75, 5: 70, 6: 60}
    assert dict(REG_2010.nursing_percent) == {"complete": 50, "mostly": 40, "partly": 30}
    assert REG_2010.funeral_months == 6 and REG_2010.medical_subsidy_payer == "fund"


def test_injuries_before_2011_use_the_2003_tables() -> None:
    assert dict(REG_2003.disability_months) == {1: 24, 2: 22, 3: 20, 4: 18, 5: 16, 6: 14, 7: 12,
                                                8: 10, 9: 8, 10: 6}
    assert rule_set_for(date(2010, 12, 31)) is REG_2003
    assert rule_set_for(date(2011, 1, 1)) is REG_2010
    assert rule(rule_set_for, date(2003, 12, 31)).field == "injury_date"


def test_guangdong_and_zhejiang_subsidy_tables() -> None:
    gd = TABLES.subsidy_table("guangdong", INJURED)
    assert (dict(gd.medical_months), dict(gd.employment_months), gd.base, gd.verified) == (
        {5: 10, 6: 8, 7: 6, 8: 4, 9: 2, 10: 1}, {5: 50, 6: 40, 7: 25, 8: 15, 9: 8, 10: 4},
        "own_wage", True)
    zj = TABLES.subsidy_table("浙江", INJURED)
    months = {5: 30, 6: 25, 7: 10, 8: 7, 9: 4, 10: 2}
    assert (dict(zj.medical_months), dict(zj.employment_months), zj.base) == (
        months, months, "provincial_average")
    assert gd.period_start == date(2012, 1, 1) and zj.period_start == date(2018, 1, 1)
    assert rule(TABLES.subsidy_table, "zhejiang", date(2017, 12, 31)).field == "injury_date"
    assert rule(TABLES.subsidy_table, "beijing", INJURED).field == "region"  # statutes.md: not shipped


def test_national_income_rows_carry_their_source() -> None:
    assert TABLES.national_income(2024).amount == D("54188") and TABLES.national_income(2024).verified
    assert TABLES.national_income(2023).amount == D("51821") and TABLES.national_income(2023).verified
    assert TABLES.national_income(2025).verified is False  # one AI-written summary of the release
    assert rule(TABLES.national_income, 2009).code == "policy.no_national_income"


# --- worked examples ---------------------------------------------------------------------------

def test_the_60_percent_floor_grade_7_to_10() -> None:
    result = estimate(replace(BASE, monthly_wage=D("3000"), contract_ends=date(2026, 1, 31)))
    assert result.wage_basis.basis == D("4800.00") and result.wage_basis.bound == "floor"
    assert items(result) == {
        "one_time_disability_subsidy": (D("62400.00"), "fund"),       # 13 × 4800
        "one_time_medical_subsidy": (D("28800.00"), "fund"),          # GD 6 × W
        "one_time_employment_subsidy": (D("120000.00"), "employer"),  # GD 25 × W
    }
    assert item(result, "one_time_disability_subsidy").formula == "13 months × W 4800.00"
    assert "Reg. art. 37(1)" == item(result, "one_time_disability_subsidy").article
    assert (result.once.fund, result.once.employer, result.once.total) == (
        D("91200.00"), D("120000.00"), D("211200.00"))


def test_the_300_percent_cap_grades_1_to_4() -> None:
    result = estimate(replace(BASE, grade=1, monthly_wage=D("40000"), nursing_level="complete",
                              minimum_monthly_wage=D("2300")))
    assert result.wage_basis.basis == D("24000.00") and result.wage_basis.bound == "cap"
    assert items(result) == {
        "one_time_disability_subsidy": (D("648000.00"), "fund"),    # 27 × 24000
        "monthly_disability_allowance": (D("21600.00"), "fund"),    # 90 %
        "nursing_care": (D("4000.00"), "fund"),                     # 50 % × A
    }
    assert result.monthly.total == D("25600.00") and result.monthly.employer == 0
    assert any("suspension_months" in n for n in result.notes)  # the original wage, not estimated


def test_minimum_wage_top_up_of_a_grade_4_allowance_by_the_fund() -> None:
    result = estimate(replace(BASE, grade=4, monthly_wage=D("1500"),
                              regional_average_monthly_wage=D("3000"), minimum_monthly_wage=D("1900")))
    assert items(result)["monthly_disability_allowance"] == (D("1350.00"), "fund")  # 75 % × 1800
    top_up = item(result, "minimum_wage_top_up")
    assert (top_up.amount, top_up.payer, top_up.formula) == (
        D("550.00"), "fund", "minimum wage 1900.00 − allowance 1350.00")


def option(result: Estimate, code: str):  # type: ignore[no-untyped-def]
    return next(o for o in result.options if o.code == code)


def test_grades_5_and_6_show_both_options_apart() -> None:
    """Reg. art. 36: keep the job with the allowance (¶1), or end it on the worker's request (¶2)."""
    result = estimate(replace(BASE, grade=6, minimum_monthly_wage=D("5000")))
    assert items(result) == {"one_time_disability_subsidy": (D("96000.00"), "fund")}  # 16 × 6000
    assert [o.code for o in result.options] == ["keep_employment", "end_employment"]
    keep, end = option(result, "keep_employment"), option(result, "end_employment")
    assert items(keep) == {"monthly_disability_allowance": (D("3600.00"), "employer"),  # 60 % × 6000
                           "minimum_wage_top_up": (D("1400.00"), "employer")}
    assert keep.article == "Reg. art. 36(2)" and "Reg. art. 36 ¶2" in end.article
    assert (keep.once.total, keep.monthly.total, keep.monthly.employer) == (
        D("96000.00"), D("5000.00"), D("5000.00"))
    assert items(end) == {"one_time_medical_subsidy": (D("48000.00"), "fund"),        # GD 8 × W
                          "one_time_employment_subsidy": (D("240000.00"), "employer")}  # GD 40 × W
    assert (end.once.fund, end.once.employer, end.once.total, end.monthly.total) == (
        D("144000.00"), D("240000.00"), D("384000.00"), D("0.00"))
    assert (result.once.total, result.monthly.total) == (D("96000.00"), D("0.00"))  # not summed
    assert "worker asks" in end.condition


def test_grade_5_ending_employment_and_not_enrolled() -> None:
    ended = estimate(replace(BASE, grade=5, contract_ends=date(2026, 6, 30)))
    assert items(ended) == {"one_time_disability_subsidy": (D("108000.00"), "fund")}  # 18 × 6000
    end = option(ended, "end_employment")
    assert items(end) == {"one_time_medical_subsidy": (D("60000.00"), "fund"),          # GD 10 × W
                          "one_time_employment_subsidy": (D("300000.00"), "employer")}  # GD 50 × W
    assert items(option(ended, "keep_employment")) == {
        "monthly_disability_allowance": (D("4200.00"), "employer")}                     # 70 % × 6000
    unenrolled = estimate(replace(BASE, grade=5, si_enrolled=False))
    assert {i.payer for o in unenrolled.options for i in o.items} == {"employer"}
    assert option(unenrolled, "end_employment").once.fund == 0


def test_zhejiang_grade_6_without_a_provincial_average_shows_only_keeping_the_job() -> None:
    result = estimate(replace(BASE, region="zhejiang", grade=6))
    assert [o.code for o in result.options] == ["keep_employment"]
    assert any("provincial_average_monthly_wage" in n for n in result.notes)
    beijing = estimate(replace(BASE, region="beijing", grade=5))  # no table on file (statutes.md)
    assert [o.code for o in beijing.options] == ["keep_employment"]
    assert any("end_employment option is not shown" in n for n in beijing.notes)
    assert rule(estimate, replace(BASE, region="beijing", grade=5,
                                  contract_ends=date(2026, 1, 1))).field == "region"


def test_guangdong_bases_on_the_wage_zhejiang_on_the_provincial_average() -> None:
    req = replace(BASE, grade=10, contract_ends=date(2026, 1, 31))
    gd = items(estimate(req))
    assert (gd["one_time_medical_subsidy"][0], gd["one_time_employment_subsidy"][0]) == (
        D("6000.00"), D("24000.00"))                                   # 1 and 4 × W 6000
    zj_req = replace(req, region="zhejiang", provincial_average_monthly_wage=D("7000"))
    zj = estimate(zj_req)
    assert (items(zj)["one_time_medical_subsidy"][0], items(zj)["one_time_employment_subsidy"][0]) == (
        D("14000.00"), D("14000.00"))                                  # 2 × P 7000 each
    assert item(zj, "one_time_employment_subsidy").formula == "2 months × provincial average P 7000.00"
    assert any("art. 27 ¶2" in n and "retirement_date" in n for n in zj.notes)  # no date: not applied
    missing = rule(estimate, replace(zj_req, provincial_average_monthly_wage=None))
    assert missing.field == "provincial_average_monthly_wage"


def test_a_death_case() -> None:
    result = estimate(replace(BASE, grade=None, death=True, monthly_wage=D("5000"),
                              dependants=(Dependant("spouse"), Dependant("child", True))))
    assert items(result) == {
        "funeral_subsidy": (D("48000.00"), "fund"),               # 6 × A 8000
        "one_time_death_subsidy": (D("1083760.00"), "fund"),      # 20 × 54188 (2024)
        "dependant_pension": (D("4000.00"), "fund"),              # (40 + 40) % × 5000
    }
    assert "2024" in item(result, "one_time_death_subsidy").formula
    assert item(result, "one_time_death_subsidy").article.startswith("Reg. art. 39(3)")


def test_dependants_pensions_are_capped_at_the_deceased_wage() -> None:
    four = (Dependant("spouse"), Dependant("parent"), Dependant("parent"), Dependant("child"))
    result = estimate(replace(BASE, grade=None, death=True, monthly_wage=D("5000"), dependants=four))
    pension = item(result, "dependant_pension")
    assert pension.amount == D("5000.00") and "130 %" in pension.formula and "capped" in pension.formula
    floored = estimate(replace(BASE, grade=None, death=True, monthly_wage=D("3000"), dependants=four))
    assert item(floored, "dependant_pension").amount == D("3000.00")  # own wage, below W 4800


def test_a_grade_1_to_4_worker_dying_after_the_suspension_period() -> None:
    """Reg. art. 39 ¶3: funeral subsidy and dependants' pensions, no one-time death subsidy."""
    died = replace(BASE, grade=3, death=True, died_after_suspension=True, monthly_wage=D("5000"),
                   dependants=(Dependant("spouse"), Dependant("child", True)))
    result = estimate(died)
    assert items(result) == {
        "funeral_subsidy": (D("48000.00"), "fund"),               # 6 × A 8000
        "dependant_pension": (D("4000.00"), "fund"),              # (40 + 40) % × 5000
    }
    assert "Reg. art. 39 ¶3" in item(result, "funeral_subsidy").article
    assert any("no one-time death subsidy" in n and "Reg. art. 39 ¶3" in n for n in result.notes)
    assert (result.once.total, result.monthly.total) == (D("48000.00"), D("4000.00"))
    during = estimate(replace(died, grade=None, died_after_suspension=False))
    assert items(during)["one_time_death_subsidy"] == (D("1083760.00"), "fund")  # 20 × 54188
    assert "Reg. art. 39 ¶2" in item(during, "funeral_subsidy").article
    assert not any("died_after_suspension" in w for w in during.warnings)
    unsaid = estimate(replace(died, grade=None, died_after_suspension=None))
    assert "one_time_death_subsidy" in items(unsaid)
    assert any("died_after_suspension not given" in w for w in unsaid.warnings)
    ignored = estimate(replace(died, retirement_date=date(2040, 1, 1)))
    assert any("retirement_date was ignored" in w for w in ignored.warnings)
    old = estimate(replace(died, injury_date=date(2010, 6, 1)))
    assert "Reg. (2003) art. 37 ¶3" in item(old, "funeral_subsidy").article
    assert "one_time_death_subsidy" not in items(old)


def test_each_dependant_s_pension_and_the_cap_shared_in_proportion() -> None:
    """Reg. art. 39(2): 130 % of W 5000 = 6500 capped at the own wage 5000; each keeps 5000/6500,
    in fen, the 2 fen left over to the largest remainders (the first two 30 % shares)."""
    four = (Dependant("spouse"), Dependant("parent"), Dependant("parent"), Dependant("child"))
    result = estimate(replace(BASE, grade=None, death=True, monthly_wage=D("5000"), dependants=four))
    shares = [(s.relation, s.percent, s.uncapped, s.cut, s.amount) for s in result.dependant_pensions]
    assert shares == [
        ("spouse", 40, D("2000.00"), D("461.54"), D("1538.46")),   # 1538.4615…
        ("parent", 30, D("1500.00"), D("346.15"), D("1153.85")),   # 1153.8461… + 1 fen
        ("parent", 30, D("1500.00"), D("346.15"), D("1153.85")),
        ("child", 30, D("1500.00"), D("346.16"), D("1153.84")),
    ]
    assert "in proportion" in result.dependant_pensions[0].formula
    floored = estimate(replace(BASE, grade=None, death=True, monthly_wage=D("3000"), dependants=four))
    assert [s.amount for s in floored.dependant_pensions] == [          # W 4800, own wage 3000
        D("923.07"), D("692.31"), D("692.31"), D("692.31")]             # of 1920 / 1440 each
    assert item(floored, "dependant_pension").amount == D("3000.00")
    under = estimate(replace(BASE, grade=None, death=True, monthly_wage=D("5000"),
                             dependants=(Dependant("parent", True),)))
    assert [(s.percent, s.cut, s.amount) for s in under.dependant_pensions] == [
        (40, D("0.00"), D("2000.00"))]                                  # lone elder 30 + 10 %


def test_guangdong_art_35_the_average_before_employment_ends_as_the_base() -> None:
    req = replace(BASE, contract_ends=date(2026, 1, 31))                 # grade 7, W 6000, A 8000
    higher = estimate(replace(req, average_wage_before_employment_ends=D("6543.21")))
    assert (items(higher)["one_time_medical_subsidy"][0],
            items(higher)["one_time_employment_subsidy"][0]) == (D("39259.26"), D("163580.25"))
    assert "广东省工伤保险条例 (2011) art. 35" in item(higher, "one_time_medical_subsidy").formula
    capped = estimate(replace(req, average_wage_before_employment_ends=D("30000")))
    assert items(capped)["one_time_employment_subsidy"][0] == D("600000.00")  # 25 × 300 % × 8000
    lower = estimate(replace(req, average_wage_before_employment_ends=D("5000")))
    assert items(lower)["one_time_employment_subsidy"][0] == D("150000.00")   # 25 × W 6000
    assert items(lower)["one_time_disability_subsidy"][0] == D("78000.00")    # always W: 13 × 6000
    unsaid = estimate(req)
    assert any("average_wage_before_employment_ends" in n for n in unsaid.notes)
    grade_5 = estimate(replace(req, grade=5, average_wage_before_employment_ends=D("7000")))
    assert items(option(grade_5, "end_employment"))["one_time_employment_subsidy"][0] == D("350000.00")


@pytest.mark.parametrize(("retirement", "employment_subsidy"), [
    (date(2031, 1, 31), D("70000.00")),   # exactly 5 years left: no reduction
    (date(2030, 7, 31), D("70000.00")),   # 4.5 years: no full year of age past the mark yet
    (date(2030, 1, 31), D("56000.00")),   # exactly 4 years: one year past the mark, 80 %
    (date(2029, 7, 31), D("56000.00")),   # 3.5 years: 80 %
    (date(2026, 6, 30), D("14000.00")),   # under a year: 4 years past the mark, 20 %
    (date(2026, 1, 31), D("0.00")),       # employment ends on the retirement date: nothing
])
def test_zhejiang_art_27_the_employment_subsidy_falls_near_retirement(
        retirement: date, employment_subsidy: Decimal) -> None:
    req = replace(BASE, region="zhejiang", contract_ends=date(2026, 1, 31),
                  provincial_average_monthly_wage=D("7000"), retirement_date=retirement)
    result = estimate(req)                                               # grade 7: 10 months × P
    assert items(result)["one_time_employment_subsidy"] == (employment_subsidy, "employer")
    assert items(result)["one_time_medical_subsidy"] == (D("70000.00"), "fund")  # never reduced
    assert "浙江省工伤保险条例 art. 27 ¶2" in item(result, "one_time_employment_subsidy").formula


def test_zhejiang_age_reduction_to_the_fen() -> None:
    req = replace(BASE, region="zhejiang", grade=9, contract_ends=date(2026, 1, 31),
                  provincial_average_monthly_wage=D("7777.77"), retirement_date=date(2028, 9, 1))
    result = estimate(req)                 # 2 full years left, 2 years past the mark: 60 %
    assert items(result)["one_time_medical_subsidy"][0] == D("31111.08")       # 4 × 7777.77
    assert items(result)["one_time_employment_subsidy"][0] == D("18666.65")    # 31111.08 × 0.6
    assert "× 0.60" in item(result, "one_time_employment_subsidy").formula
    gd = estimate(replace(req, region="guangdong"))
    assert any("retirement_date was ignored" in w for w in gd.warnings)


def test_the_age_reduction_counting_is_data() -> None:
    from domain.compensation.data import AgeReduction
    from domain.compensation.termination import age_factor
    started = AgeReduction(5, 20, "started_years", "test")
    full = AgeReduction(5, 20, "full_years", "test")
    ends = date(2026, 1, 31)
    assert age_factor(ends, date(2030, 7, 31), started).value == D("0.8")   # 4 full years left
    assert age_factor(ends, date(2030, 7, 31), full).value == D("1")
    assert age_factor(ends, date(2026, 6, 30), started).value == D("0")
    assert age_factor(date(2024, 2, 29), date(2029, 2, 28), full).value == D("1")  # leap day


def test_not_enrolled_the_employer_pays_every_item() -> None:
    result = estimate(replace(BASE, grade=3, si_enrolled=False, nursing_level="partly"))
    assert {i.payer for i in result.items} == {"employer"}
    assert all("Reg. art. 62 ¶2" in i.article for i in result.items)
    assert result.once.fund == result.monthly.fund == 0
    assert any("SIL art. 41" in n for n in result.notes)


def test_third_party_note_and_the_negotiation_range_apart() -> None:
    result = estimate(replace(BASE, third_party_liable=True, suspension_months=3))
    assert any("SIL art. 42" in n and "medical costs only" in n for n in result.notes)
    assert items(result)["suspension_wages"] == (D("18000.00"), "employer")  # 3 × 6000, no bound
    rng = result.suggested_negotiation_range
    assert rng.low == rng.employer_share == D("18000.00")  # the suspension wages (Reg. art. 33)
    assert rng.high == D("168000.00")  # + the employment subsidy on resignation: 25 × W (Guangdong)
    assert rng.statutory_amount == result.once.total and rng.label.startswith("协商区间由法定规则推出")
    assert all(i.code != "negotiation" for i in result.items)


def test_before_2011_the_old_rule_set_is_used_with_a_warning() -> None:
    injury = replace(BASE, injury_date=date(2010, 6, 1))
    assert items(estimate(injury))["one_time_disability_subsidy"][0] == D("72000.00")  # 12 × 6000
    death = estimate(replace(injury, grade=None, death=True))
    assert death.rule_set == "reg_2003"
    assert items(death)["one_time_death_subsidy"][0] == D("384000.00")  # 48 × A 8000
    assert any("48-60 months" in w for w in death.warnings)


def test_twelve_monthly_wages_or_fewer() -> None:
    wages = (D("5000"),) * 6 + (D("6001"),) * 6
    result = estimate(replace(BASE, monthly_wage=None, wages_12_months=wages))
    assert result.wage_basis.own_average == D("5500.50")
    short = estimate(replace(BASE, monthly_wage=None, wages_12_months=(D("5000"), D("6000"))))
    assert short.wage_basis.months == 2 and any("only 2 months" in w for w in short.warnings)


def test_data_rows_are_used_when_the_request_lacks_them_and_unverified_ones_warn() -> None:
    tables = TABLES.with_overrides({
        "average_wages": [{"region": "guangdong", "scope": "regional", "period_start": "2024-07-01",
                           "period_end": "2025-06-30", "monthly": "9000", "source": "test notice",
                           "verified": False}],
        "minimum_wages": [{"region": "guangdong", "period_start": "2025-01-01", "period_end": None,
                           "monthly": "2500", "source": "test", "verified": True}],
    })
    result = estimate(replace(BASE, regional_average_monthly_wage=None, grade=4, monthly_wage=D("1000")),
                      tables)
    assert result.wage_basis.regional_average == D("9000.00") and result.wage_basis.basis == D("5400.00")
    assert any("not verified" in w and "test notice" in w for w in result.warnings)
    assert "minimum_wage_top_up" not in items(result)  # 75 % × 5400 = 4050 > 2500
    differs = estimate(BASE, tables)
    assert any("differs from the figure on file" in w for w in differs.warnings)


def test_an_unverified_province_row_is_used_only_with_a_warning() -> None:
    result = estimate(replace(BASE, region="hubei", grade=9, contract_ends=date(2026, 1, 1)))
    assert items(result)["one_time_medical_subsidy"][0] == D("80000.00")  # 10 × A 8000
    assert any("hubei" in w and "not verified" in w for w in result.warnings)
    row = next(r for r in result.policy_rows if r.kind == "termination_subsidies")
    assert row.verified is False and "huize" in row.source


# --- bad input: a RuleViolation naming the field ------------------------------------------------

@pytest.mark.parametrize(("change", "field"), [
    ({"grade": 0}, "grade"), ({"grade": 11}, "grade"), ({"death": True}, "grade"),
    ({"grade": None}, "grade"),
    ({"monthly_wage": D("-1")}, "monthly_wage"), ({"monthly_wage": D("5000000")}, "monthly_wage"),
    ({"monthly_wage": D("0")}, "monthly_wage"), ({"wages_12_months": (D("1"),)}, "monthly_wage"),
    ({"monthly_wage": None, "wages_12_months": (D("1"),) * 13}, "wages_12_months"),
    ({"region": "atlantis"}, "region"), ({"injury_date": date(2003, 5, 1)}, "injury_date"),
    ({"regional_average_monthly_wage": None}, "regional_average_monthly_wage"),
    ({"regional_average_monthly_wage": D("-5")}, "regional_average_monthly_wage"),
    ({"contract_ends": date(2024, 1, 1)}, "contract_ends"),
    ({"region": "beijing", "contract_ends": date(2026, 1, 1)}, "region"),
    ({"nursing_level": "some"}, "nursing_level"), ({"suspension_months": 25}, "suspension_months"),
    ({"dependants": (Dependant("spouse"),)}, "dependants"),
    ({"grade": None, "death": True, "injury_date": date(2027, 5, 1)}, "injury_date"),
    ({"grade": None, "death": True, "dependants": (Dependant("cousin"),)}, "dependants[0].relation"),
    ({"died_after_suspension": True}, "died_after_suspension"),
    ({"death": True, "died_after_suspension": False}, "grade"),
    ({"grade": None, "death": True, "died_after_suspension": True}, "grade"),
    ({"grade": 5, "death": True, "died_after_suspension": True}, "grade"),
    ({"grade": None, "death": True, "dependants": (Dependant("spouse"), Dependant("spouse"))},
     "dependants"),
    ({"contract_ends": date(2026, 1, 1), "average_wage_before_employment_ends": D("-1")},
     "average_wage_before_employment_ends"),
])
def test_bad_input_names_the_field(change: dict, field: str) -> None:  # type: ignore[type-arg]
    assert rule(estimate, replace(BASE, **change)).field == field


def test_wage_basis_bounds() -> None:
    assert wage_basis(D("100.00"), D("7777.77")).basis == D("4666.66")    # 60 % of A, to the fen
    assert wage_basis(D("99999.00"), D("7777.77")).basis == D("23333.31")  # 300 % of A


# --- properties --------------------------------------------------------------------------------

WAGES = st.decimals(min_value=D("1"), max_value=D("100000"), places=2)
AVERAGES = st.decimals(min_value=D("1000"), max_value=D("30000"), places=2)


def _req(grade: int, wage: Decimal, average: Decimal, region: str, ends: bool) -> EstimateRequest:
    return EstimateRequest(
        region=region, injury_date=INJURED, si_enrolled=True, grade=grade, monthly_wage=wage,
        regional_average_monthly_wage=average, provincial_average_monthly_wage=average,
        minimum_monthly_wage=D("2000"), contract_ends=date(2026, 1, 1) if ends else None,
        nursing_level="partly", suspension_months=6)


@settings(max_examples=60, deadline=None)
@given(WAGES, AVERAGES, st.sampled_from(["guangdong", "zhejiang"]), st.booleans())
def test_totals_do_not_rise_as_the_grade_number_rises(wage: Decimal, average: Decimal, region: str,
                                                       ends: bool) -> None:
    """Monthly totals fall from grade 1 to 10; one-time totals within 1-4 and within 5-10.

    Across 4 → 5 the one-time total may rise when employment ends: grades 1-4 keep the job and a
    lifelong allowance instead of the termination subsidies (Reg. arts. 35-37).
    """
    results = {g: _chosen(estimate(_req(g, wage, average, region, ends)), ends) for g in range(1, 11)}
    for g in range(1, 10):
        assert results[g][1] >= results[g + 1][1]
        if g != 4 or not ends:
            assert results[g][0] >= results[g + 1][0]


def _chosen(result: Estimate, ends: bool) -> tuple[Decimal, Decimal]:
    """Once and monthly totals; grades 5-6: of the option taken (ending employment if it ends)."""
    if not result.options:
        return result.once.total, result.monthly.total
    taken = option(result, "end_employment" if ends else "keep_employment")
    return taken.once.total, taken.monthly.total


@settings(max_examples=60, deadline=None)
@given(WAGES, WAGES, AVERAGES, st.integers(1, 10), st.sampled_from(["guangdong", "zhejiang"]),
       st.booleans())
def test_totals_do_not_fall_as_the_wage_rises(a: Decimal, b: Decimal, average: Decimal, grade: int,
                                              region: str, ends: bool) -> None:
    low, high = sorted((a, b))
    lo, hi = (estimate(_req(grade, w, average, region, ends)) for w in (low, high))
    assert lo.once.total <= hi.once.total and lo.monthly.total <= hi.monthly.total
    for a_option, b_option in zip(lo.options, hi.options, strict=True):
        assert a_option.once.total <= b_option.once.total
        assert a_option.monthly.total <= b_option.monthly.total


@settings(max_examples=60, deadline=None)
@given(WAGES, AVERAGES, st.integers(0, 10), st.booleans(), st.booleans())
def test_payer_totals_add_up_and_items_are_in_fen(wage: Decimal, average: Decimal, grade: int,
                                                  enrolled: bool, ends: bool) -> None:
    req = replace(_req(grade or 1, wage, average, "guangdong", ends), si_enrolled=enrolled)
    if grade == 0:
        req = replace(req, grade=None, death=True, nursing_level=None,
                      dependants=(Dependant("spouse"), Dependant("child")))
    result = estimate(req)
    for totals, frequency in ((result.once, "once"), (result.monthly, "monthly")):
        assert totals.fund + totals.employer == totals.total
        assert totals.total == sum((i.amount for i in result.items if i.frequency == frequency), D(0))
    for choice in result.options:  # the common items plus the option's own, never both options
        for totals, frequency in ((choice.once, "once"), (choice.monthly, "monthly")):
            assert totals.fund + totals.employer == totals.total
            assert totals.total == sum((i.amount for i in (*result.items, *choice.items)
                                        if i.frequency == frequency), D(0))
    assert sum((s.amount for s in result.dependant_pensions), D(0)) == sum(
        (i.amount for i in result.items if i.code == "dependant_pension"), D(0))
    assert all(i.amount == i.amount.quantize(D("0.01")) and i.amount >= 0 for i in result.items)
    assert enrolled or result.once.fund == result.monthly.fund == 0


RELATIONS = st.sampled_from(["child", "parent", "grandparent", "grandchild", "sibling"])


@settings(max_examples=60, deadline=None)
@given(WAGES, AVERAGES, st.booleans(), st.lists(st.tuples(RELATIONS, st.booleans()), max_size=8),
       st.booleans())
def test_dependants_pensions_never_exceed_the_own_wage_and_share_the_cut_fairly(
        wage: Decimal, average: Decimal, spouse: bool, others: list[tuple[str, bool]],
        lone_spouse: bool) -> None:
    """Reg. art. 39(2): the sum ≤ the deceased's own wage; when capped it is exactly that, and each
    dependant keeps the same share of their uncapped pension, to within a fen."""
    deps = ((Dependant("spouse", lone_spouse),) if spouse else ()) + tuple(
        Dependant(r, lone) for r, lone in others)
    result = estimate(replace(_req(1, wage, average, "guangdong", False), grade=None, death=True,
                              nursing_level=None, dependants=deps))
    shares = result.dependant_pensions
    total = sum((s.amount for s in shares), D(0))
    uncapped = sum((s.uncapped for s in shares), D(0))
    own = result.wage_basis.own_average
    assert total == min(uncapped, own) and all(s.cut >= 0 for s in shares)
    for s in shares:
        assert s.amount + s.cut == s.uncapped
        if uncapped > own:
            assert abs(s.amount - s.uncapped * own / uncapped) < D("0.01")


def test_a_city_gets_its_provinces_own_rules_in_the_notes() -> None:
    """Zhejiang arts. 32 and 34 reach a Hangzhou case as they reach a Zhejiang one."""
    for region in ("zhejiang", "hangzhou"):
        unenrolled = estimate(replace(BASE, region=region, grade=3, si_enrolled=False,
                                      regional_average_monthly_wage=Decimal("9000"),
                                      third_party_liable=True))
        assert any("Zhejiang art. 34" in n for n in unenrolled.notes), region
        assert any("Zhejiang art. 32" in n for n in unenrolled.notes), region
    guangzhou = estimate(replace(BASE, region="guangzhou", third_party_liable=True,
                                 regional_average_monthly_wage=Decimal("9000")))
    assert not any("Zhejiang" in n for n in guangzhou.notes)
