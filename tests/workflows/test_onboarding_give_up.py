"""An SI-bureau submission that gives up goes back to HR and never stops the SI window's clock
(patch 2026-12-give-up). The bureau is a fake under the real activity name; the rest is real."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.onboarding.payloads import BureauAnswer, BureauEnrollment, SubmitEnrollment
from domain.onboarding.state import RequestStatus, Status
from tests.factories import onboarding_input
from tests.workflows.conftest import Harness, harness_replacing
from tests.workflows.test_onboarding_workflow import (
    HR,
    act,
    kinds,
    ledger_kinds,
    outbox,
    submit_and_approve,
    view,
)

MALFORMED = "SI bureau refused the request as malformed: 参保人员信息校验失败"
submissions: list[BureauEnrollment] = []


@activity.defn(name="submit_si_enrollment")
async def bureau_refuses_malformed(request: BureauEnrollment) -> BureauAnswer:
    submissions.append(request)
    raise ApplicationError(MALFORMED, type="PermanentFailure", non_retryable=True)


@pytest.fixture
async def bureau_gives_up(time_skipping_env: WorkflowEnvironment, sqlite_url: str,
                          tmp_path: Path) -> AsyncIterator[Harness]:
    """The real activities but the SI-bureau submission, which gives up at once (non-retryable)."""
    submissions.clear()
    async with harness_replacing(time_skipping_env, sqlite_url, tmp_path,
                                 [bureau_refuses_malformed]) as harness:
        yield harness


async def test_a_submission_that_gives_up_goes_back_to_hr_and_the_window_still_escalates(
        bureau_gives_up: Harness):
    wf = bureau_gives_up
    inp = onboarding_input(await wf.today())
    handle = await wf.start(inp)
    due = inp.si_registration.due_at  # holiday-adjusted: the window may end after a holiday
    await submit_and_approve(handle)
    await wf.env.sleep(inp.timing.enrollment_hold + timedelta(minutes=30))

    # Submitted once (non-retryable: no retry), then back to HR with the reason.
    v = await view(handle)
    assert len(submissions) == 1
    assert submissions[0].idempotency_key == f"{handle.id}:enrollment:1"
    assert v.status == Status.awaiting_enrollment
    [request] = v.enrollment_requests
    assert request.status == RequestStatus.bureau_rejected
    assert request.reason == f"not submitted: {MALFORMED}"
    [failed] = [e for e in v.events if e.kind == "enrollment_failed"]
    assert failed.data["submitted"] is False
    assert failed.data["reason"] == MALFORMED and failed.data["code"] == "PermanentFailure"
    assert failed.data["retry_state"] == "NON_RETRYABLE_FAILURE"
    assert failed.data["request"] == 1 and failed.data["recipients"] == ["hr"]
    assert "enrollment_executed" not in kinds(v)
    assert "enrollment_failed" in ledger_kinds(wf.db_url, handle.id)
    [notice] = outbox(wf.db_url, "enrollment_failed")
    assert notice.recipient_role == "hr" and notice.recipient_name == inp.created_by
    assert "未能提交" in notice.subject and MALFORMED in notice.body

    # The SI window is not met: nothing escalates before its (holiday-adjusted) end …
    await wf.sleep_until(due - timedelta(hours=1))
    assert "escalated" not in kinds(await view(handle))
    # … and the escalation goes out at it, to HR and the managers.
    await wf.sleep_until(due + timedelta(hours=1))
    v = await view(handle)
    [escalation] = [e for e in v.events if e.kind == "escalated"]
    assert due <= escalation.at < due + timedelta(minutes=1)
    assert escalation.data["recipients"] == ["hr", "hr_manager", "department_manager"]
    assert v.deadlines[0].name == "si_registration" and v.deadlines[0].status == "missed"
    assert "escalated" in ledger_kinds(wf.db_url, handle.id)

    # HR may submit again (or enrol at the counter): the request is no longer open.
    answer = await act(handle, "submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    assert answer.view.status == Status.enrollment_submitted
    assert [r.number for r in answer.view.enrollment_requests] == [1, 2]
