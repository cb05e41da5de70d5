"""What an onboarding's events change on the employee record: its SI status (the registration
makes 未参保, the bureau's enrolment 参保, an accepted withdrawal 未参保 again) and the end of an
employment cancelled before enrolment. Keyed by the events' ledger keys, so a retried write
changes nothing twice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.employees.si_status import SiStatus, StatusChange
from domain.shared.events import Event

SHANGHAI = ZoneInfo("Asia/Shanghai")
WATCHED = frozenset({"registered", "enrollment_executed", "withdrawal_answered", "cancelled"})


@dataclass(frozen=True)
class EmploymentEnded:
    """An employment that ends: an onboarding cancelled (e.g. the employee left before enrolment)."""

    onboarding_id: str
    leave_date: date
    reason: str


def evidence_key(onboarding_id: str, event: Event) -> str:
    """The ledger entry's idempotency_key of an onboarding event (store.workflow_events)."""
    return f"{onboarding_id}:event:{event.seq}"


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def effects_of(onboarding_id: str, hire_date: date,
               events: Iterable[Event]) -> list[StatusChange | EmploymentEnded]:
    """The record's changes the events bring, in their order."""
    effects: list[StatusChange | EmploymentEnded] = []
    for event in events:
        if event.kind not in WATCHED:
            continue
        key = evidence_key(onboarding_id, event)
        if event.kind == "registered":
            effects.append(StatusChange(SiStatus.uninsured, hire_date,
                                        f"入职登记 hire registered: {onboarding_id}", key))
        elif event.kind == "enrollment_executed":
            reference = event.data.get("bureau_reference")
            effects.append(StatusChange(
                SiStatus.enrolled, local_date(event.at),
                f"社保增员办结 enrolment executed: {onboarding_id}, request "
                f"{event.data.get('request')}" + (f", bureau reference {reference}" if reference
                                                  else ""), key))
        elif event.kind == "withdrawal_answered":
            if event.data.get("bureau_answer") == "accepted":
                effects.append(StatusChange(
                    SiStatus.uninsured, local_date(event.at),
                    f"增员撤销获准 enrolment withdrawn by the bureau: {onboarding_id}", key))
        else:
            # Cancelled before the hire date: the employment ends the day it would have begun.
            effects.append(EmploymentEnded(onboarding_id, max(local_date(event.at), hire_date),
                                           f"入职取消 onboarding cancelled: {event.data.get('reason', '')}"))
    return effects
