"""The case page's forms: every field of every action is asked for and labelled in both
languages; what a browser sends is read back into the API's body, or refused naming the field."""

from __future__ import annotations

from datetime import date

import pytest
from starlette.datastructures import FormData

from api.errors import ApiError
from api.web import case_forms
from api.web.i18n import FIELDS, refusal
from domain.injury import rules
from domain.injury.payloads import action_fields

CASE = {"allowed_actions": list(rules.ACTIONS), "missing_materials": ["diagnosis"],
        "materials": [{"code": "diagnosis", "label_zh": "诊断证明"},
                      {"code": "id_copy", "label_zh": "身份证复印件"}],
        "deadlines": [{"name": "determination_application", "status": "upcoming"},
                      {"name": "materials_filed", "status": "met"}]}
DOCUMENTS = [{"id": "doc-1", "kind": "diagnosis", "filename": "a.pdf"}]


def test_every_field_of_every_action_has_a_widget_and_labels():
    for name in rules.ACTIONS:
        for field in action_fields(rules.action_type(name)):
            assert field in case_forms.WIDGETS and field in case_forms.ORDER, (name, field)
            assert FIELDS["zh"][field] and FIELDS["en"][field], field


def test_each_form_has_its_actions_fields_and_the_cases_choices():
    forms = {f.action: f for f in case_forms.action_forms(CASE, DOCUMENTS)}
    assert list(forms) == list(rules.ACTIONS)
    materials = next(f for f in forms["file_materials"].fields if f.name == "materials")
    assert [(c.value, c.label) for c in materials.choices] == [
        ("diagnosis", "诊断证明（尚缺）"), ("id_copy", "身份证复印件")]
    deadline = next(f for f in forms["grant_extension"].fields if f.name == "deadline")
    assert [c.value for c in deadline.choices] == ["determination_application"]
    documents = next(f for f in forms["close"].fields if f.name == "documents")
    assert documents.choices[0].value == "doc-1" and "a.pdf" in documents.choices[0].label
    grade = next(f for f in forms["record_appraisal"].fields if f.name == "grade")
    assert [c.value for c in grade.choices][-1] == "none" and len(grade.choices) == 11
    assert forms["file_materials"].label == "提交认定材料"


def test_what_a_browser_sends_becomes_the_apis_body():
    form = FormData([("recognised", "yes"), ("on", "2026-11-02"), ("reference", " 穗人社工 1 "),
                     ("documents", "doc-1"), ("documents", "doc-2"), ("note", ""),
                     ("csrf", "x"), ("reason", "")])
    body = case_forms.action_body("record_determination",
                                  case_forms.filled_in(form, "record_determination"))
    assert body.recognised is True and body.on == date(2026, 11, 2)
    assert body.documents == ["doc-1", "doc-2"] and body.reference == "穗人社工 1"
    assert body.model_fields_set == {"recognised", "on", "reference", "documents"}
    meeting = case_forms.action_body("open_negotiation", case_forms.filled_in(FormData(
        [("meeting_at", "2027-01-05T10:30"), ("place", "会议室"),
         ("bring", "身份证\n\n 银行卡 ")]), "open_negotiation"))
    assert meeting.meeting_at is not None and meeting.meeting_at.utcoffset().total_seconds() == 8 * 3600
    assert meeting.bring == ["身份证", "银行卡"]
    graded = case_forms.action_body("record_appraisal", {"grade": "7", "on": ""})
    assert graded.grade == 7
    assert case_forms.action_body("record_appraisal", {"grade": "none"}).grade == "none"
    simple = case_forms.action_body("apply_determination", {"simple_case": "yes"})
    assert simple.simple_case is True


@pytest.mark.parametrize("name, filled, field", [
    ("start_suspension", {"months": "三"}, "months"),
    ("record_contact", {"on": "2026-02-30"}, "on"),
    ("record_payment", {"amount": "12,000"}, "amount"),
    ("open_negotiation", {"meeting_at": "tomorrow"}, "meeting_at"),
])
def test_a_value_its_type_refuses_names_the_field(name: str, filled: dict[str, str], field: str):
    with pytest.raises(ApiError) as refused:
        case_forms.action_body(name, filled)
    assert refused.value.status == 422 and refused.value.field == field
    assert refusal("zh", refused.value.code).startswith("「")


def test_a_refusal_is_said_in_chinese_by_its_code():
    assert "材料不全" in refusal("zh", "materials.missing")
    assert refusal("en", "materials.missing") == ""
    assert refusal("zh", "something.else") == ""


def test_the_hold_window_left_is_said_in_hours_and_minutes():
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from api.web.pages import _hold_left
    from domain.onboarding.state import EnrollmentRequest, RequestStatus

    now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    held = EnrollmentRequest(number=1, type="new", contribution_base=Decimal("8000"),  # type: ignore[arg-type]
                             status=RequestStatus.approved, submitted_by="hr-carol",
                             submitted_at=now, hold_until=now + timedelta(minutes=200))

    class View:
        enrollment_requests = (held,)

    assert _hold_left(View(), now) == "3 小时 20 分"  # type: ignore[arg-type]
    View.enrollment_requests = (replace(held, hold_until=now + timedelta(minutes=7)),)
    assert _hold_left(View(), now) == "7 分"  # type: ignore[arg-type]
    View.enrollment_requests = (replace(held, hold_until=now - timedelta(minutes=1)),)
    assert _hold_left(View(), now) == ""  # type: ignore[arg-type]
