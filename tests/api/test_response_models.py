"""Every response model carries every field its route answers with: FastAPI filters an answer
through the route's model, so a field missing there would silently vanish from the response."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel
from sqlmodel import SQLModel

from api.responses import processes, records, tools
from api.schemas import answer_json, case_answer_json, case_json, view_json
from domain.compensation.expenses import BillResult, LedgerTotals
from domain.compensation.payloads import Estimate
from domain.injury import views as case_views
from domain.injury.clocks import initial_state_deadlines
from domain.injury.overview import view_of as case_view_of
from domain.injury.state import (
    Appraisal,
    CaseState,
    CourierNotice,
    CourierUpdate,
    Determination,
    DisputeRecord,
    NoticeRef,
    Offer,
    Settlement,
    Stage,
    Suspension,
)
from domain.injury.views import case_answer
from domain.onboarding import state as onboarding_views
from domain.onboarding.payloads import registered_event
from domain.onboarding.state import (
    CostEstimate,
    CostItem,
    EnrollmentRequest,
    RequestStatus,
    Status,
    answer_of,
    view_of,
)
from domain.shared.events import Event
from domain.shared.evidence import Verification
from store import access_log, models
from tests.factories import case_input, onboarding_input

NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)


def fields(kind: Any) -> set[str]:
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return set(kind.model_fields)
    return {f.name for f in dataclasses.fields(kind)}


def row_fields(table: type[SQLModel]) -> set[str]:
    return set(table.model_fields)


SHANGHAI_TWINS = {"due_at_shanghai", "raw_due_at_shanghai"}
SHAPES: list[tuple[type[BaseModel], set[str]]] = [
    (processes.OnboardingOut, fields(onboarding_views.OnboardingView)),
    (processes.OnboardingAnswerOut,
     fields(onboarding_views.OnboardingView) - {"events"} | {"recorded_events", "event_count"}),
    (processes.OnboardingDeadlineOut, fields(onboarding_views.DeadlineView) | SHANGHAI_TWINS),
    (processes.CaseOut, fields(case_views.CaseView)),
    (processes.CaseAnswerOut,
     fields(case_views.CaseView) - {"events"} | {"recorded_events", "event_count"}),
    (processes.CaseDeadlineOut, fields(case_views.DeadlineView) | SHANGHAI_TWINS),
    (processes.OnboardingRowOut, row_fields(models.OnboardingRow)),
    (processes.CaseRowOut, row_fields(models.CaseRow) | {"open_deadlines", "overdue"}),
    (records.EvidenceEntryOut, row_fields(models.EvidenceEntry) - {"id"}),
    (records.VerificationOut, fields(Verification)),
    (records.DocumentOut, row_fields(models.DocumentRow) | {"url"}),
    (records.OutboxMessageOut, row_fields(models.OutboxMessage)),
    (records.NoticeOut, row_fields(models.NoticeRow) | {"attempts"}),
    (records.NoticeAttemptOut,
     row_fields(models.NoticeAttemptRow) - {"id", "idempotency_key", "body", "link_expires",
                                            "link_nonce"} | {"timeline"}),
    (tools.DisputeOut, row_fields(models.DisputeHistoryRow) - {"import_sha256"}),
    (tools.ExpenseEntryOut,
     row_fields(models.ExpenseRow) - {"invoice_key", "hospital_key"}
     | {"eligible_assumed", "kind_zh", "stay_days"}),
    (tools.ReconciliationOut, fields(BillResult) - {"entry_id"}),
    (tools.LedgerTotalsOut, fields(LedgerTotals) | {"bills", "amount"}),
    (records.AccessLogEntryOut, row_fields(access_log.AccessLogRow)),
    (tools.EstimateOut,
     fields(Estimate) - {"rule_set_title", "once", "monthly"} | {"totals"}),
]


@pytest.mark.parametrize(("model", "expected"), SHAPES, ids=lambda v: getattr(v, "__name__", ""))
def test_each_model_has_the_fields_of_what_it_is_shaped_from(model: type[BaseModel],
                                                             expected: set[str]) -> None:
    assert set(model.model_fields) == expected


def through(model: type[BaseModel], answer: dict[str, Any]) -> Any:
    """The answer as a client receives it through the route's model."""
    return json.loads(model.model_validate(answer).model_dump_json())


def as_json(answer: dict[str, Any]) -> Any:
    return json.loads(json.dumps(answer))


def test_an_onboarding_with_every_part_filled_passes_its_models_unchanged() -> None:
    inp = onboarding_input(date(2026, 3, 2), contract_start=date(2026, 3, 1))
    estimate = CostEstimate(total=Decimal("1234.50"), items=(CostItem(
        "late_fee", Decimal("12.30"), "0.05 % a day", "SIL art. 86"),), as_of=date(2026, 3, 2),
        verified=False)
    request = EnrollmentRequest(
        number=1, type="back_payment", contribution_base=Decimal("8000.00"),
        status=RequestStatus.executed, submitted_by="hr-alice", submitted_at=NOW,
        cost_estimate=estimate, reviewed_by="mgr-bob", reviewed_at=NOW, hold_until=NOW,
        bureau_reference="B-1", executed_at=NOW, withdrawal_window_ends=NOW + timedelta(days=3))
    events = (registered_event(inp, NOW), Event(2, NOW, "enrollment_approved", "mgr-bob", {
        "request": 1, "hold_until": NOW.isoformat(), "note": ""}))
    view = view_of("onboarding-E1001", inp, status=Status.enrolled, events=events,
                   requests=(request,), enrolled_at=NOW, now=NOW)
    shown = view_json(view)
    assert through(processes.OnboardingOut, shown) == as_json(shown)
    answered = answer_json(answer_of(view, events[1:]))
    assert through(processes.OnboardingAnswerOut, answered) == as_json(answered)


def test_a_case_with_every_part_filled_passes_its_models_unchanged() -> None:
    inp = case_input(NOW - timedelta(days=60), now=NOW - timedelta(days=60))
    state = CaseState(
        stage=Stage.settlement, deadlines=initial_state_deadlines(inp),
        provided=("diagnosis",),
        determination=Determination(applied_on=date(2026, 1, 5), reference="R", recognised=True,
                                    decided_on=date(2026, 2, 1), accepted_on=date(2026, 1, 6)),
        suspension=Suspension(started_on=date(2026, 1, 3), months=1, ended_on=date(2026, 2, 3),
                              ended_by="return"),
        appraisals=(Appraisal(applied_on=date(2026, 2, 4), grade=8,
                              concluded_on=date(2026, 2, 20), reference="A-1"),),
        settlement=Settlement(opened_on=date(2026, 2, 21), offers=(
            Offer("employer", Decimal("30000.00"), date(2026, 2, 22)),)),
        couriers=(CourierNotice("SF", "SF1234567890", "return_to_work", date(2026, 1, 20),
                                history=(CourierUpdate("SF1234567890", "signed", NOW),)),),
        disputes=(DisputeRecord("arose", date(2026, 2, 25), note="x"),),
        notices=(NoticeRef("notice-1", "return_to_work", NOW),),
        flags={"contact_employee": NOW})
    events = (Event(1, NOW, "case_opened", "hr-alice", {"injury": "x"}),)
    view = case_view_of(inp, state, events, NOW)
    assert view.late_application is not None and view.tasks
    shown = case_json(view)
    assert through(processes.CaseOut, shown) == as_json(shown)
    answered = case_answer_json(case_answer(view, events))
    assert through(processes.CaseAnswerOut, answered) == as_json(answered)


def test_an_estimate_with_the_negotiation_answers_passes_its_model_unchanged() -> None:
    from api.routes.compensation import estimate_json
    from domain.compensation.estimate import estimate
    from tests.unit.test_negotiation import SEED_001

    shown = estimate_json(estimate(SEED_001))
    assert shown["suggested_negotiation_range"]["third_party"]["items"]
    assert through(tools.EstimateOut, shown) == as_json(shown)
