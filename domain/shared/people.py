"""People a process is about or acts for: employees, contacts, actors, recipients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class EmergencyContact:
    name: str
    relation: str
    phone: str


@dataclass(frozen=True)
class Employee:
    employee_id: str
    name: str
    id_number: str
    phone: str
    email: str | None
    department: str
    manager: Contact
    emergency_contact: EmergencyContact | None = None


@dataclass(frozen=True)
class Actor:
    name: str
    role: str


@dataclass(frozen=True)
class Recipient:
    """Who a notice goes to. A person of the directory is named by `person_id` with the channels
    that reach them: their addresses are read at send time, never carried in the workflow. A
    recipient without one (a contact typed at registration, a configured HR manager) carries its
    phone and email."""

    role: str
    name: str
    phone: str | None = None
    email: str | None = None
    person_id: int | None = None
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecipientQuery:
    """The recipients a process wants for one message, to be found in the directory: `hr` named
    by the record's owner, `hr_manager` and `department_manager` by role and department (each
    recipient passed is the fallback when the directory holds nobody reachable); other roles pass
    through. `key` makes a retry open no second admin task."""

    subject_id: str
    key: str
    purpose: str
    department: str
    wanted: tuple[Recipient, ...]


@dataclass(frozen=True)
class Routing:
    """The recipients found, and the roles nobody reachable holds (each an admin task)."""

    recipients: tuple[Recipient, ...]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoticeDispatch:
    """One informational message to the directory's recipients for `query`: a Notice workflow for
    each, `<id_prefix>-<n>` by the recipient's place in the routing (so a retry names the same
    ones), on `template` with `data`."""

    query: RecipientQuery
    id_prefix: str
    template: str
    data: dict[str, Any]
    time_scale: float
    quiet_hours: bool = False


@dataclass(frozen=True)
class Dispatched:
    """The routing a dispatch found, and the Notice workflows it started (or found started)."""

    routing: Routing
    notice_ids: tuple[str, ...]


@dataclass(frozen=True)
class AssignOwner:
    """HR hands an onboarding or a case to another HR person: reminders and tasks go to them."""

    actor: Actor
    owner: str


def managers_of(hr_manager: Contact | None, department_manager: Contact) -> tuple[Recipient, ...]:
    """Who an escalation goes to: the HR manager (a placeholder name if none is configured) and the
    employee's department manager."""
    return (
        Recipient(role="hr_manager", name=hr_manager.name if hr_manager else "HR manager",
                  phone=hr_manager.phone if hr_manager else None,
                  email=hr_manager.email if hr_manager else None),
        Recipient(role="department_manager", name=department_manager.name,
                  phone=department_manager.phone, email=department_manager.email),
    )


@dataclass(frozen=True)
class EmployeeRoute:
    """How an employee is reached: whether the employee record knows them, and their channels."""

    on_file: bool
    channels: tuple[str, ...] = ()
