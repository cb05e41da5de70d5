"""A notice to the employee goes on the employee record's channels, in its order, and carries only
the employee's id: the activities read the addresses from the record (patch
2026-12-employee-channels)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlmodel import select

from store import employees
from store.db import session_for
from store.models import EmployeeRecordRow, NoticeAttemptRow, NoticeRow
from tests.factories import employee
from tests.workflows.test_injury_case_clocks import decided_case


def on_record(db_url: str, channels: list[str], wecom: str | None = None) -> None:
    employees.upsert_from_registration(db_url, employee("E1001"), hire_date=date(2026, 1, 5),
                                       region="beijing", at=datetime.now(UTC))
    with session_for(db_url) as session:
        row = session.get(EmployeeRecordRow, "E1001")
        assert row is not None
        row.channels, row.wecom_user_id = channels, wecom
        row.phone = "+8613700137999"  # the record's number, newer than the case's input
        session.add(row)
        session.commit()


async def decision_notice(wf) -> NoticeRow:
    handle, _ = await decided_case(wf)
    for _ in range(100):
        with session_for(wf.db_url) as session:
            rows = list(session.exec(select(NoticeRow).where(
                NoticeRow.subject_id == handle.id,
                NoticeRow.purpose == "determination_decision")))
        if rows:
            return rows[0]
        await asyncio.sleep(0.1)
    raise AssertionError("no determination notice")


async def test_the_record_orders_the_channels_and_holds_the_addresses(wf):
    on_record(wf.db_url, ["wecom", "sms"], wecom="ZhangSan")
    notice = await decision_notice(wf)
    assert notice.channels == ["wecom", "sms"]
    assert notice.phone == "+8613700137999"  # read from the record when the notice opened
    for _ in range(100):
        with session_for(wf.db_url) as session:
            attempts = list(session.exec(select(NoticeAttemptRow).where(
                NoticeAttemptRow.notice_id == notice.id)))
        if attempts:
            break
        await asyncio.sleep(0.1)
    # WeCom is not configured here: its attempt lands in the outbox, addressed from the record.
    assert attempts and attempts[0].to_address == "ZhangSan"


async def test_without_a_record_the_case_input_reaches_the_employee_as_before(wf):
    notice = await decision_notice(wf)
    assert notice.channels == ["sms", "email"] and notice.phone == "+8613800138000"
