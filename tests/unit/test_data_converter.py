"""The worker's shared pydantic converter writes exactly what temporalio.contrib.pydantic writes,
so histories stay readable by any stock client and a converter change shows here first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter

from domain.injury.clocks import alarms, case_calendar, initial_state_deadlines, suspension_end
from domain.injury.payloads import CaseAction, CaseInput, GrantExtension
from domain.injury.state import (
    Appraisal,
    CaseCarryOver,
    CaseState,
    NoticeRef,
    Offer,
    Settlement,
    Stage,
    Suspension,
)
from domain.onboarding.payloads import OnboardingInput, SubmitEnrollment
from domain.shared.events import Event
from domain.shared.people import Actor
from temporal_client import DATA_CONVERTER
from tests.factories import case_input, onboarding_input

ACCIDENT = datetime(2026, 9, 29, 2, 30, tzinfo=UTC)

SAMPLES = [
    (onboarding_input(ACCIDENT.date()), OnboardingInput),
    (case_input(ACCIDENT, now=ACCIDENT + timedelta(hours=3)), CaseInput),
    (SubmitEnrollment(Actor("hr-alice", "hr"), "back_payment", Decimal("8000.50"),
                      Decimal("1234.56")), SubmitEnrollment),
    (GrantExtension(actor=Actor("hr-alice", "hr"), until=ACCIDENT.date() + timedelta(days=40)),
     CaseAction),
]


@pytest.mark.parametrize(("value", "kind"), SAMPLES, ids=lambda v: type(v).__name__)
async def test_the_shared_converter_writes_the_stock_pydantic_bytes(value: object, kind: type):
    [ours] = await DATA_CONVERTER.encode([value])
    [stock] = await pydantic_data_converter.encode([value])
    assert ours.data == stock.data and dict(ours.metadata) == dict(stock.metadata)
    [back] = await DATA_CONVERTER.decode([stock], [kind])
    assert back == value


def test_a_case_input_carries_its_calendar():
    inp = case_input(ACCIDENT, now=ACCIDENT + timedelta(hours=3))
    assert inp.calendar is not None and inp.calendar.year(2026) is not None


def _carried_case() -> CaseInput:
    """A case continued as new in its appraisal: deadlines met and open, flags, money, notices."""
    inp = case_input(ACCIDENT, now=ACCIDENT + timedelta(hours=3))
    now = ACCIDENT + timedelta(days=400)
    deadlines = initial_state_deadlines(inp)
    deadlines["suspension_end"] = suspension_end(date(2026, 10, 20), 12, now, True,
                                                 cal=case_calendar(inp))
    deadlines["materials_filed"] = replace(deadlines["materials_filed"],
                                           met_at=ACCIDENT + timedelta(hours=20))
    state = CaseState(
        stage=Stage.appraisal, deadlines=deadlines, provided=("application_form", "id_card"),
        suspension=Suspension(date(2026, 10, 20), 12, 6), return_day_rule=True,
        appraisals=(Appraisal(date(2027, 9, 1)),), calendar=case_calendar(inp),
        settlement=Settlement(date(2027, 10, 1), (Offer("employer", Decimal("50000.50"),
                                                        date(2027, 10, 2)),)),
        notices=(NoticeRef("notice-1", "return_to_work", now, result="acknowledged"),),
        flags={"courier_notice": now}, flag_reasons={"courier_notice": "no answer"})
    events = (Event(1, ACCIDENT, "case_opened", "hr-alice", {"materials": ["id_card"]}),
              Event(2, now, "chase_sent", "system", {"deadline": "appraisal_conclusion"}))
    return replace(inp, carried=CaseCarryOver(
        state=state, events=events, fired=("materials_filed:escalation:x",),
        clock_origin=ACCIDENT, form_id="doc-1"))


async def test_a_case_continued_as_new_carries_its_whole_state():
    """The input of a case's next run (its state, log and fired alarms) comes back as it went."""
    inp = _carried_case()
    [payload] = await DATA_CONVERTER.encode([inp])
    [back] = await DATA_CONVERTER.decode([payload], [CaseInput])
    assert back == inp
    assert isinstance(back.carried.state, CaseState) and back.carried.state.return_day_rule
    assert back.carried.state.settlement.offers[0].amount == Decimal("50000.50")
    # alarm keys are made of due dates: the same keys, or a fired alarm would fire again
    now = ACCIDENT + timedelta(days=500)
    assert [a.key for a in alarms(back, back.carried.state, now)] == \
        [a.key for a in alarms(inp, inp.carried.state, now)]
    [stock] = await pydantic_data_converter.encode([inp])
    assert payload.data == stock.data
