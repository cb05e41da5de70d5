"""Employee self-service (员工自助): the details an employee may propose to change through their
personal link, and the difference a proposal makes, which HR approves or rejects.

Only contact and payment details are the employee's to propose: phone, email, emergency contact
(紧急联系人) and the bank account wages are paid into (工资银行账户). What the SI processes rest on
(SI type, contribution base 缴费基数, hire and leave dates, ID number, name) is HR's record under
《社会保险法》第五十八条 and is refused by name. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.shared.directory import _EMAIL
from domain.shared.errors import RuleViolation
from domain.shared.identity import normalize_phone
from domain.shared.input_rules import check_plain_text

FIELDS = ("phone", "email", "emergency_contact", "bank_account")
"""What a proposal may change, in the order the page shows them."""
FIELD_LABELS = {"phone": "手机号码", "email": "电子邮箱", "emergency_contact": "紧急联系人",
                "bank_account": "工资银行账户"}
FIELD_LABELS_EN = {"phone": "Phone", "email": "Email", "emergency_contact": "Emergency contact",
                   "bank_account": "Bank account"}
_DIGITS = re.compile(r"[0-9]{12,30}")
_SPACES = re.compile(r"[\s-]")


@dataclass(frozen=True)
class Change:
    """One field a proposal changes: what the record holds, and what the employee asks for."""

    field: str
    before: Any
    after: Any


def check_proposal(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The proposed values, checked and normalised (phones in E.164, bank numbers as digits); a
    field that is not the employee's to change is refused (422 proposal.field_not_allowed,
    naming it), and so is a proposal that names no field (proposal.empty)."""
    for name in raw:
        if name not in FIELDS:
            raise RuleViolation(name, "proposal.field_not_allowed",
                                f"{name} cannot be changed through self-service, only "
                                f"{', '.join(FIELDS)}: ask HR")
    proposed = {name: value for name, value in raw.items() if value not in (None, "", {})}
    if not proposed:
        raise RuleViolation("", "proposal.empty", "the proposal changes nothing: give at least "
                            f"one of {', '.join(FIELDS)}")
    return {name: _CHECKS[name](proposed[name]) for name in FIELDS if name in proposed}


def _text(value: Any, field: str, longest: int) -> str:
    text = check_plain_text(str(value if value is not None else "").strip(), field)
    if not text or len(text) > longest:
        raise RuleViolation(field, "text.length", f"{field} must be 1-{longest} characters")
    return text


def _phone(value: Any) -> str:
    return normalize_phone(str(value), field="phone")


def _email(value: Any) -> str:
    email = str(value).strip()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise RuleViolation("email", "email.format", "email must look like name@example.com")
    return email


def _part(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RuleViolation(field, f"{field}.format", f"{field} is an object")
    return value


def _emergency(value: Any) -> dict[str, str]:
    part = _part(value, "emergency_contact")
    extra = sorted(set(part) - {"name", "relation", "phone"})
    if extra:
        raise RuleViolation(f"emergency_contact.{extra[0]}", "proposal.field_not_allowed",
                            "an emergency contact has a name, relation and phone only")
    return {"name": _text(part.get("name"), "emergency_contact.name", 80),
            "relation": _text(part.get("relation"), "emergency_contact.relation", 40),
            "phone": normalize_phone(str(part.get("phone") or ""),
                                     field="emergency_contact.phone")}


def _bank(value: Any) -> dict[str, str]:
    part = _part(value, "bank_account")
    extra = sorted(set(part) - {"bank", "number"})
    if extra:
        raise RuleViolation(f"bank_account.{extra[0]}", "proposal.field_not_allowed",
                            "a bank account has a bank and a number only")
    number = _SPACES.sub("", str(part.get("number") or ""))
    if not (number.isascii() and _DIGITS.fullmatch(number)):
        raise RuleViolation("bank_account.number", "bank_account.format",
                            "the account number is 12-30 digits (spaces allowed)")
    return {"bank": _text(part.get("bank"), "bank_account.bank", 80), "number": number}


_CHECKS = {"phone": _phone, "email": _email, "emergency_contact": _emergency,
           "bank_account": _bank}


def changes(on_file: Mapping[str, Any], proposed: Mapping[str, Any]) -> tuple[Change, ...]:
    """The fields whose proposed value differs from the record's; none at all is refused (422
    proposal.no_change: the employee re-sent what is on file)."""
    found = tuple(Change(name, on_file.get(name), proposed[name]) for name in FIELDS
                  if name in proposed and proposed[name] != on_file.get(name))
    if not found:
        raise RuleViolation("", "proposal.no_change",
                            "every value proposed is already on file: nothing to review")
    return found


def mask_bank_number(number: str) -> str:
    """A bank account number as anyone but HR sees it: its last 4 digits (****1234)."""
    return "****" + number[-4:] if len(number) > 4 else "****"


def shown(field: str, value: Any, *, whole: bool) -> Any:
    """A value as the reader may see it: the bank number cut to its last 4 digits unless `whole`."""
    if field != "bank_account" or whole or not isinstance(value, Mapping):
        return value
    return {**value, "number": mask_bank_number(str(value.get("number", "")))}


def outcome_message(name: str, fields: list[str], approved: bool, reason: str) -> tuple[str, str]:
    """What the employee is told of HR's decision (subject, body; Chinese first): the fields by
    name, never their values, and a rejection's reason."""
    names = "、".join(FIELD_LABELS[f] for f in fields)
    names_en = ", ".join(FIELD_LABELS_EN[f].lower() for f in fields)
    if approved:
        return ("您的信息变更已通过 / Your change was approved",
                f"{name}，您提交的信息变更（{names}）已由人事审核通过，档案已更新。\n"
                f"Your change to your {names_en} was approved and is on your record.")
    return ("您的信息变更未通过 / Your change was not approved",
            f"{name}，您提交的信息变更（{names}）未通过人事审核。理由：{reason}\n"
            f"Your change to your {names_en} was not approved. Reason: {reason}")
