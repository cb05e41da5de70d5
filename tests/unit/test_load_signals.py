"""Telling running workflows about a load (api/load_signals.py): a refused signal is tried again,
a closed workflow is skipped, a failure is logged by workflow id only; the policy load and the
holiday-calendar load both tell through it."""

from __future__ import annotations

from datetime import UTC, date
from types import SimpleNamespace

from temporalio.service import RPCError, RPCStatusCode

from api import load_signals
from api.routes import admin
from domain.shared.calendar_update import CalendarUpdate
from domain.shared.people import Actor

UNAVAILABLE = RPCStatusCode.UNAVAILABLE


class FakeClient:
    """Answers each workflow's signals from a script: an RPC status to raise, or None (taken)."""

    def __init__(self, script: dict[str, list[RPCStatusCode | None]]) -> None:
        self.script = script
        self.calls: list[tuple[str, str, object]] = []

    def get_workflow_handle(self, workflow_id: str) -> FakeClient.Handle:
        return FakeClient.Handle(self, workflow_id)

    def tries(self, workflow_id: str) -> int:
        return [c[0] for c in self.calls].count(workflow_id)

    class Handle:
        def __init__(self, client: FakeClient, workflow_id: str) -> None:
            self.client, self.workflow_id = client, workflow_id

        async def signal(self, name: str, payload: object) -> None:
            self.client.calls.append((self.workflow_id, name, payload))
            status = self.client.script[self.workflow_id].pop(0)
            if status is not None:
                raise RPCError("refused: 张三 13800138000", status, b"")


async def test_a_refused_signal_is_tried_again_and_a_closed_workflow_is_skipped(monkeypatch,
                                                                               caplog):
    monkeypatch.setattr(load_signals, "SIGNAL_BACKOFF", 0)
    client = FakeClient({"onboarding-E1": [UNAVAILABLE, None],
                         "onboarding-E2": [RPCStatusCode.NOT_FOUND],
                         "case-3": [UNAVAILABLE, UNAVAILABLE, UNAVAILABLE]})
    told = await load_signals.tell(client, "policy_updated",  # type: ignore[arg-type]
                                   [("onboarding-E1", 1), ("onboarding-E2", 2), ("case-3", 3)])
    assert told == 1
    assert client.tries("onboarding-E1") == 2
    assert client.tries("onboarding-E2") == 1  # closed: not tried again
    assert client.tries("case-3") == load_signals.SIGNAL_ATTEMPTS
    [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "case-3" in warning and "policy_updated" in warning
    assert "张三" not in warning and "13800138000" not in warning  # no personal data logged


SCHEDULE_2031 = admin.CalendarLoad(
    year=2031, holidays=[date(2031, 1, 1), date(2031, 1, 22)], workdays=[date(2031, 1, 25)],
    source="国务院办公厅关于2031年部分节假日安排的通知 (test)")


async def test_a_calendar_load_tries_a_refused_signal_again_and_skips_a_closed_workflow(
        monkeypatch, caplog):
    monkeypatch.setattr(load_signals, "SIGNAL_BACKOFF", 0)
    saved: list[int] = []
    monkeypatch.setattr(admin.stored, "save_year",
                        lambda url, year, by, at: saved.append(year.year) or False)
    monkeypatch.setattr(admin, "open_workflow_ids",
                        lambda url: ["onboarding-E1", "case-E2", "case-E3"])
    client = FakeClient({"onboarding-E1": [UNAVAILABLE, None],  # transient: taken the 2nd time
                         "case-E2": [RPCStatusCode.NOT_FOUND],  # closed since its row was written
                         "case-E3": [None]})
    loaded = await admin.load_calendar(SCHEDULE_2031, Actor("王敏", "admin"),
                                       SimpleNamespace(db_url="unused"),  # type: ignore[arg-type]
                                       client)  # type: ignore[arg-type]
    assert saved == [2031]
    assert (loaded.signalled, loaded.not_signalled) == (2, 1)
    assert (client.tries("onboarding-E1"), client.tries("case-E2"), client.tries("case-E3")) \
        == (2, 1, 1)
    names = {name for _, name, _ in client.calls}
    [update] = {id(p): p for _, _, p in client.calls}.values()  # one payload told to every one
    assert names == {"calendar_updated"} and isinstance(update, CalendarUpdate)
    assert update.year.year == 2031 and update.loaded_by == "王敏"
    assert update.loaded_at.tzinfo == UTC
    assert not [r for r in caplog.records if r.levelname == "WARNING"]  # nothing failed for good
