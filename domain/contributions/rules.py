"""The monthly contribution rules: which month, its payment deadline, what a payment must say, and
what paying late costs (Social Insurance Law arts. 58, 60, 63, 86)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.contributions.payloads import MonthDeadline, PaymentDeadlineRule, RecordPayment
from domain.shared.calendar import SHANGHAI, HolidayCalendar, ending_on
from domain.shared.errors import Forbidden, RuleViolation
from domain.shared.input_rules import check_plain_text
from domain.shared.people import Actor

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
LATE_FEE_PER_DAY = Decimal("0.0005")  # 万分之五 per day from the day it was due: SIL art. 86
DEADLINE_ARTICLE = "《社会保险法》第六十条（按月缴纳）"
LATE_FEE_ARTICLE = "《社会保险法》第八十六条"
INTERRUPTION_ARTICLE = "《社会保险法》第六十三条、第八十六条"
REMINDER_LEAD = timedelta(days=3)  # product rule (seed 001): HR is reminded 3 days before
AMOUNT_MAX = Decimal("10000000000")
FEN = Decimal("0.01")
ACCOUNT_PREFIX = "si-account-"
# The "*" row of domain/data/payment_deadlines.json, for a workflow input that carries no row
# (a workflow never reads the file; tests/unit/test_late_fees.py keeps the two equal).
DEFAULT_DEADLINE_RULE = PaymentDeadlineRule(
    region="*", day_of_month=15,
    source="product default (the most common 征期 ends on the 15th); confirm with the local tax "
    "bureau's notice of the SI contribution collection period", verified=False)


# Who records payments and opens accounts: the roles that handle SI (not `manager`).
ACCOUNT_ROLES: dict[str, frozenset[str]] = {
    "open_si_account": frozenset({"hr", "hr_manager", "admin"}),
    "record_si_payment": frozenset({"hr", "hr_manager", "admin"}),
    "read_si_account": frozenset({"hr", "hr_manager", "admin"}),
}


def check_role(action: str, actor: Actor) -> None:
    roles = ACCOUNT_ROLES[action]
    if actor.role not in roles:
        raise Forbidden("role.forbidden", f"role '{actor.role}' may not "
                        f"{action.replace('_', ' ')}; allowed: {', '.join(sorted(roles))}", "role")


def account_id(region: str) -> str:
    return f"{ACCOUNT_PREFIX}{region}"


def region_of(account: str) -> str:
    if not account.startswith(ACCOUNT_PREFIX) or not account[len(ACCOUNT_PREFIX):]:
        raise RuleViolation("id", "account.id", f"{account} is not an SI account id "
                            f"({ACCOUNT_PREFIX}<region>)")
    return account[len(ACCOUNT_PREFIX):]


def parse_period(period: str, field: str = "period") -> tuple[int, int]:
    """`2026-12` → (2026, 12); 422 naming the field otherwise."""
    match = PERIOD.match(period)
    if match is None:
        raise RuleViolation(field, f"{field}.format", f"{field} must be a month as YYYY-MM")
    return int(match.group(1)), int(match.group(2))


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def month_deadline(period: str, rule: PaymentDeadlineRule, cal: HolidayCalendar,
                   lead: timedelta = REMINDER_LEAD) -> MonthDeadline:
    """The month's payment deadline: its `day_of_month` (the month's last day if shorter), moved
    to the next working day when it is a rest day (征期顺延), ending at 24:00 Beijing time."""
    year, month = parse_period(period)
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    counted = ending_on(date(year, month, min(rule.day_of_month, last)), cal)
    due_at = counted.due_at()
    return MonthDeadline(period=period, due_at=due_at, raw_due_at=counted.raw_due_at(),
                         reminder_at=due_at - lead, source=rule.source, verified=rule.verified,
                         calendar_verified=counted.calendar_verified, article=DEADLINE_ARTICLE)


def days_late(due_at: datetime, paid_on: date) -> int:
    """Whole days from the day after the deadline's last day to the day paid (0 if on time)."""
    last_day = (due_at.astimezone(SHANGHAI) - timedelta(seconds=1)).date()
    return max(0, (paid_on - last_day).days)


def late_fee(amount: Decimal, days: int) -> Decimal:
    """万分之五 per day on what was paid late (SIL art. 86), to the fen: an estimate, the tax
    bureau's assessment governs."""
    return (amount * LATE_FEE_PER_DAY * days).quantize(FEN, rounding=ROUND_HALF_UP)


def check_payment(payment: RecordPayment, first_period: str, current_period: str,
                  today: date) -> None:
    """422 naming the field: a month watched so far, an amount, a day not in the future, the
    voucher's number and at least one voucher document."""
    parse_period(payment.period)
    if not first_period <= payment.period <= current_period:
        raise RuleViolation("period", "period.not_watched", f"period must be from {first_period} "
                            f"(the account opened) to {current_period} (the month watched now)")
    if not Decimal(0) < payment.amount <= AMOUNT_MAX:
        raise RuleViolation("amount", "amount.range", "amount must be more than 0 yuan")
    if payment.amount != payment.amount.quantize(FEN):
        raise RuleViolation("amount", "amount.fen", "amount has at most 2 decimals (fen)")
    if payment.paid_on > today:
        raise RuleViolation("paid_on", "paid_on.future", "paid_on cannot be after today")
    if payment.paid_on < date(*parse_period(payment.period), 1) - timedelta(days=62):
        raise RuleViolation("paid_on", "paid_on.before_period",
                            "paid_on is more than two months before the period it pays")
    if not payment.reference.strip():
        raise RuleViolation("reference", "reference.required",
                            "reference must give the voucher's number (缴款凭证号)")
    check_plain_text(payment.reference, "reference")
    if not payment.documents:
        raise RuleViolation("documents", "documents.required",
                            "attach the payment voucher (kind payment_voucher) first")
    if len(set(payment.employees)) != len(payment.employees):
        raise RuleViolation("employees", "employees.repeated", "each employee is listed once")


def start_of(period: str) -> datetime:
    year, month = parse_period(period)
    return datetime.combine(date(year, month, 1), time(0), tzinfo=SHANGHAI)
