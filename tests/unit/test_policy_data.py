"""The bundled policy data's shape: every row sourced, its document named or null, `verified`
present, periods of one region and table never overlapping; the coverage report names gaps."""

from __future__ import annotations

import json
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from domain.compensation.data import CompensationTables
from domain.onboarding.policy import PolicyTable
from domain.policy.coverage import coverage, render
from domain.shared.errors import RuleViolation
from domain.shared.policy_rows import RowError

DATA = Path(__file__).parents[2] / "domain" / "data"
DATED = {"compensation.json": ("termination_subsidies", "average_wages", "minimum_wages"),
         "contribution_bases.json": ("contribution_bases",)}


def _rows() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name in (*DATED, ):
        data = json.loads((DATA / name).read_text(encoding="utf-8"))
        for section in (*DATED[name], *(("national_income",) if name == "compensation.json" else ())):
            found += [(section, row) for row in data[section]]
    return found


@pytest.mark.parametrize(("section", "row"), _rows())
def test_every_row_is_sourced_and_says_whether_it_was_verified(section: str, row: dict) -> None:  # type: ignore[type-arg]
    assert isinstance(row["source"], str) and len(row["source"]) > 20
    assert isinstance(row["verified"], bool)
    assert "document" in row and (row["document"] is None or row["document"].strip())


def test_periods_of_one_region_and_table_never_overlap() -> None:
    for name, sections in DATED.items():
        data = json.loads((DATA / name).read_text(encoding="utf-8"))
        for section in sections:
            for a, b in combinations(data[section], 2):
                if (a["region"], a.get("scope")) != (b["region"], b.get("scope")):
                    continue
                a0, a1 = a["period_start"] or "0000", a["period_end"] or "9999"
                b0, b1 = b["period_start"] or "0000", b["period_end"] or "9999"
                assert a1 < b0 or b1 < a0, f"{section}: {a} overlaps {b}"


def test_national_income_is_on_file_for_every_year_from_2010() -> None:
    years = [r.year for r in CompensationTables.bundled().incomes]
    assert years == list(range(2010, 2026))


def test_cities_follow_their_province_s_termination_subsidies() -> None:
    tables = CompensationTables.bundled()
    assert tables.subsidy_table("杭州", date(2026, 5, 1)).region == "zhejiang"
    assert tables.subsidy_table("shenzhen", date(2026, 5, 1)).article.startswith("广东省")
    assert tables.wage_figure("shenzhen", "minimum", date(2025, 3, 1)).monthly == 2520  # type: ignore[union-attr]
    assert tables.wage_figure("shenzhen", "minimum", date(2025, 2, 28)).monthly == 2360  # type: ignore[union-attr]


@pytest.mark.parametrize(("row", "key"), [
    ({"region": "x", "period_start": "2026-07-01", "period_end": "2027-06-30", "lower": "1",
      "upper": "2", "verified": True}, "source"),
    ({"region": "x", "period_start": "2026-07-01", "period_end": "2026-06-30", "lower": "1",
      "upper": "2", "source": "s"}, "period_end"),
    ({"region": "x", "period_start": "2026-13-01", "period_end": "2027-06-30", "lower": "1",
      "upper": "2", "source": "s"}, "period_start"),
    ({"region": "x", "period_start": "2026-07-01", "period_end": "2027-06-30", "lower": "3",
      "upper": "2", "source": "s"}, "lower"),
    ({"region": "x", "period_start": "2026-07-01", "period_end": "2027-06-30", "lower": "1",
      "upper": "2", "source": "s", "verified": "yes"}, "verified"),
    ({"region": "x", "period_start": "2026-07-01", "period_end": "2027-06-30", "lower": "1",
      "upper": "2", "source": "s", "document": " "}, "document"),
])
def test_a_malformed_base_row_names_its_field(row: dict, key: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(RowError) as err:
        PolicyTable.from_rows(contribution_bases=[row])
    assert err.value.key == key


@pytest.mark.parametrize(("section", "row", "key"), [
    ("national_income", {"year": 2026, "amount": "abc", "source": "s"}, "amount"),
    ("national_income", {"year": "2026", "amount": "1", "source": "s"}, "year"),
    ("minimum_wages", {"region": "x", "monthly": "0", "source": "s"}, "monthly"),
    ("average_wages", {"region": "x", "scope": "minimum", "monthly": "1", "source": "s"}, "scope"),
    ("termination_subsidies", {"region": "x", "base": "own_wage", "medical_months": {"5": 1},
                               "employment_months": {}, "article": "a", "source": "s"},
     "medical_months"),
    ("termination_subsidies", {"region": "x", "base": "fixed_amount", "article": "a", "source": "s",
                               "medical_amounts": {str(g): "1" for g in range(5, 11)},
                               "employment_amounts": {"5": "1"}}, "employment_amounts"),
    ("termination_subsidies", {"region": "x", "base": "fixed_amount", "article": "a", "source": "s",
                               "medical_amounts": {str(g): "0" for g in range(5, 11)},
                               "employment_amounts": {str(g): "1" for g in range(5, 11)}},
     "medical_amounts"),
    ("termination_subsidies", {"region": "x", "base": "own_wage", "article": "a", "source": "s",
                               "medical_months": {str(g): 1 for g in range(5, 11)},
                               "employment_months": {str(g): 1 for g in range(5, 11)},
                               "medical_amounts": {str(g): "1" for g in range(5, 11)}},
     "medical_amounts"),
])
def test_a_malformed_benefit_row_names_its_field(section: str, row: dict, key: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(RowError) as err:
        CompensationTables.from_rows(**{section: [row]})
    assert err.value.key == key


def test_the_report_lists_gaps_and_unverified_rows() -> None:
    report = coverage(PolicyTable.bundled(), CompensationTables.bundled(), date(2026, 12, 3))
    text = render(report)
    assert report.income_missing == () and [y for y, _ in report.income_unverified] == [2014, 2025]
    gap = next(c for c in report.gaps if (c.region, c.table) == ("beijing", "termination_subsidies"))
    assert gap.found is None and "beijing termination_subsidies current (2026-12-03)" in text
    beijing_now = next(c for c in report.gaps
                       if (c.region, c.table, c.period) == ("beijing", "contribution_bases", "current"))
    assert "PROVISIONALLY" in beijing_now.note
    assert any(c.region == "hubei" for c in report.unverified) and "UNVERIFIED 2025" in text


def test_a_fixed_amount_province_names_its_amounts_instead_of_estimating() -> None:
    tables = CompensationTables.bundled()
    jiangsu = next(r for r in tables.subsidies if r.region == "jiangsu")
    assert jiangsu.base == "fixed_amount" and not jiangsu.medical_months and not jiangsu.verified
    assert (jiangsu.medical_amounts[5], jiangsu.employment_amounts[10]) == (200000, 15000)
    with pytest.raises(RuleViolation) as err:  # Suzhou follows its province's table
        tables.subsidy_table("suzhou", date(2026, 5, 1))
    assert err.value.code == "policy.subsidy_fixed_amounts"
    assert "grade 5: medical 200000, employment 95000" in err.value.message
    assert "NOT verified" in err.value.message
    henan = tables.subsidy_table("henan", date(2026, 5, 1))
    assert (henan.base, henan.medical_months[5], henan.employment_months[5]) == (
        "regional_average", 16, 56)


def test_the_report_marks_a_fixed_amount_table() -> None:
    report = coverage(PolicyTable.bundled(), CompensationTables.bundled(), date(2026, 12, 3))
    suzhou = next(c for c in report.unverified
                  if (c.region, c.table, c.period) == ("suzhou", "termination_subsidies", "current"))
    assert "(the jiangsu table)" in (suzhou.found or "") and "not computed" in (suzhou.found or "")


def test_the_report_says_the_civil_coefficients_are_unverified() -> None:
    from domain.compensation.third_party import Coefficients
    from domain.policy.coverage import render_coefficients

    text = render_coefficients(Coefficients.bundled())
    assert "grades 1-10" in text and "9: 20 %" in text
    assert "UNVERIFIED" in text and "kuaisoft.com" in text


def test_the_report_lists_the_compulsory_insurance_limits_unverified() -> None:
    from domain.compensation.compulsory import CompulsoryTable
    from domain.policy.coverage import render_compulsory

    text = render_compulsory(CompulsoryTable.bundled())
    assert "2020-09-19 – open: death_disability 180,000 / 18,000, medical 18,000 / 1,800, " \
           "property 2,000 / 100" in text
    assert "2008-02-01 – 2020-09-18: death_disability 110,000 / 11,000" in text
    assert text.count("UNVERIFIED") == 2 and "银保监发〔2020〕41号" in text
