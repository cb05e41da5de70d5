"""The injury case's state: its stage, deadlines, decisions and open tasks (travels on continue-as-new)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from domain.employees.si_standing import SiStandingOverride
from domain.shared.calendar import LEGACY_CALENDAR, HolidayCalendar
from domain.shared.events import Event


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
    paused: bool = False          # stopped (中止, Reg. art. 20 ¶3): no alarms, not overdue

    def status(self, now: datetime) -> str:
        if self.met_at is not None:
            return "met" if self.paused or self.met_at <= self.due_at else "missed"
        if self.paused:
            return "paused"
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
    received_on: date | None = None  # the decision served on the parties (review runs from it)
    paused_on: date | None = None    # suspended (中止, art. 20 ¶3) since; None: running
    pause_reason: str = ""
    remaining_days: int | None = None  # of the decision period, kept while it is suspended


@dataclass(frozen=True)
class Appraisal:
    applied_on: date
    round: int = 1                # 2 = re-appraisal by the provincial committee (final)
    grade: int | None = None
    no_disability: bool = False
    concluded_on: date | None = None
    reference: str = ""
    received_on: date | None = None  # the conclusion received (re-appraisal runs from it)


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
class CourierUpdate:
    """A tracking event of a paper notice; `signed` is proof of delivery."""

    tracking_number: str
    status: CourierStatus
    at: datetime
    signed_by: str = ""
    note: str = ""
    source: str = "courier"


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
    # Patch 2026-12-case-clocks (asked when the application is filed): the 15-day acceptance
    # review is kept and a late application's employer-borne period is recorded at acceptance;
    # False replays cases that filed before it.
    case_clocks: bool = False
    owner: str | None = None  # the HR person it was assigned to (None: who opened it)
    si_override: SiStandingOverride | None = None  # HR's correction of the derived SI standing


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
