"""What GET shows of an injury case, as types: deadline and case views, answers, list rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain.injury.payloads import CaseInput
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
from domain.shared.events import Event


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
    owner: str | None = None  # the HR person reminders and tasks go to; None in views kept before
    si_standing: dict[str, Any] | None = None  # from the employee record (None: HR typed it)
    si_consequences: dict[str, Any] | None = None  # not covered: Regs. art. 62, SIL art. 41


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
    # The write that carries the `case_outcome` event carries the final view too: a closed case is
    # read from the database once Temporal's retention has removed the workflow.
    final_view: CaseView | None = None
    final_input: CaseInput | None = None  # as started, without a carried-over state
    owner: str | None = None  # assigned away from created_by (POST …/assign)
