"""Onboardings and injury cases: the workflow's view, the answer to an HR action, the list."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from api.responses import IsoMoment
from domain.injury.state import (
    Appraisal,
    CourierNotice,
    Determination,
    DisputeRecord,
    NoticeRef,
    Settlement,
    Stage,
    Suspension,
    Task,
)
from domain.onboarding.payloads import BaseLimitsRef
from domain.onboarding.state import EnrollmentRequest, FiguresRecomputed, Status


class EventOut(BaseModel):
    """One event of the log: its number, moment, kind and actor, then its data's own fields."""

    model_config = ConfigDict(extra="allow")

    seq: int
    at: datetime
    kind: str
    actor: str


class _Deadline(BaseModel):
    name: str
    due_at: datetime
    raw_due_at: datetime
    status: str
    article: str
    calendar_verified: bool
    due_at_shanghai: datetime = Field(description="due_at in Beijing time")
    raw_due_at_shanghai: datetime = Field(description="raw_due_at in Beijing time")


# ---- onboardings -------------------------------------------------------------------------------


class OnboardingDeadlineOut(_Deadline):
    """A statutory window of the onboarding: raw (the counted day) and adjusted (art. 203)."""


class _OnboardingState(BaseModel):
    id: str
    status: Status
    employee_id: str
    employee_name: str
    department: str
    region: str
    hire_date: date
    contract_start: date | None
    contribution_base: Decimal
    base_limits: BaseLimitsRef
    deadlines: list[OnboardingDeadlineOut]
    enrollment_requests: list[EnrollmentRequest]
    enrolled_at: datetime | None
    overdue: bool
    cancel_reason: str | None
    now: datetime
    owner: str | None = None
    # Base limits taken again from an admin's load (POST /api/v1/admin/policy), each with `note`.
    figures_recomputed: list[FiguresRecomputed] = []


class OnboardingOut(_OnboardingState):
    """An onboarding as its workflow sees it, with its whole event log."""

    events: list[EventOut]


class OnboardingAnswerOut(_OnboardingState):
    """The onboarding after an HR action: the events this action recorded, and how many the log
    holds (GET shows them all)."""

    recorded_events: list[EventOut]
    event_count: int


class OnboardingRowOut(BaseModel):
    """An onboarding in the list (the projection the workflow writes)."""

    id: str
    employee_id: str
    employee_name: str
    department: str
    region: str
    hire_date: date
    status: str
    si_due_at: datetime
    created_by: str
    owner: str | None = None  # assigned to (POST …/assign); None: created_by
    created_at: datetime
    updated_at: datetime
    last_seq: int


class OnboardingPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[OnboardingRowOut]


# ---- injury cases ------------------------------------------------------------------------------


class CaseDeadlineOut(_Deadline):
    """A clock of the case: a duty, a right or a product target, with what missing it costs."""

    kind: str
    met_at: datetime | None
    extended: bool
    consequence: str


class MaterialOut(BaseModel):
    """One of the materials the determination application needs, and whether it is on file."""

    code: str
    label_zh: str
    label_en: str
    required: bool
    provided: bool
    condition: str
    source: str


class LateApplicationOut(BaseModel):
    """Once the employer's 30-day window is missed: who bears which costs (art. 17 ¶4)."""

    employer_bears_costs_from: date
    employer_bears_costs_until: date | None
    ongoing: bool
    article: str
    note: str
    employee_application_due_at: IsoMoment
    ends_on: str = "accepted"  # the day that ends the period here: accepted, received or filed
    rule_article: str = ""     # the national reading or the regional rule (late_costs.py)
    rule_source: str = ""
    rule_region: str = ""      # whose rule: the case's region, or its province's (a city)
    calendar_verified: bool = True  # the windows counted with an official holiday schedule


class SiOverrideOut(BaseModel):
    si_enrolled: bool
    reason: str
    documents: list[str]
    by: str
    on: date


class SiStandingOut(BaseModel):
    """The SI standing on the accident date, from the employee record, and HR's override."""

    insured: bool
    code: str | None = None  # insured, within_window, window_missed, interrupted, stopped, no_record
    label: str | None = None
    source: str | None = None
    on: date | None = None
    status: str | None = None
    since: date | None = None
    onboarding_id: str | None = None
    window_due_on: date | None = None
    declared: bool | None = None
    overridden: SiOverrideOut | None = None


class SiItemOut(BaseModel):
    code: str
    label_zh: str
    label_en: str


class SiPathOut(BaseModel):
    article: str
    text: str


class SiConsequencesOut(BaseModel):
    """Not covered on the accident date: the employer pays every item (Regs. art. 62 ¶2), the
    fund's advance (SIL art. 41), the back payment (SIL art. 86), what to do."""

    standing: str
    standing_label: str
    source: str
    onboarding_id: str | None
    employer_pays: list[SiItemOut]
    article: str
    summary: str
    advance_payment: SiPathOut
    back_payment: SiPathOut
    what_to_do: list[str]


class _CaseState(BaseModel):
    id: str
    stage: Stage
    employee_id: str
    employee_name: str
    department: str
    region: str
    accident_at: datetime
    reported_at: datetime
    location: str
    injury: str
    si_enrolled: bool
    deadlines: list[CaseDeadlineOut]
    tasks: list[Task]
    allowed_actions: list[str]
    materials: list[MaterialOut]
    missing_materials: list[str]
    determination: Determination | None
    suspension: Suspension | None
    appraisals: list[Appraisal]
    settlement: Settlement | None
    couriers: list[CourierNotice]
    disputes: list[DisputeRecord]
    notices: list[NoticeRef]
    late_application: LateApplicationOut | None
    overdue: bool
    closed_reason: str
    now: datetime
    owner: str | None = None
    si_standing: SiStandingOut | None = None
    si_consequences: SiConsequencesOut | None = None


class CaseOut(_CaseState):
    """A case as its workflow sees it, with its whole event log."""

    events: list[EventOut]


class CaseAnswerOut(_CaseState):
    """The case after an HR action: the events this action recorded, and how many the log holds."""

    recorded_events: list[EventOut]
    event_count: int


class OpenDeadlineOut(BaseModel):
    name: str
    due_at: IsoMoment
    kind: str
    article: str
    overdue: bool


class CaseRowOut(BaseModel):
    """A case in the list (the projection), with its open deadlines."""

    id: str
    employee_id: str
    employee_name: str
    department: str
    region: str
    accident_at: datetime
    stage: str
    created_by: str
    owner: str | None = None  # assigned to (POST …/assign); None: created_by
    created_at: datetime
    updated_at: datetime
    last_seq: int
    next_due_at: datetime | None = None  # the soonest open deadline (the board's order)
    open_deadlines: list[OpenDeadlineOut]
    overdue: bool


class CasePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CaseRowOut]
