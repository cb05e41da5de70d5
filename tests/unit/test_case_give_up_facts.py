"""What a case records of an activity that gave up (`form_failed`, `diagnosis_failed`, …): a
regular activity's failure arrives wrapped, the local form activity's as its own error."""

from __future__ import annotations

from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from workflows.injury_case import FORM_ACTIVITY, _give_up_facts


def _wrapped(cause: BaseException, retry_state: RetryState) -> ActivityError:
    error = ActivityError("Activity task failed", scheduled_event_id=9, started_event_id=10,
                          identity="worker", activity_type="fetch_diagnosis", activity_id="2",
                          retry_state=retry_state)
    error.__cause__ = cause
    return error


def test_a_regular_activity_names_itself_its_cause_and_retry_state():
    error = _wrapped(ApplicationError("hospital gateway down", type="GatewayDown"),
                     RetryState.MAXIMUM_ATTEMPTS_REACHED)
    assert _give_up_facts(error) == ("fetch_diagnosis", "GatewayDown", "hospital gateway down",
                                     "MAXIMUM_ATTEMPTS_REACHED")


def test_a_regular_activity_whose_cause_is_not_an_application_error_gives_its_type():
    error = _wrapped(TimeoutError("no answer"), RetryState.TIMEOUT)
    assert _give_up_facts(error) == ("fetch_diagnosis", "TimeoutError", "no answer", "TIMEOUT")


def test_the_local_form_that_cannot_be_made_is_non_retryable():
    error = ApplicationError("no CJK font", type="pdf_font_missing", non_retryable=True)
    assert _give_up_facts(error) == (FORM_ACTIVITY, "pdf_font_missing", "no CJK font",
                                     "NON_RETRYABLE_FAILURE")


def test_the_local_form_whose_attempts_ran_out_claims_no_retry_state():
    """A local activity's failure does not say whether its attempts or its time ran out."""
    error = ApplicationError("database is locked", type="OperationalError")
    assert _give_up_facts(error) == (FORM_ACTIVITY, "OperationalError", "database is locked", None)
