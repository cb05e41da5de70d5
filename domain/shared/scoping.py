"""Whose onboardings and cases a caller reads (PIPL arts. 6 and 51: personal information is
processed within the smallest scope its purpose needs, and access to it is limited to those whose
work needs it; 个人信息保护法 第六条、第五十一条).

HR, the HR manager and the admin (`domain.shared.roles.HR_ROLES`) handle the company's cases and
onboardings, so they read every department's. A department manager (`manager`) reads those of
the departments the directory gives them (`PersonFields.departments`), compared as written; one
with no departments reads none. Holding an HR role beside `manager` reads the company's. Any
other role reads none. The API answers a record outside the scope as it answers an unknown id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.shared.roles import HR_ROLES

DEPARTMENT_ROLE = "manager"  # the role whose reading is limited to its departments


@dataclass(frozen=True)
class Scope:
    """The departments whose records a caller reads: every one (`company`), or those named."""

    company: bool
    departments: frozenset[str] = frozenset()

    def sees(self, department: str | None) -> bool:
        """Whether a record of `department` is the caller's to read (None: a record of no known
        department, which only a company-wide reader sees)."""
        return self.company or (department is not None and department in self.departments)


COMPANY = Scope(company=True)
NOWHERE = Scope(company=False)


def scope_of(roles: Iterable[str], departments: Iterable[str]) -> Scope:
    """The scope of a caller acting with `roles` whose directory entry names `departments`."""
    held = frozenset(roles)
    if held & HR_ROLES:
        return COMPANY
    if DEPARTMENT_ROLE in held:
        return Scope(company=False, departments=frozenset(departments))
    return NOWHERE
