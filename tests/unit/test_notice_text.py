"""Notice texts: SMS segments (GSM-7 vs UCS-2), templates in zh-CN and en, the +86 rule."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.notices.text import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    LOCALES,
    TEMPLATES,
    SmsCount,
    normalize_locale,
    parse_sms_rules,
    render,
    sms_count,
    sms_rule_for,
    sms_segments,
)

LINK = "https://caseguard.example.com/r/tok.en"
PIXEL = LINK + "/o.gif"
DATA: dict[str, dict[str, Any]] = {
    "return_to_work": {"return_date": "2026-12-01", "reason": "医生证明已可复工"},
    "si_reminder": {"employee_name": "王五", "hire_date": "2026-11-23", "due_date": "2026-12-23",
                    "days_left": 3},
    "si_escalation": {"employee_name": "王五", "due_date": "2026-12-23", "days_overdue": 2},
    "notice_escalation": {"employee_name": "张三", "notice_title": "复工通知",
                          "deadline": "2026-11-26", "unreachable": True,
                          "history": ["11-23 09:00 SMS queued", "11-23 09:01 email opened (weak)"]},
    "generic": {"title": "体检安排", "body": "请于周五上午到医务室体检。\n\n带上身份证。"},
    "determination_decision": {"recognised": True, "authority": "北京市社会保险行政部门",
                               "decided_on": "2026-12-01", "documents": ["doc-1"]},
    "appraisal_conclusion": {"grade": 7, "final": False, "concluded_on": "2026-12-01"},
    "negotiation_invitation": {"meeting_at": "2026-12-10 14:00", "place": "二楼会议室"},
    "settlement_payment": {"agreed_amount": "120000.00", "agreed_on": "2026-12-05"},
}


def test_the_gsm7_tables_are_complete():
    assert len(GSM7_BASIC) == 127 and len(GSM7_EXTENSION) == 10  # 128 less the escape code


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), [
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),               # extension characters take two septets
    ("€" + "a" * 159, "GSM-7", 161, 2),
    ("a" * 152 + "€" + "a" * 8, "GSM-7", 162, 2),
    ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # the escape pair is not split across parts
    ("Ünïcödé? no: ï is not GSM-7", "UCS-2", 27, 1),
    ("复" * 70, "UCS-2", 70, 1),
    ("复" * 71, "UCS-2", 71, 2),
    ("复" * 134, "UCS-2", 134, 2),
    ("复" * 135, "UCS-2", 135, 3),
    ("👍" * 35, "UCS-2", 70, 1),              # astral characters are two UTF-16 code units
    ("a" * 66 + "👍" + "a" * 66, "UCS-2", 134, 3),  # a surrogate pair is not split either
])
def test_segments(text: str, encoding: str, units: int, segments: int):
    assert sms_count(text) == SmsCount(encoding, units, segments)  # type: ignore[arg-type]
    assert sms_segments(text) == segments


@given(st.text(alphabet=sorted(GSM7_BASIC), min_size=1, max_size=1000))
def test_plain_gsm_text_is_160_alone_and_153_per_part(text: str):
    n = len(text)
    assert sms_segments(text) == (1 if n <= 160 else math.ceil(n / 153))


@given(st.text(alphabet="复工通知请返岗", min_size=1, max_size=500))
def test_chinese_text_is_70_alone_and_67_per_part(text: str):
    n = len(text)
    assert sms_count(text).encoding == "UCS-2"
    assert sms_segments(text) == (1 if n <= 70 else math.ceil(n / 67))


def test_country_rules_come_from_data_with_a_default():
    china, elsewhere = sms_rule_for("+8613800138000"), sms_rule_for("+14155550100")
    assert (china.prefix, china.two_way, china.urls_allowed) == ("+86", False, False)
    assert (elsewhere.prefix, elsewhere.urls_allowed) == ("*", True)
    assert sms_rule_for("+85291234567").prefix == "*"  # Hong Kong is not +86
    rules = parse_sms_rules({"+1": {"two_way": True, "urls_allowed": True},
                             "+1264": {"two_way": False, "urls_allowed": False},
                             "*": {"two_way": False, "urls_allowed": True}})
    assert sms_rule_for("+12645551234", rules).prefix == "+1264"  # the longest code wins
    with pytest.raises(ValueError, match=r'"\*"'):
        parse_sms_rules({"+86": {"two_way": False, "urls_allowed": False}})


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_renders_in_every_locale(template: str, locale: str):
    email = render(template, locale, DATA[template], link=LINK, code="K7M2QX", pixel_url=PIXEL,
                   channel="email", name="张三", hr_phone="010-12345678")
    assert email.subject and "\n" not in email.subject
    assert LINK in email.text and "K7M2QX" in email.text
    assert f'href="{LINK}"' in email.html and f'src="{PIXEL}"' in email.html
    assert f'lang="{locale}"' in email.html
    sms = render(template, locale, DATA[template], link=LINK, code="K7M2QX", channel="sms",
                 name="张三", sms_rule=sms_rule_for("+14155550100"))
    assert LINK in sms.text and sms.html == ""
    assert sms_segments(sms.text) <= 4


def test_the_languages_differ_and_chinese_is_the_default():
    zh = render("return_to_work", "zh-CN", DATA["return_to_work"], link=LINK, code="C")
    en = render("return_to_work", "en", DATA["return_to_work"], link=LINK, code="C")
    assert zh.subject == "复工通知：请于 2026-12-01 返岗"
    assert en.subject == "Return to work on 2026-12-01"
    assert normalize_locale("fr") == "zh-CN" and normalize_locale("en_GB") == "en"


def test_a_chinese_sms_has_the_code_and_how_to_answer_but_no_url():
    china = sms_rule_for("+8613800138000")
    kwargs: dict[str, Any] = {"link": LINK, "code": "K7M2QX", "channel": "sms", "name": "张三",
                              "sms_rule": china}
    # An email address on file is no promise that the email went out (it may go later, as a
    # fallback, or never): the SMS never points at it (issue 17).
    by_phone = render("return_to_work", "zh-CN", DATA["return_to_work"], email_on_file=True,
                      hr_phone="010-12345678", **kwargs).text
    paired = render("return_to_work", "zh-CN", DATA["return_to_work"], companion="wecom",
                    hr_phone="010-12345678", **kwargs).text
    alone = render("return_to_work", "zh-CN", DATA["return_to_work"], **kwargs).text
    for text in (by_phone, paired, alone):
        assert "K7M2QX" in text and "http" not in text and "回复本短信" not in text
    assert "010-12345678" in by_phone and "邮件" not in by_phone
    assert "另通过企业微信发送" in paired and "010-12345678" in paired
    assert "请联系人事" in alone
    with pytest.raises(ValueError, match="no URL"):
        render("generic", "zh-CN", {"title": "t", "body": "b", "sms": "见 http://x.cn"}, **kwargs)


def test_the_escalation_carries_the_receipt_history():
    text = render("notice_escalation", "en", DATA["notice_escalation"], link=LINK, code="C",
                  name="Manager Li").text
    assert "- 11-23 09:00 SMS queued\n- 11-23 09:01 email opened (weak)" in text
    assert "emergency contact" in text


def test_html_escapes_the_data_and_text_does_not():
    rendered = render("generic", "en", {"title": "A & B", "body": "<script>x</script>"},
                      link=LINK, code="C")
    assert "&lt;script&gt;" in rendered.html and "<script>" not in rendered.html
    assert "<script>x</script>" in rendered.text and rendered.subject == "A & B"


def test_bad_templates_and_missing_data_are_value_errors():
    with pytest.raises(ValueError, match="unknown notice template"):
        render("nope", "zh-CN", {}, link=LINK, code="C")
    with pytest.raises(ValueError, match="return_date"):
        render("return_to_work", "zh-CN", {}, link=LINK, code="C")
