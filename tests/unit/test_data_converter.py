"""The worker's shared pydantic converter writes exactly what temporalio.contrib.pydantic writes,
so histories stay readable by any stock client and a converter change shows here first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter

from domain.injury_case import CaseAction, CaseInput
from domain.onboarding import Actor, OnboardingInput, SubmitEnrollment
from tests.factories import case_input, onboarding_input
from worker import DATA_CONVERTER

ACCIDENT = datetime(2026, 9, 29, 2, 30, tzinfo=UTC)

SAMPLES = [
    (onboarding_input(ACCIDENT.date()), OnboardingInput),
    (case_input(ACCIDENT, now=ACCIDENT + timedelta(hours=3)), CaseInput),
    (SubmitEnrollment(Actor("hr-alice", "hr"), "back_payment", Decimal("8000.50"),
                      Decimal("1234.56")), SubmitEnrollment),
    (CaseAction(action="grant_extension", actor=Actor("hr-alice", "hr"),
                until=ACCIDENT.date() + timedelta(days=40)), CaseAction),
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
