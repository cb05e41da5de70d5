"""An admin's load told durably (api/load_signals.py, store/load_deliveries.py): the load and one
queued signal per running workflow commit together, the load's LoadDelivery workflow is started
and its outcome answered; with Temporal unreachable the signals stay queued and the API's next
start delivers them; a retried mark marks nothing twice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from temporalio.api.common.v1 import Payload
from temporalio.service import RPCError, RPCStatusCode

from api import load_signals
from api.routes import admin
from domain.shared.calendar import CalendarYear
from domain.shared.calendar_update import CalendarUpdate
from domain.shared.load_delivery import (
    PAYLOAD_ENCODING,
    DeliveredPage,
    LoadDelivered,
    LoadDelivery,
    delivery_id,
)
from domain.shared.people import Actor
from store import load_deliveries
from temporal_client import DATA_CONVERTER

SCHEDULE_2031 = admin.CalendarLoad(
    year=2031, holidays=[date(2031, 1, 1), date(2031, 1, 22)], workdays=[date(2031, 1, 25)],
    source="国务院办公厅关于2031年部分节假日安排的通知 (test)")
RUNNING = ["onboarding-E1", "case-E2", "case-E3"]


class FakeClient:
    """Starts workflows as Temporal would be asked to (recorded), or refuses with `down`."""

    def __init__(self, outcome: LoadDelivered | None = None,
                 down: RPCStatusCode | None = None) -> None:
        self.outcome, self.down = outcome, down
        self.starts: list[tuple[str, object, dict]] = []

    async def start_workflow(self, name: str, arg: object, **options: object) -> FakeClient:
        if self.down is not None:
            raise RPCError("frontend unavailable", self.down, b"")
        self.starts.append((name, arg, options))
        return self

    async def result(self) -> LoadDelivered:
        assert self.outcome is not None
        return self.outcome


async def load_2031(client: FakeClient, url: str, monkeypatch) -> admin.CalendarLoaded:
    monkeypatch.setattr(admin, "open_workflow_ids", lambda _url: list(RUNNING))
    return await admin.load_calendar(SCHEDULE_2031, Actor("王敏", "admin"),
                                     SimpleNamespace(db_url=url, task_queue="q"),  # type: ignore
                                     client)  # type: ignore[arg-type]


def test_a_queued_payload_is_the_data_converters_json_of_the_signal():
    update = CalendarUpdate(CalendarYear(2031, (date(2031, 1, 1),), (), "通知"), "王敏",
                            datetime(2026, 12, 4, 3, tzinfo=UTC))
    rows = load_signals.queued("calendar_updated", [("onboarding-E1", update),
                                                    ("case-E2", update)])
    assert [(w, s) for w, s, _ in rows] == [("onboarding-E1", "calendar_updated"),
                                            ("case-E2", "calendar_updated")]
    [payload] = DATA_CONVERTER.payload_converter.to_payloads([update])
    assert rows[0][2] == rows[1][2] == payload.data.decode()
    [decoded] = DATA_CONVERTER.payload_converter.from_payloads([payload], [CalendarUpdate])
    assert decoded == update


async def test_a_calendar_load_queues_its_signals_with_the_load_and_answers_the_delivery(
        db_url, monkeypatch):
    client = FakeClient(LoadDelivered("k", told=2, not_running=1))
    loaded = await load_2031(client, db_url, monkeypatch)
    [(name, arg, options)] = client.starts
    assert name == "LoadDelivery" and isinstance(arg, LoadDelivery)
    assert arg.load_key.startswith("calendar:2031:") and options["task_queue"] == "q"
    assert options["id"] == delivery_id(arg.load_key) == loaded.delivery
    assert (loaded.signalled, loaded.not_signalled, loaded.queued) == (2, 1, 0)
    queued = load_deliveries.pending(db_url, arg.load_key, 10)  # the fake sent none
    assert [q.workflow_id for q in queued] == RUNNING
    assert {q.signal for q in queued} == {"calendar_updated"}
    [payload] = DATA_CONVERTER.payload_converter.from_payloads(
        [Payload(metadata={"encoding": PAYLOAD_ENCODING}, data=queued[0].payload.encode())],
        [CalendarUpdate])
    assert payload.year.year == 2031 and payload.loaded_by == "王敏"


async def test_with_temporal_down_the_signals_stay_queued_and_the_next_start_delivers_them(
        db_url, monkeypatch, caplog):
    loaded = await load_2031(FakeClient(down=RPCStatusCode.UNAVAILABLE), db_url, monkeypatch)
    assert (loaded.signalled, loaded.queued, loaded.delivery) == (0, 3, None)
    [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "calendar:2031:" in warning and "UNAVAILABLE" in warning
    [key] = load_deliveries.undelivered_keys(db_url)

    client = FakeClient()
    assert await load_signals.resume(client, db_url, "q") == 1  # type: ignore[arg-type]
    [(name, arg, options)] = client.starts
    assert (name, arg, options["id"]) == ("LoadDelivery", LoadDelivery(key), delivery_id(key))


async def test_a_marked_page_leaves_the_queue_and_a_retried_mark_marks_nothing_twice(
        db_url, monkeypatch):
    await load_2031(FakeClient(down=RPCStatusCode.UNAVAILABLE), db_url, monkeypatch)
    [key] = load_deliveries.undelivered_keys(db_url)
    first, second, third = load_deliveries.pending(db_url, key, 10)
    page = DeliveredPage(key, told=(first.id, third.id), not_running=(second.id,))
    at = datetime(2026, 12, 4, 3, tzinfo=UTC)
    assert load_deliveries.mark(db_url, page, at) == 3
    assert load_deliveries.mark(db_url, page, at) == 0  # the activity retried
    assert load_deliveries.pending(db_url, key, 10) == []
    assert load_deliveries.undelivered_keys(db_url) == []
    assert load_deliveries.outcomes(db_url, key) == {"told": 2, "not_running": 1, "queued": 0}


async def test_a_load_that_concerns_no_running_workflow_starts_no_delivery(db_url):
    client = FakeClient()
    assert await load_signals.deliver(client, db_url, "q", "policy:1",  # type: ignore[arg-type]
                                      0) == load_signals.Delivery(None, 0, 0, 0)
    assert client.starts == []
