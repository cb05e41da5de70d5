"""The directory of people who use Caseguard (HR, HR managers, department managers, admins): who
they are, which roles they hold, how to reach them. Checks only; the store keeps them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from domain.shared.errors import RuleViolation
from domain.shared.identity import normalize_phone

ROLES = ("hr", "hr_manager", "manager", "admin")  # the order a person's roles are listed in
CHANNELS = ("sms", "email", "wecom", "dingtalk")
_CHANNEL_NEEDS = {"sms": "phone", "email": "email", "wecom": "wecom_user_id",
                  "dingtalk": "dingtalk_user_id"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_NAME = re.compile(r"[^\s/\\?#%]([^/\\?#%]*[^\s/\\?#%])?")
_USER_ID = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
NAME_MAX = 80


@dataclass(frozen=True)
class PersonFields:
    """A person as the directory keeps them, every field checked and normalised."""

    name: str
    roles: tuple[str, ...]
    departments: tuple[str, ...] = ()
    phone: str | None = None
    email: str | None = None
    wecom_user_id: str | None = None
    dingtalk_user_id: str | None = None
    channels: tuple[str, ...] = ()
    active: bool = True


def check_name(name: str) -> str:
    """A principal name: 1-80 characters, no slash, ?, # or %, no space at either end."""
    if not 1 <= len(name) <= NAME_MAX or not _NAME.fullmatch(name):
        raise RuleViolation("name", "name.format", f"name must be 1-{NAME_MAX} characters "
                            "without / \\ ? # % and without spaces at either end")
    return name


def check_roles(roles: Sequence[str]) -> tuple[str, ...]:
    """At least one role, each one of ROLES; answered in ROLES order without repeats."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise RuleViolation("roles", "roles.unknown", f"role '{unknown[0]}' is not one of "
                            f"{', '.join(ROLES)}")
    if not roles:
        raise RuleViolation("roles", "roles.empty", "a person holds at least one role")
    return tuple(r for r in ROLES if r in roles)


def check_person(person: PersonFields) -> PersonFields:
    """The person with phone in E.164 and lists cleaned; 422 naming the field and the rule."""
    check_name(person.name)
    departments = tuple(dict.fromkeys(d.strip() for d in person.departments))
    if any(not d or len(d) > 80 for d in departments):
        raise RuleViolation("departments", "departments.format",
                            "each department is 1-80 characters")
    phone = normalize_phone(person.phone, field="phone") if person.phone else None
    if person.email and not _EMAIL.fullmatch(person.email):
        raise RuleViolation("email", "email.format", "email must look like name@example.com")
    for field in ("wecom_user_id", "dingtalk_user_id"):
        value = getattr(person, field)
        if value and not _USER_ID.fullmatch(value):
            raise RuleViolation(field, f"{field}.format", f"{field} must be 1-64 of A-Z a-z 0-9 "
                                "_ . @ -")
    checked = PersonFields(person.name, check_roles(person.roles), departments, phone,
                           person.email or None, person.wecom_user_id or None,
                           person.dingtalk_user_id or None, person.channels, person.active)
    _check_channels(checked)
    return checked


def _check_channels(person: PersonFields) -> None:
    for channel in person.channels:
        if channel not in CHANNELS:
            raise RuleViolation("channels", "channels.unknown", f"channel '{channel}' is not one "
                                f"of {', '.join(CHANNELS)}")
        if getattr(person, _CHANNEL_NEEDS[channel]) is None:
            raise RuleViolation("channels", "channels.unreachable", f"channel '{channel}' needs "
                                f"{_CHANNEL_NEEDS[channel]}")
    if len(set(person.channels)) != len(person.channels):
        raise RuleViolation("channels", "channels.repeated", "each channel is listed once, in "
                            "the order to try them")


def key_roles(person_roles: Sequence[str], key_role: str | None) -> tuple[str, ...]:
    """The roles a key acts with: its person's, or the one role it was issued for while the
    person still holds it (empty: the key does not work)."""
    if key_role is None:
        return tuple(person_roles)
    return (key_role,) if key_role in person_roles else ()
