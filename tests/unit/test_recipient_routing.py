"""Who a reminder or an escalation reaches (domain.shared.directory.route), the channels that reach
a person, the owner check, and the informational notice built for a directory person."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.notices.rules import informational_notice
from domain.shared.directory import (
    ROLES,
    PersonFields,
    Reachable,
    check_owner,
    reachable_channels,
    route,
)
from domain.shared.errors import RuleViolation
from domain.shared.people import Recipient

SENDABLE = frozenset({"sms", "email"})
OWNER = Recipient(role="hr", name="hr-li")
HR_MANAGER = Recipient(role="hr_manager", name="HR manager")  # none configured: no address
LINE_MANAGER = Recipient(role="department_manager", name="李经理", phone="+8613900139000")


def person(pid: int, name: str, roles: tuple[str, ...], departments: tuple[str, ...] = (),
           channels: tuple[str, ...] = ("email",)) -> Reachable:
    return Reachable(pid, name, roles, departments, channels)


def test_each_role_is_found_by_name_role_and_department() -> None:
    people = [person(1, "hr-li", ("hr",)), person(2, "hr-zhao", ("hr",)),
              person(3, "chen", ("hr_manager",), channels=("sms",)),
              person(4, "wang", ("manager",), ("生产部",)), person(5, "sun", ("manager",), ("仓储部",))]
    routing = route((OWNER, HR_MANAGER, LINE_MANAGER), people, "生产部")
    assert [(r.role, r.name, r.person_id, r.channels) for r in routing.recipients] == [
        ("hr", "hr-li", 1, ("email",)), ("hr_manager", "chen", 3, ("sms",)),
        ("department_manager", "wang", 4, ("email",))]
    assert routing.missing == ()
    assert all(r.phone is None and r.email is None for r in routing.recipients)


def test_nobody_reachable_keeps_the_fallback_and_reports_only_unaddressed_roles() -> None:
    people = [person(1, "hr-li", ("hr",), channels=()), person(4, "wang", ("manager",), ("仓储部",))]
    routing = route((OWNER, HR_MANAGER, LINE_MANAGER), people, "生产部")
    assert routing.recipients == (OWNER, HR_MANAGER, LINE_MANAGER)
    assert routing.missing == ("hr", "hr_manager")  # 李经理 has a phone from the registration


def test_an_owner_without_an_hr_role_is_not_the_owner() -> None:
    routing = route((OWNER,), [person(1, "hr-li", ("manager",))], "生产部")
    assert routing.recipients == (OWNER,) and routing.missing == ("hr",)


def test_other_roles_pass_through() -> None:
    contact = Recipient(role="emergency_contact", name="王芳", phone="+8613700137000")
    assert route((contact,), [person(1, "王芳", ("hr",))], "生产部").recipients == (contact,)


people_lists = st.lists(st.builds(
    Reachable, st.integers(1, 6), st.sampled_from(["hr-li", "chen", "wang"]),
    st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True).map(tuple),
    st.lists(st.sampled_from(["生产部", "仓储部"]), max_size=2, unique=True).map(tuple),
    st.lists(st.sampled_from(["sms", "email"]), max_size=2, unique=True).map(tuple)), max_size=6)


@given(people_lists)
def test_each_person_is_reached_once_and_a_missing_role_has_nobody(people: list[Reachable]) -> None:
    routing = route((OWNER, HR_MANAGER, LINE_MANAGER), people, "生产部")
    ids = [r.person_id for r in routing.recipients if r.person_id is not None]
    assert len(ids) == len(set(ids))
    for role in routing.missing:
        assert not [r for r in routing.recipients if r.role == role and r.person_id is not None]
    assert all(r.channels for r in routing.recipients if r.person_id is not None)


def test_channels_follow_the_person_and_need_an_address() -> None:
    both = PersonFields("li", ("hr",), phone="+8613800138000", email="li@example.com")
    assert reachable_channels(both, SENDABLE) == ("sms", "email")
    assert reachable_channels(PersonFields("li", ("hr",), phone="+8613800138000",
                                           email="li@example.com", channels=("email", "sms")),
                              SENDABLE) == ("email", "sms")
    wecom_only = PersonFields("li", ("hr",), wecom_user_id="LiNa", email="li@example.com")
    assert reachable_channels(wecom_only, SENDABLE) == ("email",)  # WeCom not sendable here
    assert reachable_channels(PersonFields("li", ("hr",)), SENDABLE) == ()


@pytest.mark.parametrize(("found", "code"), [
    (None, "owner.unknown"),
    (PersonFields("li", ("hr",), active=False), "owner.inactive"),
    (PersonFields("li", ("manager",)), "owner.not_hr"),
])
def test_an_owner_must_be_active_hr_in_the_directory(found: PersonFields | None,
                                                       code: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_owner(found, "li")
    assert refused.value.code == code and refused.value.field == "owner"


def test_a_directory_person_is_reached_by_id_then_the_outbox() -> None:
    to = Recipient(role="hr", name="hr-li", person_id=7, channels=("email", "wecom", "sms"))
    notice = informational_notice("onboarding-E1", "reminder_sent", to, {"title": "t"}, 1.0)
    assert notice.recipient.person_id == 7
    assert notice.recipient.phone is None and notice.recipient.email is None
    assert notice.channels[0] == "email" and notice.channels[-1] == "outbox"
    assert set(notice.channels) <= {"email", "wecom", "sms", "outbox"}
