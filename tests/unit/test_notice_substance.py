"""Notices that carry their substance (issue 17 §3): each purpose's template states what matters,
the +86 SMS states it briefly without pointing at anything not sent, the page offers answers that
fit the purpose, and each proof grade is explained."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.injury import messages
from domain.injury.state import Appraisal, Determination
from domain.notices.answers import FORMS, form_for, proposed_time_text
from domain.notices.proof import PROOF_GRADES_EN, PROOF_GRADES_ZH, explain_proof
from domain.notices.rules import proof_grade
from domain.notices.text import (
    CHINA_SMS_MAX_SEGMENTS,
    LOCALES,
    render,
    render_page,
    sms_rule_for,
    sms_segments,
)
from domain.shared.wording import Words
from tests.factories import case_input

CHINA = sms_rule_for("+8613800138000")
LINK = "https://caseguard.example.com/r/tok.en"
PURPOSES = ("return_to_work", "determination_decision", "appraisal_conclusion",
            "negotiation_invitation", "settlement_payment")
_UNFILLED = re.compile(r"\{\{|\}\}|\{%|%\}|\bNone\b|Undefined")

names = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1,
                 max_size=4)
companies = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=16)
days = st.dates(date(2020, 1, 1), date(2040, 12, 31)).map(date.isoformat)
amounts = st.decimals(min_value=0, max_value=9_999_999, places=2).map(str)
phones = st.sampled_from(["", "010-12345678", "13800138000"])


@st.composite
def notice_data(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    purpose = draw(st.sampled_from(PURPOSES))
    data: dict[str, Any] = {}
    if company := draw(companies):
        data["company"] = company
    if purpose == "return_to_work":
        data |= {"return_date": draw(days), "suspension_ends_on": draw(days),
                 "department": draw(companies) or "车间"}
    elif purpose == "determination_decision":
        data |= {"recognised": draw(st.booleans()), "authority": "广东省社会保险行政部门",
                 "decided_on": draw(days), "reference": draw(st.sampled_from(["", "粤人社认〔2026〕9号"])),
                 "reason": draw(st.sampled_from(["", "不属于工作时间"])),
                 "documents": draw(st.lists(st.just("doc-1"), max_size=1))}
    elif purpose == "appraisal_conclusion":
        data |= {"grade": draw(st.one_of(st.none(), st.integers(1, 10))),
                 "final": draw(st.booleans()), "concluded_on": draw(days)}
    elif purpose == "negotiation_invitation":
        data |= {"meeting_at": draw(days) + " 14:00", "place": draw(companies) or "会议室",
                 "bring": draw(st.lists(st.sampled_from(["身份证", "银行卡", "病历"]), max_size=3))}
    else:
        data |= {"agreed_amount": draw(amounts), "agreed_on": draw(days)}
        if draw(st.booleans()):
            data |= {"paid_amount": draw(amounts), "paid_on": draw(days)}
    return purpose, data


@settings(max_examples=150, deadline=None)
@given(notice_data(), names, phones, st.sampled_from(LOCALES), st.booleans())
def test_no_template_leaves_a_placeholder_and_the_china_sms_fits(
        case: tuple[str, dict[str, Any]], name: str, hr_phone: str, locale: str, reminder: bool):
    purpose, data = case
    email = render(purpose, locale, data, link=LINK, code="K7M2QX", name=name, hr_phone=hr_phone,
                   reminder=reminder)
    sms = render(purpose, "zh-CN", data, link=LINK, code="K7M2QX", channel="sms", name=name,
                 hr_phone=hr_phone, reminder=reminder, sms_rule=CHINA)
    page = render_page(purpose, locale, data, name=name)
    for text in (email.subject, email.text, email.html, sms.text, page):
        assert not _UNFILLED.search(text), text
    assert sms_segments(sms.text) <= CHINA_SMS_MAX_SEGMENTS, sms.text
    assert "http" not in sms.text and "K7M2QX" in sms.text
    own_words = sms.text.replace(str(data.get("company", "")), "")  # a company may be named 邮件
    assert "邮件" not in own_words  # never "answer through the link in the email"
    assert (hr_phone in sms.text) if hr_phone else "请联系人事" in sms.text
    assert "<a " not in page and "style=" not in page


def _text(purpose: str, data: dict[str, Any], locale: str = "zh-CN") -> str:
    return render(purpose, locale, data, link=LINK, code="C", name="张三").text


def test_the_determination_states_the_decision_the_authority_the_date_and_the_review_right():
    data = {"recognised": False, "authority": "北京市社会保险行政部门", "decided_on": "2026-12-01",
            "reference": "京人社工认〔2026〕123号", "reason": "不属于工作时间",
            "documents": ["doc-1"]}
    text = _text("determination_decision", data)
    for fact in ("不予认定为工伤", "北京市社会保险行政部门", "2026-12-01", "京人社工认〔2026〕123号",
                 "不属于工作时间", "决定书已附在通知页面上", "60日内", "行政复议",
                 "《工伤保险条例》第五十五条", "行政复议法》第二十条"):
        assert fact in text, fact
    english = _text("determination_decision", data, "en")
    assert "not recognised" in english and "60 days" in english and "art. 55" in english
    sms = render("determination_decision", "zh-CN", data, link=LINK, code="C", channel="sms",
                 name="张三", hr_phone="010-12345678", sms_rule=CHINA).text
    assert "不予认定为工伤" in sms and "60日内申请行政复议" in sms and "010-12345678" in sms


def test_the_appraisal_states_the_grade_and_the_re_appraisal_right_until_it_is_final():
    first = _text("appraisal_conclusion", {"grade": 7, "final": False, "concluded_on": "2026-12-01"})
    assert "七级伤残" in first and "15日内" in first and "第二十六条" in first
    final = _text("appraisal_conclusion", {"grade": None, "final": True, "concluded_on": "2027-03-01"})
    assert "未达伤残等级" in final and "最终结论" in final and "15日内" not in final


def test_the_invitation_gives_time_place_and_what_to_bring():
    text = _text("negotiation_invitation", {"meeting_at": "2026-12-10 14:00", "place": "二楼会议室",
                                            "bring": ["身份证", "银行卡"]})
    assert "2026-12-10 14:00" in text and "二楼会议室" in text and "身份证、银行卡" in text
    assert "提出您方便的时间" in text


def test_settlement_and_payment_state_the_amounts():
    text = _text("settlement_payment", {"agreed_amount": "120000.00", "agreed_on": "2026-12-05",
                                        "paid_amount": "60000.00", "paid_on": "2026-12-06",
                                        "outstanding": "60000.00"})
    assert "120000.00" in text and "2026-12-06" in text and "尚未支付 60000.00 元" in text


def test_return_to_work_says_where_to_report_and_what_if_the_employee_cannot_come():
    text = _text("return_to_work", {"return_date": "2026-12-01", "suspension_ends_on": "2026-11-30",
                                    "department": "冲压车间"})
    assert "冲压车间" in text and "2026-11-30" in text and "不能按时返岗" in text
    assert "第三十三条" in text


def test_the_case_builds_the_decision_data_with_its_documents():
    inp = case_input(datetime(2026, 11, 1, 1, 30, tzinfo=UTC))
    det = Determination(applied_on=date(2026, 11, 2), recognised=True,
                        decided_on=date(2026, 12, 1), decision_reference="京人社工认〔2026〕1号")
    data = messages.determination_data(inp, det, ("doc-9",))
    assert data["recognised"] is True and data["decided_on"] == "2026-12-01"
    assert data["documents"] == ["doc-9"] and data["authority"] == "北京市社会保险行政部门"
    assert data["title"] and data["body"]  # the generic template can still say it
    appraisal = messages.appraisal_data(inp, Appraisal(applied_on=date(2027, 1, 5), round=2,
                                                       grade=9, concluded_on=date(2027, 3, 1)))
    assert appraisal["final"] is True and appraisal["committee"] == "北京市劳动能力鉴定委员会"
    for built in (data, appraisal):
        render(built.get("recognised") is not None and "determination_decision"
               or "appraisal_conclusion", "zh-CN", built, link=LINK, code="C", name="张三")


def test_old_notices_still_render_with_the_generic_template():
    inp = case_input(datetime(2026, 11, 1, 1, 30, tzinfo=UTC))
    det = Determination(applied_on=date(2026, 11, 2), recognised=False, decided_on=date(2026, 12, 1))
    old = messages.determination_notice(inp, det)  # what running cases passed before the patch
    assert "不予认定为工伤" in render("generic", "zh-CN", old, link=LINK, code="C").text
    assert "不予认定为工伤" in render_page("generic", "zh-CN", old, name="张三")


def test_answers_fit_the_purpose():
    assert form_for("return_to_work").return_date
    assert not any(f.return_date for p, f in FORMS.items() if p != "return_to_work")
    assert form_for("determination_decision").confirm == "我已收到"
    assert form_for("appraisal_conclusion").confirm == "我已收到"
    invitation = form_for("negotiation_invitation")
    assert invitation.propose_time and invitation.confirm == "我会参加"
    assert form_for("si_reminder").confirm == "我已收到并确认"  # anything else: as before
    assert proposed_time_text("2026-12-11T10:00", "上午可以") == "希望改期至 2026-12-11 10:00：上午可以"
    assert proposed_time_text("", "随时") == "随时"


@pytest.mark.parametrize("grade", ["acknowledged", "read", "delivered", "opened_weak", "sent",
                                   "accepted_by_provider", "unknown", "failed", "none"])
def test_every_grade_is_explained_in_both_languages_and_in_the_bundle(grade: str):
    assert grade in PROOF_GRADES_ZH and grade in PROOF_GRADES_EN
    assert Words("zh").value("proof", grade) == explain_proof(grade)
    assert Words("zh").field("proof") == "送达证明"


def test_platform_reads_are_strong_and_the_pixel_is_weak():
    from domain.notices.payloads import AttemptView, DeliveryStatus

    def attempt(channel: str, status: DeliveryStatus, no: int = 1) -> AttemptView:
        return AttemptView(attempt_no=no, channel=channel, to="x", status=status,  # type: ignore[arg-type]
                           provider_id=None, reminder=False, sent_at=datetime(2026, 12, 1, tzinfo=UTC))

    assert proof_grade((attempt("dingtalk", DeliveryStatus.read),), None) == "read"
    assert proof_grade((attempt("wecom", DeliveryStatus.read),), None) == "read"
    assert proof_grade((attempt("email", DeliveryStatus.opened),), None) == "opened_weak"
    # a DingTalk delivery outranks an email pixel: the platform's record, not a guess
    assert proof_grade((attempt("email", DeliveryStatus.opened),
                        attempt("dingtalk", DeliveryStatus.delivered, 2)), None) == "delivered"
    assert "强证据" in explain_proof("read") and "弱证据" in explain_proof("opened_weak")
    assert "钉钉" in explain_proof("read") and "企业微信" in explain_proof("read")


def test_the_invitation_and_the_payment_notice_render_what_the_case_passes():
    from decimal import Decimal

    from domain.injury.state import Settlement

    inp = case_input(datetime(2026, 11, 1, 1, 30, tzinfo=UTC))
    invite = messages.invitation_data(inp, datetime(2026, 12, 10, 6, 0, tzinfo=UTC), "二楼会议室", ())
    text = _text("negotiation_invitation", invite)
    assert "2026-12-10 14:00" in text and "二楼会议室" in text and "身份证" in text  # Beijing time
    settlement = Settlement(opened_on=date(2026, 12, 1), agreed_amount=Decimal("60000"),
                            agreed_on=date(2026, 12, 5), paid_amount=Decimal("20000"))
    paid = messages.payment_data(inp, settlement, Decimal("20000"), date(2026, 12, 6), "TX-1")
    text = _text("settlement_payment", paid)
    assert "60000.00" in text and "20000.00" in text and "尚未支付 40000.00 元" in text
    assert "TX-1" in text
    done = messages.payment_data(inp, Settlement(opened_on=date(2026, 12, 1),
                                                 agreed_amount=Decimal("60000"),
                                                 paid_amount=Decimal("60000")),
                                 Decimal("40000"), date(2026, 12, 9), "TX-2")
    assert "outstanding" not in done and "已全部支付" in _text("settlement_payment", done)


def test_an_invitation_needs_a_time_and_a_place_not_in_the_past():
    from domain.injury.payloads import OpenNegotiation
    from domain.injury.rules import _invitation
    from domain.shared.errors import RuleViolation
    from domain.shared.people import Actor

    hr = Actor(name="hr", role="hr")
    today = date(2026, 12, 1)
    _invitation(OpenNegotiation(actor=hr), today)  # no invitation: nothing to check
    _invitation(OpenNegotiation(actor=hr, meeting_at=datetime(2026, 12, 3, 6, tzinfo=UTC),
                                place="二楼会议室"), today)
    for bad in (OpenNegotiation(actor=hr, place="二楼会议室"),
                OpenNegotiation(actor=hr, meeting_at=datetime(2026, 12, 3, 6, tzinfo=UTC)),
                OpenNegotiation(actor=hr, meeting_at=datetime(2026, 11, 30, 6, tzinfo=UTC),
                                place="二楼会议室")):
        with pytest.raises(RuleViolation):
            _invitation(bad, today)
