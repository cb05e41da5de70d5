"""Injury-case (工伤) payloads: the case input, HR actions and what the activities exchange.

Everything here travels through the pydantic data converter. Fields are only ever added, with defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypeAliasType

from domain.employees.si_standing import SiStanding
from domain.injury.state import CaseCarryOver
from domain.shared import statutes
from domain.shared.calendar import HolidayCalendar
from domain.shared.people import Actor, Contact, Employee
from domain.shared.shared_values import share_fields, shared


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
    quiet_hours: bool = False  # its notices keep the quiet hours (CASEGUARD_NOTICE_QUIET_HOURS)
    # The next channel after this long without a delivery or read report (None: the notice's own
    # default, 24 h; CASEGUARD_NOTICE_FALLBACK_HOURS)
    notice_fallback: timedelta | None = None


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
    # Where si_enrolled comes from: the employee record on the accident date (None: a case
    # opened before the record was read, whose si_enrolled HR typed).
    si_standing: SiStanding | None = None
    # An occupational disease (职业病): the application windows run from the diagnosis or
    # appraisal date (`diagnosed_on`), not the accident date (Reg. art. 17 ¶1, ¶2).
    occupational_disease: bool = False
    diagnosed_on: date | None = None
    # The region whose late-application rule applies (Reg. art. 17 ¶4; a city's province where
    # the city has none), pinned at the report; None: reported before, `region` itself.
    late_rule_region: str | None = None

    def __post_init__(self) -> None:
        # The region's checklist is the same in every case of a worker: one copy (shared_values).
        object.__setattr__(self, "materials", tuple(map(shared, self.materials)))
        share_fields(self, "materials_source", "calendar")

    @property
    def late_rule_key(self) -> str:
        return self.late_rule_region or self.region


# ---- HR actions (the `act` Update): one type per action, told apart by `action` ----------------


@dataclass(frozen=True, kw_only=True)
class _HrAction:
    """What every HR action carries. `action` is the wire name each type pins as a Literal."""

    action: str
    actor: Actor
    note: str = ""
    documents: tuple[str, ...] = ()
    on: date | None = None  # when it happened; default: today (Beijing)


@dataclass(frozen=True, kw_only=True)
class FileMaterials(_HrAction):
    action: Literal["file_materials"] = "file_materials"
    materials: tuple[str, ...] = ()  # checklist codes now provided


@dataclass(frozen=True, kw_only=True)
class ApplyDetermination(_HrAction):
    action: Literal["apply_determination"] = "apply_determination"
    override_reason: str = ""  # applying with items missing
    simple_case: bool = False  # 15-day decision (art. 20)


@dataclass(frozen=True, kw_only=True)
class RecordDetermination(_HrAction):
    """`on` is the decision's date; `received_on` the day the party received it (送达), from which
    the 60-day administrative review window runs (default: the decision date, with a note)."""

    action: Literal["record_determination"] = "record_determination"
    recognised: bool | None = None
    reference: str = ""  # the decision's number
    reason: str = ""
    received_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class PauseDetermination(_HrAction):
    """The authority suspended (中止) the determination while a judicial or administrative
    conclusion is awaited (Reg. art. 20 ¶3): `on` is the day it was suspended, `reason` why,
    `awaiting` whose conclusion; `documents` may hold the suspension notice."""

    action: Literal["pause_determination"] = "pause_determination"
    reason: str = ""
    awaiting: str = ""  # the court or authority whose conclusion is awaited


@dataclass(frozen=True, kw_only=True)
class ResumeDetermination(_HrAction):
    """The awaited conclusion is in (Reg. art. 20 ¶3): `on` is the conclusion's date, from which
    the decision period runs on with its remaining days; `reference` the conclusion's number."""

    action: Literal["resume_determination"] = "resume_determination"
    reference: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordAcceptance(_HrAction):
    """The authority accepted an application HR submitted by hand (受理): `on` is the day on the
    acceptance notice (受理通知书), which starts the decision period; `documents` holds it."""

    action: Literal["record_acceptance"] = "record_acceptance"
    reference: str = ""  # the acceptance number


@dataclass(frozen=True, kw_only=True)
class GrantExtension(_HrAction):
    action: Literal["grant_extension"] = "grant_extension"
    deadline: str = ""  # which deadline; "" = determination_application
    until: date | None = None  # the new last day
    reference: str = ""


@dataclass(frozen=True, kw_only=True)
class StartSuspension(_HrAction):
    action: Literal["start_suspension"] = "start_suspension"
    months: int | None = None


@dataclass(frozen=True, kw_only=True)
class ExtendSuspension(_HrAction):
    action: Literal["extend_suspension"] = "extend_suspension"
    months: int | None = None
    reference: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordReturn(_HrAction):
    action: Literal["record_return"] = "record_return"


@dataclass(frozen=True, kw_only=True)
class RecordCourierNotice(_HrAction):
    action: Literal["record_courier_notice"] = "record_courier_notice"
    carrier: str = ""
    tracking_number: str = ""
    purpose: str = "return_to_work"  # which notice went on paper


@dataclass(frozen=True, kw_only=True)
class RecordCourierStatus(_HrAction):
    """HR records a paper notice's tracking status from the courier (no courier gateway)."""

    action: Literal["record_courier_status"] = "record_courier_status"
    tracking_number: str = ""
    status: str = ""       # posted, in_transit, signed, returned
    signed_by: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordBenefitClaim(_HrAction):
    """HR records the SI fund's answer to a benefit claim made by hand (工伤保险待遇申领)."""

    action: Literal["record_benefit_claim"] = "record_benefit_claim"
    accepted: bool | None = None
    reference: str = ""
    reason: str = ""       # the fund's reason when it refused


@dataclass(frozen=True, kw_only=True)
class RecordContact(_HrAction):
    action: Literal["record_contact"] = "record_contact"


@dataclass(frozen=True, kw_only=True)
class ApplyAppraisal(_HrAction):
    action: Literal["apply_appraisal"] = "apply_appraisal"


@dataclass(frozen=True, kw_only=True)
class RecordAppraisal(_HrAction):
    """`on` is the conclusion's date; `received_on` the day the party received it, from which the
    15-day re-appraisal window runs (Reg. art. 26; default: the conclusion date, with a note)."""

    action: Literal["record_appraisal"] = "record_appraisal"
    grade: int | str | None = None  # 1-10 or "none"
    reference: str = ""
    received_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class RequestReappraisal(_HrAction):
    action: Literal["request_reappraisal"] = "request_reappraisal"


@dataclass(frozen=True, kw_only=True)
class OpenNegotiation(_HrAction):
    """Open the settlement negotiation; with `meeting_at` and `place` the employee is invited to
    it (协商邀请), told what to bring (`bring`)."""

    action: Literal["open_negotiation"] = "open_negotiation"
    meeting_at: datetime | None = None
    place: str = ""
    bring: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RecordOffer(_HrAction):
    action: Literal["record_offer"] = "record_offer"
    party: str = ""  # "employer" or "employee"
    amount: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class RecordAgreement(_HrAction):
    action: Literal["record_agreement"] = "record_agreement"
    amount: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class RecordPayment(_HrAction):
    action: Literal["record_payment"] = "record_payment"
    amount: Decimal | None = None
    reference: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordDispute(_HrAction):
    action: Literal["record_dispute"] = "record_dispute"
    event: str = ""  # DisputeEvent
    forum: str = ""  # arbitration commission, court…
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class OverrideSiStanding(_HrAction):
    """HR corrects the SI standing the employee record gave (Regs. art. 62): only with a reason
    and a document (`documents`), recorded as `si_standing_overridden`."""

    action: Literal["override_si_standing"] = "override_si_standing"
    si_enrolled: bool | None = None
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class WithdrawCase(_HrAction):
    action: Literal["withdraw"] = "withdraw"
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CloseCase(_HrAction):
    action: Literal["close"] = "close"
    reason: str = ""


_ACTION_TYPES = (FileMaterials, ApplyDetermination, RecordAcceptance, RecordDetermination,
                 GrantExtension, RecordCourierStatus, RecordBenefitClaim,
                 StartSuspension, ExtendSuspension, RecordReturn, RecordCourierNotice, RecordContact,
                 ApplyAppraisal, RecordAppraisal, RequestReappraisal, OpenNegotiation, RecordOffer,
                 RecordAgreement, RecordPayment, RecordDispute, WithdrawCase, CloseCase,
                 OverrideSiStanding, PauseDetermination, ResumeDetermination)
# A TypeAliasType, not a bare Annotated: temporalio reads the Update's argument type with
# get_type_hints(), which strips Annotated (and with it the discriminator); an alias survives it.
# Payloads written when CaseAction was one dataclass of all fields decode to the type their
# `action` names: a dataclass ignores the fields it does not have.
CaseAction = TypeAliasType("CaseAction", Annotated[
    FileMaterials | ApplyDetermination | RecordAcceptance | RecordDetermination | GrantExtension
    | RecordCourierStatus | RecordBenefitClaim | StartSuspension
    | ExtendSuspension | RecordReturn | RecordCourierNotice | RecordContact | ApplyAppraisal
    | RecordAppraisal | RequestReappraisal | OpenNegotiation | RecordOffer | RecordAgreement
    | RecordPayment | RecordDispute | WithdrawCase | CloseCase | OverrideSiStanding
    | PauseDetermination | ResumeDetermination,
    Field(discriminator="action")])
"""One HR action (the `act` Update), decoded to its type by `action`."""
ACTION_TYPES: dict[str, type[CaseAction]] = {kind.action: kind for kind in _ACTION_TYPES}
"""Each action's type by its wire name (`file_materials` → FileMaterials)."""


def action_fields(kind: type[CaseAction]) -> frozenset[str]:
    """The fields HR may give with this action (all but `action` and `actor`)."""
    return frozenset(f.name for f in fields(kind)) - {"action", "actor"}


@dataclass(frozen=True)
class AuthorityDecision:
    """The injury-determination authority's decision (a gateway callback, or HR's record)."""

    recognised: bool
    decided_on: date
    reference: str = ""
    reason: str = ""
    source: str = "authority"
    received_on: date | None = None  # served on the parties (None: the decision date)


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
