"""National work-injury benefit rules (工伤保险条例), one rule set per version, chosen by injury date.

The 2010 revision (State Council Order 586, in force 2011-01-01) raised the one-time disability
subsidy and replaced the 48-60-month death subsidy with 20 × the national urban per-capita
disposable income; it also moved the one-time medical subsidy from the employer to the fund
(statutes.md §0 versioning warning, §2.2-2.6, §2.8; Reg. arts. 33-39, 62, 64 read from the
LawRefBook copy). Provincial figures (the grade 5-10 termination subsidies, average and minimum
wages) are data: domain/compensation/data.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal

from domain.shared.errors import RuleViolation

Payer = Literal["fund", "employer"]
DeathSubsidy = Literal["national_income_20x", "regional_average_48_to_60_months"]
NURSING_LEVELS = ("complete", "mostly", "partly")
DEPENDANT_RELATIONS = ("spouse", "child", "parent", "grandparent", "grandchild", "sibling")


@dataclass(frozen=True)
class RuleSet:
    """The national benefit tables of one version of the Regulations, with the articles cited."""

    name: str
    title: str
    valid_from: date
    valid_to: date | None
    disability_months: MappingProxyType[int, int]      # one-time disability subsidy, × W
    allowance_percent: MappingProxyType[int, int]      # monthly disability allowance, % of W
    nursing_percent: MappingProxyType[str, int]        # nursing fee, % of A
    funeral_months: int                                # funeral subsidy, × A
    pension_percent: MappingProxyType[str, int]        # dependants' pension, % of W (see below)
    death_subsidy: DeathSubsidy
    medical_subsidy_payer: Payer                       # one-time medical subsidy (grades 5-10)
    articles: MappingProxyType[str, str]
    source: str
    verified: bool

    def article(self, key: str, grade: int | None = None) -> str:
        """The article for an item; grade-banded items are keyed '<item>:1-4', ':5-6', ':7-10'."""
        if grade is not None:
            band = "1-4" if grade <= 4 else "5-6" if grade <= 6 else "7-10"
            return self.articles[f"{key}:{band}"]
        return self.articles[key]


def _grades(*values: int) -> MappingProxyType[int, int]:
    return MappingProxyType(dict(enumerate(values, start=1)))


_ALLOWANCE = _grades(90, 85, 80, 75, 70, 60)
_NURSING = MappingProxyType({"complete": 50, "mostly": 40, "partly": 30})
# Dependants' pension, % of W a month: the spouse, each other dependant, and the addition for a
# lone elder (孤寡老人) or an orphan; together capped at the deceased's own wage (Reg. art. 39(2),
# 2003: art. 37(2); statutes.md §2.5)
_PENSION = MappingProxyType({"spouse": 40, "other": 30, "orphan_or_lone_elder": 10})

REG_2010 = RuleSet(
    name="reg_2010",
    title="工伤保险条例 as revised 2010 (Order 586), in force 2011-01-01",
    valid_from=date(2011, 1, 1), valid_to=None,
    disability_months=_grades(27, 25, 23, 21, 18, 16, 13, 11, 9, 7),
    allowance_percent=_ALLOWANCE, nursing_percent=_NURSING, funeral_months=6,
    pension_percent=_PENSION, death_subsidy="national_income_20x", medical_subsidy_payer="fund",
    articles=MappingProxyType({
        "wage_basis": "Reg. art. 64",
        "suspension_wages": "Reg. art. 33; SIL art. 39(1)",
        "nursing_care": "Reg. art. 34",
        "one_time_disability_subsidy:1-4": "Reg. art. 35(1)",
        "one_time_disability_subsidy:5-6": "Reg. art. 36(1)",
        "one_time_disability_subsidy:7-10": "Reg. art. 37(1)",
        "monthly_disability_allowance:1-4": "Reg. art. 35(2)",
        "monthly_disability_allowance:5-6": "Reg. art. 36(2)",
        "termination:5-6": "Reg. art. 36 ¶2; SIL arts. 38(7), 39(3)",
        "termination:7-10": "Reg. art. 37(2); SIL arts. 38(7), 39(3)",
        "funeral_subsidy": "Reg. art. 39(1)",
        "one_time_death_subsidy": "Reg. art. 39(3); MOHRSS Order 13 art. 11",
        "dependant_pension": "Reg. art. 39(2); MOLSS Order 18",
        "death_during_suspension": "Reg. art. 39 ¶2",
        "death_after_suspension": "Reg. art. 39 ¶3",
        "not_enrolled": "Reg. art. 62 ¶2",
    }),
    source="statutes.md §2.1-2.8; 工伤保险条例 (2010-12-20) read from LawRefBook/Laws "
           "行政法规/工伤保险条例(2010-12-20).md @6ef77b0a",
    verified=True,
)

REG_2003 = RuleSet(
    name="reg_2003",
    title="工伤保险条例 2003 (Order 375), in force 2004-01-01 to 2010-12-31",
    valid_from=date(2004, 1, 1), valid_to=date(2010, 12, 31),
    disability_months=_grades(24, 22, 20, 18, 16, 14, 12, 10, 8, 6),
    allowance_percent=_ALLOWANCE, nursing_percent=_NURSING, funeral_months=6,
    pension_percent=_PENSION, death_subsidy="regional_average_48_to_60_months",
    medical_subsidy_payer="employer",
    articles=MappingProxyType({
        "wage_basis": "Reg. (2003) art. 61",
        "suspension_wages": "Reg. (2003) art. 31",
        "nursing_care": "Reg. (2003) art. 32",
        "one_time_disability_subsidy:1-4": "Reg. (2003) art. 33(1)",
        "one_time_disability_subsidy:5-6": "Reg. (2003) art. 34(1)",
        "one_time_disability_subsidy:7-10": "Reg. (2003) art. 35(1)",
        "monthly_disability_allowance:1-4": "Reg. (2003) art. 33(2)",
        "monthly_disability_allowance:5-6": "Reg. (2003) art. 34(2)",
        "termination:5-6": "Reg. (2003) art. 34 ¶2",
        "termination:7-10": "Reg. (2003) art. 35(2)",
        "funeral_subsidy": "Reg. (2003) art. 37(1)",
        "one_time_death_subsidy": "Reg. (2003) art. 37(3)",
        "dependant_pension": "Reg. (2003) art. 37(2); MOLSS Order 18",
        "death_during_suspension": "Reg. (2003) art. 37 ¶2",
        "death_after_suspension": "Reg. (2003) art. 37 ¶3",
        "not_enrolled": "Reg. (2003) art. 60",
    }),
    source="statutes.md §0 versioning warning (24…6 months; death subsidy 48-60 months of the "
           "regional average). The 2003 article numbers and the employer paying the one-time "
           "medical subsidy come from the 2003 text's numbering, not from a stored copy",
    verified=False,
)

RULE_SETS = (REG_2003, REG_2010)


def rule_set_for(injury_date: date) -> RuleSet:
    """The national rule set in force on the injury date (statutes.md §0)."""
    for rules in RULE_SETS:
        if rules.valid_from <= injury_date and (rules.valid_to is None or injury_date <= rules.valid_to):
            return rules
    raise RuleViolation(
        "injury_date", "policy.no_rule_set",
        f"injury_date {injury_date}: no national rule set on file for that date (the Regulations "
        f"on Work-Related Injury Insurance apply from {RULE_SETS[0].valid_from})",
    )
