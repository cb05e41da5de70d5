"""The SI account through the API on a scaled clock: open it, a month's reminder, 中断 on the
deadline, a voucher and a back payment that clears it. Real app, dev server and worker, SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from domain.employees.si_status import SiStatus
from domain.shared.calendar import SHANGHAI
from domain.shared.identity import check_digit
from store import employees
from tests.api.conftest import AppFactory, auth, eventually
from tests.factories import employee

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def enrol(db_url: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        body = f"11010519850101{n + 101:03d}"
        person = employee(f"P{n:03d}", body + check_digit(body))
        reg = employees.upsert_from_registration(db_url, person, hire_date=date(2026, 1, 5),
                                                 region="beijing")
        employees.record_si_status(db_url, reg.employee_id, SiStatus.enrolled, date(2026, 1, 5),
                                   "测试：社保增员办结", f"test:{reg.employee_id}",
                                   datetime.now(UTC))
        ids.append(reg.employee_id)
    return ids


def status_of(db_url: str, employee_id: str) -> str | None:
    """The latest change on the timeline (on a scaled clock it takes effect in business time,
    days ahead of the real today `employees.current` reads by)."""
    far = date(2100, 1, 1)
    found = employees.si_status_on(db_url, employee_id, far)
    return found.value if found else None


async def outbox_purposes(api: httpx.AsyncClient) -> set[str]:
    response = await api.get("/api/v1/outbox", params={"subject_id": "si-account-beijing",
                                                       "limit": 200}, headers=auth("k-hr"))
    return {m["purpose"] for m in response.json()["items"]}


@pytest.mark.dated
async def test_a_month_unpaid_interrupts_and_a_back_payment_clears_it(make_api: AppFactory,
                                                                      db_url: str):
    api = await make_api(time_scale=86400 * 4)
    ids = enrol(db_url, 2)
    opened = await api.post("/api/v1/si-accounts", json={"region": "beijing"},
                            headers=auth("k-hr"))
    assert opened.status_code == 201, opened.text
    account = opened.json()
    deadline = account["deadline"]
    assert account["status"] == "upcoming" and deadline["verified"] is False
    assert "tax bureau" in deadline["source"] and "第六十条" in deadline["article"]
    again = await api.post("/api/v1/si-accounts", json={"region": "beijing"},
                           headers=auth("k-hr"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "account.exists"

    async def interrupted() -> bool:
        return all(status_of(db_url, e) == "interrupted" for e in ids)

    await eventually(interrupted, timeout=60)
    purposes = await eventually(lambda: _with(outbox_purposes(api), "si_interrupted"))
    assert {"payment_reminder_sent", "payment_escalated", "si_interrupted"} <= purposes

    # A back payment of the missed month, with its voucher.
    upload = await api.post("/api/v1/si-accounts/beijing/documents",
                            data={"kind": "payment_voucher"},
                            files={"file": ("voucher.pdf", PDF, "application/pdf")},
                            headers=auth("k-hr"))
    assert upload.status_code == 201, upload.text
    voucher = upload.json()["id"]
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    paid = await api.post("/api/v1/si-accounts/beijing/payments", json={
        "period": deadline["period"], "amount": "4200.00", "paid_on": today.isoformat(),
        "reference": "3310012026120000001", "documents": [voucher]}, headers=auth("k-hr"))
    assert paid.status_code == 200, paid.text
    [payment] = paid.json()["payments"]
    assert payment["employees"] == "all" and Decimal(payment["amount"]) == Decimal("4200.00")
    assert all(status_of(db_url, e) == "paying" for e in ids)
    recorded = [e for e in paid.json()["events"] if e["kind"] == "contribution_paid"]
    assert recorded and "根据税务缴款凭证" in recorded[-1]["source"]


async def _with(probe, wanted: str):
    found = await probe
    return found if wanted in found else None


async def test_bad_payments_and_roles_are_refused_naming_the_field(api: httpx.AsyncClient):
    assert (await api.post("/api/v1/si-accounts", json={"region": "atlantis"},
                           headers=auth("k-hr"))).json()["error"]["field"] == "region"
    manager = await api.post("/api/v1/si-accounts", json={"region": "beijing"},
                             headers=auth("k-manager"))
    assert manager.status_code == 403
    opened = await api.post("/api/v1/si-accounts", json={"region": "beijing"},
                            headers=auth("k-hr"))
    assert opened.status_code == 201, opened.text
    period = opened.json()["period"]
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    good = {"period": period, "amount": "100.00", "paid_on": today.isoformat(),
            "reference": "V1", "documents": ["doc-missing"]}
    no_voucher = await api.post("/api/v1/si-accounts/beijing/payments", json=good,
                                headers=auth("k-hr"))
    assert no_voucher.status_code == 422
    assert no_voucher.json()["error"]["field"] == "documents[0]"
    upload = await api.post("/api/v1/si-accounts/beijing/documents",
                            data={"kind": "payment_voucher"},
                            files={"file": ("voucher.pdf", PDF, "application/pdf")},
                            headers=auth("k-hr"))
    voucher = upload.json()["id"]
    for change, field in (({"amount": "-1"}, "amount"), ({"amount": "1.001"}, "amount"),
                          ({"period": "2026-13"}, "period"),
                          ({"paid_on": (today + timedelta(days=3)).isoformat()}, "paid_on")):
        response = await api.post("/api/v1/si-accounts/beijing/payments",
                                  json={**good, "documents": [voucher], **change},
                                  headers=auth("k-hr"))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == field
    account = (await api.get("/api/v1/si-accounts/beijing", headers=auth("k-hr"))).json()
    assert account["payments"] == []
    assert (await api.get("/api/v1/si-accounts/beijing",
                          headers=auth("k-manager"))).status_code == 403
