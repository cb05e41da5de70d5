"""The remote codec of the Temporal UI and CLI: it opens what Temporal stores, for the roles that may."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload

from payload_codec import ENCODING, KEY_ID
from temporal_client import DATA_CONVERTER, dev_data_converter
from tests.api.conftest import AppFactory, auth
from tests.factories import VALID_ID, registration

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
UI = "http://127.0.0.1:8233"


def wire(*payloads: Payload) -> dict[str, object]:
    """The protocol's JSON, as the UI and the CLI send it."""
    return {"payloads": [json_format.MessageToDict(p) for p in payloads]}


def data(answer: httpx.Response) -> list[bytes]:
    return [base64.b64decode(p.get("data", "")) for p in answer.json()["payloads"]]


async def test_hr_decodes_what_temporal_stores_of_a_registration(api: httpx.AsyncClient):
    body = registration("E501")
    body["employee"]["id_number"] = VALID_ID
    started = await api.post("/api/v1/onboardings", json=body, headers=auth("k-hr"))
    assert started.status_code == 201, started.text
    history = await api.temporal.get_workflow_handle(  # type: ignore[attr-defined]
        "onboarding-E501").fetch_history()
    stored = history.events[0].workflow_execution_started_event_attributes.input.payloads[0]
    assert stored.metadata["encoding"] == ENCODING and VALID_ID.encode() not in stored.data

    for key in ("k-hr", "k-mgr", "k-admin"):
        answer = await api.post("/api/v1/codec/decode", json=wire(stored), headers=auth(key))
        assert answer.status_code == 200, answer.text
        [opened] = answer.json()["payloads"]
        assert base64.b64decode(opened["metadata"]["encoding"]) == b"json/plain"
        assert VALID_ID in base64.b64decode(opened["data"]).decode()


async def test_no_key_is_401_and_a_role_that_may_not_is_403(api: httpx.AsyncClient):
    [sealed] = await dev_data_converter().encode([VALID_ID])
    for path in ("/api/v1/codec/decode", "/api/v1/codec/encode"):
        anonymous = await api.post(path, json=wire(sealed))
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "auth.missing_key"
        manager = await api.post(path, json=wire(sealed), headers=auth("k-manager"))
        assert manager.status_code == 403, manager.text
        assert manager.json()["error"]["code"] == "role.forbidden"
        assert VALID_ID not in manager.text


async def test_encode_seals_with_the_current_key_and_plain_payloads_pass_through(
        api: httpx.AsyncClient):
    [plain] = await DATA_CONVERTER.encode([{"id_number": VALID_ID}])
    sealed = await api.post("/api/v1/codec/encode", json=wire(plain), headers=auth("k-hr"))
    assert sealed.status_code == 200
    [out] = sealed.json()["payloads"]
    assert base64.b64decode(out["metadata"][KEY_ID]) == b"dev"
    assert VALID_ID.encode() not in base64.b64decode(out["data"])
    back = json_format.ParseDict(out, Payload())
    assert await dev_data_converter().decode([back], [dict]) == [{"id_number": VALID_ID}]

    passed = await api.post("/api/v1/codec/decode", json=wire(plain), headers=auth("k-hr"))
    assert data(passed) == [plain.data]


async def test_a_tampered_or_unreadable_payload_is_a_422(api: httpx.AsyncClient):
    [sealed] = await dev_data_converter().encode([VALID_ID])
    sealed.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    tampered = await api.post("/api/v1/codec/decode", json=wire(sealed), headers=auth("k-hr"))
    assert tampered.status_code == 422
    assert tampered.json()["error"]["code"] == "payload.undecryptable"
    garbled = await api.post("/api/v1/codec/decode", headers=auth("k-hr"),
                             json={"payloads": [{"metadata": {"encoding": "json/plain"},
                                                 "data": "not base64!"}]})
    assert garbled.status_code == 422 and garbled.json()["error"]["field"] == "payloads.0"


async def test_the_temporal_ui_origin_gets_cors_on_the_codec_paths_only(make_api: AppFactory):
    api = await make_api(codec_cors_origins=(UI,))
    preflight = await api.options("/api/v1/codec/decode", headers={
        "Origin": UI, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == UI
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert {"authorization", "content-type", "x-namespace"} <= {
        h.strip() for h in preflight.headers["access-control-allow-headers"].split(",")}
    [sealed] = await dev_data_converter().encode(["x"])
    decoded = await api.post("/api/v1/codec/decode", json=wire(sealed),
                             headers={**auth("k-hr"), "Origin": UI, "X-Namespace": "default"})
    assert decoded.status_code == 200 and decoded.headers["access-control-allow-origin"] == UI
    assert json.loads(data(decoded)[0]) == "x"
    refused = await api.post("/api/v1/codec/decode", json=wire(sealed),
                             headers={"Origin": UI})  # the browser can read the 401 too
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == UI
    other = await api.post("/api/v1/codec/decode", json=wire(sealed),
                           headers={**auth("k-hr"), "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    elsewhere = await api.get("/api/v1/onboardings", headers={**auth("k-hr"), "Origin": UI})
    assert "access-control-allow-origin" not in elsewhere.headers
