"""Dependants' pensions (供养亲属抚恤金), one per dependant, with the cap shared out (Reg. art. 39(2)).

Reg. art. 39(2) (2003: art. 37(2)) gives each dependant a percentage of the deceased's wage W: the
spouse 40 %, each other dependant 30 %, a lone elder (孤寡老人) or an orphan 10 % more, and caps
the sum at the deceased's own wage (核定的各供养亲属的抚恤金之和不应高于因工死亡职工生前的工资).
Who may be a dependant is MOLSS Order 18 (因工死亡职工供养亲属范围规定) art. 3. Neither text says
how the cut is shared when the cap bites; Caseguard shares it in proportion to each uncapped
pension (each keeps the same fraction), rounded down to the fen with the fen left over given,
one each, to the largest remainders (first listed first on a tie), so the pensions add up to
the cap exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

from domain.compensation.money import FEN, fen, money
from domain.compensation.payloads import Dependant, DependantShare
from domain.compensation.rules import DEPENDANT_RELATIONS, RuleSet
from domain.shared.errors import RuleViolation

CAP_SHARED = ("the cap is shared in proportion to each uncapped pension (Reg. art. 39(2) caps the "
              "sum but does not say how to share the cut; Caseguard's choice)")


def pension_percent(dep: Dependant, rules: RuleSet) -> int:
    """Spouse 40 %, any other dependant 30 %, +10 % for a lone elder or an orphan (Reg. art. 39(2))."""
    table = rules.pension_percent
    base = table["spouse"] if dep.relation == "spouse" else table["other"]
    return base + (table["orphan_or_lone_elder"] if dep.orphan_or_lone_elder else 0)


def check_dependants(dependants: Sequence[Dependant]) -> None:
    """Each relation is one Order 18 names; at most one spouse."""
    for i, dep in enumerate(dependants):
        if dep.relation not in DEPENDANT_RELATIONS:
            raise RuleViolation(f"dependants[{i}].relation", "compensation.relation",
                                f"relation {dep.relation!r}: one of {', '.join(DEPENDANT_RELATIONS)}")
    if sum(d.relation == "spouse" for d in dependants) > 1:
        raise RuleViolation("dependants", "compensation.two_spouses", "at most one spouse")


def shares(dependants: Sequence[Dependant], basis: Decimal, own_wage: Decimal,
           rules: RuleSet) -> tuple[DependantShare, ...]:
    """Each dependant's pension of W `basis`, the sum capped at the deceased's `own_wage`."""
    check_dependants(dependants)
    percents = [pension_percent(d, rules) for d in dependants]
    uncapped = [fen(basis * p / 100) for p in percents]
    total = sum(uncapped, Decimal(0))
    amounts = uncapped if total <= own_wage else _apportion(uncapped, own_wage)
    return tuple(
        DependantShare(
            relation=d.relation, orphan_or_lone_elder=d.orphan_or_lone_elder, percent=p,
            uncapped=u, cut=u - a, amount=a,
            formula=f"{p} % × W {money(basis)} = {money(u)}" + (
                "" if u == a else f"; cut {money(u - a)} to {money(a)}: {CAP_SHARED}"))
        for d, p, u, a in zip(dependants, percents, uncapped, amounts, strict=True))


def _apportion(uncapped: list[Decimal], cap: Decimal) -> list[Decimal]:
    """`cap` shared in proportion to `uncapped`, in fen, adding up to `cap` (largest remainder)."""
    total = sum(uncapped, Decimal(0))
    exact = [u * cap / total for u in uncapped]
    amounts = [e.quantize(FEN, rounding=ROUND_DOWN) for e in exact]
    left = int((cap - sum(amounts, Decimal(0))) / FEN)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - amounts[i]), i))
    for i in order[:left]:
        amounts[i] += FEN
    return amounts
