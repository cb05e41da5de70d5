"""The case clocks of issue 20 §2 in a running case (time-skipping server, simulated authority).

Dates are relative to the server's clock; every assertion is about the distance between days the
case itself counted, so none depends on the day the test runs."""

from __future__ import annotations

from datetime import timedelta

from domain.injury.pause import last_day
from domain.injury.state import CaseDeadline
from tests.workflows.test_injury_case_clocks import (
    deadline,
    events,
    file_all,
    ledger,
    local_day,
    open_case,
    query,
    refused,
    sleep_until,
    update,
)


def _raw_last_day(view_deadline) -> object:
    return last_day(CaseDeadline(name=view_deadline.name, due_at=view_deadline.due_at,
                                 raw_due_at=view_deadline.raw_due_at, article="", kind="authority",
                                 started_at=view_deadline.due_at))


async def test_a_suspended_determination_is_not_chased_and_runs_on_with_the_days_left(wf):
    """Reg. art. 20 ¶3: suspended, the decision period is neither chased nor overdue; once the
    conclusion is recorded it runs on with the days it had left, and is chased at its new end."""
    handle, view = await open_case(wf, days_ago=1)
    await file_all(handle, view)
    await update(handle, "apply_determination")
    await wf.env.sleep(timedelta(seconds=5))  # the simulated authority accepts on receipt
    view = await query(wf, handle)
    assert deadline(view, "determination_acceptance").status == "met"  # 工伤认定办法 art. 8
    decision = deadline(view, "determination_decision")
    assert (error := await refused(handle, "resume_determination")).type == "Conflict"

    await wf.env.sleep(timedelta(days=10))
    blank = await refused(handle, "pause_determination", reason=" ")
    assert blank.type == "InvalidInput" and blank.details[0]["field"] == "reason"
    early = await refused(handle, "record_determination", recognised=False,
                          on=await wf.today(), received_on=await wf.today() - timedelta(days=1))
    assert (early.details[0]["field"], early.details[0]["code"]) == \
        ("received_on", "received_on.before_decision")
    assert (await query(wf, handle)).determination.decided_on is None  # nothing changed
    paused_on = await wf.today()
    view = await update(handle, "pause_determination", reason="等待法院确认劳动关系",
                        awaiting="人民法院")
    assert deadline(view, "determination_decision").status == "paused"
    left = (_raw_last_day(decision) - paused_on).days

    await sleep_until(wf, decision.due_at + timedelta(days=15))
    view = await query(wf, handle)
    assert not events(view, "chase_sent", "determination_decision") and not view.overdue
    assert deadline(view, "determination_decision").status == "paused"

    resumed_on = await wf.today()
    view = await update(handle, "resume_determination", reference="（2026）民初1号")
    resumed = deadline(view, "determination_decision")
    assert _raw_last_day(resumed) == resumed_on + timedelta(days=left)
    await sleep_until(wf, resumed.due_at + timedelta(hours=1))
    view = await query(wf, handle)
    [chase] = events(view, "chase_sent", "determination_decision")
    assert chase.data["due_at"] == resumed.due_at.isoformat()
    await wf.written()
    [paused] = ledger(wf, handle, "determination_paused")
    assert ledger(wf, handle, "determination_resumed") and paused.payload["remaining_days"] == left
    assert error is not None


async def test_a_late_application_records_the_employers_period_at_acceptance(wf):
    """Reg. art. 17 ¶4: applied 40 days after the accident, accepted on receipt by the simulated
    authority: the costs from the accident to the acceptance are the employer's, on record."""
    handle, view = await open_case(wf, days_ago=40)
    await file_all(handle, view)
    await update(handle, "apply_determination")
    await wf.env.sleep(timedelta(seconds=5))
    view = await query(wf, handle)
    accepted_on = view.determination.accepted_on
    late = view.late_application
    assert late is not None and late["employer_bears_costs_until"] == accepted_on.isoformat()
    assert late["employer_bears_costs_from"] == local_day(view.accident_at).isoformat()
    [event] = events(view, "late_application_costs")
    assert event.data["rule_article"] == "工伤保险条例 art. 17 ¶4"
    await wf.written()
    assert len(ledger(wf, handle, "late_application_costs")) == 1
