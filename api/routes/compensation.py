"""Compensation: the statutory work-injury estimate, item by item, without a case or from a case's data."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)

from api.deps import CurrentPrincipal, TemporalDep
from api.errors import ApiError
from api.privacy import logged
from api.responses.tools import CaseEstimateOut, EstimateOut
from api.routes.expenses import case_view
from api.schemas import Body
from domain.compensation.data import CompensationTables
from domain.compensation.estimate import estimate
from domain.compensation.late_period import FundCost, LatePeriod, fund_costs_of
from domain.compensation.money import fen
from domain.compensation.payloads import (
    Dependant,
    Estimate,
    EstimateRequest,
)
from domain.compensation.third_party import MAX_CIVIL_DEPENDANTS, CivilDependant, ThirdPartyClaim
from domain.injury.late_costs import late_rule, rule_region
from domain.injury.state import Appraisal
from domain.injury.views import CaseView
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import RuleViolation
from domain.shared.input_rules import check_date_in_window
from domain.shared.people import Actor
from render import expense_claim
from store import expenses as expense_rows

router = APIRouter(prefix="/api/v1/compensation", tags=["compensation"])
case_router = APIRouter(prefix="/api/v1/cases", tags=["compensation"])

Wage = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
_ESTIMATE = TypeAdapter(Estimate)


_QUERY_NAMES = {"liability_share": "third_party_share", "age": "victim_age", "nursing": "nursing_costs",
                "transport": "transport_costs", "motor_vehicle": "other_party_motor_vehicle",
                "average_monthly_wage": "civil_average_monthly_wage", "dependants": "civil_dependant"}


def civil_dependants(given: Sequence[str]) -> tuple[CivilDependant, ...]:
    """`AGE` or `AGE/SUPPORTERS` per dependant (最高法人身损害赔偿解释 art. 17); the domain checks
    the ranges."""
    out = []
    for position, text in enumerate(given, start=1):
        age, _, supporters = text.strip().partition("/")
        if not age.strip().isdigit() or (supporters and not supporters.strip().isdigit()):
            raise ApiError(422, "civil_dependant.invalid",
                           f"civil_dependant {position} {text!r}: an age in whole years, or age/"
                           "supporters (8/2: an 8-year-old whom two people support)", "civil_dependant")
        out.append(CivilDependant(int(age), int(supporters) if supporters else 1))
    return tuple(out)


class _Body(Body):
    pass


Relation = Literal["spouse", "child", "parent", "grandparent", "grandchild", "sibling"]


class DependantIn(_Body):
    relation: Relation
    orphan_or_lone_elder: StrictBool = False


Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4)]


class CivilDependantIn(_Body):
    """被扶养人 (最高法人身损害赔偿解释 art. 17 ¶2): a minor, or an adult close relative who cannot
    work and has no other income."""

    age: StrictInt = Field(ge=0, le=130)
    supporters: StrictInt = Field(default=1, ge=1, le=20, description="everyone who owes them "
                                  "support, the victim included (art. 17 ¶3)")


class ThirdPartyIn(_Body):
    """The civil claim against a liable third party (最高法人身损害赔偿解释 2022)."""

    liability_share: Share
    age: StrictInt = Field(ge=0, le=130)
    urban_income: Wage
    civil_grade: StrictInt | None = Field(default=None, ge=1, le=10)
    medical_costs: Wage = Decimal(0)
    third_party_paid_medical: Wage = Decimal(0)
    lost_income: Wage = Decimal(0)
    nursing: Wage = Decimal(0)
    transport: Wage = Decimal(0)
    mental_distress: Wage = Decimal(0)
    property_damage: Wage = Field(default=Decimal(0), description="the worker's things the "
                                  "accident damaged (民法典 art. 1184; 交强险 property limit first)")
    motor_vehicle: StrictBool = Field(default=True, description="the other party is a 机动车: its "
                                      "compulsory insurer (交强险) pays first (道路交通安全法 art. 76 ¶1)")
    compulsory_insurance: StrictBool | None = Field(
        default=None, description="the other vehicle had 交强险; default: yes for a motor vehicle, "
        "none for a non-motor party")
    other_party_liable: StrictBool | None = Field(
        default=None, description="交强险 有责/无责; default: liable when liability_share > 0")
    average_monthly_wage: Wage | None = Field(
        default=None, description="a death's funeral costs: the previous year's average monthly "
        "wage where the court sits (art. 14: × 6)")
    urban_consumption: Wage | None = Field(
        default=None, description="the previous year's urban consumption per head, a year: the "
        "dependants' living costs (art. 17)")
    dependants: list[CivilDependantIn] = Field(default_factory=list, max_length=MAX_CIVIL_DEPENDANTS)

    def to_domain(self) -> ThirdPartyClaim:
        fields = self.model_dump(exclude={"dependants"})
        return ThirdPartyClaim(**fields, dependants=tuple(
            CivilDependant(d.age, d.supporters) for d in self.dependants))


class LateCostIn(_Body):
    """A cost the injury fund would pay (its share of a medical bill), on its day."""

    on: date
    amount: Wage
    reference: str = Field(default="", max_length=200, description="the invoice and hospital")


class LateApplicationIn(_Body):
    """The employer applied for the determination late (Reg. art. 17 ¶4): the costs from the
    accident to the day the region's rule names are the employer's."""

    ended_on: date | None = Field(
        default=None, description="the day that ends the period under the region's rule: the "
        "authority's acceptance (national reading), the filing (Zhejiang: its costs up to the day "
        "before), the receipt (Sichuan); null: not yet, so the period runs to today (provisional)")
    costs: list[LateCostIn] = Field(default_factory=list, max_length=500)


class EstimateIn(_Body):
    """A disability grade or a death, the wages, the region; optional figures the data may lack."""

    region: str = Field(min_length=1, max_length=40)
    injury_date: date
    grade: StrictInt | None = Field(default=None, ge=1, le=10)
    died_after_suspension: StrictBool | None = Field(
        default=None, description="a death: false = during the paid suspension period (Reg. art. 39 "
        "¶2), true = after it, for a grade 1-4 worker (¶3: no one-time death subsidy); give the grade")
    death: StrictBool = Field(default=False, validate_default=True)
    died_on: date | None = Field(default=None, description="a death's day: within a late "
                                 "application's period its items are the employer's (Reg. art. 17 ¶4)")
    monthly_wage: Wage | None = None
    wages_12_months: list[Wage] | None = Field(default=None, min_length=1, max_length=12,
                                               validate_default=True)
    regional_average_monthly_wage: Wage | None = None
    provincial_average_monthly_wage: Wage | None = None
    minimum_monthly_wage: Wage | None = None
    si_enrolled: StrictBool
    contract_ends: date | None = None
    dependants: list[DependantIn] = Field(default_factory=list, max_length=20)
    nursing_level: Literal["complete", "mostly", "partly"] | None = None
    suspension_months: StrictInt | None = Field(default=None, ge=0, le=24)
    third_party_liable: StrictBool = False
    average_wage_before_employment_ends: Wage | None = Field(
        default=None, description="the average monthly contribution wage of the 12 months before "
        "employment ends (Guangdong art. 35: the termination subsidies' base when above W)")
    retirement_date: date | None = Field(
        default=None, description="the worker's statutory retirement date (Zhejiang art. 27 ¶2: "
        "the employment subsidy falls near retirement)")
    third_party: ThirdPartyIn | None = None
    offer: Wage | None = None
    service_months: StrictInt | None = Field(default=None, ge=0, le=1200)
    late_application: LateApplicationIn | None = None

    @field_validator("death")
    @classmethod
    def _grade_or_death(cls, death: bool, info: ValidationInfo) -> bool:
        if "grade" not in info.data:
            return death
        after = info.data.get("died_after_suspension") is True
        if not death and info.data["grade"] is None:
            raise ValueError("give either grade (1-10) or death: true, not neither")
        if death and info.data["grade"] is not None and not after:
            raise ValueError("give either grade (1-10) or death: true, not both (a grade with a death "
                             "only with died_after_suspension: true, Reg. art. 39 ¶3)")
        return death

    @field_validator("wages_12_months")
    @classmethod
    def _one_wage_form(cls, wages: list[Decimal] | None, info: ValidationInfo) -> list[Decimal] | None:
        if "monthly_wage" in info.data and (wages is None) == (info.data["monthly_wage"] is None):
            raise ValueError("give either monthly_wage (the 12-month average) or wages_12_months, "
                             "not both and not neither")
        return wages

    def to_domain(self, provinces: Mapping[str, str]) -> EstimateRequest:
        return EstimateRequest(
            region=self.region, injury_date=self.injury_date, si_enrolled=self.si_enrolled,
            grade=self.grade, death=self.death, monthly_wage=self.monthly_wage,
            wages_12_months=tuple(self.wages_12_months) if self.wages_12_months is not None else None,
            regional_average_monthly_wage=self.regional_average_monthly_wage,
            provincial_average_monthly_wage=self.provincial_average_monthly_wage,
            minimum_monthly_wage=self.minimum_monthly_wage, contract_ends=self.contract_ends,
            dependants=tuple(Dependant(d.relation, d.orphan_or_lone_elder) for d in self.dependants),
            nursing_level=self.nursing_level, suspension_months=self.suspension_months,
            third_party_liable=self.third_party_liable or self.third_party is not None,
            died_after_suspension=self.died_after_suspension,
            died_on=_not_future(self.died_on, "died_on"),
            average_wage_before_employment_ends=self.average_wage_before_employment_ends,
            retirement_date=self.retirement_date,
            third_party=self.third_party.to_domain() if self.third_party else None,
            offer=self.offer, service_months=self.service_months,
            late_period=self._late_period(provinces), fund_costs=tuple(
                FundCost(c.reference or f"第 {i} 笔 / cost {i}", c.on, fen(c.amount), "given")
                for i, c in enumerate(self.late_application.costs if self.late_application else (),
                                      start=1)),
        )

    def _late_period(self, provinces: Mapping[str, str]) -> LatePeriod | None:
        """The period from the accident to the day the region's rule names (up to today,
        Beijing, while that day is not known); a cost outside accident..today is refused."""
        late = self.late_application
        if late is None:
            return None
        today = datetime.now(UTC).astimezone(SHANGHAI).date()
        if late.ended_on is not None and not self.injury_date <= late.ended_on <= today:
            raise ApiError(422, "late_application.ended_on", f"ended_on {late.ended_on} must be "
                           f"between the injury date {self.injury_date} and today {today}",
                           "late_application.ended_on")
        for i, cost in enumerate(late.costs):
            if not self.injury_date <= cost.on <= today:
                raise ApiError(422, "late_application.cost_date", f"cost {i + 1} on {cost.on} must "
                               f"be between the injury date {self.injury_date} and today {today}",
                               f"late_application.costs[{i}].on")
        return LatePeriod(self.injury_date, late.ended_on,
                          late_rule(rule_region(self.region, provinces)), today)


@router.post("/estimate", response_model=EstimateOut)
def estimate_compensation(body: EstimateIn, actor: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """Statutory compensation item by item (payer, article, formula), totals by payer, sources."""
    del actor  # any authenticated role may estimate
    tables = compensation_tables(request)
    return estimate_json(estimate(body.to_domain(tables.provinces), tables))


@case_router.get("/{id}/compensation", response_model=CaseEstimateOut)
async def case_compensation(
        id: str, actor: Annotated[Actor, logged("read")], client: TemporalDep, request: Request,
        monthly_wage: Wage | None = None,
        wages_12_months: Annotated[list[Wage] | None, Query(max_length=12)] = None,
        regional_average_monthly_wage: Wage | None = None,
        provincial_average_monthly_wage: Wage | None = None, minimum_monthly_wage: Wage | None = None,
        grade: Annotated[int | None, Query(ge=1, le=10)] = None, contract_ends: date | None = None,
        nursing_level: Literal["complete", "mostly", "partly"] | None = None,
        suspension_months: Annotated[int | None, Query(ge=0, le=24)] = None,
        third_party_liable: bool = False, average_wage_before_employment_ends: Wage | None = None,
        retirement_date: date | None = None, third_party_share: Share | None = None,
        victim_age: Annotated[int | None, Query(ge=0, le=130)] = None,
        urban_income: Wage | None = None, medical_costs: Wage = Decimal(0),
        third_party_paid_medical: Wage = Decimal(0), lost_income: Wage = Decimal(0),
        nursing_costs: Wage = Decimal(0), transport_costs: Wage = Decimal(0),
        mental_distress: Wage = Decimal(0), property_damage: Wage = Decimal(0),
        other_party_motor_vehicle: bool = True,
        compulsory_insurance: bool | None = None, other_party_liable: bool | None = None,
        civil_average_monthly_wage: Wage | None = None, urban_consumption: Wage | None = None,
        civil_dependant: Annotated[list[str] | None, Query(max_length=MAX_CIVIL_DEPENDANTS)] = None,
        offer: Wage | None = None,
        service_months: Annotated[int | None, Query(ge=0, le=1200)] = None,
        death: bool = False, died_after_suspension: bool | None = None,
        died_on: date | None = None,
        dependant: Annotated[list[Relation] | None, Query(max_length=20)] = None,
        orphan_or_lone_elder: Annotated[list[int] | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    """The estimate from the case: region, injury date (Beijing), appraised grade, SI enrolment;
    with a third party's share, its civil claim (交强险 first, then the share of the rest); with an
    offer, where it falls in the range. A death: `death=true`, `died_after_suspension` (Reg. art.
    39 ¶2/¶3), `died_on` (after a late application: within its period the death's items are the
    employer's), one `dependant` per relative the deceased supported and in `orphan_or_lone_elder`
    the positions (1 = the first dependant) of those who are orphans or lone elders (+10 %). The
    civil claim's funeral costs take `civil_average_monthly_wage` (art. 14) and its dependants'
    living costs `urban_consumption` and one `civil_dependant` each, `AGE` or `AGE/SUPPORTERS`
    (art. 17)."""
    if contract_ends is not None:
        check_date_in_window(contract_ends, "contract_ends")
    dependants = _dependants(dependant or [], orphan_or_lone_elder or [])
    view = await case_view(client, request.app.state.settings.db_url, id)
    appraisal = _concluded(view)
    appraised = appraisal.grade if appraisal else None
    if grade is None and appraised is None and not death:
        raise ApiError(409, "compensation.no_grade", f"{id} has no disability grade: "
                       f"{_why(view, appraisal)}; pass grade=1..10 to estimate anyway", "grade",
                       {"stage": view.stage.value})
    # a death carries a grade only when it came after the suspension period (Reg. art. 39 ¶3)
    used = grade if grade is not None else (
        appraised if not death or died_after_suspension else None)
    injury_date = view.accident_at.astimezone(SHANGHAI).date()
    months = suspension_months if suspension_months is not None else (
        view.suspension.months + view.suspension.extended_months if view.suspension else None)
    claim = None
    if third_party_share is not None:
        for name, value in (("victim_age", victim_age), ("urban_income", urban_income)):
            if value is None:
                raise ApiError(422, "compensation.third_party_incomplete",
                               f"{name} is needed with third_party_share (the civil claim: "
                               "最高法人身损害赔偿解释 arts. 12, 15)", name)
        assert victim_age is not None and urban_income is not None
        claim = ThirdPartyClaim(
            liability_share=third_party_share, age=victim_age, urban_income=urban_income,
            medical_costs=medical_costs, third_party_paid_medical=third_party_paid_medical,
            lost_income=lost_income, nursing=nursing_costs, transport=transport_costs,
            mental_distress=mental_distress, property_damage=property_damage,
            motor_vehicle=other_party_motor_vehicle,
            compulsory_insurance=compulsory_insurance, other_party_liable=other_party_liable,
            average_monthly_wage=civil_average_monthly_wage, urban_consumption=urban_consumption,
            dependants=civil_dependants(civil_dependant or []))
    late, costs = await _late_period(view, request.app.state.settings.db_url)
    try:
        result = estimate(EstimateRequest(
            region=view.region, injury_date=injury_date, si_enrolled=view.si_enrolled, grade=used,
            monthly_wage=monthly_wage,
            wages_12_months=tuple(wages_12_months) if wages_12_months else None,
            regional_average_monthly_wage=regional_average_monthly_wage,
            provincial_average_monthly_wage=provincial_average_monthly_wage,
            minimum_monthly_wage=minimum_monthly_wage, contract_ends=contract_ends,
            nursing_level=nursing_level, suspension_months=months,
            third_party_liable=third_party_liable or claim is not None, third_party=claim,
            offer=offer, service_months=service_months, death=death,
            died_after_suspension=died_after_suspension,
            died_on=_not_future(died_on, "died_on"), dependants=dependants,
            average_wage_before_employment_ends=average_wage_before_employment_ends,
            retirement_date=retirement_date, late_period=late, fund_costs=costs,
        ), compensation_tables(request))
    except RuleViolation as broken:   # name the query parameter, not the domain's path
        name = broken.field.removeprefix("third_party.")
        if name == broken.field:
            raise
        name = "dependants" if name.startswith("dependants") else name
        raise ApiError(422, broken.code, broken.message, _QUERY_NAMES.get(name, name)) from None
    answer = estimate_json(result)
    if grade is not None and appraisal is not None and appraisal.grade not in (None, grade):
        answer["warnings"].append(f"grade {grade} given overrides the appraised grade {appraisal.grade}")
    if view.late_application is not None:  # Reg. art. 17 ¶4: the late period is the employer's
        period = view.late_application
        answer["warnings"].append(
            "late determination application: the qualifying costs (medical and other work-injury "
            f"costs) from {period['employer_bears_costs_from']} to "
            f"{period['employer_bears_costs_until'] or 'the acceptance of the application'} are the "
            f"employer's, not the fund's ({period.get('rule_article') or period['article']})")
    answer["case"] = {
        "id": view.id, "region": view.region, "injury_date": injury_date.isoformat(),
        "si_enrolled": view.si_enrolled, "grade": used,
        "grade_source": "override" if grade is not None else "appraisal" if used else None,
        "death": death, "died_after_suspension": died_after_suspension,
        "died_on": died_on.isoformat() if died_on else None,
        "appraisal": {"round": appraisal.round, "grade": appraisal.grade,
                      "concluded_on": appraisal.concluded_on.isoformat() if appraisal.concluded_on else None,
                      "reference": appraisal.reference} if appraisal else None,
        "suspension_months": months,
        "suspension_months_source": "given" if suspension_months is not None
        else "case" if months is not None else None,
    }
    return answer


async def _late_period(view: CaseView, db_url: str) -> tuple[LatePeriod | None, tuple[FundCost, ...]]:
    """A late application's period (an end not yet known: up to today, Beijing) and the ledger's
    bills as the fund's costs by day, reconciled as the expense ledger does (Reg. art. 17 ¶4)."""
    period = view.late_application
    if period is None:
        return None, ()
    until = period["employer_bears_costs_until"]
    late = LatePeriod(date.fromisoformat(period["employer_bears_costs_from"]),
                      date.fromisoformat(until) if until else None,
                      late_rule(period.get("rule_region") or view.region),
                      datetime.now(UTC).astimezone(SHANGHAI).date())
    rows = await asyncio.to_thread(expense_rows.rows_of, db_url, view.id)
    ledger = expense_claim.build(view, rows)
    return late, fund_costs_of([expense_claim.to_bill(r) for r in rows], ledger.result, late.last_day)


def _not_future(day: date | None, field: str) -> date | None:
    """A day that has happened (Beijing's today), else a RuleViolation naming the field."""
    if day is not None:
        check_date_in_window(day, field)
        if day > datetime.now(UTC).astimezone(SHANGHAI).date():
            raise RuleViolation(field, f"{field}.future", f"{field} {day} is in the future")
    return day


def _dependants(relations: Sequence[str], marked: Sequence[int]) -> tuple[Dependant, ...]:
    """The dependants in order, those at the `marked` positions (1-based) orphans or lone elders."""
    for position in marked:
        if not 1 <= position <= len(relations):
            raise ApiError(422, "compensation.orphan_position",
                           f"orphan_or_lone_elder {position}: a position among the {len(relations)} "
                           "dependants given (1 = the first)", "orphan_or_lone_elder")
    return tuple(Dependant(r, i + 1 in marked) for i, r in enumerate(relations))


def _concluded(view: CaseView) -> Appraisal | None:
    """The latest concluded appraisal (a re-appraisal supersedes the first)."""
    return next((a for a in reversed(view.appraisals) if a.concluded_on is not None), None)


def _why(view: CaseView, appraisal: Appraisal | None) -> str:
    if appraisal is not None and appraisal.no_disability:
        return f"the appraisal concluded on {appraisal.concluded_on} found no disability grade"
    if view.appraisals:
        return f"the appraisal applied for on {view.appraisals[-1].applied_on} has not concluded"
    return f"no appraisal has been applied for (stage {view.stage.value})"


def estimate_json(result: Estimate) -> dict[str, Any]:
    """The estimate as JSON: money as strings in yuan, totals grouped, the negotiation answers
    apart; grades 5-6: the two options, each with its totals; a death: each dependant's pension."""
    data: dict[str, Any] = _ESTIMATE.dump_python(result, mode="json")
    return {
        "rule_set": {"name": data["rule_set"], "title": data["rule_set_title"]},
        "wage_basis": data["wage_basis"],
        "items": data["items"],
        "totals": {"once": data["once"], "monthly": data["monthly"]},
        "warnings": data["warnings"],
        "notes": data["notes"],
        "policy_rows": data["policy_rows"],
        "suggested_negotiation_range": data["suggested_negotiation_range"],
        "options": data["options"],
        "dependant_pensions": data["dependant_pensions"],
        "late_period": data["late_period"],
    }


def compensation_tables(request: Request) -> CompensationTables:
    """Bundled rows plus the deployment's policy file (same file as the SI policy), built once."""
    tables: CompensationTables | None = getattr(request.app.state, "compensation_tables", None)
    if tables is None:
        tables = CompensationTables.bundled()
        policy_file = request.app.state.settings.policy_file
        if policy_file:
            tables = tables.with_overrides(policy_file)
        request.app.state.compensation_tables = tables
    return tables
