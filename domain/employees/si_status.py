"""An employee's social-insurance status (参保状态) and the changes between statuses.

Social Insurance Law art. 58: the employer registers the employee within 30 days of hiring
(未参保 → 参保); art. 60 and 86: contributions are paid monthly, and a month unpaid is an
interruption (中断) until it is paid back; art. 51 / the region's rules: the employer stops the
account when the employment ends (停保, 减员).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.shared.errors import ActionRefused


class SiStatus(StrEnum):
    """Stable ASCII codes; LABELS gives the Chinese each reader sees."""

    uninsured = "uninsured"  # 未参保: hired, not yet enrolled
    enrolled = "enrolled"  # 参保: the bureau registered the enrolment (增员)
    paying = "paying"  # 正常缴费: the latest month's contribution is paid
    interrupted = "interrupted"  # 中断: a month's contribution was not paid by its deadline
    stopped = "stopped"  # 停保: the account was stopped when the employment ended (减员)


LABELS: dict[SiStatus, str] = {
    SiStatus.uninsured: "未参保",
    SiStatus.enrolled: "参保",
    SiStatus.paying: "正常缴费",
    SiStatus.interrupted: "中断",
    SiStatus.stopped: "停保",
}

# The statuses that cover an accident: the fund pays (Regulations on Work-Related Injury
# Insurance art. 2, 62). An interrupted account does not, until the back payment.
INSURED: frozenset[SiStatus] = frozenset({SiStatus.enrolled, SiStatus.paying})

# From each status (None: nothing on file yet), the statuses it may change to.
TRANSITIONS: dict[SiStatus | None, frozenset[SiStatus]] = {
    None: frozenset({SiStatus.uninsured, SiStatus.enrolled}),
    # Enrolled by the bureau; or a re-hire whose earlier account was stopped, enrolled again.
    SiStatus.uninsured: frozenset({SiStatus.enrolled}),
    # The first month paid; a month missed; the employee leaves; the bureau accepts a withdrawal
    # of the enrolment (申请撤销) and the employee is uninsured again.
    SiStatus.enrolled: frozenset({SiStatus.paying, SiStatus.interrupted, SiStatus.stopped,
                                  SiStatus.uninsured}),
    SiStatus.paying: frozenset({SiStatus.interrupted, SiStatus.stopped}),
    # A back payment (补缴) clears the interruption; or the employee leaves while it lasts.
    SiStatus.interrupted: frozenset({SiStatus.paying, SiStatus.stopped}),
    # A re-hire: registered again (uninsured until enrolled) or enrolled again.
    SiStatus.stopped: frozenset({SiStatus.uninsured, SiStatus.enrolled}),
}


def label(status: SiStatus | str) -> str:
    """The Chinese label of a status code (未参保, 参保, 正常缴费, 中断, 停保)."""
    return LABELS[SiStatus(status)]


def parse(code: str) -> SiStatus:
    """A status from its code; an unknown code is refused with the codes there are."""
    try:
        return SiStatus(code)
    except ValueError:
        raise ActionRefused("si_status.unknown",
                            f"unknown SI status '{code}': one of "
                            + ", ".join(f"{s.value} ({LABELS[s]})" for s in SiStatus),
                            "status") from None


@dataclass(frozen=True)
class StatusChange:
    """One change on an employee's SI timeline, with the evidence that shows it."""

    status: SiStatus
    effective_on: date
    source: str  # in the words its reader uses, Chinese first: "社保增员办结 enrolment executed …"
    evidence_key: str  # the evidence ledger entry's idempotency_key, or another write's key


def is_change(before: SiStatus | None, after: SiStatus) -> bool:
    """Whether `after` changes anything: the status in force repeated is no change."""
    return before != after


def check_transition(before: SiStatus | None, after: SiStatus, *,
                     latest_on: date | None = None, effective_on: date | None = None) -> None:
    """Refuse a change the statuses do not allow, or one dated before the latest change on file
    (the timeline is read by date: a change slipped in before a later one would rewrite what the
    later one was a change from)."""
    if after not in TRANSITIONS[before]:
        frm = f"{before.value} ({LABELS[before]})" if before else "nothing on file"
        allowed = ", ".join(f"{s.value} ({LABELS[s]})" for s in sorted(TRANSITIONS[before]))
        raise ActionRefused("si_status.transition",
                            f"SI status cannot change from {frm} to {after.value} "
                            f"({LABELS[after]}); from there: {allowed}", "status",
                            {"from": before.value if before else None, "to": after.value})
    if latest_on is not None and effective_on is not None and effective_on < latest_on:
        raise ActionRefused("si_status.backdated",
                            f"a change effective {effective_on} comes before the latest change on "
                            f"file ({latest_on}); record it effective {latest_on} or later",
                            "effective_on",
                            {"latest_on": latest_on.isoformat(),
                             "effective_on": effective_on.isoformat()})


def status_on(changes: list[tuple[date, SiStatus]], day: date) -> SiStatus | None:
    """The status in force on `day`: the last change effective on or before it, in the order
    recorded (None: nothing yet). `changes` in recorded order."""
    current: SiStatus | None = None
    for effective_on, status in changes:
        if effective_on <= day:
            current = status
    return current
