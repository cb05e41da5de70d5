"""The KPIs over HTTP on SQLite and PostgreSQL, with a real dev server and worker: exact figures
of a seeded past quarter (tests/kpi_seed.py) through GET /api/v1/kpis, its XLSX, the workspace
page and its export; a case and an onboarding registered through the API in the current
quarter; a manager's departments only."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
from openpyxl import load_workbook

from domain.kpis.quarters import Quarter
from tests.api.conftest import auth, eventually
from tests.api.test_workspace_api import (
    PASSWORDS,
    assert_headers,
    case,
    give_login,
    onboarding,
    sign_in,
)
from tests.kpi_seed import EXPECTED, MAKING, STORES, seed

PAST = Quarter.of(datetime.now(UTC)).previous()


def _counts(body: dict) -> dict[str, dict[str, tuple[int, int]]]:
    return {k["code"]: {f["department"]: (f["numerator"], f["denominator"])
                        for f in k["departments"]} for k in body["kpis"]}


def _kpi(body: dict, code: str) -> dict:
    return next(k for k in body["kpis"] if k["code"] == code)


async def test_the_api_gives_each_kpi_per_department_with_its_counts(api: httpx.AsyncClient,
                                                                      db_url: str):
    seed(db_url, PAST)
    answer = await api.get(f"/api/v1/kpis?quarter={PAST.code}", headers=auth("k-hr"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["quarter"] == PAST.code and body["department"] is None
    assert body["starts_at"] == PAST.starts_at.isoformat()
    assert {code: found for code, found in _counts(body).items() if found} == EXPECTED
    si = _kpi(body, "si_enrolled_in_window")
    assert si["total"] == {"department": "全部", "quarter": PAST.code, "numerator": 2,
                           "denominator": 4, "value": "0.5000"}
    assert "Social Insurance Law art. 58" in si["source"] and si["per"] == 1
    injuries = _kpi(body, "injuries_per_100")
    by_department = {f["department"]: f["value"] for f in injuries["departments"]}
    assert by_department == {MAKING: "50.0000", STORES: None}  # no headcount kept: 无数据
    assert injuries["total"]["value"] == "100.0000"  # 4 injuries over the 4 employees on file
    assert [f["quarter"] for f in injuries["trend"]] == [q.code for q in PAST.trail(4)]
    assert _kpi(body, "materials_in_time")["window_hours"] == 24.0

    one = (await api.get(f"/api/v1/kpis?quarter={PAST.code}&department={STORES}",
                         headers=auth("k-mgr"))).json()
    assert {f["department"] for k in one["kpis"] for f in k["departments"]} == {STORES}
    assert _kpi(one, "settlement_in_target")["total"]["value"] == "1.0000"

    refused = await api.get("/api/v1/kpis?quarter=2026Q5", headers=auth("k-hr"))
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "quarter"


async def test_a_manager_counts_only_their_departments(api: httpx.AsyncClient, db_url: str):
    seed(db_url, PAST)
    body = (await api.get(f"/api/v1/kpis?quarter={PAST.code}",
                          headers=auth("k-manager"))).json()
    assert {f["department"] for k in body["kpis"] for f in k["departments"]} == {MAKING}
    assert _kpi(body, "materials_in_time")["total"]["numerator"] == 1
    assert _kpi(body, "materials_in_time")["total"]["denominator"] == 2
    other = (await api.get(f"/api/v1/kpis?quarter={PAST.code}&department={STORES}",
                           headers=auth("k-manager"))).json()
    assert all(k["departments"] == [] for k in other["kpis"])


async def test_the_xlsx_holds_the_same_figures_as_text(api: httpx.AsyncClient, db_url: str):
    seed(db_url, PAST)
    answer = await api.get(f"/api/v1/kpis?quarter={PAST.code}&format=xlsx", headers=auth("k-hr"))
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == \
        f'attachment; filename="kpis-{PAST.code}.xlsx"'
    rows = list(load_workbook(io.BytesIO(answer.content)).worksheets[0].iter_rows(
        values_only=True))
    assert rows[0][:3] == ("季度 quarter", "部门 department", "指标 kpi")
    found = {(r[3], r[1]): (r[4], r[5], r[7]) for r in rows[1:]}
    assert found[("si_enrolled_in_window", MAKING)] == ("1", "3", "33.3%")
    assert found[("injuries_per_100", STORES)] == ("2", "0", "无数据")
    assert found[("return_notice_answered", "全部")] == ("1", "3", "33.3%")
    assert all(isinstance(c, str) for r in rows for c in r if c is not None)


async def test_records_registered_now_count_once_their_facts_are_in(api: httpx.AsyncClient):
    """Through the workflows: a hire enrolled by the bureau simulator counts as enrolled in its
    window; one hired 60 days ago and never enrolled as missed; a new hire whose window runs not
    at all. A case reported now is an injury of its accident's quarter; its materials deadline,
    24 h ahead, is not counted yet. The registrations are the department's headcount."""
    enrolled, late = await onboarding(api, "E7101"), await onboarding(api, "E7102",
                                                                      hired_days_ago=60)
    running = await onboarding(api, "E7103")
    base = f"/api/v1/onboardings/{enrolled}"
    submitted = await api.post(f"{base}/enrollment", headers=auth("k-hr"),
                               json={"type": "new", "contribution_base": "8000"})
    assert submitted.status_code == 200, submitted.text
    approved = await api.post(f"{base}/enrollment/approve", headers=auth("k-mgr"), json={})
    assert approved.status_code == 200, approved.text

    async def is_enrolled() -> bool:
        answer = await api.get(f"/api/v1/onboardings/{enrolled}", headers=auth("k-hr"))
        return bool(answer.json()["status"] == "enrolled")

    await eventually(is_enrolled)
    listed = (await api.get("/api/v1/onboardings", headers=auth("k-hr"))).json()["items"]
    due = {o["id"]: Quarter.of(datetime.fromisoformat(o["si_due_at"])) for o in listed}
    expected: dict[str, tuple[int, int]] = {}
    for onboarding_id, met in ((enrolled, 1), (late, 0)):
        n, m = expected.get(due[onboarding_id].code, (0, 0))
        expected[due[onboarding_id].code] = (n + met, m + 1)
    expected.setdefault(due[running].code, (0, 0))
    for quarter, (n, m) in expected.items():
        body = (await api.get(f"/api/v1/kpis?quarter={quarter}", headers=auth("k-hr"))).json()
        si = _kpi(body, "si_enrolled_in_window")["total"]
        assert (si["numerator"], si["denominator"]) == (n, m), quarter

    case_id = await case(api, "E7104")
    accident = (await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-hr"))).json()
    quarter = Quarter.of(datetime.fromisoformat(accident["accident_at"]))
    body = (await api.get(f"/api/v1/kpis?quarter={quarter.code}", headers=auth("k-hr"))).json()
    injuries = _kpi(body, "injuries_per_100")
    hired = [date.today(), date.today(), date.today() - timedelta(days=60)]  # as registered
    heads = sum(day <= quarter.last_day for day in hired)  # 3, unless reported in a new quarter
    assert injuries["departments"] == [{"department": MAKING, "quarter": quarter.code,
                                        "numerator": 1, "denominator": heads,
                                        "value": str((Decimal(100) / heads).quantize(
                                            Decimal("0.0001")))}]
    assert _kpi(body, "materials_in_time")["total"]["denominator"] == 0
    assert _kpi(body, "materials_in_time")["total"]["value"] is None


async def test_the_workspace_page_shows_tables_charts_and_exports(api: httpx.AsyncClient,
                                                                  db_url: str):
    seed(db_url, PAST)
    email = await give_login(api, "hr-alice")
    assert (await sign_in(api, email, PASSWORDS["hr-alice"])).status_code == 303
    page = await api.get(f"/hr/kpis?quarter={PAST.code}")
    assert page.status_code == 200
    assert_headers(page)
    html = page.text
    assert "<script" not in html and "style=" not in html
    assert 'id="nav-kpis"' in html and f"关键指标 · {PAST.code}" in html
    table = html[html.index('id="table-si_enrolled_in_window"'):]
    table = table[:table.index("</table>")]
    assert re.search(rf"<td>{MAKING}</td><td>33.3%</td><td>1</td><td>3</td>", table)
    assert re.search(r"<td>50.0%</td><td>2</td><td>4</td>", table)  # 合计
    injuries = html[html.index('id="table-injuries_per_100"'):]
    assert re.search(rf"<td>{STORES}</td><td>无数据</td><td>2</td><td>0</td>", injuries)
    assert html.count("<svg") == 6 and 'role="img"' in html
    english = await api.get(f"/hr/kpis?quarter={PAST.code}&lang=en")
    assert "Injuries per 100 employees" in english.text
    export = await api.get(f"/hr/kpis.xlsx?quarter={PAST.code}&department={MAKING}")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(
        values_only=True))
    assert {r[1] for r in rows[1:]} == {MAKING}
    old = await api.get("/hr/kpis?quarter=2001Q1")  # beyond the selector's eight: added to it
    assert '<option value="2001Q1" selected>' in old.text
    current = await api.get("/hr/kpis?quarter=nonsense&lang=zh")  # the current quarter
    assert current.status_code == 200
    assert f"关键指标 · {Quarter.of(datetime.now(UTC)).code}" in current.text


async def test_a_manager_sees_their_departments_on_the_page(api: httpx.AsyncClient, db_url: str):
    seed(db_url, PAST)
    email = await give_login(api, "dept-dave")
    assert (await sign_in(api, email, PASSWORDS["dept-dave"])).status_code == 303
    html = (await api.get(f"/hr/kpis?quarter={PAST.code}")).text
    assert f"<td>{MAKING}</td>" in html and f"<td>{STORES}</td>" not in html
