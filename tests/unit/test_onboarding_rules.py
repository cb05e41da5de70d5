"""Pure onboarding rules: roles, statuses, four eyes, the back-payment confirmation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.onboarding import rules
from domain.onboarding.payloads import SubmitEnrollment
from domain.onboarding.state import Status
from domain.shared.errors import ActionRefused, Forbidden, RuleViolation
from domain.shared.people import Actor
from tests.factories import onboarding_input

HR = Actor("hr-alice", "hr")
HIRED = date(2026, 1, 5)


def test_only_the_roles_of_an_action_may_perform_it():
    rules.check_role("submit_enrollment", HR)
    with pytest.raises(Forbidden) as info:
        rules.check_role("approve_enrollment", HR)
    assert "hr_manager" in info.value.message


def test_a_status_conflict_names_the_status_and_the_allowed_actions():
    with pytest.raises(ActionRefused) as info:
        rules.check_status("revoke_enrollment", Status.enrolled)
    assert info.value.details["status"] == "enrolled"
    assert "request_withdrawal" in info.value.details["allowed_actions"]
    assert "withdrawn there" in info.value.message


def test_every_status_but_the_final_ones_allows_something():
    for status in Status:
        assert rules.allowed_actions(status) or status is Status.cancelled


def test_a_back_payment_needs_todays_estimate_confirmed():
    inp = onboarding_input(HIRED)
    today = HIRED + timedelta(days=70)
    with pytest.raises(ActionRefused) as info:
        rules.check_submission(inp, SubmitEnrollment(HR, "back_payment", Decimal("8000")), today)
    total = Decimal(info.value.details["estimate"]["total"])
    rules.check_submission(inp, SubmitEnrollment(HR, "back_payment", Decimal("8000"), total), today)
    with pytest.raises(ActionRefused):  # a day later the late fee has grown
        rules.check_submission(inp, SubmitEnrollment(HR, "back_payment", Decimal("8000"), total),
                               today + timedelta(days=1))


def test_a_new_enrolment_checks_the_base_against_the_limits():
    inp = onboarding_input(HIRED)
    with pytest.raises(RuleViolation) as info:
        rules.check_submission(inp, SubmitEnrollment(HR, "new", Decimal("99999")), HIRED)
    assert info.value.field == "contribution_base"
    assert str(inp.base_limits.upper) in info.value.message
