"""An activity that gives up never stops a case's clocks: it becomes an HR task and an evidence
event (patch 2026-12-clocks-first). The failing activities are fakes under the real names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.forms import FONT_MISSING
from domain.injury.clocks import morning_of
from domain.injury.payloads import DiagnosisRequest, DocumentRef, FormRequest
from domain.injury.state import Stage
from domain.injury.views import CaseView
from store.db import session_for
from store.models import EvidenceEntry
from tests.factories import case_input
from tests.workflows.conftest import Harness, act_on_case, case_action, harness_replacing
from tests.workflows.test_injury_case_clocks import deadline, events, local_day, query, sleep_until

NO_FONT = "no CJK font for the generated PDF: install fonts-wqy-microhei"
calls: dict[str, int] = {}


@activity.defn(name="generate_determination_form")
async def form_without_font(request: FormRequest) -> DocumentRef:
    calls["form"] = calls.get("form", 0) + 1
    raise ApplicationError(NO_FONT, type=FONT_MISSING, non_retryable=True)


@activity.defn(name="fetch_diagnosis")
async def hospital_down(request: DiagnosisRequest) -> DocumentRef:
    calls["diagnosis"] = calls.get("diagnosis", 0) + 1
    raise RuntimeError("hospital gateway: connection refused")  # retryable: retried, then given up


@pytest.fixture
async def failing(time_skipping_env: WorkflowEnvironment, sqlite_url: str,
                  tmp_path: Path) -> AsyncIterator[Harness]:
    """The real activities but the form (no font: non-retryable) and the diagnosis (always down)."""
    calls.clear()
    async with harness_replacing(time_skipping_env, sqlite_url, tmp_path,
                                 [form_without_font, hospital_down]) as harness:
        yield harness


def task(view: CaseView, code: str):
    return next((t for t in view.tasks if t.code == code), None)


def ledger_kinds(wf: Harness, subject_id: str) -> list[str]:
    with session_for(wf.db_url) as session:
        rows = session.exec(select(EvidenceEntry).where(EvidenceEntry.subject_id == subject_id))
        return [row.kind for row in rows]


async def test_a_form_that_cannot_be_made_keeps_every_clock_and_asks_hr_to_fill_it_by_hand(
        failing: Harness):
    wf = failing
    now = await wf.env.get_current_time()
    inp = case_input(now - timedelta(days=2), now=now)
    handle = await wf.start_case(inp)
    await wf.env.sleep(timedelta(seconds=1))
    view = await query(wf, handle)
    due = deadline(view, "determination_application").due_at
    accident_day = local_day(view.accident_at)

    # The form failed at once (non-retryable): an event with the reason, a task with the reason.
    [failed] = events(view, "form_failed")
    assert failed.data["reason"] == NO_FONT and failed.data["error_type"] == FONT_MISSING
    assert failed.data["retry_state"] == "NON_RETRYABLE_FAILURE"
    by_hand = task(view, "form_by_hand")
    assert by_hand is not None and "Fill the form in by hand" in by_hand.title
    assert by_hand.reason == NO_FONT and by_hand.owner == inp.created_by
    assert not events(view, "form_generated")
    assert "application_form" in view.missing_materials
    assert calls["form"] == 1

    # The reminders go out on their days while the diagnosis is still being retried …
    expected = [n for n in inp.timing.determination_reminder_days
                if morning_of(accident_day + timedelta(days=n)) < due]
    await sleep_until(wf, due - timedelta(hours=1))
    view = await query(wf, handle)
    reminders = events(view, "case_reminder_sent", "determination_application")
    assert [(local_day(e.at) - accident_day).days for e in reminders] == expected
    assert not events(view, "case_escalated", "determination_application")

    # … which gave up within its bound (2 h) and became a task of its own.
    [diagnosis] = events(view, "diagnosis_failed")
    assert "connection refused" in diagnosis.data["reason"]
    assert diagnosis.data["retry_state"] in ("MAXIMUM_ATTEMPTS_REACHED", "TIMEOUT")
    assert diagnosis.at - view.events[0].at <= timedelta(hours=2, minutes=5)
    assert 1 < calls["diagnosis"] <= 25
    assert task(view, "diagnosis_by_hand") is not None

    # The escalation goes out at the deadline, as for any case.
    await sleep_until(wf, due + timedelta(hours=1))
    view = await query(wf, handle)
    [escalation] = events(view, "case_escalated", "determination_application")
    assert escalation.data["recipients"] == ["hr", "hr_manager", "department_manager"]
    assert {"form_failed", "diagnosis_failed"} <= set(ledger_kinds(wf, handle.id))

    # Filing the hand-filled form and the diagnosis ends both tasks.
    view = await act_on_case(handle, case_action("file_materials",
                                                 materials=("application_form", "diagnosis")))
    assert task(view, "form_by_hand") is None and task(view, "diagnosis_by_hand") is None
    view = await act_on_case(handle, case_action(
        "withdraw", reason="the employee settled privately"))
    assert view.stage == Stage.withdrawn
    await handle.result()
