"""How an employee is reached: their WeCom and DingTalk ids and the order of their channels, kept
on the employee record (notices to them read it when they go out)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import SettingsDep, require
from api.errors import ApiError
from api.schemas import Body
from domain.shared.directory import check_channel_order, check_user_id
from domain.shared.people import Actor
from settings import Settings
from store import evidence
from store.db import session_for
from store.models import EmployeeRecordRow

router = APIRouter(tags=["employees"])


class ChannelsIn(Body):
    wecom_user_id: str | None = Field(default=None, max_length=64)
    dingtalk_user_id: str | None = Field(default=None, max_length=64)
    channels: list[str] = Field(default=[], max_length=4,
                                description="the order to try: sms, email, wecom, dingtalk")


class ChannelsOut(BaseModel):
    employee_id: str
    channels: list[str]
    wecom_user_id: str | None
    dingtalk_user_id: str | None


@router.put("/api/v1/employees/{employee_id}/channels", response_model=ChannelsOut)
async def set_channels(employee_id: str, body: ChannelsIn, settings: SettingsDep,
                       actor: Annotated[Actor, require("edit_employee_contacts")]) -> ChannelsOut:
    """Set the employee's WeCom and DingTalk ids and the order to reach them in; every channel
    named needs its address on file (phone and email come from the registration). Empty
    `channels`: SMS, then email, as before."""
    wecom = check_user_id("wecom_user_id", body.wecom_user_id)
    dingtalk = check_user_id("dingtalk_user_id", body.dingtalk_user_id)
    row = await asyncio.to_thread(_save, settings, employee_id, actor, wecom, dingtalk,
                                  body.channels)
    return ChannelsOut(employee_id=row.employee_id, channels=row.channels,
                       wecom_user_id=row.wecom_user_id, dingtalk_user_id=row.dingtalk_user_id)


def _save(settings: Settings, employee_id: str, actor: Actor, wecom: str | None,
          dingtalk: str | None, channels: list[str]) -> EmployeeRecordRow:
    with session_for(settings.db_url) as session:
        row = session.get(EmployeeRecordRow, employee_id)
        if row is None:
            raise ApiError(404, "employee.not_found", f"no employee {employee_id}",
                           "employee_id")
        check_channel_order(channels, {"sms": row.phone, "email": row.email, "wecom": wecom,
                                       "dingtalk": dingtalk})
        at = datetime.now(UTC)
        row.wecom_user_id, row.dingtalk_user_id, row.channels = wecom, dingtalk, list(channels)
        row.updated_at = at
        session.add(row)
        session.commit()
        session.refresh(row)
    evidence.append(settings.db_url, evidence.NewEntry(
        subject_id="people", idempotency_key=f"employee-channels:{employee_id}:{at.isoformat()}",
        at=at, actor=actor.name, kind="employee_channels_changed",
        payload={"employee_id": employee_id, "channels": list(channels),
                 "wecom_user_id_set": wecom is not None,
                 "dingtalk_user_id_set": dingtalk is not None}))
    return row
