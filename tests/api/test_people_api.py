"""The directory of people and their API keys, through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from store import evidence
from store import people as directory
from tests.api.conftest import AppFactory, auth

ADMIN = auth("k-admin")
LI = {"name": "li-na", "roles": ["hr_manager", "manager"], "departments": ["生产部", "仓储部"],
      "phone": "138 0013 8000", "email": "li@example.com", "wecom_user_id": "LiNa",
      "channels": ["wecom", "sms"]}


async def _create(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    r = await api.post("/api/v1/people", headers=ADMIN, json={**LI, **fields})
    assert r.status_code == 201, r.text
    person: dict[str, Any] = r.json()
    return person


async def _issue(api: httpx.AsyncClient, person_id: int, **body: Any) -> dict[str, Any]:
    r = await api.post(f"/api/v1/people/{person_id}/keys", headers=ADMIN, json=body)
    assert r.status_code == 201, r.text
    key: dict[str, Any] = r.json()
    return key


async def test_admin_adds_reads_and_lists_people(api: httpx.AsyncClient) -> None:
    li = await _create(api)
    assert li["phone"] == "+8613800138000" and li["roles"] == ["hr_manager", "manager"]
    assert li["active"] is True and li["channels"] == ["wecom", "sms"]
    r = await api.get(f"/api/v1/people/{li['id']}", headers=ADMIN)
    assert r.status_code == 200 and r.json() == li
    managers = (await api.get("/api/v1/people?role=manager", headers=ADMIN)).json()
    assert [p["name"] for p in managers["items"]] == ["dept-dave", "li-na"]
    again = await api.post("/api/v1/people", headers=ADMIN, json=LI)
    assert again.status_code == 409 and again.json()["error"]["code"] == "person.name_taken"
    assert (await api.get("/api/v1/people/999999", headers=ADMIN)).status_code == 404


async def test_configured_keys_are_people_in_the_directory(api: httpx.AsyncClient) -> None:
    listed = (await api.get("/api/v1/people", headers=ADMIN)).json()["items"]
    roles = {p["name"]: p["roles"] for p in listed}
    assert roles == {"dept-dave": ["manager"], "hr-alice": ["hr", "hr_manager"],
                     "hr-carol": ["hr"], "mgr-bob": ["hr_manager"], "root": ["admin"]}
    alice = next(p for p in listed if p["name"] == "hr-alice")
    keys = (await api.get(f"/api/v1/people/{alice['id']}/keys", headers=ADMIN)).json()["items"]
    assert sorted((k["prefix"], k["role"]) for k in keys) == [("k-alice-", "hr_manager"),
                                                             ("k-hr", "hr")]
    assert all("key" not in k and k["created_by"] == "system" for k in keys)


async def test_bad_fields_are_422_naming_field_and_rule(api: httpx.AsyncClient) -> None:
    for fields, field, code in (
            ({"phone": "12345"}, "phone", "phone"),
            ({"roles": ["hr", "boss"]}, "roles", "roles.unknown"),
            ({"email": "li at example"}, "email", "email.format"),
            ({"wecom_user_id": None}, "channels", "channels.unreachable"),
            ({"channels": ["sms", "sms"]}, "channels", "channels.repeated"),
            ({"channels": ["fax"]}, "channels", "channels.unknown"),
            ({"name": "a/b"}, "name", "name.format")):
        r = await api.post("/api/v1/people", headers=ADMIN, json={**LI, **fields})
        assert r.status_code == 422, (fields, r.text)
        error = r.json()["error"]
        assert error["field"] == field and error["code"].startswith(code), (fields, error)
    li = await _create(api)
    r = await api.patch(f"/api/v1/people/{li['id']}", headers=ADMIN, json={"roles": None})
    assert r.status_code == 422 and r.json()["error"]["field"] == "roles"
    r = await api.patch(f"/api/v1/people/{li['id']}", headers=ADMIN, json={"name": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "name"


async def test_only_admins_manage_people(api: httpx.AsyncClient) -> None:
    for key in ("k-hr", "k-mgr", "k-manager"):
        r = await api.get("/api/v1/people", headers=auth(key))
        assert r.status_code == 403 and r.json()["error"]["code"] == "role.forbidden"
        r = await api.post("/api/v1/people", headers=auth(key), json=LI)
        assert r.status_code == 403


async def test_a_key_is_answered_once_and_works_until_revoked(api: httpx.AsyncClient,
                                                              db_url: str) -> None:
    li = await _create(api, roles=["manager"])
    issued = await _issue(api, li["id"])
    key = issued["key"]
    assert key.startswith("cg_") and key.startswith(issued["prefix"]) and len(key) > 40
    assert issued["last_used_at"] is None
    r = await api.get("/api/v1/cases", headers=auth(key))
    assert r.status_code == 200, r.text
    [listed] = (await api.get(f"/api/v1/people/{li['id']}/keys", headers=ADMIN)).json()["items"]
    assert listed["prefix"] == issued["prefix"] and "key" not in listed
    assert listed["last_used_at"] is not None
    r = await api.delete(f"/api/v1/people/{li['id']}/keys/{issued['id']}", headers=ADMIN)
    assert r.status_code == 200 and r.json()["revoked_by"] == "root"
    r = await api.get("/api/v1/cases", headers=auth(key))
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.invalid_key"
    r = await api.delete(f"/api/v1/people/{li['id']}/keys/{issued['id'] + 1000}", headers=ADMIN)
    assert r.status_code == 404
    [stored] = directory.keys_of(db_url, li["id"])
    assert stored.key_hash == directory.hash_key(key) and key not in stored.model_dump_json()


async def test_a_deactivated_persons_keys_stop_working(api: httpx.AsyncClient) -> None:
    li = await _create(api, roles=["manager"])
    key = (await _issue(api, li["id"]))["key"]
    r = await api.patch(f"/api/v1/people/{li['id']}", headers=ADMIN, json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert (await api.get("/api/v1/cases", headers=auth(key))).status_code == 401
    await api.patch(f"/api/v1/people/{li['id']}", headers=ADMIN, json={"active": True})
    assert (await api.get("/api/v1/cases", headers=auth(key))).status_code == 200


async def test_a_person_with_several_roles_acts_in_the_one_an_action_needs(
        api: httpx.AsyncClient) -> None:
    li = await _create(api, name="li-admin", roles=["manager", "admin"])
    both = (await _issue(api, li["id"]))["key"]
    only_manager = (await _issue(api, li["id"], role="manager"))["key"]
    assert (await api.get("/api/v1/people", headers=auth(both))).status_code == 200
    r = await api.get("/api/v1/people", headers=auth(only_manager))
    assert r.status_code == 403 and "role 'manager'" in r.json()["error"]["message"]
    r = await api.post(f"/api/v1/people/{li['id']}/keys", headers=ADMIN, json={"role": "hr"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "role.not_held"
    await api.patch(f"/api/v1/people/{li['id']}", headers=ADMIN, json={"roles": ["admin"]})
    assert (await api.get("/api/v1/cases", headers=auth(only_manager))).status_code == 401
    assert (await api.get("/api/v1/cases", headers=auth(both))).status_code == 200


async def test_the_last_active_admin_stays(api: httpx.AsyncClient) -> None:
    root = next(p for p in (await api.get("/api/v1/people", headers=ADMIN)).json()["items"]
                if p["name"] == "root")
    for change in ({"active": False}, {"roles": ["hr"]}):
        r = await api.patch(f"/api/v1/people/{root['id']}", headers=ADMIN, json=change)
        assert r.status_code == 409 and r.json()["error"]["code"] == "person.last_admin"
    assert (await api.get("/api/v1/people", headers=ADMIN)).status_code == 200


async def test_every_change_is_in_the_evidence(api: httpx.AsyncClient, db_url: str) -> None:
    li = await _create(api)
    await api.patch(f"/api/v1/people/{li['id']}", headers=ADMIN,
                    json={"phone": None, "channels": ["wecom"], "departments": ["生产部"]})
    issued = await _issue(api, li["id"])
    await api.delete(f"/api/v1/people/{li['id']}/keys/{issued['id']}", headers=ADMIN)
    _, entries = evidence.page(db_url, directory.PEOPLE_SUBJECT)
    mine = [(e.kind, e.actor) for e in entries if e.payload.get("person_id") == li["id"]]
    assert mine == [("person_created", "root"), ("person_changed", "root"),
                    ("key_issued", "root"), ("key_revoked", "root")]
    changed = next(e for e in entries if e.kind == "person_changed"
                   and e.payload["person_id"] == li["id"]).payload["changes"]
    assert changed == {"phone": ["+8613800138000", None], "channels": [["wecom", "sms"], ["wecom"]],
                       "departments": [["生产部", "仓储部"], ["生产部"]]}
    assert issued["key"] not in str([e.payload for e in entries])
    assert evidence.verify(db_url, directory.PEOPLE_SUBJECT).valid


async def test_a_second_api_process_adds_no_second_person(make_api: AppFactory,
                                                          db_url: str) -> None:
    first = await make_api()
    await make_api()
    listed = (await first.get("/api/v1/people", headers=ADMIN)).json()
    assert listed["total"] == 5
    assert len(directory.keys_of(db_url, listed["items"][0]["id"])) == 1
    assert directory.bootstrap(db_url, {"k-admin": ("root", "admin")},
                               datetime.now(UTC) + timedelta(seconds=1)) == 0
