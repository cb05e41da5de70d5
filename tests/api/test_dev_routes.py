"""Dev simulator routes against a real dev server, with a stand-in InjuryCase that records signals."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from temporalio import workflow
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from api import errors
from api.routes.dev import mount_dev_routes, router
from domain.injury.payloads import AuthorityDecision
from domain.injury.state import CourierUpdate
from settings import Settings
from store.db import migrate
from store.people import bootstrap
from tests.api.conftest import KEYS, auth, eventually


@workflow.defn(name="InjuryCase")
class StandInCase:
    """Only the two signals the dev routes send, a query per signal and a way to finish."""

    def __init__(self) -> None:
        self.decisions: list[AuthorityDecision] = []
        self.updates: list[CourierUpdate] = []
        self.done = False

    @workflow.run
    async def run(self, case_id: str) -> None:
        await workflow.wait_condition(lambda: self.done)

    @workflow.signal(name="authority_decision")
    def authority_decision(self, decision: AuthorityDecision) -> None:
        self.decisions.append(decision)

    @workflow.signal(name="courier_status")
    def courier_status(self, update: CourierUpdate) -> None:
        self.updates.append(update)

    @workflow.signal(name="finish")
    def finish(self) -> None:
        self.done = True

    @workflow.query(name="decisions")
    def get_decisions(self) -> list[AuthorityDecision]:
        return self.decisions

    @workflow.query(name="courier_updates")
    def get_updates(self) -> list[CourierUpdate]:
        return self.updates


@dataclass
class DevApi:
    http: httpx.AsyncClient
    env: WorkflowEnvironment
    task_queue: str

    async def start_case(self, case_id: str) -> WorkflowHandle[Any, Any]:
        return await self.env.client.start_workflow(
            "InjuryCase", case_id, id=f"case-{case_id}", task_queue=self.task_queue)


@pytest.fixture
async def dev(dev_server: WorkflowEnvironment, tmp_path: Any) -> AsyncIterator[DevApi]:
    task_queue = f"dev-{uuid.uuid4().hex[:8]}"
    settings = Settings(env="dev", var_dir=tmp_path, task_queue=task_queue, api_keys=KEYS)
    app = FastAPI()
    errors.install(app)
    assert mount_dev_routes(app, settings)
    app.state.settings, app.state.temporal = settings, dev_server.client
    migrate(settings.db_url)
    bootstrap(settings.db_url, {k: (h.name, h.role) for k, h in settings.api_keys.items()},
              datetime.now(UTC))
    async with Worker(dev_server.client, task_queue=task_queue, workflows=[StandInCase],
                      workflow_runner=UnsandboxedWorkflowRunner()), \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                              base_url="http://caseguard.test") as http:
        yield DevApi(http, dev_server, task_queue)


async def received(handle: WorkflowHandle[Any, Any], query: str, kind: type) -> list[Any]:
    return await eventually(lambda: handle.query(query, result_type=list[kind]))  # type: ignore[valid-type]


async def test_decide_signals_the_authority_decision(dev: DevApi) -> None:
    handle = await dev.start_case("E100")
    r = await dev.http.post("/api/v1/dev/authority/decide", headers=auth("k-hr"),
                            json={"case_id": "E100", "recognised": True})
    assert r.status_code == 202, r.text
    assert r.json() == {"case_id": "E100", "signalled": "authority_decision"}
    [decision] = await received(handle, "decisions", AuthorityDecision)
    assert decision.recognised is True
    assert decision.decided_on == datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert decision.reference.startswith("SIM-DEC-") and decision.reason == ""
    assert decision.source == "authority_simulator"


async def test_decide_keeps_the_given_date_reference_and_reason(dev: DevApi) -> None:
    handle = await dev.start_case("E101")
    r = await dev.http.post("/api/v1/dev/authority/decide", headers=auth("k-mgr"), json={
        "case_id": "E101", "recognised": False, "decided_on": "2025-04-30",
        "reference": "沪人社认(2025)123号", "reason": "不属于工作原因"})
    assert r.status_code == 202, r.text
    [decision] = await received(handle, "decisions", AuthorityDecision)
    assert decision == AuthorityDecision(recognised=False, decided_on=date(2025, 4, 30),
                                         reference="沪人社认(2025)123号", reason="不属于工作原因",
                                         source="authority_simulator")


async def test_courier_status_signals_the_update(dev: DevApi) -> None:
    handle = await dev.start_case("E102")
    before = datetime.now(UTC)
    r = await dev.http.post("/api/v1/dev/courier/status", headers=auth("k-admin"), json={
        "case_id": "E102", "tracking_number": "SF1234567890", "status": "signed",
        "signed_by": "张三", "note": "本人签收"})
    assert r.status_code == 202, r.text
    assert r.json() == {"case_id": "E102", "signalled": "courier_status"}
    [update] = await received(handle, "courier_updates", CourierUpdate)
    assert (update.tracking_number, update.status, update.signed_by, update.note, update.source) == (
        "SF1234567890", "signed", "张三", "本人签收", "courier_simulator")
    assert before - timedelta(seconds=1) <= update.at <= datetime.now(UTC)


async def test_unknown_case_is_404(dev: DevApi) -> None:
    r = await dev.http.post("/api/v1/dev/authority/decide", headers=auth("k-hr"),
                            json={"case_id": "nobody", "recognised": True})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "case.not_found"
    assert r.json()["error"]["field"] == "case_id"


async def test_closed_case_is_409(dev: DevApi) -> None:
    handle = await dev.start_case("E103")
    await handle.signal("finish")
    await asyncio.wait_for(handle.result(), timeout=20)
    r = await dev.http.post("/api/v1/dev/courier/status", headers=auth("k-hr"), json={
        "case_id": "E103", "tracking_number": "SF1234567890", "status": "returned"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "case.closed"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/dev/courier/status",
     {"case_id": "E1", "tracking_number": "SF1234567890", "status": "lost"}, "status"),
    ("/api/v1/dev/courier/status",
     {"case_id": "E1", "tracking_number": "SF-1", "status": "posted"}, "tracking_number"),
    ("/api/v1/dev/authority/decide", {"case_id": "E1", "recognised": True, "extra": 1}, "extra"),
    ("/api/v1/dev/authority/decide", {"case_id": "../E1", "recognised": True}, "case_id"),
    ("/api/v1/dev/authority/decide", {"case_id": "", "recognised": True}, "case_id"),
])
async def test_bad_input_is_422_naming_the_field(dev: DevApi, path: str, body: dict[str, Any],
                                                 field: str) -> None:
    r = await dev.http.post(path, headers=auth("k-hr"), json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


async def test_manager_role_is_403(dev: DevApi) -> None:
    await dev.start_case("E104")
    r = await dev.http.post("/api/v1/dev/authority/decide", headers=auth("k-manager"),
                            json={"case_id": "E104", "recognised": True})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "role.forbidden"


async def test_no_key_is_401(dev: DevApi) -> None:
    r = await dev.http.post("/api/v1/dev/authority/decide",
                            json={"case_id": "E104", "recognised": True})
    assert r.status_code == 401


@pytest.mark.parametrize("env", ["prod", "test"])
def test_not_mounted_outside_dev(env: str) -> None:
    app = FastAPI()
    settings = Settings(env=env, secret_key="s" * 32, document_store="s3")  # prod refuses "local"
    assert mount_dev_routes(app, settings) is False
    assert not [r for r in app.routes if getattr(r, "path", "").startswith("/api/v1/dev")]


def test_router_prefix_and_tag() -> None:
    assert {r.path for r in router.routes} == {"/api/v1/dev/authority/decide",  # type: ignore[attr-defined]
                                               "/api/v1/dev/courier/status",
                                               "/api/v1/dev/notices/{notice_id}/link"}
    assert router.tags == ["dev simulators"]
