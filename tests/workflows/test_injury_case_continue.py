"""A long injury case continues as new (patch 2026-12-continue-as-new) with its clocks, its evidence
and its HR actions intact. The limit is lowered through the input (CaseTiming.history_events_max)
so a test crosses it several times; a twin case with the production limit takes the same path
beside it and must end with the same log."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle

from domain.injury.payloads import AuthorityDecision, CaseInput
from domain.injury.state import Stage
from domain.injury.views import CaseView
from domain.shared.events import Event
from store.db import session_for
from store.models import EvidenceEntry
from tests.factories import case_input
from tests.workflows.test_injury_case_clocks import deadline, events, query, sleep_until, update

LIMIT = 100  # history events per run here (production: statutes.CASE_HISTORY_EVENTS_MAX, 2,000)
ALARMS = ("case_reminder_sent", "case_escalated", "chase_sent", "return_notice_sent")


async def runs_of(wf, workflow_id: str, first_run: str) -> list[str]:
    """The case's run ids, first to latest, following each run's ContinuedAsNew event."""
    runs = [first_run]
    while True:
        history = await wf.client.get_workflow_handle(workflow_id, run_id=runs[-1]).fetch_history()
        last = history.events[-1]
        if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return runs
        runs.append(last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id)


def ledger(wf, subject_id: str) -> list[EvidenceEntry]:
    with session_for(wf.db_url) as session:
        return list(session.exec(select(EvidenceEntry).where(EvidenceEntry.subject_id == subject_id)
                                 .order_by(EvidenceEntry.id)))


def comparable(e: Event, case_id: str, with_seq: bool = True) -> str:
    """An event without what differs between two cases (their ids, notice ids, the form's hash)."""
    data = {k: v for k, v in e.data.items() if k not in ("notice_id", "document_id", "sha256", "reference")}
    seq = e.seq if with_seq else None
    return repr((seq, e.kind, e.actor, data)).replace(case_id, "<case>")


OPENING = ("case_opened", "diagnosis_fetched", "form_generated")


def comparable_log(events: list[Event], case_id: str) -> tuple[list[str], list[str]]:
    """A case's log to hold against its twin's. The form and the diagnosis are fetched concurrently
    when a case opens, so either may be logged first: the opening three compare as a set."""
    assert sorted(e.kind for e in events[:3]) == list(OPENING)
    opening = sorted(comparable(e, case_id, with_seq=False) for e in events[:3])
    return opening, [comparable(e, case_id) for e in events[3:]]


def on_time(at: datetime, due: datetime) -> bool:
    """A timer fires at its moment (the test server adds the milliseconds of a workflow task)."""
    return timedelta(0) <= at - due < timedelta(seconds=1)


async def start(wf, inp: CaseInput, employee_id: str, limit: int) -> tuple[WorkflowHandle, str]:
    """Start a case; a handle without a run id, as the API holds one (it reaches the latest run)."""
    inp = replace(inp, case_id=employee_id, timing=replace(inp.timing, history_events_max=limit))
    started = await wf.start_case(inp)
    run = (await started.describe()).run_id
    return wf.client.get_workflow_handle(started.id, result_type=CaseView), run


async def test_a_long_case_continues_as_new_with_its_clocks_and_evidence_intact(wf):
    now = await wf.env.get_current_time()
    inp = case_input(now - timedelta(days=1), now=now)
    long, first_run = await start(wf, inp, "E7001", LIMIT)
    twin, _ = await start(wf, inp, "E7002", 100_000)
    both = (long, twin)
    for h in both:  # the form and the diagnosis first, so both logs go on in the same order
        while not {"form_generated", "diagnosis_fetched"} <= {e.kind for e in
                                                              (await query(wf, h)).events}:
            await wf.env.sleep(timedelta(seconds=1))
    seen_runs: list[str] = []

    async def checkpoint() -> CaseView:
        """The long case's query shows its whole log whichever run answers."""
        run = (await long.describe()).run_id
        if run not in seen_runs:
            seen_runs.append(run)
        view = await query(wf, long)
        assert [e.seq for e in view.events] == list(range(1, len(view.events) + 1))
        return view

    async def act(action: str, **fields) -> CaseView:
        views = [await update(h, action, **fields) for h in both]
        return views[0]

    view = await query(wf, long)
    await act("file_materials", materials=view.missing_materials)
    await act("apply_determination")
    for h in both:
        await h.signal("authority_decision", AuthorityDecision(
            recognised=True, decided_on=await wf.today(), reference="京人社工伤认字001"))
    await wf.env.sleep(timedelta(seconds=1))
    await act("record_dispute", event="arose", forum="劳动争议仲裁委员会",
              note="the employee disputes the wage owed")
    suspension = deadline(await act("start_suspension", months=2), "suspension_end")
    await checkpoint()
    # the return notice goes out 7 days before the period ends, unanswered in 3 days: escalated
    await sleep_until(wf, suspension.raw_due_at - timedelta(days=4) + timedelta(hours=1))
    await checkpoint()
    await sleep_until(wf, suspension.due_at + timedelta(hours=1))
    await checkpoint()
    await act("record_return")
    conclusion = deadline(await act("apply_appraisal"), "appraisal_conclusion")
    await sleep_until(wf, conclusion.due_at + timedelta(days=21, hours=1))  # the committee chased
    await checkpoint()
    await act("record_appraisal", grade=9, reference="京劳鉴001")
    await wf.env.sleep(timedelta(days=4))  # its decision notice closes unanswered
    await checkpoint()
    negotiation = await act("open_negotiation")
    settlement = deadline(negotiation, "settlement_agreement")
    await sleep_until(wf, settlement.due_at + timedelta(hours=1))
    view = await checkpoint()
    claim = deadline(view, "arbitration_claim")
    await sleep_until(wf, claim.due_at - timedelta(days=29))
    await checkpoint()
    # HR actions reach the latest run
    view = await act("record_agreement", amount=Decimal("60000"))
    assert view.settlement.agreed_amount == Decimal("60000")
    await act("record_payment", amount=Decimal("60000"))
    for h in both:  # the payment notice leaves after the answer: before the close, in both logs
        while "payment_notice_sent" not in {e.kind for e in (await query(wf, h)).events}:
            await wf.env.sleep(timedelta(seconds=1))
    await act("close", reason="settled and paid")
    result: CaseView = await long.result()
    reference: CaseView = await twin.result()

    # It continued as new at least twice, while its clocks ran; the twin never did.
    runs = await runs_of(wf, long.id, first_run)
    assert len(runs) >= 3 and set(seen_runs) <= set(runs) and len(seen_runs) >= 3
    assert seen_runs == sorted(seen_runs, key=runs.index)  # queries reached the latest run
    assert (await long.describe()).run_id == runs[-1] != first_run
    assert (await long.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert len(await runs_of(wf, twin.id, (await twin.describe()).run_id)) == 1

    # The same case: every event, alarm and moment as the twin's.
    assert result.stage == Stage.closed and result.settlement.paid_amount == Decimal("60000")
    assert comparable_log(result.events, "E7001") == comparable_log(reference.events, "E7002")
    alarms = [e for e in result.events if e.kind in ALARMS]
    twins = [e for e in reference.events if e.kind in ALARMS]
    assert [e.kind for e in alarms] == [e.kind for e in twins]
    assert all(abs(e.at - t.at) < timedelta(seconds=1) for e, t in zip(alarms, twins, strict=True))
    counts = Counter(e.kind for e in result.events)
    assert counts["case_opened"] == 1 and counts["form_generated"] == 1
    assert counts["diagnosis_fetched"] == 1 and counts["case_outcome"] == 1
    assert counts["return_notice_sent"] == 1 and counts["return_notice_unanswered"] == 1

    # No alarm twice; the later ones on time (they fired in later runs).
    fired = Counter((e.kind, e.data.get("deadline"), e.data.get("due_at"), e.at) for e in alarms)
    assert len(alarms) >= 8
    assert max(fired.values()) == 1
    chases = [e.at for e in events(result, "chase_sent", "appraisal_conclusion")]
    assert len(chases) == 4  # at the end of its period, then weekly for 3 weeks
    assert all(on_time(at, conclusion.due_at + k * inp.timing.chase_interval)
               for k, at in enumerate(chases))
    [escalated] = events(result, "case_escalated", "settlement_agreement")
    assert on_time(escalated.at, settlement.due_at)
    [reminded] = events(result, "case_reminder_sent", "arbitration_claim")
    assert on_time(reminded.at, claim.due_at - timedelta(days=30))
    [returned] = events(result, "case_escalated", "suspension_end")
    assert on_time(returned.at, suspension.due_at)

    # The ledger has every event of the case once, in order, no gaps (between them, the notices'
    # own entries); its chain has no gap either.
    rows = ledger(wf, long.id)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    case_rows = [r for r in rows if r.idempotency_key.startswith(f"{long.id}:event:")]
    assert [r.payload["workflow_seq"] for r in case_rows] == \
        list(range(1, len(result.events) + 1))
    assert [r.kind for r in case_rows] == [e.kind for e in result.events]
    # The moments agree to the workflow task: a task whose local-activity write went through but
    # which the server then refused (a notice finished meanwhile) is run again a few ms later, and
    # the ledger keeps the first write (keyed by seq). Not a continue-as-new matter.
    assert all(abs(r.at - e.at) < timedelta(seconds=1) for r, e in zip(case_rows, result.events,
                                                                        strict=True))


async def test_a_scaled_case_keeps_its_business_clock_across_runs(wf):
    """A dev time scale goes on from the first run's start, not from the new run's."""
    now = await wf.env.get_current_time()
    handle, first_run = await start(wf, case_input(now - timedelta(days=1), now=now,
                                                   time_scale=2.0), "E7003", 23)
    origin = (await wf.client.get_workflow_handle(handle.id, run_id=first_run).describe()).start_time
    # The materials escalation (12 h real) wakes the run past 23 events (its start has 21).
    await wf.env.sleep(timedelta(days=2))
    runs = await runs_of(wf, handle.id, first_run)
    second = await wf.client.get_workflow_handle(handle.id, run_id=runs[1]).describe()
    assert second.start_time - origin > timedelta(hours=6)
    at: datetime = await wf.env.get_current_time()
    view = await handle.query("status", at, result_type=CaseView)
    assert abs(view.now - (origin + (at - origin) * 2)) < timedelta(seconds=5)
    assert [e.seq for e in view.events] == list(range(1, len(view.events) + 1))
