"""Two statutory cases of the determination and appraisal clocks, as pure rules with their article.

- Late application (工伤保险条例 art. 17 ¶4): when the employer files after its 30 days (or the
  extension the SI department approved), the qualifying costs "in this period" are the
  employer's. The national reading runs that period from the accident to the day the authority
  **accepts** (受理) the application; a region may end it on another day, and that is a regional
  rule with its source (statutes.md §1 T2).
- Appraisal conclusion (art. 25): 60 days from receipt of the application, extendable "when
  necessary" by 30: never later than 90 days from receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from domain.shared.errors import RuleViolation

EMPLOYER_WINDOW_DAYS = 30            # Reg. art. 17 ¶1
APPRAISAL_DAYS, APPRAISAL_EXTENSION_DAYS = 60, 30   # Reg. art. 25
LATE_ARTICLE = "工伤保险条例 art. 17 ¶4"
APPRAISAL_ARTICLE = "工伤保险条例 art. 25"
PeriodEnd = Literal["accepted", "received", "filed"]


@dataclass(frozen=True)
class LateRule:
    """Which day ends the employer's late-application period in a region, and where it is read."""

    region: str
    ends_on: PeriodEnd
    article: str
    source: str


NATIONAL = LateRule("*", "accepted", LATE_ARTICLE,
                    "statutes.md §1 T2: the national reading of 'this period' (accident to "
                    "acceptance), https://m.75law.com/question/146481.html")
REGIONAL = (
    LateRule("zhejiang", "filed", "浙江省工伤保险条例 art. 13",
             "statutes.md §1 T2c: costs before the application date fall on the employer; "
             "LawRefBook/Laws 地方性法规/浙江/浙江省工伤保险条例.md @3cd6e86b"),
    LateRule("sichuan", "received", "四川省 work-injury regulation (article not seen)",
             "statutes.md §1 T2: the period ends when the authority receives the application; "
             "https://www.dztcqrm.com/news/91456 (secondary)"),
)


@dataclass(frozen=True)
class EmployerCosts:
    """The days whose qualifying costs the employer bears; `until` None = not yet known."""

    since: date
    until: date | None
    rule: LateRule
    explanation: str


def late_rule(region: str) -> LateRule:
    """The region's rule for the end of the late period, else the national reading (a city's
    region: resolve it with `rule_region` first)."""
    key = (region or "").strip().lower()
    return next((r for r in REGIONAL if r.region == key), NATIONAL)


def rule_region(region: str, provinces: Mapping[str, str]) -> str:
    """The region whose late-period rule applies: the region's own, else its province's (a city
    follows its province's regulation: Hangzhou 浙江省工伤保险条例, Chengdu Sichuan's), else the
    region itself (the national reading). `provinces`: a city's id → its province's id."""
    key = (region or "").strip().lower()
    if late_rule(key) is NATIONAL and late_rule(provinces.get(key, key)) is not NATIONAL:
        return provinces[key]
    return key


def employer_deadline(accident_on: date, extended_until: date | None = None) -> date:
    """Last day of the employer's window: 30 days, the accident day not counted (Civil Code art.
    201), or the approved extension (art. 17 ¶1)."""
    return extended_until or accident_on + timedelta(days=EMPLOYER_WINDOW_DAYS)


def late_application_costs(region: str, accident_on: date, filed_on: date,
                           accepted_on: date | None = None, received_on: date | None = None,
                           extended_until: date | None = None) -> EmployerCosts | None:
    """None when the employer filed in time; else the period whose costs it bears (art. 17 ¶4)."""
    if filed_on < accident_on:
        raise RuleViolation("filed_on", "filed_on.before_accident",
                            f"filed_on {filed_on} is before the accident ({accident_on})")
    last_day = employer_deadline(accident_on, extended_until)
    if filed_on <= last_day:
        return None
    rule = late_rule(region)
    until = {"accepted": accepted_on, "received": received_on or filed_on,
             "filed": filed_on}[rule.ends_on]
    if until is not None and until < filed_on:
        raise RuleViolation(f"{rule.ends_on}_on", f"{rule.ends_on}_on.before_filing",
                            f"{rule.ends_on}_on {until} is before the application was filed "
                            f"({filed_on})")
    end = f"{until}" if until else f"the day the application is {rule.ends_on} (not yet known)"
    return EmployerCosts(accident_on, until, rule, (
        f"filed {filed_on}, after the employer's last day {last_day}: qualifying costs from the "
        f"accident ({accident_on}) to {end} are the employer's ({rule.article}; {rule.source})"))


def appraisal_conclusion_limit(received_on: date) -> date:
    """The latest day an appraisal conclusion may be extended to: 90 days from receipt (art. 25)."""
    return received_on + timedelta(days=APPRAISAL_DAYS + APPRAISAL_EXTENSION_DAYS)


def check_appraisal_extension(received_on: date, until: date, field: str = "until") -> None:
    """An extension past 90 days from the committee's receipt is refused (art. 25)."""
    limit = appraisal_conclusion_limit(received_on)
    if until > limit:
        raise RuleViolation(field, "until.beyond_maximum",
                            f"{field} {until}: the appraisal conclusion can be extended to at most "
                            f"90 days from receipt of the application ({received_on}), i.e. "
                            f"{limit} ({APPRAISAL_ARTICLE})")
