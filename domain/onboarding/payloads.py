"""Onboarding (社保增员) payloads: what the workflow, its activities and the API exchange.

Everything here travels through the pydantic data converter. Fields are only ever added, with defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from domain.contributions.payloads import PaymentDeadlineRule
from domain.shared.calendar import HolidayCalendar
from domain.shared.events import Event
from domain.shared.people import Actor, Contact, Employee, Recipient
from domain.shared.shared_values import share_fields

EnrollmentType = Literal["new", "back_payment"]
# How an approved enrolment reaches the SI bureau, pinned when the onboarding starts: through the
# gateway activity (an adapter, or the simulator in dev and tests), or by hand: HR enters it in the
# region's online portal and records the bureau's answer with a receipt (the production default
# until a region's adapter exists; settings: CASEGUARD_GATEWAY_SI_BUREAU).
BureauRoute = Literal["gateway", "manual"]


@dataclass(frozen=True)
class Deadline:
    """A statutory or product deadline; `due_at` is holiday-adjusted, `raw_due_at` is not."""

    name: str
    due_at: datetime
    raw_due_at: datetime
    article: str
    calendar_verified: bool = True

    def status(self, now: datetime, met_at: datetime | None) -> str:
        if met_at is not None and met_at <= self.due_at:
            return "met"
        return "missed" if now > self.due_at else "upcoming"


@dataclass(frozen=True)
class BaseLimitsRef:
    lower: Decimal
    upper: Decimal
    period_start: date
    period_end: date
    source: str
    verified: bool
    provisional: bool = False

    def __post_init__(self) -> None:
        share_fields(self, "source")  # a paragraph, the same in every onboarding of a period


@dataclass(frozen=True)
class RatesRef:
    """Total contribution rates used for the back-payment estimate, with their source."""

    employer_rate: Decimal
    employee_rate: Decimal
    source: str
    verified: bool
    # The row's region: the onboarding's own, or "*" for the national default; None: registered
    # before it was recorded (a load then reaches it only through a row of its own region).
    region: str | None = None

    def __post_init__(self) -> None:
        share_fields(self, "source")


@dataclass(frozen=True)
class Timing:
    """Durations of the process; `time_scale` divides every timer (dev demos only)."""

    reminder_lead: timedelta
    escalation_interval: timedelta
    enrollment_hold: timedelta
    withdrawal_window: timedelta
    time_scale: float = 1.0
    quiet_hours: bool = False  # its notices keep the quiet hours (CASEGUARD_NOTICE_QUIET_HOURS)
    # The window's row: its source, whether verified, and its region ("*": the national default).
    # None: registered before they were pinned, which counts as unverified (every row was).
    withdrawal_window_source: str | None = None
    withdrawal_window_verified: bool = False
    withdrawal_window_region: str | None = None

    def __post_init__(self) -> None:
        share_fields(self, "withdrawal_window_source")


@dataclass(frozen=True)
class OnboardingInput:
    employee: Employee
    hire_date: date
    region: str
    contribution_base: Decimal
    created_by: str
    si_registration: Deadline
    base_limits: BaseLimitsRef
    rates: RatesRef
    timing: Timing
    contract_start: date | None = None
    contract_si: Deadline | None = None
    hr_manager: Contact | None = None
    # The API wrote the `registered` event and the list row as it started the workflow, so the
    # workflow's first task writes nothing; its next write repeats the event, which writes nothing
    # if it is there (keyed) and fills it in if the API's write was lost.
    registration_recorded: bool = False
    # When the API recorded it: the workflow's `registered` event carries the same moment, so the
    # view and the ledger agree (the workflow's own clock reads the first task's time, a few ms
    # later; under a dev time scale of 86400 that was a quarter of an hour of business time).
    registered_at: datetime | None = None
    # The holidays its deadlines were counted with (pinned by the API); a year loaded later is
    # added to it (signal calendar_updated). None: registered before pinning (LEGACY_CALENDAR).
    calendar: HolidayCalendar | None = None
    si_bureau: BureauRoute = "gateway"
    # The region's monthly payment deadline, pinned at registration: a back payment's late fee runs
    # for each month from its own deadline (SIL art. 86). None: the product default row.
    payment_rule: PaymentDeadlineRule | None = None

    def __post_init__(self) -> None:
        # The region's rule and the year's schedules, the same in every onboarding: one copy.
        share_fields(self, "payment_rule", "calendar")


@dataclass(frozen=True)
class SubmitEnrollment:
    actor: Actor
    type: EnrollmentType
    contribution_base: Decimal
    confirm_cost: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class ReviewDecision:
    """Approve, reject or revoke the open enrolment request."""

    actor: Actor
    reason: str = ""


@dataclass(frozen=True)
class WithdrawalAction:
    """Ask the bureau to withdraw an executed enrolment (申请撤销), or record its answer."""

    actor: Actor
    reason: str = ""
    bureau_answer: Literal["accepted", "refused"] | None = None


@dataclass(frozen=True)
class DelayReason:
    actor: Actor
    reason: str
    note: str = ""
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class CancelOnboarding:
    actor: Actor
    reason: str


def registered_event(inp: OnboardingInput, at: datetime) -> Event:
    """The first event of every onboarding."""
    return Event(seq=1, at=at, kind="registered", actor=inp.created_by,
                 data={"hire_date": inp.hire_date.isoformat(),
                       "si_due_at": inp.si_registration.due_at.isoformat()})


@dataclass(frozen=True)
class Notification:
    """One message to several recipients; the key makes a retried send write nothing twice."""

    idempotency_key: str
    subject_id: str
    purpose: str
    subject: str
    body: str
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class BureauEnrollment:
    idempotency_key: str
    onboarding_id: str
    employee_id: str
    name: str
    id_number: str
    region: str
    hire_date: date
    type: EnrollmentType
    contribution_base: Decimal


@dataclass(frozen=True)
class BureauAnswer:
    accepted: bool
    reference: str | None = None
    reason: str = ""
    code: str = ""
    # Where the answer came from, in words its reader uses (the gateway's or the recorder's name).
    source: str = ""


@dataclass(frozen=True)
class BureauOutcome:
    """HR records what the SI bureau answered an enrolment entered by hand (Update
    record_bureau_outcome): accepted with the bureau's reference and a receipt (a document of the
    onboarding: the portal's screenshot or PDF), or rejected with the bureau's reason."""

    actor: Actor
    outcome: Literal["accepted", "rejected"]
    reference: str = ""
    receipt_document: str = ""
    reason: str = ""
    note: str = ""
