"""What a manager reads of an employee: ID numbers, phones and emails masked, medical texts hidden."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from domain.shared.masking import HIDDEN, for_role, mask_email, mask_text, masked, sees_whole

ID = "11010519491231002X"
CASE = {
    "id": "case-E1001-20261120", "employee_name": "张三", "injury": "左手食指骨折",
    "events": [
        {"seq": 1, "kind": "case_opened", "injury": "左手食指骨折", "location": "车间",
         "witnesses": ["王五"]},
        {"seq": 2, "kind": "diagnosis_fetched", "diagnosis": "骨折", "treatment": "石膏固定",
         "found": True},
        {"seq": 3, "kind": "case_outcome", "cause": "搬运时被压伤", "grade": 9},
    ],
    "employee": {"id_number": ID, "phone": "+8613800138000", "email": "zhangsan@example.com",
                 "manager": {"name": "李经理", "phone": "13900139000", "email": None}},
    "notices": [{"notice_id": "n1", "answer_text": "腿还疼，下周复查", "proof": ""}],
    "attempts": [{"to_address": "+8613800138000"}, {"to_address": "zhangsan@example.com"},
                 {"to_address": "张三"}],
    "note": "请联系 13800138000 或 zhangsan@example.com，身份证 11010519491231002X",
}


def test_hr_roles_read_whole_and_every_other_role_masked() -> None:
    assert [sees_whole(r) for r in ("hr", "hr_manager", "admin")] == [True, True, True]
    assert not sees_whole("manager") and not sees_whole("auditor")
    assert for_role("hr", CASE) is CASE
    assert for_role("manager", CASE) == masked(CASE)


def test_a_manager_reads_ids_phones_and_emails_masked_and_medical_texts_hidden() -> None:
    seen = masked(CASE)
    assert seen["employee"] == {"id_number": "110105********002X", "phone": "+86138****8000",
                                "email": "z***@example.com",
                                "manager": {"name": "李经理", "phone": "139****9000",
                                            "email": None}}
    assert seen["injury"] == HIDDEN
    assert [e.get("injury") or e.get("diagnosis") or e.get("cause") for e in seen["events"]] \
        == [HIDDEN, HIDDEN, HIDDEN]
    assert seen["events"][1]["treatment"] == HIDDEN and seen["events"][1]["found"] is True
    assert seen["events"][2]["grade"] == 9 and seen["events"][0]["location"] == "车间"
    assert seen["notices"][0] == {"notice_id": "n1", "answer_text": HIDDEN, "proof": ""}
    assert [a["to_address"] for a in seen["attempts"]] == ["+86138****8000", "z***@example.com",
                                                           "张三"]
    assert seen["note"] == "请联系 138****8000 或 z***@example.com，身份证 110105********002X"
    assert seen["employee_name"] == "张三" and seen["id"] == "case-E1001-20261120"


def test_identifiers_and_hashes_are_not_mistaken_for_numbers() -> None:
    digest = "13800138000" + "ab" * 26 + "110105194912310021"[:1]
    text = f"onboarding-E1001 {digest} 2026-11-23T16:00:00+00:00 ¥13800.00"
    assert mask_text(text) == text


def test_an_email_keeps_its_first_character_and_domain() -> None:
    assert mask_email("zhangsan@example.com") == "z***@example.com"
    assert mask_email("not-an-email") == "************"


surrounding = st.text(alphabet=st.characters(blacklist_categories=("Nd", "No", "Nl", "Lu", "Ll", "Lo", "Cs")),
                      max_size=20)


@given(head=st.from_regex(r"\A[1-9]\d{5}\Z"), middle=st.from_regex(r"\A\d{8}\Z"),
       tail=st.from_regex(r"\A\d{3}[\dX]\Z"), before=surrounding, after=surrounding)
def test_a_masked_id_number_never_contains_its_middle_digits(
        head: str, middle: str, tail: str, before: str, after: str) -> None:
    number = head + middle + tail
    for seen in (masked({"id_number": number}), masked({"note": f"{before}{number}{after}"}),
                 masked([f"{before}{number}{after}"])):
        text = json.dumps(seen, ensure_ascii=False)
        assert middle not in text and number not in text
        assert head + "*" * 8 + tail in text


@given(middle=st.from_regex(r"\A\d{4}\Z"), tail=st.from_regex(r"\A\d{4}\Z"),
       prefix=st.sampled_from(["", "+86", "86"]), before=surrounding, after=surrounding)
def test_a_masked_phone_shows_only_its_first_3_and_last_4_digits(
        middle: str, tail: str, prefix: str, before: str, after: str) -> None:
    phone = f"{prefix}138{middle}{tail}"
    for key, value in (("phone", phone), ("note", f"{before}{phone}{after}")):
        seen = masked({key: value})[key]
        assert f"138****{tail}" in seen
        assert sum(c.isdigit() for c in seen) == 7 + (2 if prefix else 0)
