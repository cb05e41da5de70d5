"""The contract/SI watch (ContractSiWatch) under the time-skipping server: silent until 30 days
after the contract's start, then it asks the employee record; an enrolment by then sends nothing,
none alerts HR and the HR manager and is recorded in the onboarding's ledger."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import col, select

from domain.employees.contract_watch import ContractWatchInput, mismatch_due, watch_id
from domain.employees.si_status import SiStatus
from domain.shared.calendar import SHANGHAI
from domain.shared.calendar_sources import official_calendar
from store import employees
from store.db import session_for
from store.models import EvidenceEntry, OutboxMessage
from tests.factories import employee
from tests.workflows.conftest import Harness, eventually
from tests.workflows.test_notices_dispatched import dispatched_not_children


def _watched(wf: Harness, employee_id: str, start: date) -> ContractWatchInput:
    reg = employees.upsert_from_registration(wf.db_url, employee(employee_id), hire_date=start,
                                             region="beijing")
    return ContractWatchInput(
        employee_id=reg.employee_id, employee_name="张三", department="生产部",
        onboarding_id=reg.onboarding_id, contract_start=start,
        due=mismatch_due(start, official_calendar()), recorded_by="hr-alice")


def _ledger(wf: Harness, subject: str) -> list[EvidenceEntry]:
    with session_for(wf.db_url) as session:
        return list(session.exec(select(EvidenceEntry).where(
            EvidenceEntry.subject_id == subject).order_by(col(EvidenceEntry.seq))))


def _outbox(wf: Harness, subject: str) -> list[OutboxMessage]:
    with session_for(wf.db_url) as session:
        return list(session.exec(select(OutboxMessage).where(
            OutboxMessage.subject_id == subject, OutboxMessage.purpose == "contract_si_mismatch")))


async def test_no_enrolment_30_days_after_the_contract_alerts_and_is_recorded(wf: Harness):
    start = await wf.today()
    inp = _watched(wf, "E9301", start)
    handle = await wf.client.start_workflow("ContractSiWatch", inp,
                                            id=watch_id("E9301", 1, start),
                                            task_queue=wf.task_queue, result_type=str)
    await wf.sleep_until(inp.due.due_at - timedelta(days=1))
    assert _ledger(wf, inp.onboarding_id) == []  # nothing before the due day
    assert await handle.result() == "mismatch"
    [entry] = [e for e in _ledger(wf, inp.onboarding_id) if e.kind == "contract_si_mismatch"]
    assert entry.payload.get("si_status") is None and entry.payload["watch_id"] == handle.id
    assert entry.payload["contract_start"] == start.isoformat()
    # The alert's notices are workflows of their own (patch 2026-12-notices-dispatched): the
    # watch does not wait for them.
    sent = await eventually(lambda: {m.recipient_role for m in _outbox(wf, inp.onboarding_id)}
                            == {"hr_team", "hr_manager"} and _outbox(wf, inp.onboarding_id))
    assert "合同与社保不一致" in sent[0].subject
    await dispatched_not_children(wf, handle, "contract_si_mismatch", {"hr_team", "hr_manager"},
                                  subject_id=inp.onboarding_id)


async def test_an_enrolment_on_the_record_by_the_due_day_sends_nothing(wf: Harness):
    start = await wf.today()
    inp = _watched(wf, "E9302", start)
    employees.record_si_status(wf.db_url, "E9302", SiStatus.enrolled, start + timedelta(days=20),
                               "测试：社保增员办结", "test:E9302:enrolled", datetime.now(SHANGHAI))
    result = await wf.client.execute_workflow("ContractSiWatch", inp,
                                              id=watch_id("E9302", 1, start),
                                              task_queue=wf.task_queue, result_type=str)
    assert result == "enrolled"
    assert _ledger(wf, inp.onboarding_id) == [] and _outbox(wf, inp.onboarding_id) == []
