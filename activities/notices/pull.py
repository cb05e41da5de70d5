"""Reports a provider keeps to be asked for: DingTalk's send result (read / unread lists) and
Aliyun's QuerySendDetails. The notice workflow runs `pull_receipts` on a schedule until the attempt
is final or the notice closes; each report is recorded once (store.notices.record_receipt), so a
pull repeated after a retry or a replay records and returns nothing twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.notices import china
from activities.notices.aliyun_sms import AliyunSms
from activities.notices.dingtalk import DingTalk
from activities.notices.providers import ChannelConfig, NotSent, Refused, Unsure
from domain.notices import aliyun_sms, dingtalk
from domain.notices.payloads import DeliveryStatus, PullRequest, PullResult, Receipt
from store import notices as store
from store.db import reading
from store.models import NoticeAttemptRow

SHANGHAI = ZoneInfo("Asia/Shanghai")
FINAL = frozenset({DeliveryStatus.read, DeliveryStatus.failed, DeliveryStatus.undelivered})


class ReceiptActivities:
    """Pulls the reports of one attempt; wired with the channel config and the database."""

    def __init__(self, config: ChannelConfig, db_url: str) -> None:
        self._config = config
        self._db_url = db_url

    @activity.defn(name="pull_receipts", no_thread_cancel_exception=True)
    async def pull_receipts(self, request: PullRequest) -> PullResult:
        """The attempt's new reports and whether more may come."""
        attempt = await asyncio.to_thread(self._attempt, request)
        if attempt is None:
            return PullResult(final=True)
        try:
            found, final = await self._ask(request, attempt)
        except Refused as exc:  # the provider will never answer about it
            raise ApplicationError(str(exc), type="PermanentFailure", non_retryable=True) from exc
        except (NotSent, Unsure) as exc:
            raise ApplicationError(f"cannot pull {request.channel} reports: {exc}",
                                   type="ChannelUnavailable") from exc
        receipts = []
        for status, code in found:
            at = datetime.now(UTC)
            recorded = await asyncio.to_thread(store.record_receipt, self._db_url, attempt, status,
                                               request.channel, at, code)
            if recorded.new:
                receipts.append(Receipt(status, at, request.attempt_no, request.channel, code))
        return PullResult(receipts=tuple(receipts), final=final)

    async def _ask(self, request: PullRequest,
                   attempt: NoticeAttemptRow) -> tuple[list[tuple[DeliveryStatus, str]], bool]:
        if request.channel == "dingtalk":
            result = await DingTalk(self._config).send_result(request.provider_id)
            status = dingtalk.send_status(result, request.to)
            if status is None:
                return [], False
            # Read implies it arrived: record both, so the record shows the steps.
            steps = [(DeliveryStatus.delivered, ""), status] \
                if status[0] == DeliveryStatus.read else [status]
            return steps, status[0] in FINAL
        if request.channel == "sms" and china.aliyun_carries(self._config, request.to):
            sent = attempt.sent_at or attempt.created_at
            details = await AliyunSms(self._config).details(
                phone=request.to, biz_id=request.provider_id,
                send_date=sent.astimezone(SHANGHAI).strftime("%Y%m%d"))
            reports = [r for r in (aliyun_sms.report(d) for d in details) if r is not None]
            return reports[:1], bool(reports)
        return [], True  # nothing to pull on this channel

    def _attempt(self, request: PullRequest) -> NoticeAttemptRow | None:
        with reading(self._db_url) as session:
            return session.exec(select(NoticeAttemptRow).where(
                NoticeAttemptRow.notice_id == request.notice_id,
                NoticeAttemptRow.attempt_no == request.attempt_no)).first()
