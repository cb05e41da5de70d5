"""The HR workspace over HTTP, on SQLite and PostgreSQL with a real worker: sign-in, CSRF,
lockout, the dashboard, onboardings and cases pages, departments and masks, the headers."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from store import access_log
from tests.api.conftest import AppFactory, auth, eventually
from tests.factories import case_body, registration

PASSWORDS = {"hr-alice": "orange lantern seventeen", "dept-dave": "quiet river bicycle",
             "root": "granite window parade", "hr-carol": "maple harbour engine",
             "mgr-bob": "silver kettle meadow"}
WAREHOUSE = "仓储部"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


async def give_login(api: httpx.AsyncClient, name: str) -> str:
    """The person `name` an email and a password, through the admin API; answers the email."""
    listed = await api.get("/api/v1/people", headers=auth("k-admin"))
    person = next(p for p in listed.json()["items"] if p["name"] == name)
    email = f"{name}@example.com"
    changed = await api.patch(f"/api/v1/people/{person['id']}", json={"email": email},
                              headers=auth("k-admin"))
    assert changed.status_code == 200, changed.text
    given = await api.post(f"/api/v1/people/{person['id']}/password",
                           json={"password": PASSWORDS[name]}, headers=auth("k-admin"))
    assert given.status_code == 200 and given.json()["password_set"], given.text
    return email


async def sign_in(api: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    form = await api.get("/hr/login")
    return await api.post("/hr/login", data={"email": email, "password": password,
                                             "csrf": csrf_of(form.text)})


async def onboarding(api: httpx.AsyncClient, employee_id: str, department: str = "生产部",
                     hired_days_ago: int = 0) -> str:
    body = registration(employee_id,
                        hire_date=(date.today() - timedelta(days=hired_days_ago)).isoformat())
    body["employee"]["department"] = department
    created = await api.post("/api/v1/onboardings", json=body, headers=auth("k-hr"))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def case(api: httpx.AsyncClient, employee_id: str, **overrides: Any) -> str:
    created = await api.post("/api/v1/cases", json=case_body(employee_id, **overrides),
                             headers=auth("k-hr"))
    assert created.status_code == 201, created.text
    case_id = str(created.json()["id"])

    async def listed() -> bool:
        found = (await api.get("/api/v1/cases", headers=auth("k-hr"))).json()
        return any(item["id"] == case_id for item in found["items"])

    await eventually(listed)
    return case_id


def assert_headers(answer: httpx.Response) -> None:
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"


async def test_hr_signs_in_sees_today_and_a_timeline_then_signs_out(api: httpx.AsyncClient):
    late = await onboarding(api, "E7001", hired_days_ago=60)
    fresh = await onboarding(api, "E7002")
    case_id = await case(api, "E7003")
    assert (await api.get("/hr/", follow_redirects=False)).headers["location"] == "/hr/login"
    email = await give_login(api, "hr-alice")
    signed = await sign_in(api, email, PASSWORDS["hr-alice"])
    assert signed.status_code == 303 and signed.headers["location"] == "/hr/"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")

    today = await api.get("/hr/")
    assert today.status_code == 200 and "今日待办" in today.text
    overdue = today.text.split('id="due-overdue"')[1].split("</table>")[0]
    assert late in overdue and "Social Insurance Law art. 58" in overdue and "hr-alice" in overdue
    soon = today.text.split('id="h-today"')[1]
    assert case_id in soon and "工伤认定材料备齐" in soon
    assert fresh not in today.text  # due in 30 days: not today's work
    assert 'id="admin-tasks"' not in today.text and "待管理员处理" not in today.text

    listing = await api.get("/hr/onboardings")
    assert late in listing.text and fresh in listing.text and "张三" in listing.text
    detail = await api.get(f"/hr/onboardings/{late}")
    assert detail.status_code == 200 and "登记新员工入职" in detail.text
    assert "社会保险登记期限" in detail.text
    board = await api.get("/hr/cases")
    assert case_id in board.text and "已报告事故" in board.text
    one = await api.get(f"/hr/cases/{case_id}")
    assert one.status_code == 200 and "登记工伤事故，案件开启" in one.text
    assert "右手拇指肌腱断裂" in one.text  # HR reads the case whole
    english = await api.get("/hr/?lang=en")
    assert "Overdue" in english.text and "Sign out" in english.text
    assert "Overdue" in (await api.get("/hr/")).text  # the choice is kept
    for answer in (today, listing, detail, board, one, await api.get("/hr/login")):
        assert_headers(answer)

    out = await api.post("/hr/logout", data={"csrf": csrf_of(today.text)})
    assert out.status_code == 200
    assert (await api.get("/hr/", follow_redirects=False)).status_code == 303


async def test_a_case_page_whose_access_log_row_cannot_be_written_is_not_shown(
        api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch):
    """The page reads while its access-log row is written, and is sent only once it is; so are
    the compensation estimate and the reviews queue."""
    case_id = await case(api, "E7004")
    email = await give_login(api, "hr-alice")
    assert (await sign_in(api, email, PASSWORDS["hr-alice"])).status_code == 303
    estimate = f"/hr/cases/{case_id}/compensation?monthly_wage=8000"
    shown = [await api.get(path) for path in (f"/hr/cases/{case_id}", estimate, "/hr/reviews")]
    # An estimate before the case is recognised is refused on the page (409), logged all the same.
    assert [answer.status_code for answer in shown] == [200, 409, 200]

    def unwritable(db_url: str, row: object) -> None:
        raise RuntimeError("the access log cannot be written (test)")

    monkeypatch.setattr(access_log, "record", unwritable)
    app = api._transport.app  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url=str(api.base_url), cookies=api.cookies) as browser:
        page = await browser.get(f"/hr/cases/{case_id}")
        refused = [await browser.get(path) for path in (estimate, "/hr/reviews")]
    assert page.status_code == 500 and "右手拇指肌腱断裂" not in page.text
    assert [answer.status_code for answer in refused] == [500, 500]


async def test_forms_without_the_sessions_token_are_refused(api: httpx.AsyncClient):
    email = await give_login(api, "hr-alice")
    form = await api.get("/hr/login")
    no_token = await api.post("/hr/login", data={"email": email,
                                                 "password": PASSWORDS["hr-alice"]})
    assert no_token.status_code == 403 and "表单已失效" in no_token.text
    api.cookies.clear()  # another site's form: the browser sends no sign-in cookie of ours
    foreign = await api.post("/hr/login", data={"email": email, "password": PASSWORDS["hr-alice"],
                                                "csrf": csrf_of(form.text)})
    assert foreign.status_code == 403
    assert (await sign_in(api, email, PASSWORDS["hr-alice"])).status_code == 303
    refused = await api.post("/hr/logout", data={"csrf": "0" * 64})
    assert refused.status_code == 403 and "表单已失效" in refused.text
    assert_headers(refused)
    assert (await api.get("/hr/")).status_code == 200  # still signed in


async def test_five_wrong_passwords_lock_the_account(api: httpx.AsyncClient):
    email = await give_login(api, "hr-alice")
    answers = [await sign_in(api, email, f"wrong guess {n}") for n in range(5)]
    assert [a.status_code for a in answers] == [401] * 4 + [429]
    assert "邮箱或密码不正确" in answers[0].text and "已暂时锁定" in answers[4].text
    still = await sign_in(api, email, PASSWORDS["hr-alice"])
    assert still.status_code == 429 and "已暂时锁定" in still.text
    people = (await api.get("/api/v1/people", headers=auth("k-admin"))).json()["items"]
    alice = next(p for p in people if p["name"] == "hr-alice")
    reset = await api.post(f"/api/v1/people/{alice['id']}/password",
                           json={"password": "a fresh passphrase now"}, headers=auth("k-admin"))
    assert reset.status_code == 200
    assert (await sign_in(api, email, "a fresh passphrase now")).status_code == 303


async def test_an_address_with_too_many_failures_is_held_off(make_api: AppFactory):
    api = await make_api(auth_failures_per_minute=3)
    email = await give_login(api, "hr-alice")
    answers = [await sign_in(api, f"nobody{n}@example.com", "whatever it is") for n in range(3)]
    assert [a.status_code for a in answers] == [401] * 3
    held = await sign_in(api, email, PASSWORDS["hr-alice"])
    assert held.status_code == 429 and "retry-after" in held.headers


async def test_a_manager_sees_their_departments_masked(api: httpx.AsyncClient):
    mine = await onboarding(api, "E7101", hired_days_ago=60)
    theirs = await onboarding(api, "E7102", WAREHOUSE, hired_days_ago=60)
    email = await give_login(api, "dept-dave")
    assert (await sign_in(api, email, PASSWORDS["dept-dave"])).status_code == 303
    today = await api.get("/hr/")
    assert mine in today.text and theirs not in today.text
    listing = await api.get("/hr/onboardings")
    assert mine in listing.text and theirs not in listing.text
    refused = await api.get(f"/hr/onboardings/{theirs}")
    assert refused.status_code == 404 and "不属于您负责的部门" in refused.text
    detail = await api.get(f"/hr/onboardings/{mine}")
    assert detail.status_code == 200
    assert "13800138000" not in detail.text and "11010519" not in detail.text
    other = await api.get(f"/hr/?department={WAREHOUSE}")
    assert theirs not in other.text and mine not in other.text  # not theirs to filter by
    log = await api.get("/api/v1/admin/access-log?principal=dept-dave", headers=auth("k-admin"))
    assert [(e["route"], e["role"]) for e in log.json()["items"]] == \
        [("/hr/onboardings/{id}", "manager")]  # the refused read is not one


async def test_an_admin_sees_open_tasks_and_sets_a_password_by_link(api: httpx.AsyncClient):
    people = (await api.get("/api/v1/people", headers=auth("k-admin"))).json()["items"]
    carol = next(p for p in people if p["name"] == "hr-carol")
    await api.patch(f"/api/v1/people/{carol['id']}", json={"email": "carol@example.com"},
                    headers=auth("k-admin"))
    weak = await api.post(f"/api/v1/people/{carol['id']}/password", json={"password": "short"},
                          headers=auth("k-admin"))
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "password.too_short"
    by_hr = await api.post(f"/api/v1/people/{carol['id']}/password", json={},
                           headers=auth("k-hr"))
    assert by_hr.status_code == 403
    link = await api.post(f"/api/v1/people/{carol['id']}/password", json={},
                          headers=auth("k-admin"))
    assert link.status_code == 200 and not link.json()["password_set"]
    path = httpx.URL(link.json()["setup_url"]).path
    form = await api.get(path)
    assert form.status_code == 200 and "设置密码" in form.text
    too_weak = await api.post(path, data={"password": "carol-2026-password",
                                          "csrf": csrf_of(form.text)})
    assert too_weak.status_code == 422 and 'aria-invalid="true"' in too_weak.text
    done = await api.post(path, data={"password": "a passphrase of my own", "csrf": csrf_of(form.text)})
    assert done.status_code == 200 and "密码已设置" in done.text
    assert (await api.get(path)).status_code == 404  # once
    assert (await sign_in(api, "carol@example.com", "a passphrase of my own")).status_code == 303
    assert "待管理员处理" not in (await api.get("/hr/")).text
    api.cookies.clear()
    email = await give_login(api, "root")
    assert (await sign_in(api, email, PASSWORDS["root"])).status_code == 303
    today = await api.get("/hr/")
    assert today.status_code == 200 and "待管理员处理" in today.text


async def test_hr_narrows_today_to_one_department(api: httpx.AsyncClient):
    production = await onboarding(api, "E7301", hired_days_ago=60)
    warehouse = await onboarding(api, "E7302", WAREHOUSE, hired_days_ago=60)
    email = await give_login(api, "hr-alice")
    assert (await sign_in(api, email, PASSWORDS["hr-alice"])).status_code == 303
    both = await api.get("/hr/")
    assert production in both.text and warehouse in both.text
    assert f'<option value="{WAREHOUSE}"' in both.text
    one = await api.get("/hr/", params={"department": WAREHOUSE})
    assert warehouse in one.text and production not in one.text


@pytest.mark.parametrize("path", ["/hr/", "/hr/onboardings", "/hr/cases",
                                  "/hr/onboardings/onboarding-E0", "/hr/cases/case-E0-20260101"])
async def test_every_page_wants_a_session(api: httpx.AsyncClient, path: str):
    answer = await api.get(path, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/hr/login"
    assert_headers(answer)
