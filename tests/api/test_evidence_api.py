"""The evidence ledger through the API: entries, refused actions, verification, tampering located."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from store.db import engine_for
from store.verify import main as verify_cli
from tests.api.conftest import auth, eventually
from tests.api.test_onboardings_api import register

BASE = "/api/v1/onboardings/onboarding-E40"


async def _entries(api: httpx.AsyncClient) -> list[dict]:
    response = await api.get(f"{BASE}/evidence", headers=auth("k-hr"))
    return response.json().get("items", []) if response.status_code == 200 else []


async def test_every_event_and_every_refusal_is_chained_and_tampering_is_located(
        api: httpx.AsyncClient, db_url: str, capsys):
    await register(api, "E40")
    await api.post(f"{BASE}/enrollment", headers=auth("k-hr"),
                   json={"type": "new", "contribution_base": "8000"})
    refused = await api.post(f"{BASE}/enrollment/approve", headers=auth("k-alice-mgr"), json={})
    assert refused.status_code == 403
    by_manager = await api.post(f"{BASE}/cancel", headers=auth("k-manager"), json={"reason": "x"})
    assert by_manager.status_code == 403

    async def three() -> list[dict]:
        entries = await _entries(api)
        return entries if len(entries) >= 4 else []

    entries = await eventually(three)
    kinds = [e["kind"] for e in entries]
    assert kinds[0] == "registered" and "enrollment_submitted" in kinds
    refusals = [e for e in entries if e["kind"] == "action_refused"]
    assert {(r["actor"], r["payload"]["action"], r["payload"]["code"]) for r in refusals} == {
        ("hr-alice", "approve_enrollment", "four_eyes.same_principal"),
        ("dept-dave", "cancel", "role.forbidden")}
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert all(e["prev_hash"] == p["entry_hash"] for p, e in zip(entries, entries[1:], strict=False))

    ok = (await api.get(f"{BASE}/evidence/verify", headers=auth("k-manager"))).json()
    assert ok["valid"] and ok["entries"] == len(entries) and ok["head"] == entries[-1]["entry_hash"]

    with engine_for(db_url).begin() as conn:
        conn.execute(text("UPDATE evidence_entries SET actor = 'someone-else' "
                          "WHERE subject_id = 'onboarding-E40' AND seq = 2"))
    broken = (await api.get(f"{BASE}/evidence/verify", headers=auth("k-hr"))).json()
    assert not broken["valid"] and broken["first_broken_seq"] == 2
    assert "altered" in broken["reason"]

    assert verify_cli(["--database-url", db_url, "onboarding-E40"]) == 1
    assert "BROKEN  onboarding-E40: entry 2" in capsys.readouterr().out


async def test_unknown_subjects_have_no_evidence(api: httpx.AsyncClient):
    response = await api.get("/api/v1/onboardings/onboarding-NOPE/evidence", headers=auth("k-hr"))
    assert response.status_code == 404
    refused = await api.post("/api/v1/onboardings/onboarding-NOPE/cancel",
                             headers=auth("k-manager"), json={"reason": "x"})
    assert refused.status_code == 403
    response = await api.get("/api/v1/onboardings/onboarding-NOPE/evidence", headers=auth("k-hr"))
    assert response.status_code == 404
