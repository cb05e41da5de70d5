"""Employee self-service rules: which fields an employee may propose to change, how each is
checked, the difference a proposal makes, and what a reader who is not HR sees of a bank number."""

from __future__ import annotations

import pytest

from domain.employees.self_service import (
    Change,
    changes,
    check_proposal,
    mask_bank_number,
    outcome_message,
    shown,
)
from domain.shared.errors import RuleViolation

ON_FILE = {"phone": "+8613800138000", "email": "zs@example.com",
           "emergency_contact": {"name": "李四", "relation": "配偶", "phone": "+8613900139000"},
           "bank_account": None}


@pytest.mark.parametrize("field", ["contribution_base", "si_type", "leave_date", "id_number",
                                   "name", "department"])
def test_what_the_si_processes_rest_on_is_refused_by_name(field: str):
    with pytest.raises(RuleViolation) as refused:
        check_proposal({"phone": "13800138001", field: "x"})
    assert refused.value.field == field
    assert refused.value.code == "proposal.field_not_allowed"


def test_each_field_is_normalised_by_the_domains_rules():
    checked = check_proposal({
        "phone": "138 0013 8001", "email": " w@example.cn ",
        "emergency_contact": {"name": " 王五 ", "relation": "父亲", "phone": "13700137000"},
        "bank_account": {"bank": "中国工商银行北京分行", "number": "6222 0202 0000 1234 567"}})
    assert checked == {
        "phone": "+8613800138001", "email": "w@example.cn",
        "emergency_contact": {"name": "王五", "relation": "父亲", "phone": "+8613700137000"},
        "bank_account": {"bank": "中国工商银行北京分行", "number": "6222020200001234567"}}


@pytest.mark.parametrize(("raw", "field", "code"), [
    ({"phone": "12345"}, "phone", "phone.format"),
    ({"email": "not-an-email"}, "email", "email.format"),
    ({"emergency_contact": {"name": "王五", "relation": "父亲", "phone": "1"}},
     "emergency_contact.phone", "phone.format"),
    ({"emergency_contact": {"name": "", "relation": "父亲", "phone": "13700137000"}},
     "emergency_contact.name", "text.length"),
    ({"emergency_contact": {"name": "王五", "relation": "父亲", "phone": "13700137000",
                            "id_number": "x"}}, "emergency_contact.id_number",
     "proposal.field_not_allowed"),
    ({"bank_account": {"bank": "工行", "number": "1234"}}, "bank_account.number",
     "bank_account.format"),
    ({"bank_account": {"bank": "工行", "number": "６２２２０２０２００００１２３４"}},
     "bank_account.number", "bank_account.format"),
    ({"bank_account": {"bank": "", "number": "622202020000123456"}}, "bank_account.bank",
     "text.length"),
    ({"phone": "138\u202e00138000"}, "phone", "phone.format"),
    ({}, "", "proposal.empty"),
    ({"phone": ""}, "", "proposal.empty"),
])
def test_a_bad_value_is_refused_naming_its_field(raw: dict, field: str, code: str):
    with pytest.raises(RuleViolation) as refused:
        check_proposal(raw)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_the_difference_names_only_what_changes():
    proposed = check_proposal({"phone": "13800138000", "email": "new@example.com",
                               "bank_account": {"bank": "工行", "number": "622202020000123456"}})
    assert changes(ON_FILE, proposed) == (
        Change("email", "zs@example.com", "new@example.com"),
        Change("bank_account", None, {"bank": "工行", "number": "622202020000123456"}))


def test_a_proposal_of_what_is_on_file_is_refused():
    with pytest.raises(RuleViolation) as refused:
        changes(ON_FILE, check_proposal({"phone": "+86 138 0013 8000"}))
    assert refused.value.code == "proposal.no_change"


def test_a_bank_number_shows_its_last_four_to_anyone_but_hr():
    account = {"bank": "工行", "number": "622202020000123456"}
    assert mask_bank_number("622202020000123456") == "****3456"
    assert shown("bank_account", account, whole=False) == {"bank": "工行", "number": "****3456"}
    assert shown("bank_account", account, whole=True) == account
    assert shown("phone", "+8613800138000", whole=False) == "+8613800138000"


def test_the_employee_is_told_the_fields_and_the_reason_never_the_values():
    subject, body = outcome_message("张三", ["phone", "bank_account"], False, "请使用本人银行卡")
    assert "未通过" in subject and "手机号码、工资银行账户" in body and "请使用本人银行卡" in body
    subject, body = outcome_message("张三", ["email"], True, "")
    assert "已通过" in subject and "电子邮箱" in body and "email" in body and "理由" not in body
