"""Record representative workflow histories into tests/histories/<workflow>/<scenario>.json.

Run after a deliberate, patched change: `.venv/bin/python -m tests.histories.record [scenario ...]`
(no names: every scenario). The replay test then proves that every recorded run still replays
with the current code. Never overwrite a history to make the replay test pass: that hides a
non-determinism a running case would hit. New recordings hold payloads encrypted with the dev key,
as `make run` writes them, the large ones deflated inside the seal since case_payloads_deflated
(the histories recorded before encryption hold them in clear; all replay).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from temporalio import activity
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateStage,
)
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.contributions import ContributionActivities
from api.load_signals import queued as queued_signals
from devstack import temporal_test_server
from domain.contributions.payloads import (
    AccountInput,
    AccountView,
    PaymentResult,
    PaymentWrite,
    RecordPayment,
)
from domain.contributions.policy import deadline_rule
from domain.contributions.rules import month_deadline, next_period, period_of
from domain.employees.contract_watch import ContractWatchInput, mismatch_due, watch_id
from domain.employees.leave_delivery import LeaveCorrected, LeaveDelivery, delivery_id
from domain.employees.si_standing import RecordFacts
from domain.employees.si_status import SiStatus
from domain.employees.written_contract_watch import (
    EmploymentEnded,
    OpenWatch,
    RecordWrittenContract,
    WrittenContractView,
)
from domain.employees.written_contract_watch import watch_id as written_contract_id
from domain.employees.written_contract_watch import watch_input as written_contract_input
from domain.injury.payloads import ACTION_TYPES, AuthorityDecision
from domain.injury.state import CourierUpdate
from domain.injury.views import CaseAnswer, CaseView
from domain.notices.payloads import (
    Answer,
    DeliveryStatus,
    NoticeInput,
    NoticeOutcome,
    NoticeRecipient,
    PullRequest,
    PullResult,
    Receipt,
    SendRequest,
    SendResult,
)
from domain.notices.rules import informational_notice
from domain.onboarding.payloads import (
    BureauAnswer,
    BureauEnrollment,
    BureauOutcome,
    CancelOnboarding,
    DelayReason,
    ReviewDecision,
    SubmitEnrollment,
    WithdrawalAction,
)
from domain.onboarding.policy import PolicyTable
from domain.onboarding.policy_update import PolicyUpdate
from domain.onboarding.state import OnboardingView
from domain.separation.payloads import LeaveCorrection, StopInput, StopOutcome, StopStep, StopView
from domain.separation.policy import deadline_rule as stop_rule
from domain.separation.rules import stop_deadline
from domain.shared.calendar_sources import official_calendar
from domain.shared.directory import PersonFields
from domain.shared.errors import ActionRefused
from domain.shared.events import ACTION_WRITE_QUIET
from domain.shared.load_delivery import LoadDelivery
from domain.shared.load_delivery import delivery_id as load_delivery_id
from domain.shared.people import Actor, AssignOwner, Recipient
from store import employees, load_deliveries, people
from store.db import migrate, session_for
from temporal_client import dev_data_converter
from tests.factories import case_input, employee, onboarding_input
from tests.workflows.conftest import notices_report_at, recorded_a_marker
from worker import WORKFLOW_RUNNER, WORKFLOWS, Workers, activities_for
from workflows.si_account import SETTLES_LATE_PAYMENTS

SHANGHAI = ZoneInfo("Asia/Shanghai")
HERE = Path(__file__).resolve().parent / "onboarding"
HR, MANAGER = Actor("hr-alice", "hr"), Actor("mgr-bob", "hr_manager")
Scenario = Callable[[WorkflowEnvironment, Client, str], Awaitable[str]]


async def _start(env: WorkflowEnvironment, queue: str, employee_id: str, days_ago: int = 0):
    today = (await env.get_current_time()).astimezone(ZoneInfo("Asia/Shanghai")).date()
    inp = onboarding_input(today - timedelta(days=days_ago), employee_id=employee_id)
    return await env.client.start_workflow("Onboarding", inp, id=f"onboarding-{employee_id}",
                                           task_queue=queue, result_type=OnboardingView)


async def _enrolled_to_the_end(env: WorkflowEnvironment, handle: WorkflowHandle) -> str:
    """Enrolment submitted and approved; the window closes and the onboarding ends."""
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(days=4))
    await handle.result()
    return handle.id


async def escalated_then_enrolled(env: WorkflowEnvironment, queue: str) -> str:
    handle = await _start(env, queue, "H1")
    await env.sleep(timedelta(days=32))
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(hours=2))
    await handle.execute_update("request_withdrawal", WithdrawalAction(HR, "wrong base"))
    await handle.execute_update("record_withdrawal_answer",
                                WithdrawalAction(HR, "", bureau_answer="refused"))
    await env.sleep(timedelta(days=4))
    await handle.result()
    return handle.id


async def late_registration_cancelled(env: WorkflowEnvironment, queue: str) -> str:
    handle = await _start(env, queue, "H2", days_ago=60)
    await env.sleep(timedelta(days=1))
    await handle.execute_update("cancel", CancelOnboarding(HR, "employee left"))
    await handle.result()
    return handle.id


async def rejected_and_revoked(env: WorkflowEnvironment, queue: str) -> str:
    handle = await _start(env, queue, "H3")
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("reject_enrollment", ReviewDecision(MANAGER, "wrong base"))
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("9000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await handle.execute_update("revoke_enrollment", ReviewDecision(HR, "type"))
    await env.sleep(timedelta(days=28))
    await handle.execute_update("cancel", CancelOnboarding(HR, "employee left"))
    await handle.result()
    return handle.id


async def answer_first_enrolled(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-11-answer-first patch: HR actions answer before the flush."""
    handle = await _start(env, queue, "H4")
    await handle.execute_update("record_delay_reason", DelayReason(HR, "bureau down"))
    return await _enrolled_to_the_end(env, handle)


async def escalated_via_notices(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-11-notices patch: reminders and escalations are child notices."""
    handle = await _start(env, queue, "H5")
    await env.sleep(timedelta(days=32))
    await handle.execute_update("cancel", CancelOnboarding(HR, "employee left"))
    await handle.result()
    return handle.id


async def _unanswered_return_notice(env: WorkflowEnvironment, queue: str, key: str,
                                    local_writes: bool = False) -> str:
    """A return-to-work notice nobody answers: two channels, one reminder, unacknowledged."""
    inp = NoticeInput(subject_id=f"case-{key}", purpose="return_to_work", template="return_to_work",
                      data={"return_date": "2026-12-01", "reason": "停工留薪期届满"},
                      recipient=NoticeRecipient(name="张三", phone="+8613800138000",
                                                email="zs@example.com"),
                      channels=("sms", "email"), local_writes=local_writes)
    handle = await env.client.start_workflow("Notice", inp, id=f"notice-{key}", task_queue=queue,
                                             result_type=NoticeOutcome)
    await handle.result()
    return handle.id


async def notice_unacknowledged(env: WorkflowEnvironment, queue: str) -> str:
    """A return-to-work notice nobody answers: two channels, one reminder, unacknowledged."""
    return await _unanswered_return_notice(env, queue, "H6")


_PULLS: dict[str, int] = {}


@activity.defn(name="send_notice")
async def dingtalk_queued(request: SendRequest) -> SendResult:
    """DingTalk accepts the work notification (a task id; its status is pulled)."""
    return SendResult(channel=request.channel, status=DeliveryStatus.queued,
                      provider_id=str(256000000 + request.attempt_no), to="manager4220",
                      pull=request.channel == "dingtalk")


@activity.defn(name="pull_receipts")
async def dingtalk_read_on_second_pull(request: PullRequest) -> PullResult:
    """The send result: unread at the first pull, read at the second."""
    seen = _PULLS[request.notice_id] = _PULLS.get(request.notice_id, 0) + 1
    at = activity.info().current_attempt_scheduled_time
    status = DeliveryStatus.delivered if seen == 1 else DeliveryStatus.read
    return PullResult((Receipt(status, at, request.attempt_no, "dingtalk"),), final=seen > 1)


async def notice_dingtalk_read(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-12-pull-receipts patch: a DingTalk notice whose read status is
    pulled (unread, then read), then answered through the link."""
    inp = NoticeInput(subject_id="case-H13", purpose="return_to_work", template="return_to_work",
                      data={"return_date": "2026-12-01", "reason": "停工留薪期届满"},
                      recipient=NoticeRecipient(name="李四", phone="+8613900139000",
                                                dingtalk_user_id="manager4220"),
                      channels=("dingtalk", "email"))
    handle = await env.client.start_workflow("Notice", inp, id="notice-H13", task_queue=queue,
                                             result_type=NoticeOutcome)
    await env.sleep(timedelta(minutes=10))
    await handle.signal("answer", Answer(await env.get_current_time(), "link", "confirm"))
    await handle.result()
    return handle.id


async def local_flush_enrolled(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-11-local-flush patch: events written by a local activity."""
    handle = await _start(env, queue, "H7")
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(days=33))
    await handle.result()
    return handle.id


async def write_behind_enrolled(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-11-write-behind patch: HR actions answer at once, a burst of them is
    written by one activity once they pause; enrolled, withdrawal refused, completed."""
    handle = await _start(env, queue, "H8")
    await handle.execute_update("record_delay_reason", DelayReason(HR, "bureau down"))
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(hours=2))
    await handle.execute_update("request_withdrawal", WithdrawalAction(HR, "wrong base"))
    await handle.execute_update("record_withdrawal_answer",
                                WithdrawalAction(HR, "no", bureau_answer="refused"))
    await env.sleep(timedelta(days=4))
    await handle.result()
    return handle.id


async def write_behind_cancelled(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-11-write-behind patch: cancelled while the write of the previous
    action still waits; the final write takes both."""
    handle = await _start(env, queue, "H9")
    await handle.execute_update("record_delay_reason", DelayReason(HR, "bureau down"))
    await handle.execute_update("cancel", CancelOnboarding(HR, "employee left"))
    await handle.result()
    return handle.id


async def api_registered_enrolled(env: WorkflowEnvironment, queue: str) -> str:
    """Started as the API starts an onboarding: the API recorded the registration (no first-task
    write) at the moment it passes in `registered_at`; reminded, enrolled, completed."""
    now = await env.get_current_time()
    inp = onboarding_input(now.astimezone(SHANGHAI).date(), employee_id="H10")
    handle = await env.client.start_workflow(
        "Onboarding", replace(inp, registration_recorded=True, registered_at=now),
        id="onboarding-H10", task_queue=queue, result_type=OnboardingView)
    await env.sleep(timedelta(days=28))
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(hours=2))
    await handle.result()
    return handle.id


@activity.defn(name="submit_si_enrollment")
async def bureau_refuses_malformed(request: BureauEnrollment) -> BureauAnswer:
    """The SI bureau refuses every submission as malformed (non-retryable: it gives up at once)."""
    raise ApplicationError("SI bureau refused the request as malformed: 参保人员信息校验失败",
                           type="PermanentFailure", non_retryable=True)


async def onboarding_bureau_gave_up(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-12-give-up patch (and a bureau that refuses, see FAKES): approved,
    the submission gives up and goes back to HR (told); the SI window escalates at its end, twice;
    cancelled."""
    handle = await _start(env, queue, "H11")
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(hours=2))
    view = await handle.query("status", result_type=OnboardingView)
    await _until(env, view.deadlines[0].due_at + timedelta(days=1, hours=1))
    await handle.execute_update("cancel", CancelOnboarding(HR, "enrolled at the bureau's counter"))
    await handle.result()
    return handle.id


# ---- InjuryCase ------------------------------------------------------------------------------


async def onboarding_enrolled_by_hand(env: WorkflowEnvironment, queue: str) -> str:
    """Pinned to the manual SI bureau route (OnboardingInput.si_bureau): approved, the bureau task
    opened, HR records a rejection, submits again, records the reference with its receipt."""
    today = (await env.get_current_time()).astimezone(SHANGHAI).date()
    inp = replace(onboarding_input(today, employee_id="H12"), si_bureau="manual")
    handle = await env.client.start_workflow("Onboarding", inp, id="onboarding-H12",
                                             task_queue=queue, result_type=OnboardingView)
    for outcome in (BureauOutcome(HR, "rejected", reason="基数有误"),
                    BureauOutcome(HR, "accepted", reference="BJ2026-0042",
                                  receipt_document="doc-receipt-1")):
        await handle.execute_update("submit_enrollment",
                                    SubmitEnrollment(HR, "new", Decimal("8000")))
        await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
        await env.sleep(timedelta(hours=2))
        await handle.execute_update("record_bureau_outcome", outcome)
    await env.sleep(timedelta(days=4))
    await handle.result()
    return handle.id


def seed_directory(db_url: str) -> None:
    """People the directory scenarios reach: an HR owner and a colleague, an HR manager, the
    manager of 生产部 (the factories' department)."""
    at = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    for person in (PersonFields("hr-alice", ("hr",), email="alice@example.com"),
                   PersonFields("hr-carol", ("hr",), phone="13700137001",
                                channels=("sms",)),
                   PersonFields("mgr-bob", ("hr_manager",), phone="13700137002"),
                   PersonFields("line-wang", ("manager",), ("生产部",), email="wang@example.com")):
        try:
            people.create(db_url, person, "system", at)
        except ActionRefused:
            pass  # seeded by an earlier scenario of this recording


async def onboarding_directory_assigned(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-12-directory-recipients patch: the onboarding is assigned to
    hr-carol; her reminder and the escalations reach directory people by id."""
    return await _assigned_escalated_cancelled(env, queue, "H12")


async def _assigned_escalated_cancelled(env: WorkflowEnvironment, queue: str,
                                        employee_id: str) -> str:
    """An onboarding assigned to hr-carol, reminded and escalated, then cancelled."""
    handle = await _start(env, queue, employee_id)
    await handle.execute_update("assign", AssignOwner(HR, "hr-carol"))
    view = await handle.query("status", result_type=OnboardingView)
    await env.sleep(view.deadlines[0].due_at - await env.get_current_time() + timedelta(hours=1))
    await handle.execute_update("cancel", CancelOnboarding(HR, "employee left"))
    await handle.result()
    return handle.id


async def case_directory_escalated(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-12-directory-recipients patch: assigned to hr-carol, the return
    notice unanswered and escalated to directory people, then withdrawn."""
    handle = await _recognised(env, queue, "C12")
    await handle.execute_update("assign", AssignOwner(HR, "hr-carol"), result_type=CaseAnswer)
    view = await _act(handle, "start_suspension", months=1)
    sent = _due(view, "suspension_end") - timedelta(days=7)
    await _until(env, sent + timedelta(days=3, hours=1))
    await env.sleep(timedelta(days=1))
    await _act(handle, "withdraw", reason="the employee resigned and settled privately")
    await handle.result()
    return handle.id


def seed_insured(db_url: str) -> None:
    """Two employees of beijing, enrolled (the SI account scenario)."""
    at = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    for n, id_number in enumerate(("110105199001010010", "110105199001010037")):
        person = replace(employee(f"A{n}", id_number), name=f"员工{n}")
        reg = employees.upsert_from_registration(db_url, person, hire_date=date(2026, 1, 5),
                                                 region="beijing", at=at)
        employees.record_si_status(db_url, reg.employee_id, SiStatus.enrolled, date(2026, 1, 5),
                                   "社保增员办结", f"seed:{reg.employee_id}", at)


async def _beijing_account(env: WorkflowEnvironment,
                           queue: str) -> tuple[WorkflowHandle[Any, Any], str, datetime]:
    """The beijing SI account opened for the month whose payment deadline is still ahead: the
    handle, the period and its deadline."""
    rule = deadline_rule("beijing")
    calendar = official_calendar()
    period = period_of(await _today(env))
    if month_deadline(period, rule, calendar).due_at <= await env.get_current_time():
        period = next_period(period)
    handle = await env.client.start_workflow(
        "SiAccount", AccountInput(region="beijing", period=period, rule=rule, calendar=calendar,
                                  opened_by="hr-alice"), id="si-account-beijing", task_queue=queue)
    return handle, period, month_deadline(period, rule, calendar).due_at


async def si_account_interrupted_paid_back(env: WorkflowEnvironment,
                                           queue: str) -> tuple[str, str]:
    """A month unpaid: reminder, escalation, 中断 for both, continued as new (the run recorded);
    the next month's run takes a back payment that clears it."""
    handle, period, due = await _beijing_account(env, queue)
    await _until(env, due + timedelta(days=3))
    await handle.execute_update("record_payment", RecordPayment(
        actor=HR, period=period, amount=Decimal("4200.00"), paid_on=await _today(env),
        reference="3310012026120000001", documents=("doc-voucher",)), result_type=AccountView)
    await env.sleep(timedelta(hours=1))
    assert handle.first_execution_run_id is not None
    return handle.id, handle.first_execution_run_id


async def _stop_approved(env: WorkflowEnvironment, queue: str, employee_id: str
                         ) -> tuple[WorkflowHandle[Any, StopView], date]:
    """The SI stop of a leave today, submitted and approved by another HR manager (held 1 h)."""
    today = await _today(env)
    inp = StopInput(employee_id=employee_id, employment=1, department="生产部", region="beijing",
                    leave_date=today, reason="合同期满", hold=timedelta(hours=1),
                    deadline=stop_deadline(today, stop_rule("beijing"), official_calendar()),
                    created_by="hr-alice")
    handle = await env.client.start_workflow("SiStop", inp, id=f"si-stop-{employee_id}",
                                             task_queue=queue, result_type=StopView)
    await handle.execute_update("submit_stop", StopStep(HR), result_type=StopView)
    await handle.execute_update("approve_stop", StopStep(MANAGER), result_type=StopView)
    return handle, today


async def _stopped_after_the_hold(env: WorkflowEnvironment, handle: WorkflowHandle[Any, StopView],
                                  reference: str) -> str:
    """The hold passes, HR records the bureau's reference and receipt: the stop ends."""
    await env.sleep(timedelta(hours=2))
    await handle.execute_update("record_stop_outcome", StopOutcome(HR, reference, "doc-receipt"),
                                result_type=StopView)
    await handle.result()
    return handle.id


async def si_stop_executed(env: WorkflowEnvironment, queue: str) -> str:
    """A leave: submitted, approved by another HR manager, held, HR's task at the bureau, the
    receipt recorded; the employee is 停保."""
    handle, _ = await _stop_approved(env, queue, "A0")
    return await _stopped_after_the_hold(env, handle, "JY20261130001")


async def si_stop_leave_corrected(env: WorkflowEnvironment, queue: str) -> str:
    """A leave submitted and approved, then its day corrected (the stop back to submission, the
    deadline counted again, the old day's clocks retired); submitted again and stopped."""
    handle, today = await _stop_approved(env, queue, "A1")
    corrected = today + timedelta(days=40)
    await handle.execute_update("correct_leave_date", LeaveCorrection(
        HR, corrected, "离职日期登记错误", stop_deadline(corrected, stop_rule("beijing"),
                                                       official_calendar())),
        result_type=StopView)
    await env.sleep(timedelta(days=3))
    await handle.execute_update("submit_stop", StopStep(HR), result_type=StopView)
    await handle.execute_update("approve_stop", StopStep(MANAGER), result_type=StopView)
    return await _stopped_after_the_hold(env, handle, "JY20261230001")


async def _start_case(env: WorkflowEnvironment, queue: str, employee_id: str, days_ago: float):
    now = await env.get_current_time()
    inp = case_input(now - timedelta(days=days_ago), now=now, employee_id=employee_id)
    return await env.client.start_workflow("InjuryCase", inp, id=f"case-{inp.case_id}",
                                           task_queue=queue, result_type=CaseView)


async def _act(handle, action: str, **fields) -> CaseView:
    return (await handle.execute_update("act", ACTION_TYPES[action](actor=HR, **fields),
                                       result_type=CaseAnswer)).view


async def _status(env: WorkflowEnvironment, handle) -> CaseView:
    return await handle.query("status", await env.get_current_time(), result_type=CaseView)


async def _today(env: WorkflowEnvironment):
    return (await env.get_current_time()).astimezone(ZoneInfo("Asia/Shanghai")).date()


async def _until(env: WorkflowEnvironment, at) -> None:
    await env.sleep(at - await env.get_current_time())


def _due(view: CaseView, name: str):
    return next(d.due_at for d in view.deadlines if d.name == name)


async def _recognised(env: WorkflowEnvironment, queue: str, employee_id: str):
    handle = await _start_case(env, queue, employee_id, days_ago=1)
    await env.sleep(timedelta(seconds=1))
    view = await _status(env, handle)
    await _act(handle, "file_materials", materials=view.missing_materials)
    await _act(handle, "apply_determination")
    await env.sleep(timedelta(days=20))
    await handle.signal("authority_decision", AuthorityDecision(
        recognised=True, decided_on=await _today(env), reference="京人社工伤认字001"))
    await env.sleep(timedelta(seconds=1))
    return handle


async def case_closed_return_answered(env: WorkflowEnvironment, queue: str) -> str:
    """A whole case: recognised, suspension, return notice answered, appraisal, settled, closed."""
    handle = await _recognised(env, queue, "C1")
    view = await _act(handle, "start_suspension", months=1)
    await _until(env, _due(view, "suspension_end") - timedelta(days=7) + timedelta(minutes=10))
    view = await _status(env, handle)
    notice = next(n.notice_id for n in view.notices if n.purpose == "return_to_work")
    await env.client.get_workflow_handle(notice).signal("answer", Answer(
        at=await env.get_current_time(), channel="link", choice="answer", text="下周一返岗"))
    await _until(env, _due(view, "suspension_end") - timedelta(hours=12))  # back on the last day
    await _act(handle, "record_return")
    await _act(handle, "apply_appraisal")
    await env.sleep(timedelta(days=40))
    await _act(handle, "record_appraisal", grade=9, reference="京劳鉴001")
    await env.sleep(timedelta(days=20))
    await _act(handle, "open_negotiation")
    await _act(handle, "record_offer", party="employer", amount=Decimal("50000"))
    await _act(handle, "record_agreement", amount=Decimal("60000"))
    await _act(handle, "record_payment", amount=Decimal("60000"))
    await _act(handle, "close", reason="settled and paid")
    await handle.result()
    return handle.id


async def case_missed_late_rejected(env: WorkflowEnvironment, queue: str) -> str:
    """The 30 days missed (reminders, escalation), applied late with materials missing, not
    recognised, closed."""
    handle = await _start_case(env, queue, "C2", days_ago=2)
    await env.sleep(timedelta(seconds=1))
    view = await _status(env, handle)
    await _until(env, _due(view, "determination_application") + timedelta(hours=1))
    await _act(handle, "apply_determination", override_reason="the rest follows by post")
    await env.sleep(timedelta(days=10))
    await handle.signal("authority_decision", AuthorityDecision(
        recognised=False, decided_on=await _today(env), reason="not in the course of work"))
    await env.sleep(timedelta(seconds=1))
    await _act(handle, "close", reason="not recognised; no review sought")
    await handle.result()
    return handle.id


async def case_suspension_escalated_withdrawn(env: WorkflowEnvironment, queue: str) -> str:
    """Suspension extended, the return notice unanswered and escalated, a courier notice signed
    for, then withdrawn."""
    handle = await _recognised(env, queue, "C3")
    await _act(handle, "start_suspension", months=1)
    view = await _act(handle, "extend_suspension", months=1, reference="鉴定委员会确认001")
    sent = _due(view, "suspension_end") - timedelta(days=7)
    await _until(env, sent + timedelta(days=3, hours=1))
    await _act(handle, "record_courier_notice", carrier="EMS", tracking_number="EMS1234567890CN")
    await handle.signal("courier_status", CourierUpdate("EMS1234567890CN", "signed",
                                                        await env.get_current_time(), "张三"))
    await env.sleep(timedelta(days=1))
    await _act(handle, "withdraw", reason="the employee resigned and settled privately")
    await handle.result()
    return handle.id


async def case_back_on_return_day(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-11-return-day patch: the employee is due back by the end of the first
    working day after the suspension period; back that morning, no disability, closed."""
    handle = await _recognised(env, queue, "C4")
    view = await _act(handle, "start_suspension", months=1)
    period = next(d for d in view.deadlines if d.name == "suspension_end")
    back_day = (period.due_at - timedelta(seconds=1)).astimezone(SHANGHAI).date()
    await _until(env, datetime.combine(back_day, time(10), SHANGHAI))
    await _act(handle, "record_return")
    await _act(handle, "apply_appraisal")
    await env.sleep(timedelta(days=30))
    await _act(handle, "record_appraisal", grade="none", reference="京劳鉴002")
    await _act(handle, "close", reason="no disability; back at work")
    await handle.result()
    return handle.id


async def case_form_failed_by_hand(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-12-clocks-first patch (and no PDF font, see FONTS): the clocks start
    first; the form cannot be generated and becomes an HR task; reminded and escalated on time; the
    form filled in by hand and filed, applied for, withdrawn."""
    handle = await _start_case(env, queue, "C5", days_ago=2)
    await env.sleep(timedelta(seconds=1))
    view = await _status(env, handle)
    await _until(env, _due(view, "determination_application") + timedelta(hours=1))
    await _act(handle, "file_materials", materials=view.missing_materials)
    await _act(handle, "apply_determination")
    await env.sleep(timedelta(days=1))
    await _act(handle, "withdraw", reason="the employee settled privately")
    await handle.result()
    return handle.id


async def case_pinned_calendar_queued(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the holiday calendar pinned in the case input (CaseInput.calendar) and patch
    2026-12-side-effect-queue (gateway calls and notices leave through one queue drained outside
    the handlers): recognised, suspension, back on the return day, appraisal with a claim, closed."""
    return await case_back_on_return_day(env, queue)


async def case_appraisal_chased_weekly(env: WorkflowEnvironment, queue: str) -> str:
    """Recorded with the 2026-12-weekly-chase patch: recognised, an appraisal applied for that the
    committee concludes late: chased at the end of its period and every week after (3 chases), then
    concluded (the chase stops), withdrawn."""
    handle = await _recognised(env, queue, "C6")
    view = await _act(handle, "apply_appraisal")
    await _until(env, _due(view, "appraisal_conclusion") + timedelta(days=14, hours=1))
    await _act(handle, "record_appraisal", grade=9, reference="京劳鉴003")
    await env.sleep(timedelta(days=8))
    await _act(handle, "withdraw", reason="the employee settled privately")
    await handle.result()
    return handle.id


async def _continued(env: WorkflowEnvironment, queue: str,
                     employee_id: str) -> tuple[str, list[str]]:
    """Patch 2026-12-continue-as-new, the limit lowered to 60 history events a run: recognised,
    suspended, the return notice unanswered and escalated, back, an appraisal chased twice,
    concluded, closed. Returns the workflow id and its run ids, first to last."""
    now = await env.get_current_time()
    inp = case_input(now - timedelta(days=1), now=now, employee_id=employee_id)
    inp = replace(inp, timing=replace(inp.timing, history_events_max=60))
    started = await env.client.start_workflow("InjuryCase", inp, id=f"case-{inp.case_id}",
                                              task_queue=queue, result_type=CaseView)
    runs = [(await started.describe()).run_id]
    handle = env.client.get_workflow_handle(started.id, result_type=CaseView)  # the latest run
    await env.sleep(timedelta(seconds=1))
    view = await _status(env, handle)
    await _act(handle, "file_materials", materials=view.missing_materials)
    await _act(handle, "apply_determination")
    await handle.signal("authority_decision", AuthorityDecision(
        recognised=True, decided_on=await _today(env), reference="京人社工伤认字001"))
    await env.sleep(timedelta(seconds=1))
    view = await _act(handle, "start_suspension", months=1)
    await _until(env, _due(view, "suspension_end") + timedelta(hours=1))
    await _act(handle, "record_return")
    view = await _act(handle, "apply_appraisal")
    await _until(env, _due(view, "appraisal_conclusion") + timedelta(days=7, hours=1))
    await _act(handle, "record_appraisal", grade=9, reference="京劳鉴004")
    await env.sleep(timedelta(days=4))
    await _act(handle, "close", reason="no settlement sought")
    await handle.result()
    while True:
        history = await env.client.get_workflow_handle(handle.id, run_id=runs[-1]).fetch_history()
        attributes = history.events[-1].workflow_execution_continued_as_new_event_attributes
        if not attributes.new_execution_run_id:
            return handle.id, runs
        runs.append(attributes.new_execution_run_id)


async def case_continued_as_new(env: WorkflowEnvironment, queue: str) -> tuple[str, str]:
    """The first run of `_continued`: it ends in ContinueAsNew (a replay history is one run)."""
    workflow_id, runs = await _continued(env, queue, "C7")
    assert len(runs) >= 3, runs
    return workflow_id, runs[0]


async def case_carried_run_closed(env: WorkflowEnvironment, queue: str) -> tuple[str, str]:
    """The last run of `_continued`: started with the carried state, it closes the case."""
    workflow_id, runs = await _continued(env, queue, "C8")
    assert len(runs) >= 3, runs
    return workflow_id, runs[-1]


async def case_si_standing_overridden(env: WorkflowEnvironment, queue: str) -> str:
    """A case opened from the record (window missed: not insured), HR's override with a reason
    and a document, then withdrawn."""
    now = await env.get_current_time()
    day = await _today(env)
    facts = RecordFacts(status=SiStatus.uninsured, since=day - timedelta(days=45),
                        onboarding_id="onboarding-C9", window_due_on=day - timedelta(days=15),
                        employed=True)
    inp = case_input(now - timedelta(hours=2), now=now, employee_id="C9", si_enrolled=None,
                     si_facts=facts)
    handle = await env.client.start_workflow("InjuryCase", inp, id=f"case-{inp.case_id}",
                                             task_queue=queue, result_type=CaseView)
    await _act(handle, "override_si_standing", si_enrolled=True, reason="社保局出具参保证明",
               documents=("doc-proof",))
    await _act(handle, "withdraw", reason="重复报告")
    await handle.result()
    return handle.id


def seed_contract_employee(db_url: str) -> None:
    """One employee registered, never enrolled (the contract watch scenario)."""
    employees.upsert_from_registration(db_url, employee("W1", "110105199001010010"),
                                       hire_date=date(2026, 1, 5), region="beijing")


async def contract_si_mismatch(env: WorkflowEnvironment, queue: str) -> str:
    """A contract recorded after registration, no enrolment 30 days on: the alert."""
    start = await _today(env)
    inp = ContractWatchInput(employee_id="W1", employee_name="张三", department="生产部",
                             onboarding_id="onboarding-W1", contract_start=start,
                             due=mismatch_due(start, official_calendar()), recorded_by="hr-alice")
    handle = await env.client.start_workflow("ContractSiWatch", inp,
                                             id=watch_id("W1", 1, start), task_queue=queue,
                                             result_type=str)
    assert await handle.result() == "mismatch"
    return handle.id


SCENARIOS = {"escalated_then_enrolled": escalated_then_enrolled,
             "late_registration_cancelled": late_registration_cancelled,
             "rejected_and_revoked": rejected_and_revoked,
             "answer_first_enrolled": answer_first_enrolled,
             "escalated_via_notices": escalated_via_notices,
             "notice_unacknowledged": notice_unacknowledged,
             "local_flush_enrolled": local_flush_enrolled,
             "write_behind_enrolled": write_behind_enrolled,
             "write_behind_cancelled": write_behind_cancelled,
             "api_registered_enrolled": api_registered_enrolled,
             "case_closed_return_answered": case_closed_return_answered,
             "case_missed_late_rejected": case_missed_late_rejected,
             "case_suspension_escalated_withdrawn": case_suspension_escalated_withdrawn,
             "case_back_on_return_day": case_back_on_return_day,
             "case_form_failed_by_hand": case_form_failed_by_hand,
             "case_pinned_calendar_queued": case_pinned_calendar_queued,
             "case_appraisal_chased_weekly": case_appraisal_chased_weekly,
             "case_continued_as_new": case_continued_as_new,
             "case_carried_run_closed": case_carried_run_closed,
             "onboarding_bureau_gave_up": onboarding_bureau_gave_up,
             "onboarding_enrolled_by_hand": onboarding_enrolled_by_hand,
             "onboarding_directory_assigned": onboarding_directory_assigned,
             "case_directory_escalated": case_directory_escalated,
             "si_account_interrupted_paid_back": si_account_interrupted_paid_back,
             "si_stop_executed": si_stop_executed,
             "si_stop_leave_corrected": si_stop_leave_corrected,
             "case_si_standing_overridden": case_si_standing_overridden,
             "contract_si_mismatch": contract_si_mismatch}
FOLDER = {"notice_unacknowledged": "notice", "case_closed_return_answered": "injury_case",
          "case_missed_late_rejected": "injury_case",
          "case_suspension_escalated_withdrawn": "injury_case",
          "case_back_on_return_day": "injury_case", "case_form_failed_by_hand": "injury_case",
          "case_pinned_calendar_queued": "injury_case", "case_appraisal_chased_weekly": "injury_case",
          "case_continued_as_new": "injury_case", "case_carried_run_closed": "injury_case",
          "case_directory_escalated": "injury_case",
          "si_account_interrupted_paid_back": "si_account", "si_stop_executed": "si_stop",
          "si_stop_leave_corrected": "si_stop",
          "case_si_standing_overridden": "injury_case", "contract_si_mismatch": "contract_si"}
# Scenarios that need people in the directory before they start.
SEEDS = {"onboarding_directory_assigned": seed_directory, "case_directory_escalated": seed_directory,
         "si_account_interrupted_paid_back": seed_insured, "si_stop_executed": seed_insured,
         "si_stop_leave_corrected": seed_insured,
         "contract_si_mismatch": seed_contract_employee}
# Scenarios whose worker has no CJK font (the form activity fails, non-retryable).
FONTS = {"case_form_failed_by_hand": "/nonexistent/no-cjk-font.ttf"}
# Scenarios whose worker has fakes under the real activity names (an outside system that fails).
FAKES = {"onboarding_bureau_gave_up": {"submit_si_enrollment": bureau_refuses_malformed}}
SCENARIOS["notice_dingtalk_read"] = notice_dingtalk_read
FOLDER["notice_dingtalk_read"] = "notice"
FAKES["notice_dingtalk_read"] = {"send_notice": dingtalk_queued,
                                 "pull_receipts": dingtalk_read_on_second_pull}


async def case_decisions_with_substance(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-notice-substance: the determination (recorded by HR with its decision
    document), the return-to-work notice and the appraisal go out on their own templates."""
    handle = await _start_case(env, queue, "C9", days_ago=1)
    await env.sleep(timedelta(seconds=1))
    view = await _status(env, handle)
    await _act(handle, "file_materials", materials=view.missing_materials)
    await _act(handle, "apply_determination")
    await env.sleep(timedelta(days=20))
    await _act(handle, "record_determination", recognised=True, reference="京人社工伤认字009",
               documents=["doc-decision-009"])
    view = await _act(handle, "start_suspension", months=1)
    await _until(env, _due(view, "suspension_end") - timedelta(days=7) + timedelta(minutes=10))
    view = await _status(env, handle)
    notice = next(n.notice_id for n in view.notices if n.purpose == "return_to_work")
    await env.client.get_workflow_handle(notice).signal("answer", Answer(
        at=await env.get_current_time(), channel="link", choice="confirm"))
    await _until(env, _due(view, "suspension_end") - timedelta(hours=12))
    await _act(handle, "record_return")
    await _act(handle, "apply_appraisal")
    await env.sleep(timedelta(days=40))
    await _act(handle, "record_appraisal", grade=9, reference="京劳鉴009",
               documents=["doc-appraisal-009"])
    await env.sleep(timedelta(days=20))
    await _act(handle, "close", reason="appraised, no claim")
    await handle.result()
    return handle.id


SCENARIOS["case_decisions_with_substance"] = case_decisions_with_substance
FOLDER["case_decisions_with_substance"] = "injury_case"


async def case_invited_and_paid(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-notice-substance: the negotiation invitation (answered with another time)
    and the payment notice (a part payment, then the rest)."""
    handle = await _recognised(env, queue, "C10")
    await _act(handle, "start_suspension", months=1)
    await env.sleep(timedelta(days=10))
    await _act(handle, "record_return")
    view = await _act(handle, "open_negotiation",
                      meeting_at=await env.get_current_time() + timedelta(days=3),
                      place="公司二楼会议室", bring=("身份证", "银行卡"))
    await env.sleep(timedelta(seconds=2))
    view = await _status(env, handle)
    notice = next(n.notice_id for n in view.notices if n.purpose == "negotiation_invitation")
    await env.client.get_workflow_handle(notice).signal("answer", Answer(
        at=await env.get_current_time(), channel="link", choice="answer",
        text="希望改期至 2026-12-20 10:00"))
    await env.sleep(timedelta(days=5))
    await _act(handle, "record_agreement", amount=Decimal("60000"))
    await _act(handle, "record_payment", amount=Decimal("20000"), reference="TX-001")
    await env.sleep(timedelta(days=4))
    await _act(handle, "record_payment", amount=Decimal("40000"), reference="TX-002")
    await env.sleep(timedelta(days=4))
    await _act(handle, "close", reason="settled and paid")
    await handle.result()
    return handle.id


SCENARIOS["case_invited_and_paid"] = case_invited_and_paid
FOLDER["case_invited_and_paid"] = "injury_case"


async def case_written_behind(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-case-write-behind: actions answer before their events are written; a burst
    of actions is one write once the case is quiet, a lone one is written 2 s after it, and the
    case's last write takes what is left."""
    handle = await _recognised(env, queue, "C11")
    await _act(handle, "record_contact", note="问候伤情")
    await _act(handle, "start_suspension", months=1)
    await env.sleep(timedelta(seconds=5))
    await _act(handle, "record_courier_notice", carrier="SF", tracking_number="SF1234567890",
               purpose="other")
    await env.sleep(timedelta(days=3))
    await _act(handle, "record_return")
    await _act(handle, "close", reason="back at work, no claim")
    await handle.result()
    return handle.id


SCENARIOS["case_written_behind"] = case_written_behind
FOLDER["case_written_behind"] = "injury_case"


async def case_alarms_recorded_first(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-record-alarms-first: the determination application's reminders and its
    escalation are written to the ledger before their recipients are routed; then withdrawn."""
    return await _escalated_then_withdrawn(env, queue, "C13")


async def _escalated_then_withdrawn(env: WorkflowEnvironment, queue: str, employee_id: str) -> str:
    """A case reported two days after the accident, reminded and escalated for its determination
    application, then withdrawn."""
    handle = await _start_case(env, queue, employee_id, days_ago=2)
    await env.sleep(timedelta(seconds=1))
    view = await _status(env, handle)
    await _until(env, _due(view, "determination_application") + timedelta(hours=1))
    await env.sleep(timedelta(seconds=5))
    await _act(handle, "withdraw", reason="the employee resigned and settled privately")
    await handle.result()
    return handle.id


SCENARIOS["case_alarms_recorded_first"] = case_alarms_recorded_first
FOLDER["case_alarms_recorded_first"] = "injury_case"


async def case_notices_dispatched(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-notices-dispatched (baseline 4): the determination application's reminders
    and its escalation are routed to directory people and their notices started by one activity
    each, the notices not the case's children; then withdrawn."""
    return await _escalated_then_withdrawn(env, queue, "C15")


SCENARIOS["case_notices_dispatched"] = case_notices_dispatched
FOLDER["case_notices_dispatched"] = "injury_case"
SEEDS["case_notices_dispatched"] = seed_directory


async def onboarding_notices_dispatched(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-notices-dispatched (onboarding baseline 3): assigned to hr-carol, her
    reminder and the escalation are routed to directory people and their notices started by one
    activity each, the notices not the onboarding's children; then cancelled."""
    return await _assigned_escalated_cancelled(env, queue, "H42")


SCENARIOS["onboarding_notices_dispatched"] = onboarding_notices_dispatched
SEEDS["onboarding_notices_dispatched"] = seed_directory


async def si_stop_notices_dispatched(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-notices-dispatched: a leave stopped as in si_stop_executed; HR's task at
    the bureau is routed and its notice started by one activity, not a child."""
    return await si_stop_executed(env, queue)


async def written_contract_notices_dispatched(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-notices-dispatched: written_contract_signed_late's watch, its escalation
    routed and its notices started by one activity, not children."""
    return await written_contract_signed_late(env, queue)


async def contract_si_notices_dispatched(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-notices-dispatched: contract_si_mismatch's alert routed and its notices
    started by one activity; the watch no longer waits for them before it ends."""
    return await contract_si_mismatch(env, queue)


async def _back_payment_confirmed(handle) -> None:
    """A back payment at 8,000: refused with its estimate, then submitted with it confirmed."""
    try:
        await handle.execute_update("submit_enrollment",
                                    SubmitEnrollment(HR, "back_payment", Decimal("8000")))
    except WorkflowUpdateFailedError as exc:
        estimate = exc.cause.details[0]["estimate"]  # type: ignore[union-attr]
    await handle.execute_update("submit_enrollment", SubmitEnrollment(
        HR, "back_payment", Decimal("8000"), Decimal(estimate["total"])))


async def onboarding_back_paid_contract_watched(env: WorkflowEnvironment, queue: str) -> str:
    """Patches 2026-12-monthly-late-fee and 2026-12-written-contract: registered 70 days after
    the hire, the written-contract watch is started as a child; a back payment is refused with
    its per-month estimate, confirmed, approved and executed, and the withdrawal window closes."""
    handle = await _start(env, queue, "H20", days_ago=70)
    await _back_payment_confirmed(handle)
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(days=4))
    await handle.result()
    return handle.id


async def _return_escalated_then_closed(env: WorkflowEnvironment, queue: str,
                                        employee_id: str) -> str:
    """Recognised, a month's suspension, the return notice unanswered and escalated through the
    directory, the employee back, the case closed."""
    handle = await _recognised(env, queue, employee_id)
    view = await _act(handle, "start_suspension", months=1)
    sent = _due(view, "suspension_end") - timedelta(days=7)
    await _until(env, sent + timedelta(days=3, hours=1))
    await _until(env, _due(view, "suspension_end") - timedelta(hours=12))
    await _act(handle, "record_return")
    await env.sleep(timedelta(seconds=5))
    await _act(handle, "close", reason="back at work, no claim")
    await handle.result()
    return handle.id


async def case_born_with_baseline(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-case-baseline-1: one marker at the start stands for every patch before it;
    the case is recognised, its return notice goes unanswered and is escalated through the
    directory, the employee returns and the case closes."""
    return await _return_escalated_then_closed(env, queue, "C14")


SCENARIOS["onboarding_back_paid_contract_watched"] = onboarding_back_paid_contract_watched


async def written_contract_signed_late(env: WorkflowEnvironment, queue: str) -> str:
    """The WrittenContract watch of a hire registered 40 days after work started: escalated at
    once (no reminder), the signed contract recorded late, the double wage stopped."""
    today = (await env.get_current_time()).astimezone(SHANGHAI).date()
    start = today - timedelta(days=40)
    inp = written_contract_input(onboarding_input(start, employee_id="H21"), "onboarding-H21")
    handle = await env.client.start_workflow("WrittenContract", inp,
                                             id=written_contract_id("H21", start),
                                             task_queue=queue, result_type=str)
    await env.sleep(timedelta(days=2))
    await handle.execute_update("record_written_contract",
                                RecordWrittenContract(HR, today, "doc-contract-h21"),
                                result_type=WrittenContractView)
    await handle.result()
    return handle.id


SCENARIOS["case_born_with_baseline"] = case_born_with_baseline
FOLDER["case_born_with_baseline"] = "injury_case"
SEEDS["case_born_with_baseline"] = seed_directory
SCENARIOS["written_contract_signed_late"] = written_contract_signed_late
FOLDER["written_contract_signed_late"] = "written_contract"


async def case_clocks_paused_late(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-case-clocks and the new actions: applied late (the acceptance review met on
    receipt, the employer's period recorded at acceptance), the decision period suspended and
    resumed with its days left (chased at its new end), not recognised, the decision received
    two days after it was made (the review window runs from the receipt), closed."""
    handle = await _start_case(env, queue, "C12", days_ago=35)
    await env.sleep(timedelta(seconds=1))
    await _act(handle, "apply_determination", override_reason="the rest follows by post")
    await env.sleep(timedelta(days=10))
    await _act(handle, "pause_determination", reason="等待法院确认劳动关系", awaiting="人民法院")
    await env.sleep(timedelta(days=70))
    view = await _act(handle, "resume_determination", reference="（2026）民初1号")
    await _until(env, _due(view, "determination_decision") + timedelta(hours=1))
    decided_on = await _today(env)
    await env.sleep(timedelta(days=2))
    await _act(handle, "record_determination", recognised=False, on=decided_on,
               received_on=await _today(env), reason="not in the course of work")
    await env.sleep(timedelta(seconds=5))
    await _act(handle, "close", reason="not recognised; no review sought")
    await handle.result()
    return handle.id


SCENARIOS["case_clocks_paused_late"] = case_clocks_paused_late
FOLDER["case_clocks_paused_late"] = "injury_case"


async def onboarding_contract_watch_at_end(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-lazy-contract-watch: enrolled in days, the onboarding ends before the
    contract's reminder and starts the written-contract watch as it ends."""
    handle = await _start(env, queue, "H22")
    return await _enrolled_to_the_end(env, handle)


async def onboarding_contract_watch_at_reminder(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-lazy-contract-watch: still open at the contract's reminder moment, the
    onboarding starts the watch then; enrolled late, its window closes."""
    handle = await _start(env, queue, "H23")
    await env.sleep(timedelta(days=26))
    return await _enrolled_to_the_end(env, handle)


async def onboarding_contract_watch_opened_by_hr(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-lazy-contract-watch: HR acts on the contract first (the onboarding starts
    the watch for it), then the hire is cancelled and the watch told the employment ended."""
    handle = await _start(env, queue, "H24")
    await handle.execute_update("open_written_contract_watch",
                                OpenWatch(HR, "record_written_contract"), result_type=str)
    await env.sleep(timedelta(days=1))
    await handle.execute_update("cancel", CancelOnboarding(HR, "offer withdrawn"))
    await handle.result()
    return handle.id


for _name in ("onboarding_contract_watch_at_end", "onboarding_contract_watch_at_reminder",
              "onboarding_contract_watch_opened_by_hr"):
    SCENARIOS[_name] = globals()[_name]


async def case_born_with_baseline_2(env: WorkflowEnvironment, queue: str) -> str:
    """Patches 2026-12-case-baseline-2 and 2026-12-steady-alarm-timer: one marker at the start
    (the clocks' patch included); the next alarm's timer stands through the start's writes and
    HR's actions that move no alarm; filed, applied, recognised, the return notice escalated, the
    employee back, the case closed."""
    return await _return_escalated_then_closed(env, queue, "C15")


SCENARIOS["case_born_with_baseline_2"] = case_born_with_baseline_2
FOLDER["case_born_with_baseline_2"] = "injury_case"
SEEDS["case_born_with_baseline_2"] = seed_directory


async def case_born_with_baseline_3(env: WorkflowEnvironment, queue: str) -> str:
    """Patches 2026-12-case-baseline-3 and 2026-12-effect-results-keep-quiet: the authority's
    receipt of the application joins the write the application armed (one write-behind timer);
    recognised, the return notice escalated, the employee back, the case closed."""
    return await _return_escalated_then_closed(env, queue, "C16")


SCENARIOS["case_born_with_baseline_3"] = case_born_with_baseline_3
FOLDER["case_born_with_baseline_3"] = "injury_case"
SEEDS["case_born_with_baseline_3"] = seed_directory


async def case_payloads_deflated(env: WorkflowEnvironment, queue: str) -> str:
    """No workflow change: the path of case_born_with_baseline_3 recorded after the codec began
    deflating large payloads inside the seal, so a replay opens deflated inputs, results and
    update answers (payload_codec.py)."""
    return await _return_escalated_then_closed(env, queue, "C17")


SCENARIOS["case_payloads_deflated"] = case_payloads_deflated
FOLDER["case_payloads_deflated"] = "injury_case"
SEEDS["case_payloads_deflated"] = seed_directory


async def onboarding_born_with_baseline(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-onboarding-baseline-1: one marker at the start stands for every patch
    before it; a delay reason, enrolment submitted, approved and executed, the window closes and
    the written-contract watch starts as the onboarding ends."""
    handle = await _start(env, queue, "H25")
    await handle.execute_update("record_delay_reason", DelayReason(HR, "documents pending"))
    return await _enrolled_to_the_end(env, handle)


SCENARIOS["onboarding_born_with_baseline"] = onboarding_born_with_baseline


async def onboarding_born_with_baseline_2(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-onboarding-baseline-2: one marker at the start also stands for
    2026-12-local-write-behind (a delay reason written by a local activity once the onboarding
    is quiet) and 2026-12-leave-ends-watch (the leave asks for no patch); enrolled, it ends."""
    handle = await _start(env, queue, "H28")
    await handle.execute_update("record_delay_reason", DelayReason(HR, "documents pending"))
    await env.sleep(ACTION_WRITE_QUIET + timedelta(seconds=2))
    await handle.signal("employment_left", EmploymentEnded(on=await _today(env), reason="resigned"))
    return await _enrolled_to_the_end(env, handle)


SCENARIOS["onboarding_born_with_baseline_2"] = onboarding_born_with_baseline_2


async def onboarding_left_before_contract_watch(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-leave-ends-watch: the employee leaves before the contract's watch started
    (signal employment_left); enrolled, the onboarding ends without starting it."""
    handle = await _start(env, queue, "H25")
    await env.sleep(timedelta(days=2))
    await handle.signal("employment_left", EmploymentEnded(on=await _today(env), reason="resigned"))
    return await _enrolled_to_the_end(env, handle)


async def onboarding_left_contract_watch_ended(env: WorkflowEnvironment, queue: str) -> str:
    """Patch 2026-12-leave-ends-watch: HR started the watch, then the employee leaves: the
    onboarding tells its watch employment_ended, and ends once enrolled."""
    handle = await _start(env, queue, "H26")
    await handle.execute_update("open_written_contract_watch",
                                OpenWatch(HR, "record_written_contract"), result_type=str)
    await env.sleep(timedelta(days=2))
    await handle.signal("employment_left", EmploymentEnded(on=await _today(env), reason="resigned"))
    return await _enrolled_to_the_end(env, handle)


async def onboarding_leave_corrected(env: WorkflowEnvironment, queue: str) -> str:
    """Signal leave_date_corrected: the employee left, HR corrected the day twice and the
    corrections crossed (the later told first, the older then changes nothing); enrolled, the
    onboarding ends."""
    handle = await _start(env, queue, "H27")
    await env.sleep(timedelta(days=2))
    today = await _today(env)
    await handle.signal("employment_left", EmploymentEnded(on=today, reason="resigned"))
    yesterday = today - timedelta(days=1)
    await handle.signal("leave_date_corrected",
                        LeaveCorrected(2, today, yesterday, "以离职证明为准", "hr-alice"))
    await handle.signal("leave_date_corrected",
                        LeaveCorrected(1, today, today - timedelta(days=2), "登记错误", "hr-alice"))
    return await _enrolled_to_the_end(env, handle)


for _name in ("onboarding_left_before_contract_watch", "onboarding_left_contract_watch_ended",
              "onboarding_leave_corrected"):
    SCENARIOS[_name] = globals()[_name]


async def notice_local_writes_unacknowledged(env: WorkflowEnvironment, queue: str) -> str:
    """Input `local_writes`: the notice's row, its attempts' evidence and its outcome written by
    local activities. A return-to-work notice nobody answers: two channels, one reminder."""
    return await _unanswered_return_notice(env, queue, "H20", local_writes=True)


async def notice_local_writes_informational(env: WorkflowEnvironment, queue: str) -> str:
    """Input `local_writes`, as an escalation sends it: an informational notice to HR (no
    answer asked for), its SMS to a contact typed at registration, then delivered."""
    inp = informational_notice("case-H21", "case_escalation",
                               Recipient(role="hr", name="王五", phone="+8613700137000"),
                               {"title": "工伤认定申请期限已过", "body": "请立即处理"}, 1.0)
    handle = await env.client.start_workflow("Notice", inp, id="notice-H21", task_queue=queue,
                                             result_type=NoticeOutcome)
    await env.sleep(timedelta(minutes=5))
    await handle.signal("receipt", Receipt(DeliveryStatus.delivered,
                                           await env.get_current_time(), 1, "twilio"))
    await handle.result()
    return handle.id


SCENARIOS["notice_local_writes_unacknowledged"] = notice_local_writes_unacknowledged
SCENARIOS["notice_local_writes_informational"] = notice_local_writes_informational
FOLDER["notice_local_writes_unacknowledged"] = "notice"
FOLDER["notice_local_writes_informational"] = "notice"


async def onboarding_policy_recomputed(env: WorkflowEnvironment, queue: str) -> str:
    """An admin's load reaches a running onboarding (signal policy_updated): first base limits
    alone, then contribution rates while a back payment priced at the bundled (unverified) rates
    is held, so HR gets the figures notice; then approved and executed."""
    handle = await _start(env, queue, "H30", days_ago=70)
    hire = (await env.get_current_time()).astimezone(SHANGHAI).date() - timedelta(days=70)
    await _back_payment_confirmed(handle)
    bases = PolicyTable.from_rows(contribution_bases=[{
        "region": "beijing", "period_start": (hire - timedelta(days=100)).isoformat(),
        "period_end": (hire + timedelta(days=264)).isoformat(), "lower": "7000", "upper": "36000",
        "document": "京人社发 (history)", "source": "history", "verified": True}]).bases
    rates = PolicyTable.from_rows(contribution_rates=[{
        "region": "beijing", "components": {"pension": {"employer": "0.16", "employee": "0.08"},
                                            "medical": {"employer": "0.09", "employee": "0.02"}},
        "source": "history", "verified": True}]).rates
    await handle.signal("policy_updated", PolicyUpdate(
        1, "notice", "root", await env.get_current_time(), bases))
    await env.sleep(timedelta(minutes=1))
    await handle.signal("policy_updated", PolicyUpdate(
        2, "notice", "root", await env.get_current_time(), rates=rates))
    await env.sleep(timedelta(minutes=1))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(days=4))
    await handle.result()
    return handle.id


SCENARIOS["onboarding_policy_recomputed"] = onboarding_policy_recomputed


async def onboarding_window_recomputed(env: WorkflowEnvironment, queue: str) -> str:
    """An admin's load of a verified withdrawal window reaches an onboarding that pinned the
    unverified default; the enrolment executed after it runs its window on the loaded hours."""
    handle = await _start(env, queue, "H34")
    windows = PolicyTable.from_rows(withdrawal_windows=[
        {"region": "beijing", "hours": 48, "source": "history", "verified": True}]).windows
    await handle.signal("policy_updated", PolicyUpdate(
        3, "notice", "root", await env.get_current_time(), windows=windows))
    await env.sleep(timedelta(minutes=1))
    await handle.execute_update("submit_enrollment", SubmitEnrollment(HR, "new", Decimal("8000")))
    await handle.execute_update("approve_enrollment", ReviewDecision(MANAGER))
    await env.sleep(timedelta(days=40))
    await handle.result()
    return handle.id


SCENARIOS["onboarding_window_recomputed"] = onboarding_window_recomputed


async def leave_delivered(env: WorkflowEnvironment, queue: str) -> str:
    """A leave told durably (LeaveDelivery): the running onboarding takes `employment_left`, the
    watch it has not started is not running and is skipped."""
    onboarding = await _start(env, queue, "H31")
    hire = (await env.get_current_time()).astimezone(SHANGHAI).date()
    delivery = await env.client.start_workflow(
        "LeaveDelivery", LeaveDelivery(
            employee_id="H31", onboarding_id=onboarding.id,
            watch_id=written_contract_id("H31", hire),
            ended=EmploymentEnded(on=hire + timedelta(days=3), reason="resigned")),
        id=delivery_id("H31", 1), task_queue=queue)
    await delivery.result()
    await onboarding.execute_update("cancel", CancelOnboarding(HR, "employee left"))
    await onboarding.result()
    return delivery.id


SCENARIOS["leave_delivered"] = leave_delivered
FOLDER["leave_delivered"] = "leave_delivery"


LOAD_KEY = "policy:41"


def seed_load_signals(db_url: str) -> None:
    """A load's queued signals: one for an onboarding the scenario starts, one for an id that
    never ran."""
    at = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    update = PolicyUpdate(41, "notice", "root", at, PolicyTable.from_rows(contribution_bases=[
        {"region": "beijing", "period_start": "2000-01-01", "period_end": "2199-12-31",
         "lower": "7500", "upper": "37000", "source": "test", "verified": True}]).bases)
    with session_for(db_url) as session:
        load_deliveries.queue_in(session, LOAD_KEY, queued_signals("policy_updated", [
            ("onboarding-H41", update), ("onboarding-H49", update)]), at)
        session.commit()


async def load_delivered(env: WorkflowEnvironment, queue: str) -> str:
    """A load told durably (LoadDelivery): a page of two queued signals, the running onboarding
    takes its signal, the id that never ran is marked not running, then an empty page."""
    onboarding = await _start(env, queue, "H41")
    delivery = await env.client.start_workflow(
        "LoadDelivery", LoadDelivery(LOAD_KEY), id=load_delivery_id(LOAD_KEY), task_queue=queue)
    await delivery.result()
    await onboarding.execute_update("cancel", CancelOnboarding(HR, "employee left"))
    await onboarding.result()
    return delivery.id


SCENARIOS["load_delivered"] = load_delivered
SEEDS["load_delivered"] = seed_load_signals
FOLDER["load_delivered"] = "load_delivery"


class _HeldPayments:
    """The SI account's payment write, held until the scenario lets it go (a real write then)."""

    def __init__(self) -> None:
        self.db_url = ""
        self.gate: asyncio.Event | None = None

    def seed(self, db_url: str) -> None:
        seed_insured(db_url)
        self.db_url, self.gate = db_url, None

    def let_go(self) -> None:
        assert self.gate is not None, "a payment's write is held"
        self.gate.set()


HELD_PAYMENTS = _HeldPayments()


@activity.defn(name="record_contribution_payment")
async def record_payment_when_let(write: PaymentWrite) -> PaymentResult:
    HELD_PAYMENTS.gate = HELD_PAYMENTS.gate or asyncio.Event()
    await HELD_PAYMENTS.gate.wait()
    return await asyncio.to_thread(
        ContributionActivities(HELD_PAYMENTS.db_url).record_payment, write)


async def si_account_paid_as_the_month_closed(env: WorkflowEnvironment,
                                              queue: str) -> tuple[str, str]:
    """Patch 2026-12-account-settles-late-payments: the month unpaid and interrupted; HR records
    its payment 5 s before the run's last notice reports, and the write takes 15 s; the run waits
    for it (the patch's marker), then continues as the next month's. Recorded before the SI
    account's messages were dispatched (2026-12-notices-dispatched): a run today has no notices
    to wait for, so this scenario no longer reaches that wait (the history keeps it)."""
    handle, period, due = await _beijing_account(env, queue)
    await _until(env, due + timedelta(hours=1))
    await _until(env, await notices_report_at(env.client, handle) - timedelta(seconds=5))
    update = await handle.start_update("record_payment", RecordPayment(
        actor=HR, period=period, amount=Decimal("4200.00"), paid_on=await _today(env),
        reference="3310012026120000002", documents=("doc-voucher",)),
        wait_for_stage=WorkflowUpdateStage.ACCEPTED, result_type=AccountView)
    await env.sleep(timedelta(seconds=15))
    for _ in range(300):  # the notices' reports reach the run: it asks for the patch
        if await recorded_a_marker(handle, SETTLES_LATE_PAYMENTS):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the run never waited for the payment")
    HELD_PAYMENTS.let_go()
    await update.result()
    await env.sleep(timedelta(hours=1))
    assert handle.first_execution_run_id is not None
    return handle.id, handle.first_execution_run_id


SCENARIOS["si_account_paid_as_the_month_closed"] = si_account_paid_as_the_month_closed
SEEDS["si_account_paid_as_the_month_closed"] = HELD_PAYMENTS.seed
FOLDER["si_account_paid_as_the_month_closed"] = "si_account"
FAKES["si_account_paid_as_the_month_closed"] = {"record_payment": record_payment_when_let}


class _LateWorker:
    """A worker that starts only when the scenario has sent what its run's first task must hold."""

    def __init__(self) -> None:
        self.db_url = ""

    def seed(self, db_url: str) -> None:
        self.db_url = db_url

    def seed_insured(self, db_url: str) -> None:
        seed_insured(db_url)
        self.db_url = db_url

    @asynccontextmanager
    async def after(self, env: WorkflowEnvironment, queue: str,
                    update: Awaitable[Any]) -> AsyncIterator[None]:
        """Send `update` to a run started on `queue` that no worker polls yet; once the server
        has admitted it, start the worker: the run's first task holds its start and the update."""
        updating = asyncio.ensure_future(update)
        await asyncio.sleep(1)
        documents = Path(self.db_url.removeprefix("sqlite:///")).parent / "late-documents"
        with ThreadPoolExecutor(4) as executor:
            async with Workers(env.client, task_queue=queue, workflows=list(WORKFLOWS),
                               workflow_runner=WORKFLOW_RUNNER, activity_executor=executor,
                               activities=activities_for(self.db_url, documents_root=documents)):
                await updating
                yield


LATE_WORKER = _LateWorker()


async def written_contract_signed_with_its_start(env: WorkflowEnvironment, queue: str) -> str:
    """HR's record of the signed contract reaches the server before the watch's first task, so
    the record and the start come in one activation (the SDK runs the update's handler first)."""
    start = (await env.get_current_time()).astimezone(SHANGHAI).date()
    inp = written_contract_input(onboarding_input(start, employee_id="H22"), "onboarding-H22")
    handle = await env.client.start_workflow("WrittenContract", inp,
                                             id=written_contract_id("H22", start),
                                             task_queue=f"{queue}-late", result_type=str)
    async with LATE_WORKER.after(env, f"{queue}-late", handle.execute_update(
            "record_written_contract", RecordWrittenContract(HR, start, "doc-contract-h22"),
            result_type=WrittenContractView)):
        await handle.result()
    return handle.id


async def si_stop_submitted_with_its_start(env: WorkflowEnvironment, queue: str) -> str:
    """HR submits the stop before its first task: the submission comes with the start, then the
    stop is approved, held and recorded as done."""
    today = await _today(env)
    inp = StopInput(employee_id="A1", employment=1, department="生产部", region="beijing",
                    leave_date=today, reason="合同期满", hold=timedelta(hours=1),
                    deadline=stop_deadline(today, stop_rule("beijing"), official_calendar()),
                    created_by="hr-alice")
    handle = await env.client.start_workflow("SiStop", inp, id="si-stop-A1",
                                             task_queue=f"{queue}-late", result_type=StopView)
    async with LATE_WORKER.after(env, f"{queue}-late", handle.execute_update(
            "submit_stop", StopStep(HR), result_type=StopView)):
        await handle.execute_update("approve_stop", StopStep(MANAGER), result_type=StopView)
        return await _stopped_after_the_hold(env, handle, "JY20261130007")


async def si_account_paid_with_its_start(env: WorkflowEnvironment, queue: str) -> tuple[str, str]:
    """The month's payment recorded before the account's run first ran: it comes with the start;
    the month is paid, so the run continues as the next month's at once (the first run kept)."""
    handle, period, _ = await _beijing_account(env, f"{queue}-late")
    async with LATE_WORKER.after(env, f"{queue}-late", handle.execute_update(
            "record_payment", RecordPayment(
                actor=HR, period=period, amount=Decimal("4200.00"), paid_on=await _today(env),
                reference="3310012026120000007", documents=("doc-voucher",)),
            result_type=AccountView)):
        await env.sleep(timedelta(hours=1))
    assert handle.first_execution_run_id is not None
    return handle.id, handle.first_execution_run_id


# Patch 2026-12-opened-in-first-task: each recorded before it ("…with_its_start": the update's
# event comes first) and after it ("…opened_first").
for _before, _after, _folder, _seed in (
        ("written_contract_signed_with_its_start", "written_contract_opened_first",
         "written_contract", LATE_WORKER.seed),
        ("si_stop_submitted_with_its_start", "si_stop_opened_first", "si_stop",
         LATE_WORKER.seed_insured),
        ("si_account_paid_with_its_start", "si_account_opened_first", "si_account",
         LATE_WORKER.seed_insured)):
    for _name in (_before, _after):
        SCENARIOS[_name] = globals()[_before]
        SEEDS[_name] = _seed
        FOLDER[_name] = _folder


SCENARIOS["si_stop_notices_dispatched"] = si_stop_notices_dispatched
FOLDER["si_stop_notices_dispatched"] = "si_stop"
SEEDS["si_stop_notices_dispatched"] = seed_insured
SCENARIOS["written_contract_notices_dispatched"] = written_contract_notices_dispatched
FOLDER["written_contract_notices_dispatched"] = "written_contract"
SCENARIOS["contract_si_notices_dispatched"] = contract_si_notices_dispatched
FOLDER["contract_si_notices_dispatched"] = "contract_si"
SEEDS["contract_si_notices_dispatched"] = seed_contract_employee
# The SI account's reminder, escalation and 中断 message dispatched (no Notice children).
SCENARIOS["si_account_notices_dispatched"] = si_account_interrupted_paid_back
FOLDER["si_account_notices_dispatched"] = "si_account"
SEEDS["si_account_notices_dispatched"] = seed_insured


async def record(names: list[str]) -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for name in names:
        # A database of its own per scenario: two scenarios may register the same employee.
        with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(4) as executor:
            db_url = f"sqlite:///{tmp}/history.db"
            migrate(db_url)
            env = await WorkflowEnvironment.start_time_skipping(
                data_converter=dev_data_converter(),
                test_server_existing_path=str(temporal_test_server()))
            async with env:
                queue = f"record-{uuid.uuid4().hex[:6]}"
                if name in SEEDS:
                    SEEDS[name](db_url)
                fakes = FAKES.get(name, {})
                real = [fn for fn in activities_for(db_url, documents_root=Path(tmp) / "documents",
                                                    pdf_font=FONTS.get(name))
                        if fn.__name__ not in fakes]
                async with Workers(env.client, task_queue=queue, workflows=list(WORKFLOWS),
                                   workflow_runner=WORKFLOW_RUNNER,
                                   activities=[*real, *fakes.values()],
                                   activity_executor=executor):
                    found = await SCENARIOS[name](env, queue)
                # A scenario names a run when the workflow continued as new (one run a history).
                workflow_id, run_id = found if isinstance(found, tuple) else (found, None)
                history = await env.client.get_workflow_handle(
                    workflow_id, run_id=run_id).fetch_history()
                folder = HERE.parent / FOLDER.get(name, "onboarding")
                folder.mkdir(exist_ok=True)
                (folder / f"{name}.json").write_text(history.to_json())
                print(f"recorded {name}: {len(history.events)} events")


def main(names: list[str]) -> None:
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        sys.exit(f"unknown scenario(s) {', '.join(unknown)}; scenarios: {', '.join(SCENARIOS)}")
    asyncio.run(record(names or list(SCENARIOS)))


if __name__ == "__main__":
    main(sys.argv[1:])
