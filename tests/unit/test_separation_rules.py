"""The SI stop's rules: its deadline, maker-checker, and what each step needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.separation.payloads import (
    LeaveCorrection,
    StopDeadlineRule,
    StopOutcome,
    StopStatus,
    StopStep,
)
from domain.separation.policy import deadline_rule
from domain.separation.rules import (
    check_correction,
    check_outcome,
    check_step,
    stop_deadline,
    stop_id,
)
from domain.shared.calendar import SHANGHAI, is_rest_day
from domain.shared.calendar_sources import official_calendar
from domain.shared.errors import ActionRefused, Forbidden, RuleViolation
from domain.shared.people import Actor

CAL = official_calendar()
HR, CHECKER = Actor("hr-li", "hr"), Actor("mgr-chen", "hr_manager")


def test_the_default_is_the_months_last_day_unverified() -> None:
    rule = deadline_rule("beijing")
    assert rule.region == "*" and rule.verified is False and "confirm" in rule.source
    d = stop_deadline(date(2026, 11, 12), rule, CAL)
    assert d.raw_due_at.astimezone(SHANGHAI).date() == date(2026, 12, 1)
    assert d.reminder_at == d.due_at - timedelta(days=3)


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
       st.sampled_from(["month_end", "days"]))
def test_the_deadline_is_never_before_leaving_and_never_on_a_rest_day(leave: date,
                                                                      kind: str) -> None:
    rule = StopDeadlineRule("x", kind, 15 if kind == "days" else None, "test", False)
    d = stop_deadline(leave, rule, CAL)
    last_day = (d.due_at.astimezone(SHANGHAI) - timedelta(seconds=1)).date()
    assert last_day >= leave and not is_rest_day(last_day, CAL)
    assert d.raw_due_at <= d.due_at


def test_maker_checker_and_reasons() -> None:
    check_step("submit_stop", StopStatus.awaiting_submission, StopStep(HR), None)
    with pytest.raises(Forbidden):
        check_step("approve_stop", StopStatus.submitted, StopStep(Actor("hr-li", "hr_manager")),
                   "hr-li")
    with pytest.raises(Forbidden):
        check_step("approve_stop", StopStatus.submitted, StopStep(HR), "someone")
    check_step("approve_stop", StopStatus.submitted, StopStep(CHECKER), "hr-li")
    with pytest.raises(RuleViolation) as no_reason:
        check_step("revoke_stop", StopStatus.approved, StopStep(HR), "hr-li")
    assert no_reason.value.field == "note"
    with pytest.raises(ActionRefused):
        check_step("revoke_stop", StopStatus.executing, StopStep(HR, "x"), "hr-li")


def test_the_bureaus_answer_needs_its_reference_and_receipt() -> None:
    with pytest.raises(ActionRefused):
        check_outcome(StopStatus.approved, StopOutcome(HR, "JY1", "doc-1"))
    with pytest.raises(RuleViolation) as missing:
        check_outcome(StopStatus.executing, StopOutcome(HR, " ", "doc-1"))
    assert missing.value.field == "reference"
    check_outcome(StopStatus.executing, StopOutcome(HR, "JY1", "doc-1"))
    assert stop_id("E1", 1) == "si-stop-E1" and stop_id("E1", 2) == "si-stop-E1~2"


def _correction(day: date, actor: Actor = HR, reason: str = "以离职证明为准") -> LeaveCorrection:
    return LeaveCorrection(actor, day, reason, stop_deadline(day, deadline_rule("beijing"), CAL))


@pytest.mark.parametrize("status", list(StopStatus))
def test_a_leave_day_is_corrected_until_the_bureau_may_have_the_stop(status: StopStatus) -> None:
    left, corrected = date(2026, 11, 30), date(2026, 11, 20)
    if status in (StopStatus.executing, StopStatus.stopped):
        with pytest.raises(ActionRefused) as refused:
            check_correction(status, left, _correction(corrected))
        assert (refused.value.code, refused.value.field) == ("leave.correction_at_bureau",
                                                             "leave_date")
    else:
        check_correction(status, left, _correction(corrected))
    check_correction(status, left, _correction(left))  # the day it has: a repeated call


def test_a_correction_needs_a_role_that_records_leaves_and_a_reason() -> None:
    left = date(2026, 11, 30)
    with pytest.raises(Forbidden):
        check_correction(StopStatus.submitted, left, _correction(left, Actor("li", "manager")))
    for reason in ("", "  ", "bad\x00text"):
        with pytest.raises(RuleViolation) as refused:
            check_correction(StopStatus.submitted, left, _correction(date(2026, 11, 1),
                                                                     reason=reason))
        assert refused.value.field == "reason"


def test_a_correction_made_from_another_day_than_the_stops_is_refused() -> None:
    left = date(2026, 11, 30)
    stale = replace(_correction(date(2026, 11, 20)), before=date(2026, 11, 25))
    with pytest.raises(ActionRefused) as refused:
        check_correction(StopStatus.awaiting_submission, left, stale)
    assert refused.value.code == "leave.changed"
    check_correction(StopStatus.awaiting_submission, left,
                     replace(_correction(date(2026, 11, 20)), before=left))
