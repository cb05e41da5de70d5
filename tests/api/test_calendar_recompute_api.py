"""An admin loads a year's official schedule: a running case counts its fallback deadline again."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from domain.shared.calendar import CalendarYear, HolidayCalendar, count_days
from store.db import session_for
from store.models import CaseRow
from tests.api.conftest import auth, eventually
from tests.factories import case_body

SHANGHAI = ZoneInfo("Asia/Shanghai")


def determination(view: dict) -> dict:
    return next(d for d in view["deadlines"] if d["name"] == "determination_application")


def last_day(due_at: str) -> date:
    return datetime.fromisoformat(due_at).astimezone(SHANGHAI).date() - timedelta(days=1)


async def test_loading_a_year_recounts_a_running_cases_fallback_deadline(api: httpx.AsyncClient,
                                                                         db_url: str):
    opened = await api.post("/api/v1/cases", json=case_body("E3201"), headers=auth("k-hr"))
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["id"]
    # An extension into a year no official schedule pinned in the case covers (the package ends
    # in 2026): whatever today is, its last day is counted by the fallback.
    today = datetime.now(SHANGHAI).date()
    until = date(max(today.year + 1, 2027), 3, 1)
    extended = await api.post(f"/api/v1/cases/{case_id}/actions/grant-extension",
                              json={"deadline": "determination_application",
                                    "until": until.isoformat(), "reference": "京人社延期001"},
                              headers=auth("k-hr"))
    assert extended.status_code == 200, extended.text
    before = determination(extended.json())
    assert before["calendar_verified"] is False and last_day(before["raw_due_at"]) == until

    async def listed() -> bool:  # the admin route tells the cases the list shows
        with session_for(db_url) as session:
            return session.get(CaseRow, case_id) is not None

    await eventually(listed)
    # The schedule makes the last day and the next two holidays: the deadline moves past them.
    schedule = CalendarYear(until.year, tuple(until + timedelta(days=n) for n in range(3)), (),
                            f"国务院办公厅关于{until.year}年部分节假日安排的通知 (test)")
    loaded = await api.post("/api/v1/admin/calendar", headers=auth("k-admin"), json={
        "year": schedule.year, "holidays": [d.isoformat() for d in schedule.holidays],
        "workdays": [], "source": schedule.source})
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["signalled"] >= 1 and "again" in loaded.json()["applies_to"]

    async def recounted() -> dict | None:
        view = (await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-hr"))).json()
        return view if determination(view)["due_at"] != before["due_at"] else None

    view = await eventually(recounted)
    after = determination(view)
    assert last_day(after["due_at"]) == count_days(until, 0, HolidayCalendar((schedule,))).end
    assert after["calendar_verified"] is True and after["raw_due_at"] == before["raw_due_at"]
    [event] = [e for e in view["events"] if e["kind"] == "deadline_recomputed"]
    assert event["actor"] == "root" and event["deadline"] == "determination_application"
    assert event["source"] == schedule.source and event["verified"] is True
    assert last_day(event["from"]) == until
