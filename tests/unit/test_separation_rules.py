"""The SI stop's rules: its deadline, maker-checker, and what each step needs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.separation.payloads import StopDeadlineRule, StopOutcome, StopStatus, StopStep
from domain.separation.policy import deadline_rule
from domain.separation.rules import check_outcome, check_step, stop_deadline, stop_id
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
