"""A recorded leave (离职) told to the workflows of the employment it ends, durably.

The leave route records the leave on the employee record; the onboarding (which then never starts a
written-contract watch, or tells the one it started) and the watch (which counts the double wage
to the leave day, LCL art. 82) learn of it from a short workflow the route starts under an id of
the employment. Temporal keeps that workflow until both signals are delivered, whatever happens to
the API process, and the same id never starts twice: a repeated leave call tells nobody twice.
"""

# No `from __future__ import annotations`: LeaveDelivery travels as a workflow input, and pydantic
# resolves string annotations through sys.modules (see domain/shared/calendar.py).
from dataclasses import dataclass
from datetime import date

from domain.employees.written_contract_watch import EmploymentEnded


def delivery_id(employee_id: str, employment: int) -> str:
    """The delivery workflow's id: one per employment (a leave ends an employment once)."""
    return f"leave-{employee_id}-{employment}"


@dataclass(frozen=True)
class LeaveDelivery:
    """Whom to tell: the employment's onboarding (None: none started it) and its watch."""

    employee_id: str
    onboarding_id: str | None
    watch_id: str
    ended: EmploymentEnded


@dataclass(frozen=True)
class LeaveDelivered:
    """Who took the signal, and who was not running (closed, or never started: nothing to tell)."""

    told: tuple[str, ...]
    not_running: tuple[str, ...]


@dataclass(frozen=True)
class LeaveCorrected:
    """HR corrected the employment's leave day on record (POST …/leave/correction), told to its
    onboarding: the employment ended `on`, not `before`. `number` counts the employment's
    corrections: one told after a later one (two requests crossing) changes nothing."""

    number: int
    before: date
    on: date
    reason: str
    actor: str
