"""Legal citations as a Chinese reader writes them: 《工伤保险条例》第十七条第一款、第四款.

The domain cites in English shorthand ("Reg. art. 17 ¶1, ¶4", "SIL art. 58") so its code reads in
one language; every document for a Chinese reader passes the citation through `article_zh`.
"""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"

# The instruments the domain cites, by every English name it uses for them (longest first).
INSTRUMENTS: dict[str, str] = {
    "Regulations on Work-Related Injury Insurance (工伤保险条例)": "《工伤保险条例》",
    "Administrative Reconsideration Law": "《中华人民共和国行政复议法》",
    "Labour Dispute Mediation and Arbitration Law": "《中华人民共和国劳动争议调解仲裁法》",
    "Social Insurance Law": "《中华人民共和国社会保险法》",
    "Labour Contract Law": "《中华人民共和国劳动合同法》",
    "工伤认定办法 (MOHRSS Order 8)": "《工伤认定办法》",
    "先行支付暂行办法": "《社会保险基金先行支付暂行办法》",
    "MOHRSS Order 13": "《实施〈中华人民共和国社会保险法〉若干规定》",
    "MOLSS Order 18": "《因工死亡职工供养亲属范围规定》",
    "Civil Code": "《中华人民共和国民法典》",
    "Zhejiang": "《浙江省工伤保险条例》",
    "Regs.": "《工伤保险条例》",
    "Reg.": "《工伤保险条例》",
    "SIL": "《中华人民共和国社会保险法》",
    "LCL": "《中华人民共和国劳动合同法》",
}
PRODUCT_RULE_ZH = "本系统内部管理目标（非法定期限）"
_PART = re.compile(r"^(?P<law>.*?)\s*\barts?\.\s*(?P<refs>[0-9].*)$")
_REF = re.compile(r"^(?P<art>\d+)\s*(?:¶\s*(?P<para>\d+))?\s*(?:(?:case\s*)?\((?P<item>\d+)\))?$")
_NOTE = re.compile(r"\s*\((?:secondary copies|not enrolled)\)\s*$")


def chinese_number(n: int) -> str:
    """1 → 一, 17 → 十七, 20 → 二十, 105 → 一百零五, as articles are numbered (1-9999)."""
    if not 0 < n < 10_000:
        raise ValueError(f"{n} is not an article number (1-9999)")
    units = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
    out, gap = "", False
    for size, unit in units:
        digit = n // size % 10
        if digit == 0:
            gap = bool(out)
            continue
        if gap:
            out += "零"
        gap = False
        out += ("" if size == 10 and not out and digit == 1 else DIGITS[digit]) + unit
    return out


def article_zh(citation: str) -> str:
    """"Reg. art. 17 ¶1, ¶4" → 《工伤保险条例》第十七条第一款、第四款; parts split on ";".
    Product rules read as what they are: an internal target, not a statutory period."""
    text = citation.strip()
    if not text:
        return ""
    if text.lower().startswith("product rule"):
        return PRODUCT_RULE_ZH
    return "；".join(_part_zh(part.strip()) for part in text.split(";") if part.strip())


def _part_zh(part: str) -> str:
    part = _NOTE.sub("", part)
    match = _PART.match(part)
    if match is None:
        return part
    law = _instrument(match["law"].strip().rstrip(","))
    refs: list[str] = []
    article = ""
    for ref in (r.strip() for r in match["refs"].split(",")):
        if ref.startswith("¶") and article:  # "¶4" continues the article before it
            refs.append(f"第{chinese_number(int(ref.lstrip('¶ ')))}款")
            continue
        found = _REF.match(ref)
        if found is None:
            return part
        article = f"第{chinese_number(int(found['art']))}条"
        text = article
        if found["para"]:
            text += f"第{chinese_number(int(found['para']))}款"
        if found["item"]:
            text += f"第（{chinese_number(int(found['item']))}）项"
        refs.append(text)
    return law + "、".join(refs)


def _instrument(name: str) -> str:
    if not name:
        return "《工伤保险条例》"  # a bare "art. 17" in the injury rules
    for english in sorted(INSTRUMENTS, key=len, reverse=True):
        if name == english or name.endswith(english):
            return INSTRUMENTS[english]
    return name
