"""Each role sees what its work needs: a manager reads cases and onboardings masked, never the
outbox or notices; every read of personal information is in the access log an admin reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from domain.shared.masking import HIDDEN
from store import access_log
from tests.api.conftest import auth, eventually
from tests.factories import VALID_ID, case_body, registration

NOTE = f"员工电话 13800138000，邮箱 zhangsan@example.com，身份证 {VALID_ID}"
MASKED_NOTE = "员工电话 138****8000，邮箱 z***@example.com，身份证 110105********002X"


async def _case(api: httpx.AsyncClient) -> str:
    created = await api.post("/api/v1/cases", headers=auth("k-hr"), json=case_body(
        "E3001", location="二号车间（班组长 13600136000）"))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _event(view: dict, kind: str) -> dict:
    return next(e for e in view["events"] if e["kind"] == kind)


async def test_a_manager_reads_a_case_masked_and_hr_reads_it_whole(api):
    case_id = await _case(api)

    async def diagnosed(key: str) -> dict | None:
        view = (await api.get(f"/api/v1/cases/{case_id}", headers=auth(key))).json()
        return view if any(e["kind"] == "diagnosis_fetched" for e in view["events"]) else None

    hr = await eventually(lambda: diagnosed("k-hr"))
    assert hr["injury"] == "右手拇指肌腱断裂" and hr["location"] == "二号车间（班组长 13600136000）"
    assert _event(hr, "case_opened")["injury"] == "右手拇指肌腱断裂"
    assert _event(hr, "diagnosis_fetched")["diagnosis"] not in ("", None, HIDDEN)
    for key in ("k-mgr", "k-admin"):
        whole = await diagnosed(key)
        assert whole is not None and whole["injury"] == hr["injury"]
        assert _event(whole, "diagnosis_fetched") == _event(hr, "diagnosis_fetched")

    manager = await diagnosed("k-manager")
    assert manager is not None and manager["id"] == case_id and manager["stage"] == hr["stage"]
    assert manager["injury"] == HIDDEN and manager["location"] == "二号车间（班组长 136****6000）"
    assert _event(manager, "case_opened")["injury"] == HIDDEN
    fetched = _event(manager, "diagnosis_fetched")
    assert fetched["diagnosis"] == HIDDEN and fetched["treatment"] in (HIDDEN, None)
    assert "13600136000" not in str(manager) and "右手拇指" not in str(manager)
    assert manager["deadlines"] == hr["deadlines"] and manager["employee_name"] == "张三"

    async def ledger(key: str) -> dict | None:
        page = (await api.get(f"/api/v1/cases/{case_id}/evidence", headers=auth(key))).json()
        return page if any(e["kind"] == "case_opened" for e in page.get("items", ())) else None

    whole = await eventually(lambda: ledger("k-hr"))
    opened = next(e for e in whole["items"] if e["kind"] == "case_opened")
    assert opened["payload"]["injury"] == "右手拇指肌腱断裂"
    masked = await ledger("k-manager")
    assert masked is not None
    seen = next(e for e in masked["items"] if e["kind"] == "case_opened")
    assert seen["payload"]["injury"] == HIDDEN and seen["entry_hash"] == opened["entry_hash"]


async def test_a_manager_reads_an_onboarding_s_notes_masked(api):
    created = await api.post("/api/v1/onboardings", json=registration("E3002"),
                             headers=auth("k-hr"))
    assert created.status_code == 201, created.text
    url = "/api/v1/onboardings/onboarding-E3002"
    noted = await api.post(f"{url}/delay-reason", headers=auth("k-hr"),
                           json={"reason": "等待员工补交材料", "note": NOTE})
    assert noted.status_code == 200, noted.text

    def note(view: dict) -> str:
        return str(_event(view, "delay_reason_recorded")["note"])

    assert note((await api.get(url, headers=auth("k-hr"))).json()) == NOTE
    assert note((await api.get(url, headers=auth("k-mgr"))).json()) == NOTE
    manager = (await api.get(url, headers=auth("k-manager"))).json()
    assert note(manager) == MASKED_NOTE and manager["employee_id"] == "E3002"
    listed = (await api.get("/api/v1/onboardings", headers=auth("k-manager"))).json()
    assert [i["employee_name"] for i in listed["items"] if i["id"] == "onboarding-E3002"] \
        == ["张三"]


async def test_the_outbox_and_notices_are_for_hr_roles_only(api):
    for path, params in (("/api/v1/outbox", {}), ("/api/v1/notices", {"subject": "case-x"}),
                         ("/api/v1/notices/notice-x", {})):
        refused = await api.get(path, params=params, headers=auth("k-manager"))
        assert refused.status_code == 403, path
        assert refused.json()["error"]["code"] == "role.forbidden"
        for key in ("k-hr", "k-mgr", "k-admin"):
            answer = await api.get(path, params=params, headers=auth(key))
            assert answer.status_code == (404 if path.endswith("notice-x") else 200), (path, key)


async def test_each_read_of_personal_information_is_in_the_access_log(api):
    case_id = await _case(api)
    started = datetime.now(UTC) - timedelta(seconds=1)
    agent = {"User-Agent": "probe/1.0 (+8613800138000)"}

    async def read_by_manager() -> bool:  # once the case is in the lists (a 404 is no read)
        read = await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-manager") | agent)
        return read.status_code == 200

    assert await eventually(read_by_manager)
    assert (await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-hr"))).status_code == 200
    assert (await api.get("/api/v1/outbox", params={"subject_id": case_id},
                          headers=auth("k-hr"))).status_code == 200
    assert (await api.get("/api/v1/outbox", headers=auth("k-manager"))).status_code == 403
    url = "/api/v1/admin/access-log"
    for key in ("k-manager", "k-hr", "k-mgr"):
        assert (await api.get(url, headers=auth(key))).status_code == 403

    page = await api.get(url, params={"principal": "dept-dave", "since": started.isoformat()},
                         headers=auth("k-admin"))
    assert page.status_code == 200, page.text
    [read] = page.json()["items"]  # the refused outbox read is not a read
    assert (read["principal"], read["role"], read["method"], read["route"], read["subject_id"]) \
        == ("dept-dave", "manager", "GET", "/api/v1/cases/{id}", case_id)
    assert read["user_agent"] == "probe/1.0 (+86138****8000)" and read["client_address"]
    assert datetime.fromisoformat(read["at"]) >= started

    by_subject = (await api.get(url, params={"subject_id": case_id},
                                headers=auth("k-admin"))).json()
    assert [(i["principal"], i["route"]) for i in by_subject["items"]] == [
        ("hr-alice", "/api/v1/outbox"), ("hr-alice", "/api/v1/cases/{id}"),
        ("dept-dave", "/api/v1/cases/{id}")]
    first = (await api.get(url, params={"subject_id": case_id, "limit": 1, "offset": 2},
                           headers=auth("k-admin"))).json()
    assert first["total"] == 3 and [i["principal"] for i in first["items"]] == ["dept-dave"]
    none = (await api.get(url, params={"subject_id": case_id, "until": started.isoformat()},
                          headers=auth("k-admin"))).json()
    assert none == {"total": 0, "limit": 100, "offset": 0, "items": []}
    naive = await api.get(url, params={"since": "2026-12-01T00:00:00"}, headers=auth("k-admin"))
    assert naive.status_code == 422 and naive.json()["error"]["field"] == "since"


async def test_a_read_whose_access_log_row_cannot_be_written_is_not_answered(api, monkeypatch):
    case_id = await _case(api)

    async def readable() -> bool:
        read = await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-hr"))
        return read.status_code == 200

    assert await eventually(readable)

    def unwritable(db_url: str, row: object) -> None:
        raise RuntimeError("the access log cannot be written (test)")

    monkeypatch.setattr(access_log, "record", unwritable)
    # The answer a browser gets (the test client would raise the app's error instead).
    app = api._transport.app  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url=str(api.base_url)) as browser:
        read = await browser.get(f"/api/v1/cases/{case_id}", headers=auth("k-hr"))
    assert read.status_code == 500 and case_id not in read.text and VALID_ID not in read.text
