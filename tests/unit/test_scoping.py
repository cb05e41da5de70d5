"""Whose records a caller reads: HR roles the company's, a manager their departments', no one else
any."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from domain.shared.directory import ROLES
from domain.shared.roles import HR_ROLES
from domain.shared.scoping import COMPANY, NOWHERE, Scope, scope_of

departments = st.lists(st.sampled_from(["生产部", "仓储部", "财务部", "生产部 ", "Sales", "sales"]),
                       max_size=4)
roles = st.lists(st.sampled_from([*ROLES, "auditor"]), max_size=4)
department = st.one_of(st.none(), st.sampled_from(["生产部", "仓储部", "财务部", "Sales", ""]),
                       st.text(max_size=10))


def test_hr_roles_read_the_company_s_and_a_manager_their_departments() -> None:
    for role in ("hr", "hr_manager", "admin"):
        assert scope_of([role], []) == COMPANY
    dave = scope_of(["manager"], ["生产部", "仓储部"])
    assert dave.sees("生产部") and dave.sees("仓储部")
    assert not dave.sees("财务部") and not dave.sees(None) and not dave.sees("")
    assert not dave.sees("生产部 ")  # names compare as written (the directory trims them)


def test_a_manager_with_no_departments_and_other_roles_read_nothing() -> None:
    assert scope_of(["manager"], []) == Scope(company=False)
    assert scope_of(["auditor"], ["生产部"]) == NOWHERE and scope_of([], ["生产部"]) == NOWHERE
    assert not NOWHERE.sees("生产部") and not NOWHERE.sees(None)


def test_an_hr_role_beside_manager_reads_the_company_s() -> None:
    assert scope_of(["hr", "manager"], ["生产部"]) == COMPANY
    assert scope_of(["manager", "hr_manager"], []).sees("财务部")
    assert COMPANY.sees(None)  # a record of no known department too


@given(roles, departments, department)
def test_the_company_or_exactly_the_departments_named(held: list[str], named: list[str],
                                                      record: str | None) -> None:
    sees = scope_of(held, named).sees(record)
    if set(held) & HR_ROLES:
        assert sees
    elif "manager" in held:
        assert sees == (record in named)
    else:
        assert not sees


@given(roles, departments, department, st.randoms())
def test_the_order_and_repeats_of_roles_and_departments_do_not_matter(
        held: list[str], named: list[str], record: str | None, rng: random.Random) -> None:
    shuffled_roles, shuffled_departments = held * 2, named * 2
    rng.shuffle(shuffled_roles)
    rng.shuffle(shuffled_departments)
    assert scope_of(held, named) == scope_of(shuffled_roles, shuffled_departments)


@given(roles, departments, departments, st.sampled_from(ROLES), department)
def test_more_roles_or_departments_never_see_less(held: list[str], named: list[str],
                                                  more: list[str], extra_role: str,
                                                  record: str | None) -> None:
    if scope_of(held, named).sees(record):
        assert scope_of([*held, extra_role], named).sees(record)
        assert scope_of(held, [*named, *more]).sees(record)
