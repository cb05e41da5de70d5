"""The written labour contract (书面劳动合同): due within one month of the start of work, and what
a missing one costs.

- Labour Contract Law (劳动合同法) art. 10: a written contract is concluded when the employment
  relationship is established; where work starts first, within one month of the start (用工之日).
- LCL art. 82 ¶1 and its Implementing Regulations (实施条例) art. 6: past one month and under a
  year without one, the employer pays twice the wage each month, from the day after the first
  month is complete (满一个月的次日) to the day before the contract is signed.
- 实施条例 art. 7 and LCL art. 14 ¶3: a year without one, the double wage runs to the day before
  the year is complete (满一年的前一日), and an open-ended contract (无固定期限劳动合同) is deemed
  concluded on the day the year is complete.

Two readings of the cap. Read literally, art. 7 ends the double wage the day before the year is
complete, so the 12th month of employment lacks its last day: 11 months less a day (109,677.42 on
a 10,000 wage, work from 2026-01-05). Arbitration, the courts and most HR guidance read the two
articles as "at most 11 months", months 2 to 12 counted whole (110,000). The total is the literal
reading; `commonly_awarded` sits beside it as what arbitration commonly awards, and says so.

Counting: "自用工之日起" counts the first day of work as day one, so the first month is complete on
the day before the same date next month (work starts 2026-01-05: the month is complete on
2026-02-04; double wages from 2026-02-05; the year is complete on 2027-01-04). Not moved past rest
days: the regulation counts the double wage from calendar days.

The exposure (风险敞口) is the extra wage owed on top of the wage already paid (the "second" wage):
one line per month of employment; a month only partly in the accrual period is prorated by its
calendar days. An estimate on the monthly wage given: arbitration decides the wage basis.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.onboarding.payloads import Deadline
from domain.shared.calendar import SHANGHAI
from domain.shared.errors import RuleViolation

NAME = "written_contract"
SIGN_ARTICLE = "Labour Contract Law art. 10"
DOUBLE_WAGE_ARTICLE = "Labour Contract Law art. 82; Implementing Regulations arts. 6-7"
OPEN_ENDED_ARTICLE = "Labour Contract Law art. 14 ¶3; Implementing Regulations art. 7"
MONTHS_MAX = 11  # the double wage runs at most from month 2 to month 12
COMMONLY_AWARDED_NOTE = (
    "仲裁常见裁决：二倍工资差额最多按 11 个月计（第 2 至第 12 个月按整月计），满一年未签即 11 个"
    "月工资；合计按《劳动合同法实施条例》第七条字面计至满一年的前一日，第 12 个月少一日。"
    " / What arbitration commonly awards: at most 11 months of double wage (months 2 to 12 "
    "counted whole), 11 monthly wages after a year without a written contract; the total reads "
    "Implementing Regulations art. 7 literally, to the day before the year is complete, so the "
    "12th month lacks a day.")
REMINDER_LEAD = timedelta(days=7)  # product rule: HR is reminded a week before the month ends
WAGE_MAX = Decimal("10000000")
FEN = Decimal("0.01")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class ContractDates:
    """The dates the statute hangs on a start of work."""

    start: date
    sign_by: date            # the first month's last day (LCL art. 10)
    double_wage_from: date   # 满一个月的次日 (实施条例 art. 6)
    year_complete: date      # 满一年的当日: open-ended contract deemed (实施条例 art. 7)

    @property
    def double_wage_to(self) -> date:
        """满一年的前一日: the last day a double wage can accrue (实施条例 art. 7)."""
        return self.year_complete - timedelta(days=1)


def contract_dates(start: date) -> ContractDates:
    """LCL art. 10, 实施条例 arts. 6-7: the dates counted from the first day of work."""
    return ContractDates(start=start, sign_by=add_months(start, 1) - timedelta(days=1),
                         double_wage_from=add_months(start, 1),
                         year_complete=add_months(start, 12) - timedelta(days=1))


def midnight_after(day: date) -> datetime:
    """24:00 Beijing time of `day`."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def sign_deadline(start: date) -> Deadline:
    """The written contract's deadline: 24:00 of the first month's last day (LCL art. 10)."""
    due = midnight_after(contract_dates(start).sign_by)
    return Deadline(name=NAME, due_at=due, raw_due_at=due, article=SIGN_ARTICLE)


@dataclass(frozen=True)
class ExposureMonth:
    """One month of employment in the double-wage period: the days of it that accrued."""

    month: int        # 2..12: the month of employment
    first_day: date
    last_day: date    # the month's last day, or the day accrual stopped
    days: int         # days accrued in the month
    days_in_month: int
    amount: Decimal   # monthly wage × days / days_in_month, to the fen

    @property
    def formula(self) -> str:
        if self.days == self.days_in_month:
            return f"第{self.month}个月 {self.first_day}–{self.last_day}：月工资 {self.amount}"
        return (f"第{self.month}个月 {self.first_day}–{self.last_day}：月工资 × "
                f"{self.days}/{self.days_in_month} 日 = {self.amount}")


@dataclass(frozen=True)
class DoubleWageExposure:
    """The extra wage owed for months without a written contract (LCL art. 82), as of a day."""

    monthly_wage: Decimal
    as_of: date
    signed_on: date | None
    months: tuple[ExposureMonth, ...]
    total: Decimal
    open_ended_deemed: bool  # a year without a written contract (LCL art. 14 ¶3)
    article: str = DOUBLE_WAGE_ARTICLE

    @property
    def months_accrued(self) -> Decimal:
        """Months of double wage, a part month as its fraction (at most 11)."""
        return sum((Decimal(m.days) / m.days_in_month for m in self.months),
                   Decimal(0)).quantize(FEN, rounding=ROUND_HALF_UP)

    @property
    def commonly_awarded(self) -> Decimal:
        """The "at most 11 months" reading arbitration commonly awards: as the total, but a 12th
        month that accrued to 满一年的前一日 (实施条例 art. 7, read literally: its last day short)
        counts whole, so a year without a contract is 11 monthly wages (COMMONLY_AWARDED_NOTE)."""
        last = self.months[-1] if self.months else None
        if last is None or last.month != MONTHS_MAX + 1 or last.days != last.days_in_month - 1:
            return self.total  # not to the year's end: both readings agree
        return (self.total - last.amount + self.monthly_wage).quantize(FEN)


def check_monthly_wage(wage: Decimal, field: str = "monthly_wage") -> None:
    """A monthly wage is more than 0 and at most 10 million yuan, to the fen."""
    if not Decimal(0) < wage <= WAGE_MAX:
        raise RuleViolation(field, "monthly_wage.range",
                            f"{field} must be more than 0 and at most {WAGE_MAX} yuan")
    if wage != wage.quantize(FEN):
        raise RuleViolation(field, "monthly_wage.fen", f"{field} has at most 2 decimals (fen)")


def double_wage_exposure(start: date, monthly_wage: Decimal, as_of: date,
                         signed_on: date | None = None) -> DoubleWageExposure:
    """LCL art. 82, 实施条例 arts. 6-7: the extra wage for each month from the day after the
    first month to the day before signing (or before the year is complete), counted up to
    `as_of`, each month to the fen; the total is their sum. The total reads art. 7 literally (to
    满一年的前一日: 11 months less a day, 109,677.42 on a 10,000 wage); the answer's
    `commonly_awarded` is the "at most 11 months" reading arbitration and the courts commonly
    apply (the 12th month whole: 110,000)."""
    check_monthly_wage(monthly_wage)
    if signed_on is not None and signed_on > as_of:
        raise RuleViolation("signed_on", "signed_on.after_as_of",
                            f"signed_on {signed_on} is after the day counted to ({as_of})")
    dates = contract_dates(start)
    end = min(as_of, dates.double_wage_to)
    if signed_on is not None:
        end = min(end, signed_on - timedelta(days=1))
    months = []
    for k in range(1, MONTHS_MAX + 1):
        first, last = add_months(start, k), add_months(start, k + 1) - timedelta(days=1)
        if first > end:
            break
        days, length = (min(last, end) - first).days + 1, (last - first).days + 1
        amount = (monthly_wage * days / length).quantize(FEN, rounding=ROUND_HALF_UP)
        months.append(ExposureMonth(month=k + 1, first_day=first, last_day=min(last, end),
                                    days=days, days_in_month=length, amount=amount))
    deemed = as_of >= dates.year_complete and (signed_on is None
                                               or signed_on >= dates.year_complete)
    return DoubleWageExposure(monthly_wage=monthly_wage, as_of=as_of, signed_on=signed_on,
                              months=tuple(months),
                              total=sum((m.amount for m in months), Decimal("0.00")),
                              open_ended_deemed=deemed)


def check_signed_contract(start: date, signed_on: date, document: str, today: date) -> None:
    """HR records the signed contract: a day not after today and not more than a year before the
    start of work (a contract signed ahead of the start meets the duty), and its document."""
    if signed_on > today:
        raise RuleViolation("signed_on", "signed_on.future", "signed_on cannot be after today")
    if signed_on < add_months(start, -12):
        raise RuleViolation("signed_on", "signed_on.before_start",
                            f"signed_on {signed_on} is more than a year before work started "
                            f"({start}): is it this employment's contract?")
    if not document.strip():
        raise RuleViolation("document", "document.required",
                            "attach the signed contract (upload it first, kind labour_contract)")
