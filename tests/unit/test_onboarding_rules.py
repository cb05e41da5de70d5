"""Pure onboarding rules: roles, statuses, four eyes, the back-payment confirmation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.onboarding import rules
from domain.onboarding.payloads import BureauOutcome, SubmitEnrollment
from domain.onboarding.state import EnrollmentRequest, RequestStatus, Status
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


def test_an_outcome_by_hand_only_for_an_enrolment_waiting_by_hand():
    hr = Actor("hr-alice", "hr")
    at = datetime(2026, 12, 1, tzinfo=UTC)
    sent = EnrollmentRequest(number=1, type="new", contribution_base=Decimal("8000"),
                             status=RequestStatus.executing, submitted_by="hr-alice",
                             submitted_at=at)
    accepted = BureauOutcome(hr, "accepted", reference="BJ-1", receipt_document="doc-1")
    with pytest.raises(RuleViolation) as info:
        rules.check_bureau_outcome(sent, accepted)
    assert info.value.code == "bureau_outcome.not_manual"
    rules.check_bureau_outcome(replace(sent, bureau_task_opened_at=at), accepted)
    assert "hr-alice" in rules.recorded_by_hand(hr)
