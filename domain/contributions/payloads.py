"""What the SI account workflow, its activities and the API exchange."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.shared.calendar import HolidayCalendar
from domain.shared.events import Event
from domain.shared.people import Actor


@dataclass(frozen=True)
class PaymentDeadlineRule:
    """The day of each month by which a region's contributions are declared and paid."""

    region: str
    day_of_month: int
    source: str
    verified: bool


@dataclass(frozen=True)
class MonthDeadline:
    """One month's payment deadline: 24:00 of its last day, moved past rest days."""

    period: str  # "2026-12"
    due_at: datetime
    raw_due_at: datetime
    reminder_at: datetime
    source: str
    verified: bool
    calendar_verified: bool
    article: str


@dataclass(frozen=True)
class AccountInput:
    """One SI account (the company's in one region), watching one month a run; it continues as
    new into the next month once this month's deadline has passed."""

    region: str
    period: str
    rule: PaymentDeadlineRule
    calendar: HolidayCalendar | None = None
    reminder_lead: timedelta = timedelta(days=3)
    time_scale: float = 1.0
    opened_by: str = "system"
    clock_origin: datetime | None = None  # a scaled clock goes on across runs
    opened_period: str = ""  # the account's first month ("": this run's)
    events_before: int = 0   # events the earlier runs recorded (sequence numbers go on)


@dataclass(frozen=True)
class AccountEvents:
    account_id: str
    events: tuple[Event, ...]


@dataclass(frozen=True)
class RecordPayment:
    """HR records a month paid (manual: read from the tax bureau's voucher)."""

    actor: Actor
    period: str
    amount: Decimal
    paid_on: date
    reference: str
    documents: tuple[str, ...]
    employees: tuple[str, ...] = ()  # none named: every insured employee of the region
    note: str = ""


@dataclass(frozen=True)
class PaymentWrite:
    """The payment as the activity writes it (keyed: a retry writes once)."""

    key: str
    account_id: str
    region: str
    payment: RecordPayment
    due_at: datetime
    days_late: int
    late_fee: Decimal
    source: str


@dataclass(frozen=True)
class PaymentResult:
    covered: int   # employees the payment covers
    resumed: int   # of them, back from 中断 to 正常缴费


@dataclass(frozen=True)
class InterruptRequest:
    key: str
    account_id: str
    region: str
    period: str
    due_at: datetime


@dataclass(frozen=True)
class InterruptResult:
    interrupted: int  # employees whose status turned to 中断 for this month
    insured: int      # insured employees of the region that month


@dataclass(frozen=True)
class AccountView:
    id: str
    region: str
    period: str
    deadline: MonthDeadline
    status: str  # upcoming | paid | overdue | interrupted
    events: tuple[Event, ...]
    now: datetime
