"""An admin loads a period's figures: a running onboarding that pinned provisional base limits
takes them and records it; a running case whose estimate figures change records that."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from api import load_signals
from api import registration as api_registration
from store import workflow_events
from store.db import session_for
from store.models import CaseRow, OnboardingRow
from tests.api.conftest import AppFactory, auth, eventually
from tests.factories import case_body, registration

# A region with one old period on file: whatever day the test runs, a hire is after it, so its
# limits are pinned provisionally; the second load's period covers that day.
OLD = {"region": "testshire", "period_start": "2000-01-01", "period_end": "2000-12-31",
       "lower": "5000", "upper": "25000", "source": "test figures", "verified": False}
NEW = {"region": "testshire", "period_start": "2001-01-01", "period_end": "2199-12-31",
       "lower": "5500", "upper": "27000", "document": "测人社发〔2026〕9号 (test)",
       "source": "read from the notice", "verified": True}
WAGE = {"region": "beijing", "scope": "regional", "period_start": "2001-01-01",
        "period_end": "2199-12-31", "monthly": "12345", "document": "京统 (test)",
        "source": "read from the notice", "verified": True}


async def _recomputed(api: httpx.AsyncClient, onboarding_id: str) -> dict | None:
    """The onboarding's view once it has recomputed its figures (None before)."""
    view = (await api.get(f"/api/v1/onboardings/{onboarding_id}", headers=auth("k-hr"))).json()
    return view if view["figures_recomputed"] else None


async def test_a_load_recomputes_a_running_onboardings_provisional_limits(api: httpx.AsyncClient,
                                                                          db_url: str):
    first = await api.post("/api/v1/admin/policy", headers=auth("k-admin"),
                           json={"source": "test", "contribution_bases": [OLD]})
    assert first.status_code == 201, first.text
    assert first.json()["signalled"] == 0
    registered = await api.post("/api/v1/onboardings", headers=auth("k-hr"), json=registration(
        "E4101", region="testshire", contribution_base="5200"))
    assert registered.status_code == 201, registered.text
    onboarding = registered.json()
    assert onboarding["base_limits"]["provisional"] is True
    opened = await api.post("/api/v1/cases", json=case_body("E4102"), headers=auth("k-hr"))
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["id"]

    async def listed() -> bool:  # the admin route tells the workflows the lists show
        with session_for(db_url) as session:
            return (session.get(OnboardingRow, onboarding["id"]) is not None
                    and session.get(CaseRow, case_id) is not None)

    await eventually(listed)
    loaded = await api.post("/api/v1/admin/policy", headers=auth("k-admin"), json={
        "source": "测试市人社局 notice", "contribution_bases": [NEW], "average_wages": [WAGE]})
    assert loaded.status_code == 201, loaded.text
    answer = loaded.json()
    assert answer["told"] == {"onboardings": 1, "cases": 1}
    assert answer["signalled"] == 2 and answer["not_signalled"] == 0 and answer["queued"] == 0
    assert answer["delivery"] == f"load-delivery-policy:{answer['id']}"  # a LoadDelivery workflow
    assert "policy_recomputed" in answer["applies_to"]

    def recomputed():  # type: ignore[no-untyped-def]
        return _recomputed(api, onboarding["id"])

    view = await eventually(recomputed)
    assert view["base_limits"]["lower"] == "5500" and view["base_limits"]["verified"] is True
    assert view["base_limits"]["provisional"] is False and view["contribution_base"] == "5200"
    [figures] = view["figures_recomputed"]
    assert "outside" in figures["note"] and figures["new_clamped_base"] == "5500"
    [event] = [e for e in view["events"] if e["kind"] == "policy_recomputed"]
    assert event["actor"] == "root" and event["document"] == NEW["document"]
    assert event["lower"] == {"from": "5000", "to": "5500"} and event["within_limits"] is False

    async def case_told() -> list:
        case = (await api.get(f"/api/v1/cases/{case_id}", headers=auth("k-hr"))).json()
        return [e for e in case["events"] if e["kind"] == "estimate_figures_changed"]

    [told] = await eventually(case_told)
    assert told["actor"] == "root" and told["load"] == answer["id"]
    assert [c["figure"] for c in told["changes"]] == ["regional_average_monthly_wage"]
    assert told["changes"][0]["to"]["value"] == "12345"

    again = await api.post("/api/v1/admin/policy", headers=auth("k-admin"), json={
        "source": "the same notice again", "contribution_bases": [NEW], "average_wages": [WAGE]})
    assert again.status_code == 201 and again.json()["told"] == {"onboardings": 0, "cases": 0}
    assert again.json()["delivery"] is None  # nobody to tell: no delivery started


RATES = {"region": "testshire", "period_start": None, "period_end": None,
         "components": {"pension": {"employer": "0.14", "employee": "0.08"},
                        "medical": {"employer": "0.08", "employee": "0.02"}},
         "document": "测人社发〔2026〕10号 (test)", "source": "read from the notice", "verified": True}


async def test_a_rates_load_reprices_a_running_onboarding_that_pinned_unverified_rates(
        api: httpx.AsyncClient, db_url: str):
    first = await api.post("/api/v1/admin/policy", headers=auth("k-admin"),
                           json={"source": "test", "contribution_bases": [OLD]})
    assert first.status_code == 201, first.text
    registered = await api.post("/api/v1/onboardings", headers=auth("k-hr"), json=registration(
        "E4103", region="testshire", contribution_base="6000"))
    assert registered.status_code == 201, registered.text
    onboarding = registered.json()

    async def listed() -> bool:
        with session_for(db_url) as session:
            return session.get(OnboardingRow, onboarding["id"]) is not None

    await eventually(listed)
    loaded = await api.post("/api/v1/admin/policy", headers=auth("k-admin"), json={
        "source": "测试市人社局 notice", "contribution_rates": [RATES]})
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["told"] == {"onboardings": 1, "cases": 0}

    def recomputed():  # type: ignore[no-untyped-def]
        return _recomputed(api, onboarding["id"])

    view = await eventually(recomputed)
    [figures] = view["figures_recomputed"]
    assert figures["new_rates"]["employer_rate"] == "0.22" and figures["new_rates"]["verified"]
    assert figures["new_monthly"] == ["1320.00", "600.00"]  # 6,000 × 22 % and × 10 %
    assert "缴费比例" in figures["note"] and figures["requests_repriced"] == []
    [event] = [e for e in view["events"] if e["kind"] == "policy_recomputed"]
    assert event["rates"]["employer"]["to"] == "0.22" and event["rates"]["verified"]["to"] is True
    again = await api.post("/api/v1/admin/policy", headers=auth("k-admin"), json={
        "source": "the same notice again", "contribution_rates": [RATES]})
    assert again.status_code == 201 and again.json()["told"] == {"onboardings": 0, "cases": 0}
    assert again.json()["delivery"] is None  # nobody to tell: no delivery started


async def test_a_load_the_api_stopped_before_telling_is_delivered_when_the_api_starts_again(
        make_api, db_url: str, monkeypatch):
    api = await make_api()
    await api.post("/api/v1/admin/policy", headers=auth("k-admin"),
                   json={"source": "test", "contribution_bases": [OLD]})
    registered = await api.post("/api/v1/onboardings", headers=auth("k-hr"), json=registration(
        "E4111", region="testshire", contribution_base="5200"))
    onboarding = registered.json()["id"]

    async def listed() -> bool:
        with session_for(db_url) as session:
            return session.get(OnboardingRow, onboarding) is not None

    await eventually(listed)

    async def stopped(client, url, task_queue, load_key, count):  # the process died after commit
        return load_signals.Delivery(None, 0, 0, count)

    monkeypatch.setattr(load_signals, "deliver", stopped)
    loaded = await api.post("/api/v1/admin/policy", headers=auth("k-admin"), json={
        "source": "测试市人社局 notice", "contribution_bases": [NEW]})
    assert loaded.status_code == 201, loaded.text
    assert (loaded.json()["queued"], loaded.json()["delivery"]) == (1, None)
    monkeypatch.undo()

    def recomputed():  # type: ignore[no-untyped-def]
        return _recomputed(api, onboarding)

    assert await recomputed() is None  # nobody told it yet
    await make_api()  # the API starts again: it delivers what is still queued
    view = await eventually(recomputed)
    assert view["base_limits"]["lower"] == "5500"
    assert [e["load"] for e in view["events"] if e["kind"] == "policy_recomputed"] \
        == [loaded.json()["id"]]


async def _load_missed_by_a_second_process(make_api: AppFactory
                                           ) -> tuple[httpx.AsyncClient, httpx.Response]:
    """A first API process that loaded OLD, then a second one that loaded NEW: the first keeps
    the figures of OLD until something tells it."""
    stale = await make_api()
    await stale.post("/api/v1/admin/policy", headers=auth("k-admin"),
                     json={"source": "test", "contribution_bases": [OLD]})
    fresh = await make_api()
    loaded = await fresh.post("/api/v1/admin/policy", headers=auth("k-admin"), json={
        "source": "测试市人社局 notice", "contribution_bases": [NEW]})
    assert loaded.status_code == 201, loaded.text
    return stale, loaded


async def test_a_hire_registered_on_figures_a_load_missed_is_told_of_that_load(make_api,
                                                                               db_url: str):
    """Two API processes: the first registers a hire on the figures it read before the second
    loaded a period. The load could not tell an onboarding that was not listed yet; the
    registration's own write finds the load and queues its signal, and the first process takes
    the figures in force."""
    stale, loaded = await _load_missed_by_a_second_process(make_api)
    assert loaded.json()["told"] == {"onboardings": 0, "cases": 0}
    registered = await stale.post("/api/v1/onboardings", headers=auth("k-hr"), json=registration(
        "E4121", region="testshire", contribution_base="5200"))
    assert registered.status_code == 201, registered.text
    onboarding = registered.json()
    assert onboarding["base_limits"]["lower"] == "5000"  # the figures before the load

    def recomputed():  # type: ignore[no-untyped-def]
        return _recomputed(stale, onboarding["id"])

    view = await eventually(recomputed)
    assert view["base_limits"]["lower"] == "5500" and view["base_limits"]["provisional"] is False
    assert [e["load"] for e in view["events"] if e["kind"] == "policy_recomputed"] \
        == [loaded.json()["id"]]
    # The first process took the figures in force: its next registration is checked on them.
    again = await stale.post("/api/v1/onboardings", headers=auth("k-hr"), json=registration(
        "E4122", region="testshire", contribution_base="5200"))
    assert again.status_code == 422 and again.json()["error"]["field"] == "contribution_base"


async def test_a_loaded_withdrawal_window_reaches_a_running_onboarding(api: httpx.AsyncClient,
                                                                      db_url: str):
    registered = await api.post("/api/v1/onboardings", headers=auth("k-hr"),
                                json=registration("E4111"))
    assert registered.status_code == 201, registered.text
    onboarding_id = registered.json()["id"]

    async def listed() -> bool:
        with session_for(db_url) as session:
            return session.get(OnboardingRow, onboarding_id) is not None

    await eventually(listed)
    window = {"region": "beijing", "hours": 48, "source": "北京市社保中心 (test)", "verified": True}
    loaded = await api.post("/api/v1/admin/policy", headers=auth("k-admin"),
                            json={"source": "北京市社保中心 notice", "withdrawal_windows": [window]})
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["told"]["onboardings"] >= 1 and "withdrawal_window" in loaded.json()["applies_to"]

    async def recomputed() -> list:
        view = (await api.get(f"/api/v1/onboardings/{onboarding_id}", headers=auth("k-hr"))).json()
        return [e for e in view["events"] if e["kind"] == "withdrawal_window_recomputed"]

    [event] = await eventually(recomputed)
    assert (event["old_hours"], event["new_hours"], event["verified"]) == (72.0, 48.0, True)


async def test_a_hire_whose_registration_write_failed_is_told_of_the_load_it_missed(
        make_api, db_url: str, monkeypatch: pytest.MonkeyPatch):
    """As above, but the registration's own write fails (the database away a moment): the
    workflow writes its row (signal write_now), and the process that registered it checks the
    loads once the row is listed."""
    monkeypatch.setattr(api_registration, "CHECK_AFTER_S", (0.2,))
    stale, loaded = await _load_missed_by_a_second_process(make_api)
    written = workflow_events.record_registration
    failed: list[str] = []

    def fails_once(url, update, missed_loads):  # type: ignore[no-untyped-def]
        if not failed:
            failed.append(update.onboarding_id)
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return written(url, update, missed_loads)

    monkeypatch.setattr(workflow_events, "record_registration", fails_once)
    registered = await stale.post("/api/v1/onboardings", headers=auth("k-hr"), json=registration(
        "E4123", region="testshire", contribution_base="5200"))
    assert registered.status_code == 201, registered.text
    onboarding = registered.json()
    assert failed == [onboarding["id"]] and onboarding["base_limits"]["lower"] == "5000"

    def recomputed():  # type: ignore[no-untyped-def]
        return _recomputed(stale, onboarding["id"])

    view = await eventually(recomputed)
    assert view["base_limits"]["lower"] == "5500"
    assert [e["load"] for e in view["events"] if e["kind"] == "policy_recomputed"] \
        == [loaded.json()["id"]]
    again = await stale.post("/api/v1/onboardings", headers=auth("k-hr"), json=registration(
        "E4124", region="testshire", contribution_base="5200"))
    assert again.status_code == 422 and again.json()["error"]["field"] == "contribution_base"
