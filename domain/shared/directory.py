"""The directory of people who use Caseguard (HR, HR managers, department managers, admins): who
they are, which roles they hold, how to reach them. Checks only; the store keeps them."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from domain.shared.errors import RuleViolation
from domain.shared.identity import normalize_phone
from domain.shared.people import Recipient, Routing

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


# ---- who a reminder or an escalation reaches ---------------------------------------------------

HR_OWNER_ROLES = frozenset({"hr", "hr_manager", "admin"})  # who may own an onboarding or a case
# Recipients the directory resolves: the record's owner, every HR manager, the department's
# managers, and every HR person (a company-wide matter, such as a month's SI contributions).
ROUTED_ROLES = ("hr", "hr_manager", "department_manager", "hr_team")
_CHANNEL_ORDER = ("wecom", "dingtalk", "sms", "email")  # a person who listed none: this order


@dataclass(frozen=True)
class Reachable:
    """An active person as routing sees them: no addresses, only the channels that reach them."""

    person_id: int
    name: str
    roles: tuple[str, ...]
    departments: tuple[str, ...]
    channels: tuple[str, ...]


EMPLOYEE_DEFAULT_ORDER = ("sms", "email")  # an employee who gave no order: as before the policy


def employee_channels(order: Sequence[str], addresses: Mapping[str, str | None],
                      sendable: Collection[str]) -> tuple[str, ...]:
    """An employee's channels: their order (else SMS, then email), keeping those with an address
    on file (`addresses` by channel) that the product can send on."""
    return tuple(c for c in (order or EMPLOYEE_DEFAULT_ORDER)
                 if c in sendable and addresses.get(c))


def check_channel_order(order: Sequence[str], addresses: Mapping[str, str | None]) -> None:
    """422 naming `channels`: each a known channel, once, with its address on file."""
    for channel in order:
        if channel not in CHANNELS:
            raise RuleViolation("channels", "channels.unknown", f"channel '{channel}' is not one "
                                f"of {', '.join(CHANNELS)}")
        if not addresses.get(channel):
            raise RuleViolation("channels", "channels.unreachable", f"channel '{channel}' needs "
                                f"{_CHANNEL_NEEDS[channel]}")
    if len(set(order)) != len(order):
        raise RuleViolation("channels", "channels.repeated", "each channel is listed once, in "
                            "the order to try them")


def check_user_id(field: str, value: str | None) -> str | None:
    if value and not _USER_ID.fullmatch(value):
        raise RuleViolation(field, f"{field}.format", f"{field} must be 1-64 of A-Z a-z 0-9 "
                            "_ . @ -")
    return value or None


def reachable_channels(person: PersonFields, sendable: Collection[str]) -> tuple[str, ...]:
    """The person's channels in their order (else wecom, dingtalk, sms, email), keeping those
    with an address on file that the product can send on."""
    order = person.channels or _CHANNEL_ORDER
    return tuple(c for c in order
                 if c in sendable and getattr(person, _CHANNEL_NEEDS[c]) is not None)


def route(wanted: Sequence[Recipient], people: Sequence[Reachable],
          department: str) -> Routing:
    """The directory's recipients for what a process wants (RecipientQuery): the owner (`hr`,
    named), every HR manager, the managers of the employee's department. A role nobody reachable
    holds keeps the wanted recipient (a contact typed at registration or configured, else the
    outbox); when that has no address either, the role is reported missing. Each person is
    reached once."""
    found: list[Recipient] = []
    missing: list[str] = []
    for want in wanted:
        matches = [p for p in people if p.channels and _holds(p, want, department)]
        if matches:
            found.extend(Recipient(role=want.role, name=p.name, person_id=p.person_id,
                                   channels=p.channels) for p in matches)
            continue
        if want.role in ROUTED_ROLES and not (want.phone or want.email):
            missing.append(want.role)
        found.append(want)
    seen: set[int] = set()
    unique = []
    for recipient in found:
        if recipient.person_id is not None:
            if recipient.person_id in seen:
                continue
            seen.add(recipient.person_id)
        unique.append(recipient)
    return Routing(tuple(unique), tuple(dict.fromkeys(missing)))


def _holds(person: Reachable, want: Recipient, department: str) -> bool:
    if want.role == "hr":
        return person.name == want.name and bool(HR_OWNER_ROLES & set(person.roles))
    if want.role == "hr_manager":
        return "hr_manager" in person.roles
    if want.role == "department_manager":
        return "manager" in person.roles and department in person.departments
    if want.role == "hr_team":
        return "hr" in person.roles
    return False


def check_owner(person: PersonFields | None, name: str) -> PersonFields:
    """The person an onboarding or a case is assigned to: in the directory, active, in HR."""
    if person is None:
        raise RuleViolation("owner", "owner.unknown", f"nobody named '{name}' is in the directory")
    if not person.active:
        raise RuleViolation("owner", "owner.inactive", f"'{name}' is deactivated")
    if not HR_OWNER_ROLES & set(person.roles):
        raise RuleViolation("owner", "owner.not_hr", f"'{name}' holds none of the roles "
                            f"{', '.join(sorted(HR_OWNER_ROLES))}")
    return person
