"""The case clocks of issue 20 §2 through the API: an occupational disease's window, the
determination suspended and resumed, refusals that name the field (real dev server and worker)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.api.conftest import auth, eventually
from tests.api.test_cases_api import act, deadline, open_case
from tests.api.test_workspace_actions_api import as_person
from tests.api.test_workspace_api import give_login
from tests.factories import case_body

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def test_an_occupational_disease_case_suspended_and_resumed_through_the_api(api):
    exposure = datetime.now(UTC) - timedelta(days=200)
    diagnosed = (datetime.now(UTC) - timedelta(days=3)).astimezone(SHANGHAI).date()
    missing = await api.post("/api/v1/cases", headers=auth("k-hr"), json={
        **case_body("E1001", accident_at=exposure), "occupational_disease": True})
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "diagnosed_on"
    assert missing.json()["error"]["code"] == "diagnosed_on.required"

    case = await open_case(api, accident_at=exposure, occupational_disease=True,
                           diagnosed_on=diagnosed.isoformat())
    due = deadline(case, "determination_application")
    assert due["status"] == "upcoming"  # 200 days after the exposure, 3 after the diagnosis
    assert datetime.fromisoformat(due["raw_due_at_shanghai"]).date() == \
        diagnosed + timedelta(days=31)  # 24:00 of the 30th day after the diagnosis
    cid = case["id"]
    applied = await act(api, cid, "apply-determination", override_reason="the rest follows")
    assert applied.status_code == 200, applied.text
    await eventually(lambda: _with_deadline(api, cid, "determination_decision"))

    blank = await act(api, cid, "pause-determination", reason=" ")
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "reason"
    paused = await act(api, cid, "pause-determination", reason="等待职业病鉴定结论",
                       awaiting="职业病诊断鉴定委员会")
    assert paused.status_code == 200, paused.text
    assert deadline(paused.json(), "determination_decision")["status"] == "paused"
    assert [e["kind"] for e in paused.json()["recorded_events"]] == ["determination_paused"]
    resumed = await act(api, cid, "resume-determination", reference="鉴定2026-001")
    assert resumed.status_code == 200, resumed.text
    assert deadline(resumed.json(), "determination_decision")["status"] == "upcoming"


async def _with_deadline(api, case_id: str, name: str) -> dict | None:
    view = (await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-hr"))).json()
    return view if any(d["name"] == name for d in view.get("deadlines", ())) else None


async def test_the_case_page_shows_the_employers_period_of_a_late_application(api):
    """Reg. art. 17 ¶4 on the workspace's case page: from the accident to the acceptance."""
    case = await open_case(api, "E7701", accident_at=datetime.now(UTC) - timedelta(days=40))
    cid = case["id"]
    applied = await act(api, cid, "apply-determination", override_reason="the rest follows")
    assert applied.status_code == 200, applied.text
    view = await eventually(lambda: _accepted(api, cid))
    late = view["late_application"]
    assert late["employer_bears_costs_until"] == view["determination"]["accepted_on"]
    await give_login(api, "hr-alice")
    await as_person(api, "hr-alice")
    page = await api.get(f"/hr/cases/{cid}")
    assert page.status_code == 200
    assert 'id="late-application"' in page.text and "用人单位负担期间" in page.text
    assert late["employer_bears_costs_until"] in page.text and "art. 17 ¶4" in page.text


async def _accepted(api, case_id: str) -> dict | None:
    view = (await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-hr"))).json()
    return view if (view.get("determination") or {}).get("accepted_on") else None


async def test_the_case_estimate_says_the_late_period_is_the_employers(api):
    """Reg. art. 17 ¶4 beside the compensation estimate's items."""
    case = await open_case(api, "E7702", accident_at=datetime.now(UTC) - timedelta(days=40))
    cid = case["id"]
    await act(api, cid, "apply-determination", override_reason="the rest follows")
    view = await eventually(lambda: _accepted(api, cid))
    found = await api.get(f"/api/v1/cases/{cid}/compensation", headers=auth("k-hr"), params={
        "grade": 8, "monthly_wage": "8000", "regional_average_monthly_wage": "9000"})
    assert found.status_code == 200, found.text
    [late] = [w for w in found.json()["warnings"] if "late determination application" in w]
    assert view["determination"]["accepted_on"] in late and "art. 17 ¶4" in late


async def test_the_case_estimate_moves_the_late_periods_bills_to_the_employer(api):
    """Reg. art. 17 ¶4 in money: the ledger's bills within the late period are the employer's,
    in the estimate's items and totals and on the compensation page."""
    accident_at = datetime.now(UTC) - timedelta(days=40)
    accident = accident_at.astimezone(SHANGHAI).date()
    case = await open_case(api, "E7703", accident_at=accident_at)
    cid = case["id"]
    ask = {"grade": 8, "monthly_wage": "8000", "regional_average_monthly_wage": "9000"}
    provisional = (await api.get(f"/api/v1/cases/{cid}/compensation", headers=auth("k-hr"),
                                 params=ask)).json()
    late = provisional["late_period"]  # not filed yet: counted up to today, provisional
    assert late["provisional"] is True and late["until"] is None and late["moved"] == []
    assert late["since"] == accident.isoformat()
    assert any("预估" in w and "provisional, up to today" in w for w in provisional["warnings"])

    bills = [  # the accident day: fund's share M 300.00 + max(0, 1000.10 − 300.00) = 1000.10
        {"invoice_number": "LATE-1", "bill_date": accident.isoformat(), "amount": "1234.56",
         "eligible_amount": "1000.10", "medical_insurance_amount": "300.00", "slip_total": None},
        # day 31 of the period, paid by the employee: E 499.99
        {"invoice_number": "LATE-2", "bill_date": (accident + timedelta(days=30)).isoformat(),
         "amount": "499.99", "eligible_amount": "499.99", "paid_by": "employee",
         "medical_insurance_amount": "0.00", "slip_total": None}]
    for bill in bills:
        body = {"hospital": "北京积水潭医院", "paid_by": "medical_insurance_card", **bill}
        added = await api.post(f"/api/v1/cases/{cid}/expenses", json=body, headers=auth("k-hr"))
        assert added.status_code == 201, added.text
    applied = await act(api, cid, "apply-determination", override_reason="the rest follows")
    assert applied.status_code == 200, applied.text
    view = await eventually(lambda: _accepted(api, cid))
    found = await api.get(f"/api/v1/cases/{cid}/compensation", headers=auth("k-hr"), params=ask)
    assert found.status_code == 200, found.text
    data = found.json()
    late = data["late_period"]
    assert late["provisional"] is False and late["until"] == view["determination"]["accepted_on"]
    assert [(m["day"], m["amount"]) for m in late["moved"]] == [(1, "1000.10"), (31, "499.99")]
    assert late["moved_total"] == "1500.09" and late["stays_with_fund"] == []
    moved = [i for i in data["items"] if i["code"] == "late_period_medical_expenses"]
    assert [(i["amount"], i["payer"]) for i in moved] == [("1000.10", "employer"),
                                                         ("499.99", "employer")]
    assert all("art. 17 ¶4" in i["article"] and "day " in i["formula"] for i in moved)
    employer = sum(Decimal(i["amount"]) for i in data["items"]
                   if i["payer"] == "employer" and i["frequency"] == "once")
    assert Decimal(data["totals"]["once"]["employer"]) == employer >= Decimal("1500.09")
    assert data["totals"]["once"]["fund"] == "88000.00"  # 11 months × 8000, unchanged

    await give_login(api, "hr-alice")
    await as_person(api, "hr-alice")
    page = await api.get(f"/hr/cases/{cid}/compensation", params=ask)
    assert page.status_code == 200, page.text
    assert 'id="late-period"' in page.text and "逾期申请期间的费用" in page.text
    assert 'id="late-moved-total">1500.09<' in page.text and "LATE-2" in page.text
    assert "逾期申请期间的工伤医疗费" in page.text and 'id="late-provisional"' not in page.text
