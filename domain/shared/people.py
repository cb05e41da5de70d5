"""People a process is about or acts for: employees, contacts, actors, recipients."""

from __future__ import annotations

from dataclasses import dataclass


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
    role: str
    name: str
    phone: str | None = None
    email: str | None = None


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
