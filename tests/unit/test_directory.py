"""The directory's checks: roles, contacts, channels, and the roles a key acts with."""

from __future__ import annotations

import pytest

from domain.shared.directory import PersonFields, check_person, check_roles, key_roles
from domain.shared.errors import RuleViolation


def test_a_person_is_normalised() -> None:
    person = check_person(PersonFields("li-na", ("admin", "hr", "admin"), (" 生产部", "生产部"),
                                       phone="138-0013-8000", email="", channels=("sms",)))
    assert person.roles == ("hr", "admin") and person.departments == ("生产部",)
    assert person.phone == "+8613800138000" and person.email is None


@pytest.mark.parametrize(("fields", "field", "code"), [
    ({"roles": ()}, "roles", "roles.empty"),
    ({"roles": ("root",)}, "roles", "roles.unknown"),
    ({"name": " li"}, "name", "name.format"),
    ({"name": "x" * 81}, "name", "name.format"),
    ({"departments": ("",)}, "departments", "departments.format"),
    ({"email": "li@"}, "email", "email.format"),
    ({"wecom_user_id": "李 娜"}, "wecom_user_id", "wecom_user_id.format"),
    ({"channels": ("dingtalk",)}, "channels", "channels.unreachable"),
    ({"channels": ("email", "email"), "email": "li@example.com"}, "channels", "channels.repeated"),
])
def test_a_broken_rule_names_field_and_rule(fields: dict[str, object], field: str,
                                            code: str) -> None:
    with pytest.raises(RuleViolation) as broken:
        check_person(PersonFields(**{"name": "li-na", "roles": ("hr",), **fields}))  # type: ignore[arg-type]
    assert (broken.value.field, broken.value.code) == (field, code)


def test_roles_come_in_directory_order() -> None:
    assert check_roles(["admin", "manager", "hr"]) == ("hr", "manager", "admin")


def test_a_key_acts_with_its_one_role_while_its_person_holds_it() -> None:
    assert key_roles(("hr", "admin"), None) == ("hr", "admin")
    assert key_roles(("hr", "admin"), "admin") == ("admin",)
    assert key_roles(("hr",), "admin") == ()
