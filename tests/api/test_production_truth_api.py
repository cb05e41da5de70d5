"""Production truth over HTTP: an enrolment entered by hand is enrolled only once HR records the
bureau's answer with its receipt, and a closed record is read from the database after Temporal's
retention has removed its workflow."""

from __future__ import annotations

import asyncio

import httpx

from devstack import forget_workflow
from store.closed import load_final
from tests.api.conftest import AppFactory, auth, eventually
from tests.api.test_cases_api import act as act_on_case
from tests.api.test_cases_api import open_case
from tests.api.test_documents_api import PNG, upload
from tests.api.test_onboardings_api import register


async def _approved(api: httpx.AsyncClient, employee_id: str) -> str:
    await register(api, employee_id)
    base = f"/api/v1/onboardings/onboarding-{employee_id}"
    submitted = await api.post(f"{base}/enrollment", headers=auth("k-hr"),
                               json={"type": "new", "contribution_base": "8000"})
    assert submitted.status_code == 200, submitted.text
    approved = await api.post(f"{base}/enrollment/approve", headers=auth("k-mgr"), json={})
    assert approved.status_code == 200, approved.text
    return base


async def test_an_enrolment_by_hand_needs_the_bureaus_reference_and_receipt(make_api: AppFactory):
    api = await make_api(gateway_si_bureau="manual")
    base = await _approved(api, "E30")

    async def task_opened() -> dict | None:
        body = (await api.get(base, headers=auth("k-hr"))).json()
        kinds = [e["kind"] for e in body["events"]]
        return body if "bureau_task_opened" in kinds else None

    waiting = await eventually(task_opened)
    assert waiting["status"] == "enrollment_executing"
    assert "enrollment_executed" not in [e["kind"] for e in waiting["events"]]

    outcome = f"{base}/enrollment/bureau-outcome"
    unknown = await api.post(outcome, headers=auth("k-hr"), json={
        "outcome": "accepted", "reference": "BJ-1", "receipt_document": "doc-nope"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "receipt_document.not_found"
    receipt = (await upload(api, PNG, kind="bureau_receipt", base=base)).json()
    no_reference = await api.post(outcome, headers=auth("k-hr"), json={
        "outcome": "accepted", "receipt_document": receipt["id"]})
    assert no_reference.status_code == 422
    assert no_reference.json()["error"]["field"] == "reference"
    manager = await api.post(outcome, headers=auth("k-manager"), json={
        "outcome": "rejected", "reason": "x"})
    assert manager.status_code == 403

    recorded = await api.post(outcome, headers=auth("k-hr"), json={
        "outcome": "accepted", "reference": "BJ2026-0042", "receipt_document": receipt["id"]})
    assert recorded.status_code == 200, recorded.text
    answer = recorded.json()
    assert answer["status"] == "enrolled"
    request = answer["enrollment_requests"][0]
    assert request["bureau_reference"] == "BJ2026-0042"
    assert request["receipt_document"] == receipt["id"] and "hr-alice" in request["answer_source"]


async def _forget(api: httpx.AsyncClient, *workflow_ids: str) -> None:
    """What Temporal's retention does to closed workflows: they are gone."""
    client = api.temporal  # type: ignore[attr-defined]
    await asyncio.gather(*(forget_workflow(client, w, within=90) for w in workflow_ids))


async def test_closed_records_read_the_same_after_temporal_forgot_them(api: httpx.AsyncClient,
                                                                       db_url: str):
    await register(api, "E31")
    onboarding = "/api/v1/onboardings/onboarding-E31"
    cancelled = await api.post(f"{onboarding}/cancel", headers=auth("k-hr"),
                               json={"reason": "employee never started"})
    assert cancelled.status_code == 200, cancelled.text
    case = await open_case(api, "E32")
    withdrawn = await act_on_case(api, case["id"], "withdraw", reason="employee chose otherwise")
    assert withdrawn.status_code == 200, withdrawn.text
    await eventually(lambda: _kept(db_url, "onboarding-E31", case["id"]), timeout=40)
    base = f"/api/v1/cases/{case['id']}"
    before = [(await api.get(url, headers=auth("k-hr"))).json() for url in (onboarding, base)]
    await _forget(api, "onboarding-E31", case["id"])

    after = [await api.get(url, headers=auth("k-hr")) for url in (onboarding, base)]
    assert [r.status_code for r in after] == [200, 200], after[1].text
    assert [r.json() for r in after] == before
    assert before[0]["status"] == "cancelled" and before[1]["stage"] == "withdrawn"
    for url in (onboarding, base):
        bundle = await api.get(f"{url}/bundle", headers=auth("k-hr"))
        assert bundle.status_code == 200 and bundle.content[:2] == b"PK", bundle.text
    expenses = await api.get(f"{base}/expenses", headers=auth("k-hr"))
    assert expenses.status_code == 200, expenses.text
    again = await api.post(f"{onboarding}/cancel", headers=auth("k-hr"), json={"reason": "x"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "onboarding.closed"
    closed = await act_on_case(api, case["id"], "close", reason="again")
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "case.closed"


async def _kept(db_url: str, *subject_ids: str) -> bool:
    return all(load_final(db_url, s) is not None for s in subject_ids)
