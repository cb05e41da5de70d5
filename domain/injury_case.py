"""Work-injury case (工伤) payloads: what the workflow, its activities and the API exchange.

Everything here is a frozen dataclass carried by the pydantic data converter, except `CaseState`,
the one mutable record the workflow keeps. Fields are only ever added, with defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from domain import statutes
from domain.calendar import LEGACY_CALENDAR, HolidayCalendar
from domain.onboarding import Actor, Contact, Employee, Event


class Stage(StrEnum):
    reported = "reported"
    materials_filed = "materials_filed"
    determination_applied = "determination_applied"
    determination_decided = "determination_decided"
    suspension = "suspension"          # 停工留薪期
    returned = "returned"
    appraisal = "appraisal"            # 劳动能力鉴定
    settlement = "settlement"
    paid = "paid"
    closed = "closed"
    withdrawn = "withdrawn"


TERMINAL = frozenset({Stage.closed, Stage.withdrawn})

DeadlineKind = Literal["duty", "authority", "right", "target"]
CourierStatus = Literal["posted", "in_transit", "signed", "returned"]
DisputeEvent = Literal["arose", "mediation", "arbitration_filed", "award", "lawsuit", "judgment",
                       "administrative_review", "resolved"]


@dataclass(frozen=True)
class Witness:
    name: str
    phone: str | None = None
    statement: str = ""


@dataclass(frozen=True)
class MaterialItem:
    """One item of the determination-application checklist (Regs. art. 18; regional lists)."""

    code: str
    label_zh: str
    label_en: str
    required: bool = True
    condition: str = ""  # why it is on this case's list (e.g. "traffic_accident"); "" = always
    source: str = ""


@dataclass(frozen=True)
class CaseTiming:
    """Product rules of a case (each documented in domain/statutes.py); `time_scale` is dev only."""

    materials_sla: timedelta
    determination_reminder_days: tuple[int, ...]
    return_notice_lead: timedelta
    notice_response: timedelta
    settlement_target_days: int
    reminder_lead: timedelta
    chase_interval: timedelta
    time_scale: float = 1.0
    # When the case continues as new (statutes.CASE_HISTORY_*); a test may lower them.
    history_events_max: int = statutes.CASE_HISTORY_EVENTS_MAX
    history_bytes_max: int = statutes.CASE_HISTORY_BYTES_MAX


@dataclass(frozen=True)
class CaseInput:
    case_id: str
    employee: Employee
    region: str
    accident_at: datetime
    location: str
    description: str
    injury: str
    witnesses: tuple[Witness, ...]
    si_enrolled: bool
    reported_at: datetime
    created_by: str
    materials: tuple[MaterialItem, ...]
    materials_source: str
    timing: CaseTiming
    traffic_accident: bool = False
    hr_manager: Contact | None = None
    company: str = ""
    notify_emergency_contact: bool = False  # employer policy: tell the contact when unreachable
    hr_phone: str = ""
    # The holidays the case counts with, pinned when it started (replay, a package upgrade or an
    # edited data file never change it); None: started before pinning (domain.calendar.LEGACY).
    calendar: HolidayCalendar | None = None
    # Set only by the case itself when it continues as new: where its last run stopped.
    carried: CaseCarryOver | None = None


@dataclass(frozen=True)
class CaseAction:
    """One HR action (an Update). Which fields matter depends on `action`; see injury_rules."""

    action: str
    actor: Actor
    note: str = ""
    documents: tuple[str, ...] = ()
    on: date | None = None                # when it happened; default: today (Beijing)
    materials: tuple[str, ...] = ()       # file_materials: checklist codes now provided
    override_reason: str = ""             # apply_determination with items missing
    simple_case: bool = False             # apply_determination: 15-day decision (art. 20)
    recognised: bool | None = None        # record_determination
    reference: str = ""                   # decision or claim number
    deadline: str = ""                    # grant_extension: which deadline
    until: date | None = None             # grant_extension: the new last day
    months: int | None = None             # start/extend_suspension
    grade: int | str | None = None        # record_appraisal: 1-10 or "none"
    amount: Decimal | None = None         # record_offer / record_agreement / record_payment
    party: str = ""                       # record_offer: "employer" or "employee"
    carrier: str = ""                     # record_courier_notice
    tracking_number: str = ""
    purpose: str = "return_to_work"       # record_courier_notice: which notice went on paper
    event: str = ""                       # record_dispute: DisputeEvent
    forum: str = ""                       # record_dispute: arbitration commission, court…
    reason: str = ""                      # withdraw / close / record_dispute


@dataclass(frozen=True)
class AuthorityDecision:
    """The injury-determination authority's decision (a gateway callback, or HR's record)."""

    recognised: bool
    decided_on: date
    reference: str = ""
    reason: str = ""
    source: str = "authority"


@dataclass(frozen=True)
class CourierUpdate:
    """A tracking event of a paper notice; `signed` is proof of delivery."""

    tracking_number: str
    status: CourierStatus
    at: datetime
    signed_by: str = ""
    note: str = ""
    source: str = "courier"


# ---- gateway payloads (activities/injury_gateways.py) ---------------------------------------


@dataclass(frozen=True)
class DeterminationApplication:
    idempotency_key: str
    case_id: str
    region: str
    employee_name: str
    id_number: str
    accident_at: datetime
    injury: str
    simple_case: bool
    materials: tuple[str, ...]
    form_document_id: str | None = None


@dataclass(frozen=True)
class AuthorityReceipt:
    accepted: bool
    reference: str
    accepted_on: date | None
    missing: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class DiagnosisRequest:
    idempotency_key: str
    case_id: str
    id_number: str
    employee_name: str
    accident_at: datetime
    injury: str


@dataclass(frozen=True)
class DiagnosisSummary:
    found: bool
    hospital: str = ""
    diagnosis: str = ""
    treatment: str = ""
    issued_on: date | None = None
    reference: str = ""
    source: str = "simulator"


@dataclass(frozen=True)
class BenefitClaim:
    idempotency_key: str
    case_id: str
    region: str
    id_number: str
    employee_name: str
    si_enrolled: bool
    grade: int | None
    accident_at: datetime


@dataclass(frozen=True)
class BenefitClaimReceipt:
    accepted: bool
    reference: str = ""
    code: str = ""
    reason: str = ""


@dataclass(frozen=True)
class CourierRegistration:
    idempotency_key: str
    case_id: str
    carrier: str
    tracking_number: str
    purpose: str


@dataclass(frozen=True)
class FormRequest:
    """Generate the filled-in 工伤认定申请表 from the case data and store it as a document."""

    idempotency_key: str
    case: CaseInput
    generated_at: datetime
    generated_by: str


@dataclass(frozen=True)
class DocumentRef:
    document_id: str
    sha256: str
    filename: str


# ---- state and view -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseDeadline:
    """A clock of the case; `due_at` is holiday-adjusted, `raw_due_at` is not."""

    name: str
    due_at: datetime
    raw_due_at: datetime
    article: str
    kind: DeadlineKind
    started_at: datetime
    calendar_verified: bool = True
    met_at: datetime | None = None
    extended: bool = False
    active: bool = True           # False once the case no longer needs it (closed, superseded)
    consequence: str = ""         # what happens if it is missed

    def status(self, now: datetime) -> str:
        if self.met_at is not None:
            return "met" if self.met_at <= self.due_at else "missed"
        return "missed" if now > self.due_at else "upcoming"


@dataclass(frozen=True)
class Suspension:
    started_on: date
    months: int
    extended_months: int = 0
    ended_on: date | None = None
    ended_by: str = ""            # "return" or "appraisal"


@dataclass(frozen=True)
class Determination:
    applied_on: date
    reference: str = ""
    accepted_on: date | None = None
    simple_case: bool = False
    override_reason: str = ""
    form_document_id: str | None = None
    recognised: bool | None = None
    decided_on: date | None = None
    decision_reference: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Appraisal:
    applied_on: date
    round: int = 1                # 2 = re-appraisal by the provincial committee (final)
    grade: int | None = None
    no_disability: bool = False
    concluded_on: date | None = None
    reference: str = ""


@dataclass(frozen=True)
class Offer:
    party: str
    amount: Decimal
    on: date
    note: str = ""


@dataclass(frozen=True)
class Settlement:
    opened_on: date
    offers: tuple[Offer, ...] = ()
    agreed_amount: Decimal | None = None
    agreed_on: date | None = None
    paid_amount: Decimal = Decimal("0")
    paid_on: date | None = None


@dataclass(frozen=True)
class CourierNotice:
    carrier: str
    tracking_number: str
    purpose: str
    posted_on: date
    status: CourierStatus = "posted"
    history: tuple[CourierUpdate, ...] = ()


@dataclass(frozen=True)
class DisputeRecord:
    event: str
    on: date
    forum: str = ""
    note: str = ""
    recorded_by: str = ""


@dataclass(frozen=True)
class NoticeRef:
    notice_id: str
    purpose: str
    sent_at: datetime
    result: str = "open"          # open | acknowledged | unacknowledged | sent
    proof: str = ""
    answer_text: str = ""
    answer_choice: str = ""


@dataclass(frozen=True)
class Task:
    code: str
    title: str
    owner_role: str
    owner: str
    since: datetime
    due_at: datetime | None = None
    article: str = ""
    reason: str = ""              # why the task exists (e.g. why the form could not be generated)


@dataclass
class CaseState:
    """The one mutable record of a running case; the workflow owns it, domain rules change it."""

    stage: Stage
    deadlines: dict[str, CaseDeadline] = field(default_factory=dict)
    provided: tuple[str, ...] = ()
    determination: Determination | None = None
    suspension: Suspension | None = None
    appraisals: tuple[Appraisal, ...] = ()
    settlement: Settlement | None = None
    couriers: tuple[CourierNotice, ...] = ()
    disputes: tuple[DisputeRecord, ...] = ()
    notices: tuple[NoticeRef, ...] = ()
    flags: dict[str, datetime] = field(default_factory=dict)  # open HR tasks raised by events
    flag_reasons: dict[str, str] = field(default_factory=dict)  # why a flag was raised, if said
    closed_reason: str = ""
    benefit_claim: str = ""
    calendar: HolidayCalendar = LEGACY_CALENDAR  # the input's, once the workflow starts
    # Patch 2026-11-return-day: the employee is due back by the end of the first working day after
    # the suspension period (not at its last midnight); False replays cases started before it.
    return_day_rule: bool = False
    # Patch 2026-12-weekly-chase: an overdue authority's chase series lists its next chase, so the
    # case sleeps until it; False replays cases started before it (they chased only when woken).
    weekly_chase: bool = False


@dataclass(frozen=True)
class CaseCarryOver:
    """What a case takes into its next run when its history grew long (continue-as-new): the
    state as it is (its rule flags are not derived again), the whole event log (all of it written),
    every alarm key already fired, and the business clock's origin (a dev time scale goes on)."""

    state: CaseState
    events: tuple[Event, ...]
    fired: tuple[str, ...]
    clock_origin: datetime
    form_id: str | None = None
    run: int = 2  # which run of the case this is (the first run is 1)


@dataclass(frozen=True)
class DeadlineView:
    name: str
    due_at: datetime
    raw_due_at: datetime
    status: str
    article: str
    kind: str
    calendar_verified: bool
    met_at: datetime | None
    extended: bool
    consequence: str


@dataclass(frozen=True)
class CaseView:
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
    deadlines: tuple[DeadlineView, ...]
    tasks: tuple[Task, ...]
    allowed_actions: tuple[str, ...]
    materials: tuple[dict[str, Any], ...]
    missing_materials: tuple[str, ...]
    determination: Determination | None
    suspension: Suspension | None
    appraisals: tuple[Appraisal, ...]
    settlement: Settlement | None
    couriers: tuple[CourierNotice, ...]
    disputes: tuple[DisputeRecord, ...]
    notices: tuple[NoticeRef, ...]
    late_application: dict[str, Any] | None
    events: tuple[Event, ...]
    overdue: bool
    closed_reason: str
    now: datetime


@dataclass(frozen=True)
class CaseDeadlineRow:
    name: str
    due_at: datetime
    met_at: datetime | None
    kind: str
    article: str
    active: bool


@dataclass(frozen=True)
class CaseAnswer:
    """What an HR action on a case answers: the case after it, and only the events it recorded
    (the whole log is GET's; see domain.onboarding.ActionAnswer for why)."""

    view: CaseView  # its `events` is empty
    recorded: tuple[Event, ...]
    event_count: int


def case_answer(view: CaseView, recorded: Sequence[Event]) -> CaseAnswer:
    return CaseAnswer(view=replace(view, events=()), recorded=tuple(recorded),
                      event_count=len(view.events))


@dataclass(frozen=True)
class CaseProjection:
    """New events and the list-view rows of one case, written idempotently by (id, seq)."""

    case_id: str
    employee_id: str
    employee_name: str
    department: str
    region: str
    accident_at: datetime
    stage: str
    created_by: str
    deadlines: tuple[CaseDeadlineRow, ...]
    events: tuple[Event, ...]
