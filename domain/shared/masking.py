"""What a reader who does not handle the case sees of an employee's personal information (PIPL
arts. 28 and 51: sensitive personal information — ID numbers, health — is shown only to those whose
work needs it; 个人信息保护法 第二十八条、第五十一条).

HR, the HR manager and the admin (`domain.shared.roles.HR_ROLES`) read records whole; any other
role (today `manager`) reads them through `masked`: ID numbers keep their first 6 and last 4
characters, phones their first 3 and last 4 digits, emails their first character and domain, and
medical texts (injury, diagnosis, treatment, the accident's description, witness statements, an
employee's written answer) become HIDDEN. The placeholder is a string rather than null so a field
the schema types as text stays text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from domain.shared.identity import mask_address, mask_id_number, mask_phone
from domain.shared.roles import HR_ROLES

HIDDEN = "[仅 HR 可见]"
"""What a masked reader sees instead of a medical text ("visible to HR only")."""

ID_KEYS = frozenset({"id_number"})
PHONE_KEYS = frozenset({"phone", "hr_phone"})
EMAIL_KEYS = frozenset({"email"})
ADDRESS_KEYS = frozenset({"to_address"})  # a notice attempt's address: a phone, an email or a name
HIDDEN_KEYS = frozenset({"injury", "diagnosis", "treatment", "description", "cause", "statement",
                         "answer_text", "text"})

_NOT_ALNUM_BEFORE, _NOT_ALNUM_AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
_ID_NUMBER = re.compile(_NOT_ALNUM_BEFORE + r"(?:\d{17}[\dXx]|\d{15})" + _NOT_ALNUM_AFTER)
_PHONE = re.compile(r"(?<![0-9A-Za-z+])(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"
                    + _NOT_ALNUM_AFTER + r"|\+[1-9]\d{7,14}" + _NOT_ALNUM_AFTER)
_EMAIL = re.compile(r"[^@\s<>\"'(),;:]+@[^@\s<>\"'(),;:]+\.[^@\s<>\"'(),;:]+")


def sees_whole(role: str) -> bool:
    """Whether the role handles cases and onboardings, and so reads personal information whole."""
    return role in HR_ROLES


def mask_email(email: str) -> str:
    """An email with its local part cut to its first character: z***@example.com."""
    local, at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if at else "*" * len(email)


def mask_phone_number(phone: str) -> str:
    """A phone with its first 3 and last 4 digits (138****8000); the country code, +86 or 86,
    kept in front (identity.mask_phone, which reads a bare 86… as a plain number)."""
    compact = re.sub(r"[\s\-().]", "", phone)
    if len(compact) == 13 and compact.startswith("86") and compact.isdigit():
        return "86" + mask_phone(compact[2:])
    return mask_phone(phone)


def mask_text(text: str) -> str:
    """A free text with every ID number, phone number and email address inside it masked."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    text = _PHONE.sub(lambda m: mask_phone_number(m.group()), text)
    return _EMAIL.sub(lambda m: mask_email(m.group()), text)


def masked(data: Any) -> Any:
    """A JSON-like value (dicts, lists, texts) as a masked reader sees it: by key where the key
    names what a value is, and every other text scrubbed of ID numbers, phones and emails."""
    if isinstance(data, Mapping):
        return {key: _masked_field(str(key), value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [masked(item) for item in data]
    if isinstance(data, str):
        return mask_text(data)
    return data


def for_role(role: str, data: Any) -> Any:
    """`data` as the role may read it: whole for HR roles, masked for any other."""
    return data if sees_whole(role) else masked(data)


def _masked_field(key: str, value: Any) -> Any:
    if key in HIDDEN_KEYS and value is not None and value != "" \
            and not isinstance(value, bool | int | float):
        return HIDDEN
    if not isinstance(value, str):
        return masked(value)
    if key in ID_KEYS:
        return mask_id_number(value)
    if key in PHONE_KEYS:
        return mask_phone_number(value)
    if key in EMAIL_KEYS:
        return mask_email(value)
    if key in ADDRESS_KEYS:
        return mask_text(mask_address(value))
    return mask_text(value)
