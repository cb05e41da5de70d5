"""Request bodies and response shaping for the HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import Query
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from domain.injury.views import CaseAnswer, CaseView
from domain.onboarding.state import ActionAnswer, OnboardingView
from domain.shared.errors import RuleViolation
from domain.shared.events import Event
from domain.shared.input_rules import check_date_in_window, check_plain_text
from domain.shared.people import Contact, EmergencyContact, Employee

SHANGHAI = ZoneInfo("Asia/Shanghai")
Money = Decimal


OFFSET_MAX = 1_000_000_000
"""A list's offset stops here: 2^63 and beyond overflowed the database drivers (a 500)."""
Offset = Annotated[int, Query(ge=0, le=OFFSET_MAX, description="rows to skip")]


def _plain_text(value: str, info: ValidationInfo) -> str:
    checked_input(value, info.field_name or "text")
    return value


PlainText = Annotated[str, AfterValidator(_plain_text)]
"""A query or form text under check_plain_text (body fields get it from Body)."""


class Body(BaseModel):
    """A request body: unknown fields refused; numbers and booleans are typed strictly (StrictInt,
    StrictBool: `true` is not the grade 1); every text is plain (domain.input_rules.
    check_plain_text) and every date inside the sane window (check_date_in_window)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _input_rules(cls, value: Any, info: ValidationInfo) -> Any:
        return checked_input(value, info.field_name or "")


def checked_input(value: Any, field: str) -> Any:
    """The input rules on one value (texts, dates, and lists of them), as a validation error."""
    try:
        if isinstance(value, str):
            check_plain_text(value, field)
        elif isinstance(value, date):
            check_date_in_window(value, field)
        elif isinstance(value, list | tuple):
            for item in value:
                checked_input(item, field)
    except RuleViolation as exc:
        raise PydanticCustomError(exc.code, exc.message) from None
    return value


class ContactIn(Body):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=1, max_length=40)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class EmergencyContactIn(Body):
    name: str = Field(min_length=1, max_length=100)
    relation: str = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=1, max_length=40)


class EmployeeIn(Body):
    employee_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    id_number: str = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=1, max_length=40)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    department: str = Field(min_length=1, max_length=100)
    manager: ContactIn
    emergency_contact: EmergencyContactIn | None = None

    def to_domain(self) -> Employee:
        """The employee as the domain takes it (validated and normalised there)."""
        return Employee(
            employee_id=self.employee_id, name=self.name, id_number=self.id_number,
            phone=self.phone, email=self.email, department=self.department,
            manager=Contact(name=self.manager.name, phone=self.manager.phone,
                            email=self.manager.email),
            emergency_contact=EmergencyContact(**self.emergency_contact.model_dump())
            if self.emergency_contact else None)


class OnboardingCreate(Body):
    """A new hire to watch: the SI registration window starts at the hire date."""

    employee: EmployeeIn
    hire_date: date
    region: str = Field(min_length=1, max_length=40)
    contribution_base: Money = Field(gt=0, max_digits=12, decimal_places=2)
    contract_start: date | None = None
    contract_end: date | None = None  # kept on the employee record (a fixed-term contract)


class EnrollmentSubmit(Body):
    type: Literal["new", "back_payment"]
    contribution_base: Money = Field(gt=0, max_digits=12, decimal_places=2)
    confirm_cost: Money | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    note: str = Field(default="", max_length=2000)


class Review(Body):
    reason: str = Field(default="", max_length=2000)


class WithdrawalRequest(Body):
    reason: str = Field(max_length=2000)


class WithdrawalAnswer(Body):
    bureau_answer: Literal["accepted", "refused"]
    note: str = Field(default="", max_length=2000)


class BureauOutcomeIn(Body):
    """What the SI bureau answered an enrolment HR entered in its portal by hand."""

    outcome: Literal["accepted", "rejected"]
    reference: str = Field(default="", max_length=100)
    receipt_document: str = Field(default="", max_length=64)
    reason: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)


class DelayReasonIn(Body):
    reason: str = Field(max_length=2000)
    note: str = Field(default="", max_length=4000)
    documents: list[str] = Field(default_factory=list, max_length=50)


class CancelIn(Body):
    reason: str = Field(max_length=2000)


_VIEW = TypeAdapter(OnboardingView)
_EVENTS = TypeAdapter(tuple[Event, ...])


def view_json(view: OnboardingView) -> dict[str, Any]:
    """The workflow's view as JSON: deadlines in UTC and Beijing time, events flattened."""
    return _readable(_VIEW.dump_python(view, mode="json"), view.deadlines)


def answer_json(answer: ActionAnswer) -> dict[str, Any]:
    """An HR action's answer: the view without the event log, the events this action recorded and
    how many the log holds (GET shows them all)."""
    return _with_recorded(view_json(answer.view), answer.recorded, answer.event_count)


def _with_recorded(data: dict[str, Any], recorded: tuple[Event, ...],
                   event_count: int) -> dict[str, Any]:
    del data["events"]
    data["recorded_events"] = _flat_events(_EVENTS.dump_python(recorded, mode="json"))
    data["event_count"] = event_count
    return data


def _flat_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"seq": e["seq"], "at": e["at"], "kind": e["kind"], "actor": e["actor"], **e["data"]}
            for e in events]


def _readable(data: dict[str, Any], deadlines: Any) -> dict[str, Any]:
    """Deadlines also in Beijing time; each event's data flattened beside its seq, kind and actor."""
    for deadline, original in zip(data["deadlines"], deadlines, strict=True):
        deadline["due_at_shanghai"] = _shanghai(original.due_at)
        deadline["raw_due_at_shanghai"] = _shanghai(original.raw_due_at)
    data["events"] = _flat_events(data["events"])
    return data


def _shanghai(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat()


class WitnessIn(Body):
    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    statement: str = Field(default="", max_length=4000)


class ContractIn(Body):
    """The labour contract of an employee's open employment (PUT /employees/{id}/contract)."""

    contract_start: date
    contract_end: date | None = None


class CaseCreate(Body):
    """An injury report: the accident starts the statutory clocks."""

    employee: EmployeeIn
    accident_at: datetime
    location: str = Field(min_length=1, max_length=500)
    description: str = Field(min_length=1, max_length=8000)
    injury: str = Field(min_length=1, max_length=2000)
    witnesses: list[WitnessIn] = Field(default_factory=list, max_length=50)
    # Derived from the employee record on the accident date; HR's value is needed only when the
    # record holds nothing then, and one that disagrees with the record is a 409.
    si_enrolled: StrictBool | None = None
    region: str = Field(default="default", min_length=1, max_length=40)
    traffic_accident: StrictBool = False
    case_id: str | None = Field(default=None, max_length=64)
    # An occupational disease (职业病): the application windows run from the day it was diagnosed
    # or appraised (`diagnosed_on`), not from `accident_at` (Reg. art. 17).
    occupational_disease: StrictBool = False
    diagnosed_on: date | None = None


class CaseActionIn(Body):
    """An HR action on a case: each action takes the fields of its type (domain/injury/payloads.py)."""

    note: str = Field(default="", max_length=4000)
    documents: list[str] = Field(default_factory=list, max_length=50)
    on: date | None = None
    materials: list[str] = Field(default_factory=list, max_length=50)
    override_reason: str = Field(default="", max_length=2000)
    simple_case: StrictBool = False
    recognised: StrictBool | None = None
    reference: str = Field(default="", max_length=200)
    deadline: str = Field(default="", max_length=40)
    until: date | None = None
    months: StrictInt | None = None
    grade: StrictInt | Literal["none"] | None = None
    amount: Money | None = Field(default=None, max_digits=14, decimal_places=2)
    party: str = Field(default="", max_length=20)
    carrier: str = Field(default="", max_length=60)
    tracking_number: str = Field(default="", max_length=40)
    status: str = Field(default="", max_length=20)
    signed_by: str = Field(default="", max_length=100)
    accepted: StrictBool | None = None
    purpose: str = Field(default="return_to_work", max_length=40)
    event: str = Field(default="", max_length=40)
    forum: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=2000)
    si_enrolled: StrictBool | None = None  # override-si-standing
    meeting_at: AwareDatetime | None = None  # open-negotiation: the invitation (协商邀请)
    place: str = Field(default="", max_length=200)
    bring: list[str] = Field(default_factory=list, max_length=20)
    received_on: date | None = None  # record-determination / record-appraisal: served on the party
    awaiting: str = Field(default="", max_length=200)  # pause-determination: whose conclusion


_CASE_VIEW = TypeAdapter(CaseView)


def case_answer_json(answer: CaseAnswer) -> dict[str, Any]:
    """An HR action on a case answers like one on an onboarding (answer_json)."""
    return _with_recorded(case_json(answer.view), answer.recorded, answer.event_count)


def case_json(view: CaseView) -> dict[str, Any]:
    """A case as JSON: deadlines in UTC and Beijing time, events flattened."""
    return _readable(_CASE_VIEW.dump_python(view, mode="json"), view.deadlines)
