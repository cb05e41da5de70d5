"""Compensation: the statutory work-injury estimate, item by item, without a case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationInfo, field_validator

from api.deps import CurrentPrincipal
from domain.compensation import Dependant, Estimate, EstimateRequest, estimate
from domain.compensation_data import CompensationTables

router = APIRouter(prefix="/api/v1/compensation", tags=["compensation"])

Wage = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
_ESTIMATE = TypeAdapter(Estimate)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DependantIn(_Body):
    relation: Literal["spouse", "child", "parent", "grandparent", "grandchild", "sibling"]
    orphan_or_lone_elder: bool = False


class EstimateIn(_Body):
    """A disability grade or a death, the wages, the region; optional figures the data may lack."""

    region: str = Field(min_length=1, max_length=40)
    injury_date: date
    grade: int | None = Field(default=None, ge=1, le=10)
    death: bool = Field(default=False, validate_default=True)
    monthly_wage: Wage | None = None
    wages_12_months: list[Wage] | None = Field(default=None, min_length=1, max_length=12,
                                               validate_default=True)
    regional_average_monthly_wage: Wage | None = None
    provincial_average_monthly_wage: Wage | None = None
    minimum_monthly_wage: Wage | None = None
    si_enrolled: bool
    contract_ends: date | None = None
    dependants: list[DependantIn] = Field(default_factory=list, max_length=20)
    nursing_level: Literal["complete", "mostly", "partly"] | None = None
    suspension_months: int | None = Field(default=None, ge=0, le=24)
    third_party_liable: bool = False

    @field_validator("death")
    @classmethod
    def _grade_or_death(cls, death: bool, info: ValidationInfo) -> bool:
        if "grade" in info.data and death == (info.data["grade"] is not None):
            raise ValueError("give either grade (1-10) or death: true, not both and not neither")
        return death

    @field_validator("wages_12_months")
    @classmethod
    def _one_wage_form(cls, wages: list[Decimal] | None, info: ValidationInfo) -> list[Decimal] | None:
        if "monthly_wage" in info.data and (wages is None) == (info.data["monthly_wage"] is None):
            raise ValueError("give either monthly_wage (the 12-month average) or wages_12_months, "
                             "not both and not neither")
        return wages

    def to_domain(self) -> EstimateRequest:
        return EstimateRequest(
            region=self.region, injury_date=self.injury_date, si_enrolled=self.si_enrolled,
            grade=self.grade, death=self.death, monthly_wage=self.monthly_wage,
            wages_12_months=tuple(self.wages_12_months) if self.wages_12_months is not None else None,
            regional_average_monthly_wage=self.regional_average_monthly_wage,
            provincial_average_monthly_wage=self.provincial_average_monthly_wage,
            minimum_monthly_wage=self.minimum_monthly_wage, contract_ends=self.contract_ends,
            dependants=tuple(Dependant(d.relation, d.orphan_or_lone_elder) for d in self.dependants),
            nursing_level=self.nursing_level, suspension_months=self.suspension_months,
            third_party_liable=self.third_party_liable,
        )


@router.post("/estimate")
def estimate_compensation(body: EstimateIn, actor: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """Statutory compensation item by item (payer, article, formula), totals by payer, sources."""
    del actor  # any authenticated role may estimate
    return estimate_json(estimate(body.to_domain(), _tables(request)))


def estimate_json(result: Estimate) -> dict[str, Any]:
    """The estimate as JSON: money as strings in yuan, totals grouped, the negotiation range apart."""
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
    }


def _tables(request: Request) -> CompensationTables:
    """Bundled rows plus the deployment's policy file (same file as the SI policy), built once."""
    tables: CompensationTables | None = getattr(request.app.state, "compensation_tables", None)
    if tables is None:
        tables = CompensationTables.bundled()
        policy_file = request.app.state.settings.policy_file
        if policy_file:
            tables = tables.with_overrides(policy_file)
        request.app.state.compensation_tables = tables
    return tables
