"""An admin loads an official holiday schedule; new workflows pin it, bad input changes nothing."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from sqlmodel import select

from domain.injury.payloads import CaseInput
from store.db import session_for
from store.models import CalendarYearRow, EvidenceEntry
from temporal_client import dev_data_converter
from tests.api.conftest import auth
from tests.factories import case_body

SCHEDULE_2031 = {
    "year": 2031,
    "holidays": ["2031-01-01", "2031-01-22", "2031-01-23", "2031-01-24"],
    "workdays": ["2031-01-25"],  # a Saturday worked (调休)
    "source": "国务院办公厅关于2031年部分节假日安排的通知 (test)",
}


async def test_an_admin_loads_a_year_and_it_is_listed_with_its_source(api: httpx.AsyncClient,
                                                                       db_url: str):
    loaded = await api.post("/api/v1/admin/calendar", json=SCHEDULE_2031, headers=auth("k-admin"))
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["replaced"] is False and loaded.json()["year"]["loaded"] is True
    listed = (await api.get("/api/v1/admin/calendar", headers=auth("k-hr"))).json()["items"]
    by_year = {y["year"]: y for y in listed}
    assert by_year[2031]["source"] == SCHEDULE_2031["source"] and by_year[2031]["loaded"]
    assert by_year[2026]["loaded"] is False  # from the package
    again = await api.post("/api/v1/admin/calendar", json=SCHEDULE_2031, headers=auth("k-admin"))
    assert again.json()["replaced"] is True
    with session_for(db_url) as session:
        kinds = session.exec(select(EvidenceEntry.kind).where(
            EvidenceEntry.subject_id == "calendar")).all()
    assert list(kinds) == ["calendar_loaded", "calendar_loaded"]


async def test_only_an_admin_may_load_a_calendar(api: httpx.AsyncClient):
    refused = await api.post("/api/v1/admin/calendar", json=SCHEDULE_2031, headers=auth("k-hr"))
    assert refused.status_code == 403


@pytest.mark.parametrize(("change", "field"), [
    ({"holidays": ["2030-12-31"]}, "holidays"),
    ({"workdays": ["2031-01-22"]}, "workdays"),
    ({"workdays": ["2031-01-27"]}, "workdays"),  # a Monday is no 调休 day
    ({"source": " "}, "source"),
    ({"year": "2031"}, "year"),
    ({"year": 1899}, "year"),
])
async def test_a_bad_schedule_is_422_naming_the_field_and_stores_nothing(
        api: httpx.AsyncClient, db_url: str, change: dict, field: str):
    response = await api.post("/api/v1/admin/calendar", json={**SCHEDULE_2031, **change},
                              headers=auth("k-admin"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    with session_for(db_url) as session:
        assert session.exec(select(CalendarYearRow)).first() is None


async def test_a_case_opened_after_the_load_carries_the_loaded_year(api: httpx.AsyncClient):
    await api.post("/api/v1/admin/calendar", json=SCHEDULE_2031, headers=auth("k-admin"))
    opened = await api.post("/api/v1/cases", json=case_body("E3101"), headers=auth("k-hr"))
    assert opened.status_code == 201, opened.text
    handle = api.temporal.get_workflow_handle(opened.json()["id"])  # type: ignore[attr-defined]
    history = await handle.fetch_history()
    start = history.events[0].workflow_execution_started_event_attributes
    [inp] = await dev_data_converter().decode(start.input.payloads, [CaseInput])
    pinned = inp.calendar.year(2031)
    assert pinned is not None and pinned.source == SCHEDULE_2031["source"]
    assert date(2031, 1, 25) in pinned.workdays
