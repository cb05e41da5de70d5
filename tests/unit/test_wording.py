"""What a Chinese reader sees of codes, citations and the employer: one place, no English left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.injury import clocks
from domain.shared import labels, statutes
from domain.shared.citations import article_zh, chinese_number
from domain.shared.company import USCC_ALPHABET, uscc_check_char, uscc_problem
from domain.shared.wording import REGIONS, ZH, Words, words
from settings import Settings

LATIN = re.compile(r"[A-Za-z]")
VALUES = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}


def _read_chinese(text: str) -> int:
    total, digit = 0, None
    for ch in text:
        if ch in VALUES:
            digit = VALUES[ch]
        else:
            total += (1 if digit is None else digit) * UNITS[ch]
            digit = None
    return total + (digit or 0)


@given(st.integers(min_value=1, max_value=9999))
def test_article_numbers_read_back_as_written(n: int):
    assert _read_chinese(chinese_number(n)) == n


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (10, "十"), (17, "十七"), (20, "二十"),
                                         (62, "六十二"), (105, "一百零五"), (110, "一百一十")])
def test_article_numbers_as_a_statute_writes_them(n: int, text: str):
    assert chinese_number(n) == text


def test_every_citation_a_deadline_carries_reads_in_chinese():
    windows = [v for v in vars(statutes).values() if isinstance(v, statutes.Window)]
    citations = [w.article for w in windows] + [statutes.SUSPENSION_ARTICLE,
                                                "product rule (seed KPI): materials on file"]
    for citation in citations:
        text = article_zh(citation)
        assert text and not LATIN.search(text), (citation, text)
    assert article_zh(statutes.DETERMINATION_DECISION.article) == "《工伤保险条例》第二十条"
    assert article_zh(statutes.DETERMINATION_APPLICATION.article) == \
        "《工伤保险条例》第十七条第一款、第四款"
    assert article_zh("Reg. art. 39(3); SIL arts. 58, 60") == \
        "《工伤保险条例》第三十九条第（三）项；《中华人民共和国社会保险法》第五十八条、第六十条"
    assert "seed" not in Words("en").article("product rule (seed KPI): x")


def test_no_seed_in_what_the_product_says():
    assert "seed" not in statutes.SETTLEMENT_TARGET.article
    assert "seed" not in (clocks.__doc__ or "") + open(clocks.__file__).read()


def test_statuses_regions_and_recorders_in_chinese():
    assert [ZH.status(s) for s in ("met", "missed", "upcoming")] == ["已按期完成", "逾期", "未到期"]
    assert ZH.region("beijing") == "北京市" and len(REGIONS) == 31
    assert not LATIN.search(ZH.actor("authority_simulator"))
    assert ZH.actor("hr-alice") == "hr-alice"  # a person is named as recorded
    assert labels.label(labels.DEADLINE_STATUS, "met") == "已按期完成"
    assert ZH.value("purpose", "return_to_work") == "复工通知"
    assert Words("en").status("met") == "met" and words("en").region("beijing") == "Beijing"
    with pytest.raises(ValueError):
        words("fr")


def test_every_label_table_is_chinese():
    for name in ("EVENT_KINDS", "DEADLINE_NAMES", "DEADLINE_STATUS", "NOTICE_PURPOSES",
                 "CASE_STAGES", "ONBOARDING_STATUS", "REQUEST_STATUS", "CASE_ACTIONS",
                 "CASE_TASKS", "WRITTEN_CONTRACT_STATUS"):
        for code, text in getattr(labels, name).items():
            assert not LATIN.search(text), (name, code, text)


bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@given(bodies)
def test_a_code_with_its_check_character_is_valid(body: str):
    assert uscc_problem(body + uscc_check_char(body)) == ""


@given(bodies, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_changed_is_caught(body: str, at: int, other: str):
    code = body + uscc_check_char(body)
    if code[at] == other:
        return
    assert uscc_problem(code[:at] + other + code[at + 1:]) != ""


def test_known_codes_and_bad_ones():
    assert uscc_problem("91350100M000100Y43") == ""
    assert "18" in uscc_problem("91350100M000100Y4")
    assert "I" in uscc_problem("91350100M000100I43")
    assert "check character" in uscc_problem("91350100M000100Y44")


def test_a_bad_code_is_refused_at_start_naming_the_setting():
    with pytest.raises(ValueError, match="CASEGUARD_COMPANY_USCC"):
        Settings(company_uscc="91350100M000100Y44")
    company = Settings(company_name="示例公司", company_uscc="91350100m000100y43").company()
    assert company.uscc == "91350100M000100Y43" and company.name == "示例公司"


def test_every_event_the_product_records_has_a_chinese_label():
    """Kinds as the workflows, activities, store and API write them: none reaches a PDF as a code."""
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r'(?:_emit|_record|_event)\(\s*"([a-z_]+)"|kind\s*=\s*"([a-z_]+)"'
                         r'|"kind":\s*"([a-z_]+)"')
    kinds = set()
    for area in ("workflows", "activities", "store", "api"):
        for path in (root / area).rglob("*.py"):
            for found in pattern.finditer(path.read_text(encoding="utf-8")):
                kinds.add(next(g for g in found.groups() if g))
    assert "determination_decided" in kinds or "case_opened" in kinds
    missing = sorted(kinds - set(labels.EVENT_KINDS))
    assert missing == [], f"give these events a Chinese label in domain/shared/labels.py: {missing}"


def test_every_case_action_has_a_chinese_name():
    from domain.injury.rules import ACTIONS

    assert sorted(labels.CASE_ACTIONS) == sorted(ACTIONS)


def test_every_case_task_has_a_chinese_name():
    from domain.injury.overview import _FLAG_TASKS

    source = (Path(__file__).resolve().parents[2] / "domain/injury/overview.py").read_text()
    codes = set(re.findall(r'add\("([a-z_]+)"', source)) | set(_FLAG_TASKS)
    assert "await_determination" in codes
    assert sorted(codes - set(labels.CASE_TASKS)) == []


def test_every_document_kind_has_a_chinese_name():
    from domain.shared.documents import KINDS

    assert all(ZH.document_kind(kind) != "其他材料" or kind == "other" for kind in KINDS)


def test_a_tsa_setting_that_cannot_work_is_refused_at_start(tmp_path: Path):
    with pytest.raises(ValueError, match="CASEGUARD_TSA_URL"):
        Settings(tsa_url="tsa.example.com")
    with pytest.raises(ValueError, match="CASEGUARD_TSA_CA_FILE"):
        Settings(tsa_url="http://127.0.0.1:3161/", tsa_ca_file=tmp_path / "missing.pem")
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    assert Settings(tsa_ca_file=tmp_path / "ca.pem").tsa_ca_file == tmp_path / "ca.pem"


def test_moments_in_event_details_read_in_beijing_time():
    assert ZH.value("gen_time", "2026-12-02T20:27:27+00:00") == "2026-12-03 04:27"
    assert ZH.value("due_at", "not a time") == "not a time"
