"""Notice texts: Jinja2 templates per purpose and locale, SMS segment counting, SMS country rules.

Templates live in domain/notices/templates/<locale>/<template>.txt (blocks `subject`, `sms`, `text`) and
<template>.html (autoescaped). Country rules live in domain/data/sms_countries.json.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    UndefinedError,
    select_autoescape,
)

TEMPLATES = ("return_to_work", "determination_decision", "appraisal_conclusion",
             "negotiation_invitation", "settlement_payment", "si_reminder", "si_escalation",
             "notice_escalation", "generic")
LOCALES = ("zh-CN", "en")
_TEMPLATE_DIR = Path(__file__).with_name("templates")
_COUNTRIES_FILE = Path(__file__).parents[1] / "data" / "sms_countries.json"
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
# An email's inline styles: the page's CSP allows only its own style block (data is escaped, so a
# quote inside it never closes an attribute).
_STYLE_ATTRIBUTE = re.compile(r'\s+style="[^"]*"')

# GSM 03.38: the basic table (one septet each; \x1b is the escape, not a character) and the
# extension table (escape + one septet: two septets each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


@dataclass(frozen=True)
class SmsCount:
    encoding: Literal["GSM-7", "UCS-2"]
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def sms_count(text: str) -> SmsCount:
    """Encoding, length and segments of an SMS: GSM-7 160 alone / 153 per part, UCS-2 70 / 67.

    A character is never split across parts (a GSM-7 escape pair, a UTF-16 surrogate pair), so a
    long text may need one part more than units / 153 suggests. An empty text has no segment.
    """
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        encoding: Literal["GSM-7", "UCS-2"] = "GSM-7"
        weights = [2 if c in GSM7_EXTENSION else 1 for c in text]
        single, part = 160, 153
    else:
        encoding = "UCS-2"
        weights = [2 if ord(c) > 0xFFFF else 1 for c in text]
        single, part = 70, 67
    units = sum(weights)
    if units <= single:
        return SmsCount(encoding, units, 1 if units else 0)
    segments, used = 1, 0
    for weight in weights:
        if used + weight > part:
            segments, used = segments + 1, 0
        used += weight
    return SmsCount(encoding, units, segments)


def sms_segments(text: str) -> int:
    """How many SMS parts the text is billed and delivered as."""
    return sms_count(text).segments


@dataclass(frozen=True)
class SmsCountryRule:
    """What SMS to numbers under `prefix` may do; `verified` says whether `source` was checked."""

    prefix: str
    two_way: bool
    urls_allowed: bool
    source: str
    verified: bool


def parse_sms_rules(data: Mapping[str, Any]) -> dict[str, SmsCountryRule]:
    """Read the sms_countries.json shape: {"+86": {...}, "*": {...}}; "*" is required."""
    rules = {prefix: SmsCountryRule(prefix=prefix, two_way=bool(entry["two_way"]),
                                    urls_allowed=bool(entry["urls_allowed"]),
                                    source=str(entry.get("source", "")),
                                    verified=bool(entry.get("verified", False)))
             for prefix, entry in data.items()}
    if "*" not in rules:
        raise ValueError('sms_countries.json needs a "*" entry for countries without their own')
    for prefix in rules:
        if prefix != "*" and not re.fullmatch(r"\+\d{1,4}", prefix):
            raise ValueError(f"sms_countries.json: {prefix!r} is not a country code like +86")
    return rules


@cache
def sms_rules() -> dict[str, SmsCountryRule]:
    """The shipped rules from domain/data/sms_countries.json."""
    return parse_sms_rules(json.loads(_COUNTRIES_FILE.read_text(encoding="utf-8")))


def sms_rule_for(phone: str, rules: Mapping[str, SmsCountryRule] | None = None) -> SmsCountryRule:
    """The rule of the longest country code that the E.164 number starts with, else "*"."""
    rules = sms_rules() if rules is None else rules
    matches = [p for p in rules if p != "*" and phone.startswith(p)]
    return rules[max(matches, key=len)] if matches else rules["*"]


LINK_WITHHELD = "[个人链接已隐去 · personal link withheld]"
"""What a stored text shows where its personal link was: a link's token opens and answers the
notice, so the outbox and the attempt rows keep the link's parameters (notice id, expiry, nonce),
never the link."""


def withhold_link(text: str, link: str) -> str:
    """The text as it may be stored: the personal link replaced by LINK_WITHHELD."""
    return text.replace(link, LINK_WITHHELD) if link else text


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str  # the SMS body on the sms channel, the plain-text part otherwise
    html: str  # empty on the sms channel


def normalize_locale(locale: str) -> str:
    """zh-CN unless the locale is English (en, en-US, en_GB…)."""
    return "en" if locale.lower().replace("_", "-").split("-")[0] == "en" else "zh-CN"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=False)


CHINA_SMS_MAX_SEGMENTS = 3
"""An SMS to a mainland number states a notice's substance in at most this many parts (UCS-2,
67 characters each): carriers bill each part, and a long text is cut on older handsets."""

_COMPANIONS = {"zh-CN": {"email": "邮件", "wecom": "企业微信", "dingtalk": "钉钉"},
               "en": {"email": "email", "wecom": "WeCom", "dingtalk": "DingTalk"}}


def render(template: str, locale: str, data: Mapping[str, Any], *, link: str, code: str,
           pixel_url: str = "", channel: str = "email", name: str = "", reminder: bool = False,
           hr_phone: str = "", email_on_file: bool = False, companion: str = "",
           sms_rule: SmsCountryRule | None = None) -> Rendered:
    """Subject, text and HTML of one notice on one channel.

    On the sms channel a country whose rule forbids URLs gets the substance, the notice code and
    how to answer instead of the link: HR's phone, or, when the caller knows that a message with
    the link goes out together with this one, that channel (`companion`: email, wecom or
    dingtalk). An email address on file (`email_on_file`) is no such promise, so no text relies
    on it: the email may go only later, as a fallback, or never.
    """
    if template not in TEMPLATES:
        raise ValueError(f"unknown notice template {template!r}: one of {', '.join(TEMPLATES)}")
    rule = sms_rule or sms_rules()["*"]
    sms = channel == "sms"
    folder = normalize_locale(locale)
    context = {
        "data": dict(data), "name": name, "code": code, "reminder": reminder,
        "hr_phone": hr_phone, "email_on_file": email_on_file, "pixel_url": pixel_url,
        "link": link if (not sms or rule.urls_allowed) else "",
        "two_way": sms and rule.two_way,
        "companion": _COMPANIONS[folder].get(companion, "") if sms else "",
    }
    env = _environment()
    try:
        txt = env.get_template(f"{folder}/{template}.txt")
        html = env.get_template(f"{folder}/{template}.html") if not sms else None
    except TemplateNotFound as exc:  # a template listed in TEMPLATES without its files
        raise ValueError(f"notice template file missing: {exc.name}") from None

    def block(name_: str) -> str:
        return "".join(txt.blocks[name_](txt.new_context(context))).strip()

    try:
        return _render_parts(block, html, context, sms, rule)
    except UndefinedError as exc:
        raise ValueError(f"notice template {template!r} needs data it was not given: "
                         f"{exc.message}") from None


def _render_parts(block: Callable[[str], str], html: Template | None, context: dict[str, Any],
                  sms: bool, rule: SmsCountryRule) -> Rendered:
    subject = " ".join(block("subject").split())
    if sms:
        text = block("sms")
        if not rule.urls_allowed and _URL.search(text):
            raise ValueError(f"an SMS to {rule.prefix} may carry no URL, and the text has one "
                             "(from the notice data?)")
        return Rendered(subject=subject, text=text, html="")
    context["subject"] = subject
    return Rendered(subject=subject, text=block("text"), html=html.render(context) if html else "")


def render_page(template: str, locale: str, data: Mapping[str, Any], *, name: str,
                code: str = "", hr_phone: str = "") -> str:
    """The notice's whole substance as an HTML fragment for the employee's page (/r/…): the
    content of its email, without the link, the button or the pixel (the reader is on the page)."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown notice template {template!r}: one of {', '.join(TEMPLATES)}")
    context = {"data": dict(data), "name": name, "code": code, "reminder": False,
               "hr_phone": hr_phone, "email_on_file": False, "pixel_url": "", "link": "",
               "two_way": False, "companion": "", "subject": ""}
    try:
        html = _environment().get_template(f"{normalize_locale(locale)}/{template}.html")
        fragment = "".join(html.blocks["content"](html.new_context(context))).strip()
    except TemplateNotFound as exc:
        raise ValueError(f"notice template file missing: {exc.name}") from None
    except UndefinedError as exc:
        raise ValueError(f"notice template {template!r} needs data it was not given: "
                         f"{exc.message}") from None
    return _STYLE_ATTRIBUTE.sub("", fragment)
