"""The late-application period's costs in money (逾期申请工伤认定期间的费用, 工伤保险条例 art. 17 ¶4).

When the employer applies for the injury determination after its 30 days, "the work-injury
benefits and related costs arising in this period" are the employer's, not the fund's. The
period runs from the accident to the day the region's rule names (domain/injury/late_costs.py:
nationally the acceptance 受理, Sichuan the receipt, Zhejiang the filing, where art. 13 puts on
the employer the costs incurred *before* the application date, so the filing day is not in it).

A cost the fund would pay on a day within the period moves to the employer: each medical bill
of the case's ledger (its injury-fund share: the medical-insurance refund M plus max(0, E − M − T),
先行支付暂行办法 art. 5) dated within it, and each day in hospital of a food allowance. A bill
after the period stays with the fund. While the period's end is not known (not yet accepted), it
is counted up to today and is provisional.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.compensation.expenses import Bill, Reconciliation
from domain.compensation.money import fen, money
from domain.injury.late_costs import LATE_ARTICLE, LateRule
from domain.shared.errors import RuleViolation

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LatePeriod:
    """The employer's period: from the accident to `until` (None: not known yet, so up to `today`)."""

    since: date
    until: date | None
    rule: LateRule
    today: date

    @property
    def provisional(self) -> bool:
        return self.until is None

    @property
    def last_day(self) -> date:
        """The last day whose costs are the employer's (Zhejiang: the day before the filing)."""
        if self.until is None:
            return self.today
        return self.until - timedelta(days=1) if self.rule.ends_on == "filed" else self.until

    @property
    def days(self) -> int:
        return max((self.last_day - self.since).days + 1, 0)

    def covers(self, on: date) -> bool:
        return self.since <= on <= self.last_day


@dataclass(frozen=True)
class FundCost:
    """A cost the injury fund would pay, on its day: one medical bill's injury-fund share."""

    reference: str       # the ledger entry's invoice number and hospital
    on: date
    amount: Decimal      # what the injury fund owes for it (先行支付暂行办法 art. 5)
    basis: str           # the ledger's article and explanation


@dataclass(frozen=True)
class MovedCost:
    """A fund cost within the period, now the employer's: its day of the period and the formula."""

    reference: str
    on: date
    day: int
    amount: Decimal
    article: str
    formula: str


@dataclass(frozen=True)
class LatePeriodCosts:
    """What the period moves from the fund (基金支付) to the employer (用人单位), and what stays."""

    since: date
    until: date | None
    last_day: date
    days: int
    provisional: bool
    rule_article: str
    rule_source: str
    moved: tuple[MovedCost, ...]
    stays_with_fund: tuple[FundCost, ...]
    moved_total: Decimal
    label: str


def late_period_costs(period: LatePeriod, costs: Iterable[FundCost]) -> LatePeriodCosts:
    """Each fund cost dated within the period moves to the employer (Reg. art. 17 ¶4); the rest stays."""
    if period.until is not None and period.until < period.since:
        raise RuleViolation(f"{period.rule.ends_on}_on", "late_period.ends_before_accident",
                            f"the late period's end {period.until} is before the accident "
                            f"({period.since})")
    article = _article(period.rule)
    span = (f"{period.since} to {period.last_day} ({period.days} days"
            f"{', provisional: up to today' if period.provisional else ''})")
    moved, stays = [], []
    for cost in costs:
        amount = fen(cost.amount)
        if amount <= 0:
            continue
        if not period.covers(cost.on):
            stays.append(cost)
            continue
        day = (cost.on - period.since).days + 1
        moved.append(MovedCost(
            cost.reference, cost.on, day, amount, article,
            f"{cost.reference}, {cost.on}: day {day} of the late period {span}; the injury fund's "
            f"share {money(amount)} ({cost.basis}) moves from the fund to the employer"))
    total = sum((m.amount for m in moved), ZERO)
    return LatePeriodCosts(
        period.since, period.until, period.last_day, period.days, period.provisional,
        period.rule.article, period.rule.source, tuple(moved), tuple(stays), total,
        _label(period, total))


def fund_costs_of(bills: Sequence[Bill], ledger: Reconciliation,
                  split_after: date | None = None) -> tuple[FundCost, ...]:
    """The ledger's bills as the fund's costs by day: what the injury fund owes for each. A hospital
    stay's food allowance falls on its days, so a stay across `split_after` (the late period's last
    day) is split by days: the days up to it on the admission day, the rest on the day after."""
    owed = {r.entry_id: r for r in ledger.bills}
    costs: list[FundCost] = []
    for b in bills:
        if b.entry_id not in owed:
            continue
        result = owed[b.entry_id]
        reference = f"invoice {b.invoice_number} ({b.hospital})"
        if b.stay is None:
            costs.append(FundCost(reference, b.date, result.injury_fund_owes, result.article))
        else:
            costs.extend(_stay_costs(b, result.injury_fund_owes, result.article, split_after))
    return tuple(costs)


def _stay_costs(bill: Bill, amount: Decimal, article: str,
                split_after: date | None) -> list[FundCost]:
    stay = bill.stay
    assert stay is not None
    reference = f"hospital stay {bill.invoice_number} ({bill.hospital})"
    before = 0 if split_after is None else \
        min(max((split_after - stay.admitted_on).days + 1, 0), stay.days)
    if before in (0, stay.days) or split_after is None:
        return [FundCost(reference, stay.admitted_on, amount, article)]
    first = fen(amount * before / stay.days)
    return [FundCost(f"{reference}, days 1-{before} of {stay.days}", stay.admitted_on, first, article),
            FundCost(f"{reference}, days {before + 1}-{stay.days} of {stay.days}",
                     split_after + timedelta(days=1), amount - first, article)]


def _article(rule: LateRule) -> str:
    return LATE_ARTICLE if rule.article == LATE_ARTICLE else f"{LATE_ARTICLE}; {rule.article}"


def _label(period: LatePeriod, total: Decimal) -> str:
    """Chinese first, then English; a period still running says its figure is provisional."""
    if period.provisional:
        return (f"逾期申请工伤认定：事故之日至今（{period.last_day}，尚未{_END_ZH[period.rule.ends_on]}）"
                f"发生的费用 {money(total)} 元暂由用人单位负担，金额为预估，截至今日 / late application: "
                f"costs from the accident to today ({period.last_day}; the application is not yet "
                f"{period.rule.ends_on}) of {money(total)} are the employer's; provisional, up to today")
    return (f"逾期申请工伤认定：{period.since} 至 {period.last_day} 期间发生的费用 {money(total)} 元由"
            f"用人单位负担 / late application: costs from {period.since} to {period.last_day} of "
            f"{money(total)} are the employer's, not the fund's")


_END_ZH = {"accepted": "受理", "received": "收到申请", "filed": "提交申请"}
