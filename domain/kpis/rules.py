"""The KPIs of issue 19 (关键指标), per department and quarter: what each counts, over what, in
which window, and the article or product rule that window comes from. Pure: store/kpis.py counts
the numerators and denominators in SQL with these windows; `figure` turns counts into a value.

Each KPI counts a record in the quarter (Beijing time, domain/kpis/quarters.py) its clock ends
in or its event happened in, and in the department its list row names, so a record counts in
exactly one department-quarter. A record whose outcome is not known yet (a window still running)
is in neither the numerator nor the denominator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.shared import statutes


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"


@dataclass(frozen=True)
class Kpi:
    """One KPI: a share of `denominator` that meets the rule (per=1), or a count per `per` of
    the denominator (per=100: per 100 employees)."""

    code: str
    zh: str
    en: str
    numerator: str
    denominator: str
    source: str
    about: str = ""  # what it counts, in Chinese, for the page
    window: timedelta | None = None
    per: int = 1
    higher_is_better: bool = True


SI_ENROLLED_IN_WINDOW = Kpi(
    "si_enrolled_in_window", "社保按期增员率", "SI enrolled within the window",
    numerator="onboardings enrolled by the bureau (enrollment_executed) by the end of their SI "
    "registration window (si_due_at)",
    denominator="onboardings whose SI registration window ends in the quarter, not cancelled, "
    "enrolled or past the window",
    about="社保登记期限在本季度届满的增员中，在期限内完成增员（社保经办机构已登记）的比例；"
    "已取消的不计，期限未满且尚未增员的暂不计。",
    source=f"{statutes.SI_REGISTRATION.article}: {statutes.SI_REGISTRATION.days} days from the "
    "start of employment, holiday-adjusted as each onboarding's deadline shows",
)
MATERIALS_IN_TIME = Kpi(
    "materials_in_time", f"材料 {_hours(statutes.MATERIALS_FILED_SLA_DEFAULT)} 内备齐率",
    f"Materials on file within {_hours(statutes.MATERIALS_FILED_SLA_DEFAULT)}",
    numerator="cases whose materials were filed (case_deadlines materials_filed met_at) by the "
    "deadline",
    denominator="cases whose materials deadline falls in the quarter, filed or past it",
    about="材料期限（报案后的产品时限）在本季度届满的案件中，按时备齐材料的比例；期限未到且未备齐的暂不计。",
    source=f"product rule: materials on file {_hours(statutes.MATERIALS_FILED_SLA_DEFAULT)} "
    "after the report (statutes.MATERIALS_FILED_SLA_DEFAULT)",
    window=statutes.MATERIALS_FILED_SLA_DEFAULT,
)
RETURN_NOTICE_ON_TIME = Kpi(
    "return_notice_on_time", "复工通知按时发出率", "Return notices sent in time",
    numerator=f"return notices sent at least {_hours(statutes.RETURN_NOTICE_LEAD_DEFAULT)} "
    "before the suspension period ends (the return_notice_sent event)",
    denominator="return notices sent in the quarter",
    about="本季度发出的复工通知中，不晚于停工留薪期届满前规定天数当日发出的比例（按北京时间日期）。",
    source=f"{statutes.SUSPENSION_ARTICLE}; product rule: the notice goes "
    f"{_hours(statutes.RETURN_NOTICE_LEAD_DEFAULT)} before the end "
    "(statutes.RETURN_NOTICE_LEAD_DEFAULT)",
    window=statutes.RETURN_NOTICE_LEAD_DEFAULT,
)
RETURN_NOTICE_ANSWERED = Kpi(
    "return_notice_answered", f"复工通知 {_hours(statutes.NOTICE_RESPONSE_DEFAULT)}内答复率",
    f"Return notices answered within {_hours(statutes.NOTICE_RESPONSE_DEFAULT)}",
    numerator="return notices the employee answered within the window (notices.answered_at)",
    denominator="return notices sent in the quarter, answered or past the window",
    about="本季度发出的复工通知中，职工在答复时限内答复的比例；时限未满且未答复的暂不计。",
    source=f"product rule: no answer in {_hours(statutes.NOTICE_RESPONSE_DEFAULT)} is escalated "
    "(statutes.NOTICE_RESPONSE_DEFAULT)",
    window=statutes.NOTICE_RESPONSE_DEFAULT,
)
SETTLEMENT_IN_TARGET = Kpi(
    "settlement_in_target", f"{statutes.SETTLEMENT_TARGET.days} 日内达成协议率",
    f"Settlements within {statutes.SETTLEMENT_TARGET.days} days",
    numerator="negotiations that reached an agreement (case_deadlines settlement_agreement "
    "met_at) by the target",
    denominator="negotiations whose target falls in the quarter, agreed or past it",
    about="协商目标期限在本季度届满的案件中，在期限内达成协议的比例；期限未到且未达成的暂不计。",
    source=statutes.SETTLEMENT_TARGET.article,
)
INJURIES_PER_100 = Kpi(
    "injuries_per_100", "每百名职工工伤数", "Injuries per 100 employees",
    numerator="injury cases whose accident happened in the quarter (withdrawn ones excepted)",
    denominator="employees of the department employed on any day of the quarter (employments)",
    about="本季度发生事故的工伤案件数（撤回的不计）÷ 本季度内任一日在职的职工人数 × 100。",
    source="product measure: cases × 100 / headcount",
    per=100, higher_is_better=False,
)

MATERIALS_DEADLINE = "materials_filed"  # the case deadline domain.injury.clocks.materials_deadline
SETTLEMENT_DEADLINE = statutes.SETTLEMENT_TARGET.name
RETURN_NOTICE_PURPOSE = "return_to_work"  # the notice workflows/_case_notices.py return_to_work sends

KPIS: tuple[Kpi, ...] = (SI_ENROLLED_IN_WINDOW, MATERIALS_IN_TIME, RETURN_NOTICE_ON_TIME,
                         RETURN_NOTICE_ANSWERED, SETTLEMENT_IN_TARGET, INJURIES_PER_100)
BY_CODE = {k.code: k for k in KPIS}
_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Figure:
    """One KPI of one department in one quarter; `value` None: nothing to count (无数据)."""

    kpi: str
    quarter: str
    department: str
    numerator: int
    denominator: int
    value: Decimal | None


def value(kpi: Kpi, numerator: int, denominator: int) -> Decimal | None:
    """numerator × per / denominator to four places; None when the denominator is 0."""
    if numerator < 0 or denominator < 0:
        raise ValueError("counts are never negative")
    if kpi.per == 1 and numerator > denominator:
        raise ValueError(f"{kpi.code}: {numerator} of {denominator}")
    if denominator == 0:
        return None
    return (Decimal(numerator * kpi.per) / Decimal(denominator)).quantize(
        _PLACES, rounding=ROUND_HALF_UP)


def figure(kpi: Kpi, quarter: str, department: str, numerator: int,
           denominator: int) -> Figure:
    """The KPI's figure from its counts."""
    return Figure(kpi.code, quarter, department, numerator, denominator,
                  value(kpi, numerator, denominator))


def total(kpi: Kpi, quarter: str, figures: list[Figure], label: str) -> Figure:
    """All departments together: the counts added, the value from their sums (not a mean of
    the departments' values)."""
    mine = [f for f in figures if f.kpi == kpi.code and f.quarter == quarter]
    return figure(kpi, quarter, label, sum(f.numerator for f in mine),
                  sum(f.denominator for f in mine))


def shown(kpi: Kpi, amount: Decimal | None) -> str:
    """The value as a reader sees it: a percentage, or a count per 100; "" for none."""
    if amount is None:
        return ""
    if kpi.per == 1:
        return f"{(amount * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
