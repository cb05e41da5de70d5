"""What every intake checks of the employee it is about: ids, resident ID number, phones."""

from __future__ import annotations

from datetime import date

from domain.shared import identity
from domain.shared.ids import check_employee_id
from domain.shared.people import Contact, EmergencyContact, Employee


def employee_from(raw: Employee, today: date) -> Employee:
    """Validate and normalise: employee id, resident ID number, phone numbers."""
    check_employee_id(raw.employee_id)
    rid = identity.parse_resident_id(raw.id_number, today=today, field="employee.id_number")
    manager = raw.manager
    emergency = raw.emergency_contact
    return Employee(
        employee_id=raw.employee_id, name=raw.name, id_number=rid.number,
        phone=identity.normalize_phone(raw.phone, field="employee.phone"),
        email=raw.email, department=raw.department,
        manager=Contact(name=manager.name, email=manager.email,
                        phone=identity.normalize_phone(manager.phone, field="employee.manager.phone")
                        if manager.phone else None),
        emergency_contact=EmergencyContact(
            name=emergency.name, relation=emergency.relation,
            phone=identity.normalize_phone(emergency.phone,
                                           field="employee.emergency_contact.phone"),
        ) if emergency else None,
    )
