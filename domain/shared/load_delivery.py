"""An admin's load told to the running workflows it concerns, durably (a transactional outbox).

A policy or holiday-calendar load is stored together with one queued signal per running onboarding
or case it concerns, in one transaction (store/load_deliveries.py). A LoadDelivery workflow, one per
load, then takes the queued signals a page at a time, signals each workflow, and marks the page
delivered. Whatever happens to the API process after the commit, the signals are delivered: the
route starts the delivery, and the API's start-up starts one for every load that still has queued
signals (a load whose delivery failed or never started). A signal is sent once: the workflow's
history says which it sent, and a later run takes only what no run marked.
"""

# No `from __future__ import annotations`: these travel as workflow and activity inputs, and
# pydantic resolves string annotations through sys.modules (see domain/shared/calendar.py).
from dataclasses import dataclass

PAGE_SIZE = 100  # queued signals a page
PAGES_PER_RUN = 10  # then continue as new, so a load of many thousands keeps a short history
SIGNALS_AT_ONCE = 16  # signals in flight at once, so a load never floods the Temporal frontend
PAYLOAD_ENCODING = b"json/plain"  # the data converter's encoding of a queued payload (pydantic JSON)


def delivery_id(load_key: str) -> str:
    """The delivery workflow's id: one per load (`policy:<id>`, `calendar:<year>:<loaded at>`)."""
    return f"load-delivery-{load_key}"


@dataclass(frozen=True)
class LoadDelivery:
    """The load whose queued signals to deliver, and what earlier runs of this delivery did."""

    load_key: str
    told: int = 0
    not_running: int = 0
    page_size: int = PAGE_SIZE
    pages_per_run: int = PAGES_PER_RUN


@dataclass(frozen=True)
class PendingSignals:
    """A page of a load's queued signals not yet delivered, oldest first."""

    load_key: str
    limit: int


@dataclass(frozen=True)
class QueuedSignal:
    """One queued signal: to whom, which, and its payload as the data converter's JSON."""

    id: int
    workflow_id: str
    signal: str
    payload: str


@dataclass(frozen=True)
class DeliveredPage:
    """A page sent: the queued signals a workflow took, and those whose workflow was not running
    (closed since its row said open, or never started: nothing to tell)."""

    load_key: str
    told: tuple[int, ...]
    not_running: tuple[int, ...]


@dataclass(frozen=True)
class LoadDelivered:
    """The delivery's outcome over all its runs."""

    load_key: str
    told: int
    not_running: int
