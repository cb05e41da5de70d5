"""Injury-case (工伤) payloads: the case input, HR actions and what the activities exchange.

Everything here travels through the pydantic data converter. Fields are only ever added, with defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.injury.state import CaseCarryOver
from domain.shared import statutes
from domain.shared.calendar import HolidayCalendar
from domain.shared.people import Actor, Contact, Employee


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
    """Product rules of a case (each documented in domain/shared/statutes.py); `time_scale` is dev only."""

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


# ---- gateway payloads (activities/gateways/injury.py) ---------------------------------------


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
