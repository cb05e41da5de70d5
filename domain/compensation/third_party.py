"""The civil claim against a liable third party (第三人侵权赔偿), beside the work-injury benefits.

Items and formulas follow 最高人民法院关于审理人身损害赔偿案件适用法律若干问题的解释 (法释〔2003〕20号,
amended by 法释〔2022〕14号, in force 2022-05-01; "SPC PI interpretation"): medical costs (art. 6),
lost income (art. 7), nursing (art. 8), transport (art. 9), disability compensation (art. 12) or
death compensation (art. 15) with its funeral costs (art. 14), dependants' living costs (arts.
16-17; the 2022 text of arts. 16-18 read at http://xiayilvshi.com/nd.jsp?id=269, art. 14, not
amended, at http://xw588.com/falvzhishi/df91bbb1c3782a717c82a64aa0554f5e.html). In a traffic
accident with a motor vehicle the compulsory insurer pays first within its limits (道路交通安全法
art. 76 ¶1; compulsory.py); the rest, or every loss where there is no 交强险, × the third
party's liability share. Since 2022 the disability and death compensation use the urban
per-capita disposable income for everyone (the rural standard was removed for torts from
2022-05-01: the 2022 决定, the SPC's explanation at http://fzzdjz.com/article/91366.html, the
amended arts. 12, 15, 22, 24 at http://crsrw.com/falvyuanzhu/124160.html; art. 12's age rule
also at https://www.kuaisoft.com/haj/at_13658.html). Mental-distress damages are an input
(民法典 art. 1183; the court fixes them), so is damage to the worker's property (art. 1184). The
coefficient per grade is data (domain/data/third_party.json, not verified). Medical costs the
third party paid are not paid again by the injury fund; every other work-injury benefit is due in
full (最高人民法院关于审理工伤保险行政案件若干问题的规定, 法释〔2014〕9号, art. 8 ¶3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType

from domain.compensation.compulsory import RTSL_76, CompulsoryTable, compulsory_note, insurer_parts
from domain.compensation.items import fen, money
from domain.shared.errors import RuleViolation

_DATA = Path(__file__).parents[1] / "data" / "third_party.json"
SPC_PI = "最高法人身损害赔偿解释 (2022)"
SPC_ADMIN_8 = "最高法工伤保险行政案件规定 art. 8 ¶3"
ADMIN_8_TEXT = ("职工因第三人的原因导致工伤，社会保险经办机构以职工或者其近亲属已经对第三人提起民事诉讼为由，"
                "拒绝支付工伤保险待遇的，人民法院不予支持，但第三人已经支付的医疗费用除外。")
ADMIN_8_SOURCE = "https://mip.64365.com/special/qhkhsfzh (quotes art. 8 in full); https://m.shoulawyer.com/zhishi/338237.htm"
FULL_YEARS, SENIOR_AGE, FLOOR_AGE, FLOOR_YEARS = 20, 60, 75, 5
FUNERAL_MONTHS, ADULT_AGE, MAX_CIVIL_DEPENDANTS = 6, 18, 10


@dataclass(frozen=True)
class Coefficients:
    """伤残赔偿指数 per civil disability grade, with where the figures were read."""

    percent: MappingProxyType[int, int]
    document: str
    source: str
    verified: bool

    @classmethod
    @cache
    def bundled(cls) -> Coefficients:
        row = json.loads(_DATA.read_text(encoding="utf-8"))["disability_coefficients"]
        return cls(MappingProxyType({int(g): int(p) for g, p in row["percent"].items()}),
                   row["document"], row["source"], bool(row["verified"]))


@dataclass(frozen=True)
class CivilDependant:
    """被扶养人 (SPC PI art. 17 ¶2): a minor the victim supported, or an adult close relative who
    cannot work and has no other income; `supporters` counts everyone who owes them support, the
    victim included (the liable party pays the victim's part only, ¶3)."""

    age: int
    supporters: int = 1


@dataclass(frozen=True)
class ThirdPartyClaim:
    """What the civil estimate needs: the third party's share, the victim's age and the losses."""

    liability_share: Decimal                 # the third party's share, 0-1 (交警认定: 同等 = 0.5)
    age: int                                 # at the appraisal (定残) or death
    urban_income: Decimal                    # 受诉法院所在地上一年度城镇居民人均可支配收入, a year
    civil_grade: int | None = None           # the civil appraisal's grade; None: the work-injury grade
    medical_costs: Decimal = Decimal(0)
    third_party_paid_medical: Decimal = Decimal(0)
    lost_income: Decimal = Decimal(0)
    nursing: Decimal = Decimal(0)
    transport: Decimal = Decimal(0)
    mental_distress: Decimal = Decimal(0)
    property_damage: Decimal = Decimal(0)       # the worker's things (民法典 art. 1184)
    motor_vehicle: bool = True                  # the other party is a 机动车 (RTSL art. 76 ¶1)
    compulsory_insurance: bool | None = None    # 交强险; None: a motor vehicle has it, a non-motor party none
    other_party_liable: bool | None = None      # 交强险 有责/无责; None: liable when liability_share > 0
    average_monthly_wage: Decimal | None = None  # 受诉法院所在地上一年度职工月平均工资 (funeral, art. 14)
    urban_consumption: Decimal | None = None     # 上一年度城镇居民人均消费支出, a year (art. 17)
    dependants: tuple[CivilDependant, ...] = ()

    @property
    def insured(self) -> bool:
        return self.motor_vehicle if self.compulsory_insurance is None else self.compulsory_insurance

    @property
    def liable(self) -> bool:
        return self.liability_share > 0 if self.other_party_liable is None else self.other_party_liable


@dataclass(frozen=True)
class CivilItem:
    code: str
    damage: Decimal        # the whole loss
    claim: Decimal         # (the loss − the insurer's part) × the third party's share
    article: str
    formula: str
    insurer: Decimal = Decimal("0.00")   # paid first by the compulsory insurer (RTSL art. 76 ¶1)
    total: Decimal = Decimal("0.00")     # insurer + claim: what the worker recovers for this loss


@dataclass(frozen=True)
class ThirdPartyEstimate:
    """The civil claim item by item: the compulsory insurer's part, the third party's share of the
    rest and their sums; the medical costs the fund still owes after art. 8 ¶3."""

    liability_share: Decimal
    items: tuple[CivilItem, ...]
    damages: Decimal
    claim: Decimal
    fund_medical: Decimal
    coefficient_verified: bool
    coefficient_source: str
    notes: tuple[str, ...]
    insurer: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")          # insurer + claim
    compulsory_source: str = ""               # the limits applied, their document and source
    compulsory_verified: bool | None = None   # None: no 交强险 applied


def compensation_years(age: int) -> int:
    """20 years; a year less per year of age over 60; 5 years from 75 (SPC PI arts. 12, 15)."""
    if age < 0:
        raise RuleViolation("third_party.age", "third_party.age", f"age {age} must be 0 or more")
    if age >= FLOOR_AGE:
        return FLOOR_YEARS
    return FULL_YEARS - max(0, age - SENIOR_AGE)


def support_years(age: int) -> int:
    """Years of a dependant's living costs: to 18 for a minor; 20 for an adult, a year less per
    year of age over 60, 5 years from 75 (SPC PI art. 17 ¶1)."""
    return ADULT_AGE - age if age < ADULT_AGE else compensation_years(age)


def dependants_living_costs(dependants: tuple[CivilDependant, ...], consumption: Decimal,
                            percent: int) -> tuple[Decimal, str]:
    """被扶养人生活费 (SPC PI art. 17): each dependant's year is the urban consumption × the
    victim's loss of working capacity (100 % for a death, the civil grade's coefficient for a
    disability) ÷ their supporters; in each year the dependants' sum is capped at the urban
    consumption (¶4). The total and its formula."""
    yearly = [consumption * percent / 100 / d.supporters for d in dependants]
    years = [support_years(d.age) for d in dependants]
    total = Decimal(0)
    capped_years = 0
    for year in range(1, max(years, default=0) + 1):
        owed = sum((y for y, n in zip(yearly, years, strict=True) if n >= year), Decimal(0))
        capped_years += owed > consumption
        total += min(owed, consumption)
    parts = "; ".join(
        f"dependant {i} age {d.age}: {money(consumption)} × {percent} % ÷ {d.supporters} × {n} years"
        for i, (d, n) in enumerate(zip(dependants, years, strict=True), start=1))
    cap = (f"; the yearly sum capped at {money(consumption)} in {capped_years} of {max(years)} "
           "years (art. 17 ¶4)" if capped_years else "")
    return fen(total), parts + cap


def civil_claim(claim: ThirdPartyClaim, grade: int | None, death: bool,
                coefficients: Coefficients | None = None, *, accident_date: date,
                compulsory: CompulsoryTable | None = None) -> ThirdPartyEstimate:
    """The civil claim: the compulsory insurer first within its limits (RTSL art. 76 ¶1), then
    each rest × the third party's share (SPC PI arts. 6-9, 12, 15)."""
    _check(claim)
    coefficients = coefficients or Coefficients.bundled()
    share, years = claim.liability_share, compensation_years(claim.age)
    losses: dict[str, tuple[Decimal, str, str]] = {}
    notes: list[str] = []

    def add(code: str, damage: Decimal, article: str, formula: str) -> None:
        if damage:
            losses[code] = (fen(damage), article, formula)

    add("medical_costs", claim.medical_costs, f"{SPC_PI} art. 6",
        f"medical costs {money(claim.medical_costs)}")
    add("lost_income", claim.lost_income, f"{SPC_PI} art. 7", f"lost income {money(claim.lost_income)}")
    add("nursing", claim.nursing, f"{SPC_PI} art. 8", f"nursing {money(claim.nursing)}")
    add("transport", claim.transport, f"{SPC_PI} art. 9", f"transport {money(claim.transport)}")
    age_words = f"age {claim.age}: {years} years"
    pct: int | None = None
    if death:
        pct = 100
        add("death_compensation", claim.urban_income * years, f"{SPC_PI} art. 15",
            f"urban income {money(claim.urban_income)} × {years} years ({age_words})")
        if claim.average_monthly_wage is not None:
            add("funeral_costs", claim.average_monthly_wage * FUNERAL_MONTHS, f"{SPC_PI} art. 14",
                f"average monthly wage {money(claim.average_monthly_wage)} × {FUNERAL_MONTHS} months")
    else:
        if claim.average_monthly_wage is not None:
            raise RuleViolation("third_party.average_monthly_wage", "third_party.funeral_without_death",
                                "average_monthly_wage is for the funeral costs of a death (SPC PI "
                                "art. 14): leave it out, or estimate a death")
        civil = claim.civil_grade if claim.civil_grade is not None else grade
        if civil is not None:
            pct = coefficients.percent[civil]
            add("disability_compensation", claim.urban_income * years * pct / 100, f"{SPC_PI} art. 12",
                f"urban income {money(claim.urban_income)} × {years} years ({age_words}) × {pct} % "
                f"(grade {civil}{'' if coefficients.verified else ', coefficient unverified'})")
            if claim.civil_grade is None:
                notes.append("伤残赔偿按工伤等级估算：民事伤残等级另行鉴定（人体损伤致残程度分级），"
                             "可能不同 / the civil grade was taken from the work-injury grade; the civil "
                             "appraisal may differ")
    if claim.dependants:
        if pct is None:
            raise RuleViolation("third_party.dependants", "third_party.dependants_without_loss",
                                "dependants' living costs follow a death or a disability grade "
                                "(SPC PI art. 17 ¶1: the victim's loss of working capacity): give "
                                "the grade or the death")
        assert claim.urban_consumption is not None  # _check refuses dependants without it
        living, formula = dependants_living_costs(claim.dependants, claim.urban_consumption, pct)
        add("dependants_living_costs", living, f"{SPC_PI} arts. 16-17",
            f"{formula}{'' if coefficients.verified or death else ', coefficient unverified'}")
    add("mental_distress", claim.mental_distress, "民法典 art. 1183", "mental distress (given)")
    add("property_damage", claim.property_damage, "民法典 art. 1184",
        f"property damage {money(claim.property_damage)} (given: the market price when lost)")
    limits = (compulsory or CompulsoryTable.bundled()).on(accident_date) if claim.insured else None
    parts = (insurer_parts({c: d for c, (d, _, _) in losses.items()}, limits, claim.liable)
             if limits is not None else {})
    items = []
    for code, (damage, article, formula) in losses.items():
        paid = parts.get(code, Decimal("0.00"))
        rest_words = f"(− 交强险 {money(paid)}) " if limits is not None else ""
        items.append(CivilItem(code, damage, fen((damage - paid) * share), article,
                               f"{formula} {rest_words}× {_pct(share)}", paid,
                               paid + fen((damage - paid) * share)))
    if death and claim.average_monthly_wage is None:
        notes.append("丧葬费（第十四条）未计算：请填受诉法院所在地上一年度职工月平均工资 / funeral costs "
                     "(art. 14) need the previous year's average monthly wage where the court sits")
    if not claim.dependants:
        notes.append("被扶养人生活费（第十六、十七条）：未填被扶养人，未计算 / dependants' living costs "
                     "(arts. 16-17): no dependant given")
    if not coefficients.verified and not death:
        notes.append(f"伤残赔偿指数未核实 / disability coefficient unverified: {coefficients.source}")
    notes.append(compulsory_note(claim.motor_vehicle, claim.liable, share, limits))
    fund_medical = fen(max(claim.medical_costs - claim.third_party_paid_medical, Decimal(0)))
    if claim.medical_costs:
        notes.append(f"医疗费不重复赔付：第三人已付 {money(claim.third_party_paid_medical)}，"
                     "工伤基金只付余额 "
                     f"{money(fund_medical)}（{SPC_ADMIN_8}：{ADMIN_8_TEXT}）；其他工伤待遇可以同时主张 / "
                     "medical costs the third party paid are not paid again by the fund; every other "
                     "benefit can be claimed from both")
    insurer = sum((i.insurer for i in items), Decimal("0.00"))
    share_sum = sum((i.claim for i in items), Decimal("0.00"))
    return ThirdPartyEstimate(
        liability_share=share, items=tuple(items), damages=sum((i.damage for i in items), Decimal("0.00")),
        claim=share_sum, fund_medical=fund_medical,
        coefficient_verified=coefficients.verified, coefficient_source=coefficients.source,
        notes=tuple(notes), insurer=insurer, total=insurer + share_sum,
        compulsory_source=f"{limits.document}; {limits.source}" if limits is not None else "",
        compulsory_verified=limits.verified if limits is not None else None)


def worker_mainly_liable(claim: ThirdPartyClaim) -> bool:
    """The worker bears more than half: a commuting accident is then no work injury (Reg. art. 14(6))."""
    return 1 - claim.liability_share > Decimal("0.5")


def _check(claim: ThirdPartyClaim) -> None:
    if not Decimal(0) <= claim.liability_share <= 1:
        raise RuleViolation("third_party.liability_share", "third_party.share",
                            f"liability_share {claim.liability_share}: a share from 0 to 1 (0.5 = 同等责任)")
    if claim.civil_grade is not None and claim.civil_grade not in range(1, 11):
        raise RuleViolation("third_party.civil_grade", "grade.out_of_range",
                            f"civil_grade {claim.civil_grade}: grades run from 1 to 10")
    for name in ("urban_income", "medical_costs", "third_party_paid_medical", "lost_income", "nursing",
                 "transport", "mental_distress", "property_damage", "average_monthly_wage",
                 "urban_consumption"):
        value: Decimal | None = getattr(claim, name)
        if value is not None and (not value.is_finite() or value < 0):
            raise RuleViolation(f"third_party.{name}", "money.negative", f"{name} {value}: an amount >= 0")
    _check_dependants(claim)
    if claim.compulsory_insurance and not claim.motor_vehicle:
        raise RuleViolation("third_party.compulsory_insurance", "third_party.not_a_motor_vehicle",
                            "compulsory_insurance true but motor_vehicle false: 交强险 insures motor "
                            f"vehicles only ({RTSL_76})")
    if claim.other_party_liable is not None and claim.other_party_liable != (claim.liability_share > 0):
        raise RuleViolation("third_party.other_party_liable", "third_party.liable_conflict",
                            f"other_party_liable {str(claim.other_party_liable).lower()} but "
                            f"liability_share {claim.liability_share}: liable means a share above 0")
    if claim.third_party_paid_medical > claim.medical_costs:
        raise RuleViolation("third_party.third_party_paid_medical", "third_party.paid_more",
                            "third_party_paid_medical is more than medical_costs")


def _check_dependants(claim: ThirdPartyClaim) -> None:
    if len(claim.dependants) > MAX_CIVIL_DEPENDANTS:
        raise RuleViolation("third_party.dependants", "third_party.too_many_dependants",
                            f"{len(claim.dependants)} dependants: at most {MAX_CIVIL_DEPENDANTS}")
    for i, dependant in enumerate(claim.dependants):
        if not 0 <= dependant.age <= 130:
            raise RuleViolation(f"third_party.dependants[{i}].age", "third_party.dependant_age",
                                f"dependant {i + 1}: age {dependant.age} must be 0 to 130")
        if not 1 <= dependant.supporters <= 20:
            raise RuleViolation(f"third_party.dependants[{i}].supporters",
                                "third_party.dependant_supporters",
                                f"dependant {i + 1}: supporters {dependant.supporters} must be 1 to 20 "
                                "(everyone who owes them support, the victim included: art. 17 ¶3)")
    if claim.dependants and claim.urban_consumption is None:
        raise RuleViolation("third_party.urban_consumption", "third_party.consumption_needed",
                            "urban_consumption is needed with dependants: their living costs are "
                            "the previous year's urban consumption per head (SPC PI art. 17)")


def _pct(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"
