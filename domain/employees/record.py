"""Who a registration is about: the person on file with its ID number, or a new one.

A re-hire is a new employment (任职期间) of the same person, never a new employee id: the ID
number (GB 11643-1999) is the person, the employee id is how HR names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.shared.errors import ActionRefused


@dataclass(frozen=True)
class OnFile:
    """What the record holds of one person, as the identity check compares it."""

    employee_id: str
    name: str
    birth_date: date | None
    id_number: str | None


@dataclass(frozen=True)
class Registered:
    """The person a registration names."""

    employee_id: str
    name: str
    birth_date: date
    id_number: str


def _named(person: OnFile | Registered) -> dict[str, Any]:
    """A record as a 409 names it: never the ID number."""
    return {"employee_id": person.employee_id, "name": person.name,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None}


def same_name(a: str, b: str) -> bool:
    """Names compared as HR types them: whitespace (full- or half-width) does not count."""
    return "".join(a.split()) == "".join(b.split())


def check_same_person(on_file: OnFile, registered: Registered) -> None:
    """The person on file with this ID number must be the one registered: the same name and
    birth date. Otherwise one of the two records is wrong, and HR must say which (409)."""
    differs = [what for what, same in (
        ("name", same_name(on_file.name, registered.name)),
        ("birth_date", on_file.birth_date in (None, registered.birth_date)),
    ) if not same]
    if differs:
        raise ActionRefused(
            "employee.identity_conflict",
            f"the ID number is on file for {on_file.employee_id} ({on_file.name}), whose "
            f"{' and '.join(differs)} differ from this registration's "
            f"({registered.employee_id}, {registered.name}): correct the registration, or the "
            "record on file",
            "employee.id_number",
            {"on_file": _named(on_file), "registered": _named(registered), "differs": differs})


def check_id_free(on_file: OnFile, registered: Registered) -> None:
    """An employee id on file names the person with its ID number; a registration of another ID
    number under it is refused (409), naming both records. An id on file without an ID number
    (onboardings registered before the record existed) takes this one if the name matches."""
    if on_file.id_number is None and same_name(on_file.name, registered.name):
        return
    raise ActionRefused(
        "employee.id_taken",
        f"employee id {on_file.employee_id} is on file for {on_file.name}, with another ID "
        f"number than this registration's ({registered.name}): choose another employee id",
        "employee.employee_id",
        {"on_file": _named(on_file), "registered": _named(registered)})


def birth_date_of(id_number: str) -> date:
    """The birth date an 18-digit resident ID number encodes (GB 11643-1999 §4.2), already
    checked by domain.shared.identity."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
