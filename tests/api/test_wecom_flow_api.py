"""End to end on WeCom: a Notice workflow sends the card through the fake WeCom server, the
member presses "我已收到", WeCom calls back (signed, encrypted) and the notice is read and
acknowledged. The real app, a real dev server and a real worker; the fake plays WeCom on both
sides (the API we call and the callbacks it makes)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.notices.providers import ChannelConfig
from api.main import create_app
from domain.notices.payloads import DeliveryStatus, NoticeInput, NoticeOutcome, NoticeRecipient
from settings import Settings
from store import notices as store
from tests.api.conftest import KEYS, eventually
from tests.channels.fakes.wecom import FakeWeCom
from worker import WORKFLOW_RUNNER, WORKFLOWS, Workers, activities_for


@dataclass
class Stack:
    api: httpx.AsyncClient
    wecom: FakeWeCom
    temporal: WorkflowEnvironment
    queue: str
    db_url: str

    async def notice(self) -> WorkflowHandle[Any, NoticeOutcome]:
        inp = NoticeInput(subject_id="case-W1", purpose="return_to_work", template="return_to_work",
                          data={"return_date": "2026-12-01", "reason": "停工留薪期届满"},
                          recipient=NoticeRecipient(name="张三", phone="+8613800138000",
                                                    wecom_user_id="ZhangSan"),
                          channels=("wecom", "email"))
        return await self.temporal.client.start_workflow(
            "Notice", inp, id=f"notice-{uuid.uuid4()}", task_queue=self.queue,
            result_type=NoticeOutcome)


@pytest.fixture
async def stack(dev_server: WorkflowEnvironment, sqlite_url: str,
                tmp_path: Path) -> AsyncIterator[Stack]:
    wecom = FakeWeCom()
    await wecom.start()
    queue = f"wecom-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        env="dev", database_url=sqlite_url, var_dir=tmp_path, task_queue=queue, api_keys=KEYS,
        temporal_address=dev_server.client.service_client.config.target_host,
        public_base_url="https://caseguard.example.com", wecom_corp_id=wecom.corp_id,
        wecom_agent_id=wecom.agent_id, wecom_secret=wecom.secret,
        wecom_token=wecom.callback_token, wecom_aes_key=wecom.aes_key,
        wecom_api_base_url=wecom.url)
    with ThreadPoolExecutor(4) as executor:
        worker = Workers(dev_server.client, task_queue=queue, workflows=list(WORKFLOWS),
                         workflow_runner=WORKFLOW_RUNNER, activity_executor=executor,
                         activities=activities_for(sqlite_url, ChannelConfig.from_settings(settings),
                                                  documents_root=tmp_path / "documents"))
        async with worker:
            app = create_app(settings)
            async with app.router.lifespan_context(app), httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://caseguard.test") as api:
                yield Stack(api, wecom, dev_server, queue, sqlite_url)
    await wecom.stop()


async def test_a_click_on_the_card_reads_and_acknowledges_the_notice(stack: Stack):
    handle = await stack.notice()
    await eventually(lambda: asyncio.sleep(0, result=stack.wecom.delivered))
    [card] = stack.wecom.delivered
    task_id = card["template_card"]["task_id"]
    assert task_id == f"{handle.id}@1" and stack.wecom.violations == []

    query, body = stack.wecom.click("ZhangSan", task_id)
    answered = await stack.api.post(f"/webhooks/wecom{query}", content=body)
    assert answered.status_code == 200
    reply = stack.wecom.open_reply(answered.text)  # the button greys out: 已确认收到
    assert b"update_button" in reply and "已确认收到".encode() in reply

    again = await stack.api.post(f"/webhooks/wecom{query}", content=body)  # WeCom's retry
    assert again.status_code == 200 and again.content == b""

    outcome = await handle.result()
    assert outcome.result == "acknowledged" and outcome.proof == "acknowledged"
    assert outcome.answer is not None and outcome.answer.channel == "wecom"
    [attempt] = outcome.attempts
    assert (attempt.channel, attempt.status) == ("wecom", DeliveryStatus.read)
    assert [r.status for r in attempt.receipts] == [DeliveryStatus.read]  # once, not twice
    _, receipts = await asyncio.to_thread(store.timeline, stack.db_url, handle.id)
    assert [(r.status, r.source) for r in receipts] == [("read", "wecom")]


async def test_the_url_check_echoes_and_forgeries_are_refused(stack: Stack):
    checked = await stack.api.get("/webhooks/wecom" + stack.wecom.url_check("1616140317555161061"))
    assert checked.status_code == 200 and checked.text == "1616140317555161061"

    handle = await stack.notice()
    await eventually(lambda: asyncio.sleep(0, result=stack.wecom.delivered))
    query, body = stack.wecom.click("ZhangSan", f"{handle.id}@1")
    forged = query.replace("msg_signature=", "msg_signature=0")
    refused = await stack.api.post(f"/webhooks/wecom{forged}", content=body)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "webhook.bad_signature"
    other = FakeWeCom(aes_key=stack.wecom.aes_key[::-1])  # someone else's key, right signature
    other.callback_token = stack.wecom.callback_token
    encrypted = other.encrypt(b"<xml><MsgType>event</MsgType></xml>")
    wrong_key = await stack.api.post(
        "/webhooks/wecom?" + "&".join(f"{k}={v}" for k, v in other.signed_query(encrypted).items()),
        content=f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode())
    assert wrong_key.status_code == 403
    await handle.cancel()
