"""Temporal sees ciphertext (PIPL): after an onboarding and an injury case ran through the API, the
Temporal CLI prints no ID number, phone, email, name or diagnosis of theirs, for the two workflows
nor for their notices; through the API's codec endpoint the same CLI prints every one.

The second half is the control: it proves the search would find each string had it been stored in
clear. The search looks at the CLI's text as printed, JSON-escaped, and inside every field that
decodes as base64 (the CLI prints payload data as base64: a plaintext payload would hide from a
search of the text alone).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from devstack import free_port, temporal_cli
from settings import Settings
from tests.api.conftest import KEYS, AppFactory, auth, eventually
from tests.factories import VALID_ID, registration

pytestmark = [
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(bool(os.environ.get("CASEGUARD_TEST_DAY")),
                       reason="needs the Go dev server's CLI view (make test-dates stands the "
                              "time-skipping server in for it)"),
]
SHANGHAI = ZoneInfo("Asia/Shanghai")
EMPLOYEE = {
    "name": "欧阳明珠", "id_number": VALID_ID, "phone": "13912345678",
    "email": "ouyang.mingzhu@example.com", "department": "冲压车间",
    "manager": {"name": "司马建国", "phone": "13698765432", "email": "sima.jianguo@example.com"},
    "emergency_contact": {"name": "欧阳宏", "relation": "父亲", "phone": "13587654321"},
}
INJURY, DESCRIPTION = "左手食指粉碎性骨折", "清理模具时左手食指被压伤"
SENSITIVE = [EMPLOYEE["name"], VALID_ID, EMPLOYEE["phone"], EMPLOYEE["email"], "司马建国",
             "13698765432", "sima.jianguo@example.com", "13587654321", INJURY, DESCRIPTION]


@pytest.mark.timeout(240)
async def test_temporal_workflow_show_prints_no_personal_data(
        make_api: AppFactory, dev_server: WorkflowEnvironment, db_url: str, tmp_path: Path):
    api = await make_api()
    onboarding, case = await _run_an_onboarding_and_a_case(api)
    address = dev_server.client.service_client.config.target_host
    notices = await eventually(lambda: _notices_started(dev_server, 3), timeout=60)

    shown = {wid: await _show(address, wid) for wid in (onboarding, case, *notices)}
    listed = {e["execution"]["workflowId"] for e in await _cli_json(address, "workflow", "list")}
    assert {onboarding, case, *notices} <= listed
    for wid in listed - shown.keys():
        shown[wid] = await _show(address, wid)
    started_by = {wid: _child_ids(history) for wid, history in shown.items()}
    child_ids = {c for ids in started_by.values() for c in ids}
    assert started_by[case] and child_ids <= shown.keys(), "the case's notices are its children"
    dispatched = {wid for wid in shown if wid.startswith("notice-")} - child_ids
    assert dispatched, "the onboarding's escalation started notices of their own"

    leaks = [(wid, text) for wid, history in shown.items() for text in SENSITIVE
             if _mentions(history, text)]
    assert not leaks, f"Temporal holds personal data in clear: {leaks}"

    settings = Settings(env="dev", database_url=db_url, var_dir=tmp_path, api_keys=KEYS,
                        temporal_address=address, task_queue=f"codec-{uuid.uuid4().hex[:6]}")
    async with _served(settings) as url:
        decoded = {wid: await _show(address, wid, codec=url) for wid in shown}
    missing = [text for text in SENSITIVE
               if not any(_mentions(history, text) for history in decoded.values())]
    assert not missing, f"the search does not find what the codec reveals: {missing}"


async def _run_an_onboarding_and_a_case(api: httpx.AsyncClient) -> tuple[str, str]:
    """An onboarding registered 60 days late (escalated at once: notices to the managers) and a
    case recognised and in suspension (the diagnosis fetched; notices to the employee)."""
    today = datetime.now(SHANGHAI).date()
    body = registration("E801", hire_date=(today - timedelta(days=60)).isoformat())
    body["employee"] = {"employee_id": "E801", **EMPLOYEE}
    registered = await api.post("/api/v1/onboardings", json=body, headers=auth("k-hr"))
    assert registered.status_code == 201, registered.text
    onboarding = registered.json()["id"]

    report = {"employee": {"employee_id": "E802", **EMPLOYEE}, "region": "beijing",
              "accident_at": (datetime.now(UTC) - timedelta(days=28)).isoformat(),
              "location": "二号车间", "description": DESCRIPTION, "injury": INJURY,
              "witnesses": [{"name": "李四"}], "si_enrolled": True}
    opened = await api.post("/api/v1/cases", json=report, headers=auth("k-hr"))
    assert opened.status_code == 201, opened.text
    case = opened.json()["id"]
    on = (today - timedelta(days=25)).isoformat()
    for action, fields in (("file-materials", {"materials": opened.json()["missing_materials"]}),
                           ("apply-determination", {}),
                           ("record-determination", {"recognised": True, "reference": "京工伤001"}),
                           ("start-suspension", {"months": 1, "on": on})):
        done = await api.post(f"/api/v1/cases/{case}/actions/{action}", json=fields,
                              headers=auth("k-hr"))
        assert done.status_code == 200, (action, done.text)

    async def happened(path: str, kinds: set[str]) -> bool:
        view = (await api.get(path, headers=auth("k-hr"))).json()
        return kinds <= {e["kind"] for e in view["events"]}

    await eventually(lambda: happened(f"/api/v1/onboardings/{onboarding}", {"escalated"}))
    await eventually(lambda: happened(f"/api/v1/cases/{case}", {
        "diagnosis_fetched", "decision_notice_sent", "return_notice_sent"}))
    return onboarding, case


async def _notices_started(env: WorkflowEnvironment, at_least: int) -> list[str]:
    ids = [w.id async for w in env.client.list_workflows("WorkflowType = 'Notice'")]
    return ids if len(ids) >= at_least else []


async def _cli_json(address: str, *command: str, codec: str | None = None) -> Any:
    """`temporal <command> --output json` against the test's dev server, nothing else configured."""
    args = [str(temporal_cli()), *command, "--address", address, "--namespace", "default",
            "--output", "json", "--disable-config-file", "--disable-config-env", "--color", "never"]
    if codec:
        args += ["--codec-endpoint", codec, "--codec-auth", "Bearer k-hr"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    proc = await asyncio.create_subprocess_exec(*args, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, f"{' '.join(command)}: {err.decode()}"
    return json.loads(out)


async def _show(address: str, workflow_id: str, codec: str | None = None) -> str:
    """`temporal workflow show --output json` of one workflow: its whole history, as printed."""
    history = await _cli_json(address, "workflow", "show", "--workflow-id", workflow_id,
                              codec=codec)
    return json.dumps(history, ensure_ascii=False)


def _child_ids(history: str) -> list[str]:
    return [e["startChildWorkflowExecutionInitiatedEventAttributes"]["workflowId"]
            for e in json.loads(history)["events"]
            if "startChildWorkflowExecutionInitiatedEventAttributes" in e]


def _mentions(history: str, text: str) -> bool:
    """`text` in the printed history: as is, JSON-escaped, or inside a base64 field."""
    forms = {text.encode(), json.dumps(text)[1:-1].encode()}
    blobs = [history.encode(), *_base64_fields(json.loads(history))]
    return any(form in blob for blob in blobs for form in forms)


def _base64_fields(value: Any) -> Iterator[bytes]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _base64_fields(item)
    elif isinstance(value, list):
        for item in value:
            yield from _base64_fields(item)
    elif isinstance(value, str) and len(value) >= 8:
        try:
            yield base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            pass


@asynccontextmanager
async def _served(settings: Settings) -> AsyncIterator[str]:
    """The API over real HTTP on loopback (the CLI is another process): its codec endpoint URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done(), "the API did not start"
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}/api/v1/codec"
    finally:
        server.should_exit = True
        await task
