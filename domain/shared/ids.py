"""Workflow ids are business ids; this module makes them and reads them back."""

from __future__ import annotations

import re

from domain.shared.errors import RuleViolation

_EMPLOYEE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ONBOARDING_PREFIX = "onboarding-"
# A re-hire's onboarding: onboarding-<employee_id>~<employment>, from the second employment on.
# '~' is no character of an employee id, so the inverse stays unambiguous.
EMPLOYMENT_SEPARATOR = "~"
CASE_PREFIX = "case-"


def check_employee_id(employee_id: str, field: str = "employee.employee_id") -> str:
    """An employee id is 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit."""
    if not _EMPLOYEE_ID.match(employee_id or ""):
        raise RuleViolation(
            field,
            "employee_id.format",
            f"{field.rsplit('.', 1)[-1]} must be 1-64 characters of letters, digits, '_', '.' or '-', "
            "starting with a letter or digit",
        )
    return employee_id


def onboarding_id(employee_id: str, employment: int = 1) -> str:
    """The workflow id of a new hire's onboarding: onboarding-<employee_id> for the first
    employment, onboarding-<employee_id>~<n> for the n-th (a re-hire)."""
    base = ONBOARDING_PREFIX + check_employee_id(employee_id)
    if employment < 1:
        raise ValueError("employments are numbered from 1")
    return base if employment == 1 else f"{base}{EMPLOYMENT_SEPARATOR}{employment}"


def employee_id_of(onboarding: str) -> str:
    """The inverse of onboarding_id: the employee id."""
    return _split_onboarding(onboarding)[0]


def employment_of(onboarding: str) -> int:
    """The inverse of onboarding_id: the employment's number (1 for the first)."""
    return _split_onboarding(onboarding)[1]


def _split_onboarding(onboarding: str) -> tuple[str, int]:
    if not onboarding.startswith(ONBOARDING_PREFIX):
        raise RuleViolation("id", "onboarding_id.format", "an onboarding id starts with 'onboarding-'")
    rest = onboarding[len(ONBOARDING_PREFIX):]
    employee, sep, number = rest.partition(EMPLOYMENT_SEPARATOR)
    if sep and not (number.isascii() and number.isdigit() and not number.startswith("0")
                    and int(number) >= 2):
        raise RuleViolation("id", "onboarding_id.format",
                            "a re-hire's onboarding id ends with '~' and its employment number (2 or more)")
    return check_employee_id(employee, field="id"), int(number) if sep else 1


def case_workflow_id(case_id: str) -> str:
    """The workflow id of an injury case: case-<case_id>."""
    return CASE_PREFIX + check_employee_id(case_id, field="case_id")


def case_id_of(workflow_id: str) -> str:
    """The inverse of case_workflow_id."""
    if not workflow_id.startswith(CASE_PREFIX):
        raise RuleViolation("id", "case_id.format", "a case id starts with 'case-'")
    return check_employee_id(workflow_id[len(CASE_PREFIX):], field="id")
