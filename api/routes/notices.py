"""Notices as HR follows them: per attempt and channel, when sent, delivered, opened, read, answered."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter

from api.deps import SettingsDep
from api.errors import ApiError
from api.privacy import logged
from api.responses.records import NoticeList, NoticeOut
from domain.shared.people import Actor
from store import notices as store
from store.models import NoticeAttemptRow, NoticeReceiptRow, NoticeRow

router = APIRouter(prefix="/api/v1/notices", tags=["notices"])
Reader = Annotated[Actor, logged("read_messages")]  # HR roles: whole addresses and bodies


@router.get("", response_model=NoticeList)
async def list_notices(subject: str, actor: Reader, settings: SettingsDep) -> dict[str, Any]:
    """The notices of one onboarding or case, oldest first, each with its attempts."""
    return {"subject": subject,
            "items": await asyncio.to_thread(notice_details, settings.db_url, subject)}


@router.get("/{notice_id}", response_model=NoticeOut)
async def get_notice(notice_id: str, actor: Reader, settings: SettingsDep) -> dict[str, Any]:
    """One notice: status timeline of each attempt, and the answer."""
    row = await asyncio.to_thread(store.notice, settings.db_url, notice_id)
    if row is None:
        raise ApiError(404, "notice.not_found", f"no notice with id {notice_id}", "notice_id")
    return notice_detail(row, *await asyncio.to_thread(store.timeline, settings.db_url, row.id))


def notice_details(db_url: str, subject_id: str) -> list[dict[str, Any]]:
    """The subject's notices, oldest first, each with every attempt and its receipts: three
    queries in all."""
    rows = store.notices_of(db_url, subject_id)
    found = store.timelines(db_url, [row.id for row in rows])
    return [notice_detail(row, *found[row.id]) for row in rows]


def notice_detail(row: NoticeRow, attempts: list[NoticeAttemptRow],
                  receipts: list[NoticeReceiptRow]) -> dict[str, Any]:
    body = row.model_dump(mode="json")
    body["attempts"] = [
        {**a.model_dump(mode="json", exclude={"id", "idempotency_key", "body", "link_expires",
                                              "link_nonce"}),
         "timeline": [{"status": "accepted" if a.status != "failed" else "failed",
                       "at": a.sent_at.isoformat() if a.sent_at else None, "source": "provider"}]
         + [{"status": r.status, "at": r.at.isoformat(), "source": r.source,
             "error_code": r.error_code} for r in receipts if r.attempt_id == a.id]}
        for a in attempts
    ]
    return body
