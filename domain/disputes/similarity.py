"""How alike a past dispute is to the case HR is preparing for (历史纠纷数据库): score and rank.

Pure: no database, no clock. The API loads the past records, this module orders them.

The score of a past record against a query is a weighted mean over the criteria the query gives,
so it is always in [0, 1], and a record identical to the query scores 1:

========================  ======  ==========================================================
criterion                 weight  how the record matches (1 = fully, 0 = not at all)
========================  ======  ==========================================================
disability grade          0.40    same grade 1; one grade apart 0.5; two apart 0.2; else 0
                                  (or a record with no grade). Grade drives the statutory
                                  lump sums, so it decides most of what a settlement is worth.
injury text               0.30    0.6 × Dice overlap of Chinese character bigrams (single
                                  characters for one-character texts) + 0.4 × overlap of
                                  keyword groups (hand, leg, head, spine, fracture, burn…);
                                  the bigram overlap alone when neither text has a keyword.
SI enrolled at the time   0.15    same status 1, else 0: without SI the employer pays what the
                                  fund would have paid (Regulations art. 62).
region                    0.10    same region 1, else 0 (local averages and practice differ).
traffic accident          0.05    same 1, else 0 (a third party may have paid part).
========================  ======  ==========================================================

A criterion the query leaves out (None, or a text with no letters) counts for nothing either
way, and its weight is left out of the mean; a query with no criterion scores every record 0.
Records are ranked by score, highest first, ties broken by the record's key (ascending), so the
same records in any order give the same ranking.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

WEIGHTS = {"grade": 0.40, "injury": 0.30, "si_enrolled": 0.15, "region": 0.10,
           "traffic_accident": 0.05}
GRADE_DISTANCE = {0: 1.0, 1: 0.5, 2: 0.2}
BIGRAM_SHARE = 0.6

# Keyword groups: two texts naming the same body part or kind of injury share a group even when
# their wording differs (右手拇指 and 左手食指 share "hand").
KEYWORDS: dict[str, tuple[str, ...]] = {
    "hand": ("手", "指", "腕", "掌"),
    "arm": ("臂", "肘", "肩"),
    "leg": ("腿", "膝", "踝", "足", "脚", "趾", "髋"),
    "head": ("头", "颅", "脑", "面", "眼", "耳", "鼻", "颈"),
    "spine": ("腰", "背", "脊", "椎"),
    "chest": ("胸", "肋", "腹"),
    "fracture": ("骨折", "骨裂"),
    "burn": ("烧伤", "烫伤", "灼伤"),
    "amputation": ("截", "离断", "缺失"),
    "tendon": ("肌腱", "韧带", "腱"),
    "crush": ("挤压", "压伤", "夹伤", "碾"),
    "cut": ("割", "切", "划伤", "裂伤"),
}

_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class DisputeQuery:
    """What HR knows of the case at hand; None (or empty text) leaves a criterion out."""

    injury: str = ""
    grade: int | None = None
    si_enrolled: bool | None = None
    region: str | None = None
    traffic_accident: bool | None = None


@dataclass(frozen=True)
class DisputeRecord:
    """The fields of a past dispute that similarity compares; `key` is unique and breaks ties."""

    key: str
    injury: str = ""
    grade: int | None = None
    si_enrolled: bool | None = None
    region: str | None = None
    traffic_accident: bool | None = None

    def as_query(self) -> DisputeQuery:
        return DisputeQuery(injury=self.injury, grade=self.grade, si_enrolled=self.si_enrolled,
                            region=self.region, traffic_accident=self.traffic_accident)


@dataclass(frozen=True)
class Match:
    key: str
    score: float
    parts: dict[str, float]  # criterion → how well it matched, for the criteria the query gave


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text or "").lower())


def grams(text: str) -> frozenset[str]:
    """Character bigrams of the normalised text; the single character of a one-character text."""
    t = normalise(text)
    if len(t) < 2:
        return frozenset(t)
    return frozenset(t[i:i + 2] for i in range(len(t) - 1))


def keyword_groups(text: str) -> frozenset[str]:
    t = normalise(text)
    return frozenset(group for group, words in KEYWORDS.items() if any(w in t for w in words))


def text_similarity(a: str, b: str) -> float:
    """Bigram Dice overlap blended with keyword-group overlap (Jaccard); 1 for equal texts."""
    ga, gb = grams(a), grams(b)
    if not ga or not gb:
        return 0.0
    dice = 2 * len(ga & gb) / (len(ga) + len(gb))
    ka, kb = keyword_groups(a), keyword_groups(b)
    if not ka and not kb:
        return dice
    jaccard = len(ka & kb) / len(ka | kb)
    return BIGRAM_SHARE * dice + (1 - BIGRAM_SHARE) * jaccard


def grade_similarity(query: int, record: int | None) -> float:
    if record is None:
        return 0.0
    return GRADE_DISTANCE.get(abs(query - record), 0.0)


def _region(value: str | None) -> str:
    return normalise(value or "")


def match(query: DisputeQuery, record: DisputeRecord) -> Match:
    """How well `record` matches `query`, overall and per criterion (see the module docstring)."""
    parts: dict[str, float] = {}
    if query.grade is not None:
        parts["grade"] = grade_similarity(query.grade, record.grade)
    if normalise(query.injury):
        parts["injury"] = text_similarity(query.injury, record.injury)
    if query.si_enrolled is not None:
        parts["si_enrolled"] = float(record.si_enrolled == query.si_enrolled)
    if _region(query.region):
        parts["region"] = float(_region(query.region) == _region(record.region))
    if query.traffic_accident is not None:
        parts["traffic_accident"] = float(record.traffic_accident == query.traffic_accident)
    total = sum(WEIGHTS[name] for name in parts)
    score = sum(WEIGHTS[name] * value for name, value in parts.items()) / total if total else 0.0
    return Match(key=record.key, score=round(min(max(score, 0.0), 1.0), 6),
                 parts={name: round(value, 6) for name, value in parts.items()})


def score(query: DisputeQuery, record: DisputeRecord) -> float:
    return match(query, record).score


def rank(query: DisputeQuery, records: Iterable[DisputeRecord],
         limit: int | None = None) -> list[Match]:
    """Most similar first; equal scores by key, so the order of `records` does not matter."""
    ranked = sorted((match(query, r) for r in records), key=lambda m: (-m.score, m.key))
    return ranked if limit is None else ranked[:limit]


def agreed_summary(amounts: Iterable[Decimal | None]) -> dict[str, str | int | None]:
    """What the given past cases settled for: how many agreed, lowest, median, highest."""
    agreed = sorted(a for a in amounts if a is not None)
    if not agreed:
        return {"agreed_count": 0, "agreed_min": None, "agreed_median": None, "agreed_max": None}
    mid = len(agreed) // 2
    median = agreed[mid] if len(agreed) % 2 else (agreed[mid - 1] + agreed[mid]) / 2
    return {"agreed_count": len(agreed), "agreed_min": str(agreed[0]),
            "agreed_median": str(median.quantize(Decimal("0.01"))), "agreed_max": str(agreed[-1])}
