"""Compulsory motor insurance (交强险) in the civil claim: the insurer pays first, within its limits.

道路交通安全法 art. 76 ¶1: where a motor vehicle causes a traffic accident, the insurer of its
compulsory insurance pays first, within the limits, whatever the liability split; only the rest is
shared by liability. The limits (机动车交通事故责任强制保险 责任限额) are data with their period and
issuing document (domain/data/third_party.json, not verified): from 2020-09-19 180,000 death and
disability, 18,000 medical, 2,000 property where the insured vehicle is liable; 18,000 / 1,800 /
100 where it is not. Which head of loss falls under which limit follows art. 76 ("人身伤亡") as the
SPC reads it (最高人民法院关于审理道路交通事故损害赔偿案件适用法律若干问题的解释, 法释〔2012〕19号,
amended 2020: 人身伤亡 = every loss of 民法典 arts. 1179 and 1183, mental distress included, which the
victim may ask the insurer to pay first: arts. 14 and 16 as numbered in 2012; the amended text
was not read here) and the insurance clauses: medical costs under the medical
limit; disability or death compensation, funeral costs, lost income, nursing, transport,
dependants' living costs and mental distress under the death-and-disability limit; damage to the
worker's property (the e-bike, say) under the property limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from domain.compensation.money import fen, money
from domain.shared.errors import RuleViolation

_DATA = Path(__file__).parents[1] / "data" / "third_party.json"
RTSL_76 = "道路交通安全法 art. 76 ¶1"
SPC_TRAFFIC = "最高法道路交通事故损害赔偿解释 (法释〔2012〕19号, 2020 修正)"
Head = Literal["medical", "death_disability", "property"]
# the civil items under each limit (art. 76 人身伤亡; the insurance clauses' heads)
HEADS: dict[str, Head] = {
    "medical_costs": "medical", "lost_income": "death_disability", "nursing": "death_disability",
    "transport": "death_disability", "disability_compensation": "death_disability",
    "death_compensation": "death_disability", "mental_distress": "death_disability",
    "funeral_costs": "death_disability", "dependants_living_costs": "death_disability",
    "property_damage": "property"}
HEAD_ZH = {"medical": "医疗费用赔偿限额", "death_disability": "死亡伤残赔偿限额",
           "property": "财产损失赔偿限额"}
HEAD_EN = {"medical": "medical limit", "death_disability": "death-and-disability limit",
           "property": "property limit"}


@dataclass(frozen=True)
class Limits:
    """One period's 交强险 limits, yuan per accident, with the document and where it was read."""

    start: date
    end: date | None
    liable: MappingProxyType[str, Decimal]
    not_liable: MappingProxyType[str, Decimal]
    document: str
    source: str
    verified: bool

    def limit(self, head: str, insured_liable: bool) -> Decimal:
        return (self.liable if insured_liable else self.not_liable)[head]


@dataclass(frozen=True)
class CompulsoryTable:
    """Every period on file; `on(day)` picks the one in force on the accident day."""

    periods: tuple[Limits, ...]

    @classmethod
    @cache
    def bundled(cls) -> CompulsoryTable:
        rows = json.loads(_DATA.read_text(encoding="utf-8"))["compulsory_insurance_limits"]["periods"]
        return cls(tuple(Limits(
            date.fromisoformat(r["from"]), date.fromisoformat(r["to"]) if r["to"] else None,
            MappingProxyType({k: Decimal(v) for k, v in r["liable"].items()}),
            MappingProxyType({k: Decimal(v) for k, v in r["not_liable"].items()}),
            r["document"], r["source"], bool(r["verified"])) for r in rows))

    def on(self, day: date) -> Limits:
        for limits in self.periods:
            if limits.start <= day and (limits.end is None or day <= limits.end):
                return limits
        first = min(p.start for p in self.periods)
        raise RuleViolation("injury_date", "third_party.compulsory_limits_missing",
                            f"no 交强险 limits on file for an accident on {day} (on file from {first}); "
                            "give compulsory_insurance: false and estimate the insurer's part apart")


def insurer_parts(damages: dict[str, Decimal], limits: Limits, insured_liable: bool) -> dict[str, Decimal]:
    """The insurer's part of each loss: each head's limit spent on its items in the order given
    (RTSL art. 76 ¶1); the order moves nothing but which line shows it, the sums are the same."""
    left = {head: limits.limit(head, insured_liable)
            for head in ("medical", "death_disability", "property")}
    parts: dict[str, Decimal] = {}
    for code, damage in damages.items():
        head = HEADS[code]
        parts[code] = fen(min(damage, left[head]))
        left[head] -= parts[code]
    return parts


def compulsory_note(motor_vehicle: bool, liable: bool, share: Decimal, limits: Limits | None) -> str:
    """What the insurer's part rests on, or why there is none (RTSL art. 76 ¶1)."""
    pct = f"{(share * 100).normalize():f} %"
    if limits is None and not motor_vehicle:
        return ("对方不是机动车，没有交强险：全部损失按责任比例承担 / the other party is not a motor "
                f"vehicle: no compulsory insurance, every loss × the liability share ({RTSL_76})")
    if limits is None:
        return (f"对方机动车未投保交强险：投保义务人应在交强险限额内先行赔偿（{SPC_TRAFFIC}），此处全部损失"
                "按责任比例计算，可主张的金额可能更高 / the motor vehicle had no compulsory insurance: "
                "whoever had to insure it answers within the limits first; here every loss × the share, "
                "so the claim may be higher")
    which, which_en = ("有责", "liable") if liable else ("无责", "not liable")
    heads = "、".join(f"{HEAD_ZH[h]} {money(limits.limit(h, liable))}"
                     for h in ("medical", "death_disability", "property"))
    heads_en = ", ".join(f"{HEAD_EN[h]} {money(limits.limit(h, liable))}"
                         for h in ("medical", "death_disability", "property"))
    state = "" if limits.verified else "；限额未核实 / limits unverified"
    return (f"交强险先在限额内赔付（{which}：{heads}），余额再按责任比例 {pct} 分担"
            f"（{RTSL_76}；{SPC_TRAFFIC}）{state} / the compulsory insurer pays first within its limits "
            f"({which_en}: {heads_en}), the rest × the liability share; limits "
            f"from {limits.start}: {limits.document}")
