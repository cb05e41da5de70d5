"""How an employee is reached, set on their record: WeCom and DingTalk ids and the order of their
channels (PUT /api/v1/employees/{id}/channels), on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from tests.api.conftest import auth
from tests.api.test_onboardings_api import register


async def test_channels_are_set_in_order_and_each_needs_its_address(api: httpx.AsyncClient):
    await register(api, "E71")
    url = "/api/v1/employees/E71/channels"
    done = await api.put(url, json={"wecom_user_id": "ZhangSan", "channels": ["wecom", "sms"]},
                         headers=auth("k-hr"))
    assert done.status_code == 200, done.text
    assert done.json() == {"employee_id": "E71", "channels": ["wecom", "sms"],
                           "wecom_user_id": "ZhangSan", "dingtalk_user_id": None}
    for body, field, code in (
            ({"channels": ["dingtalk"]}, "channels", "channels.unreachable"),
            ({"channels": ["fax"]}, "channels", "channels.unknown"),
            ({"channels": ["sms", "sms"]}, "channels", "channels.repeated"),
            ({"wecom_user_id": "张 三"}, "wecom_user_id", "wecom_user_id.format")):
        refused = await api.put(url, json=body, headers=auth("k-hr"))
        assert refused.status_code == 422, refused.text
        assert (refused.json()["error"]["field"], refused.json()["error"]["code"]) == (field, code)
    assert (await api.put(url, json={}, headers=auth("k-manager"))).status_code == 403
    missing = await api.put("/api/v1/employees/NOBODY/channels", json={}, headers=auth("k-hr"))
    assert missing.status_code == 404
