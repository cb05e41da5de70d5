"""Runs the Caseguard worker: every workflow and activity on one task queue."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from activities.channels import ChannelActivities, ChannelConfig
from activities.forms import FormActivities
from activities.gateways import GatewayActivities, SimulatedSiBureau
from activities.injury_gateways import InjuryGatewayActivities
from activities.ledger import LedgerActivities
from activities.notices import NoticeActivities
from activities.notify import NotifyActivities
from settings import DEV_SECRET, ROOT, Settings
from store.db import migrate
from workflows.injury_case import InjuryCaseWorkflow
from workflows.notice import NoticeWorkflow
from workflows.onboarding import OnboardingWorkflow

WORKFLOWS: Sequence[type] = (OnboardingWorkflow, NoticeWorkflow, InjuryCaseWorkflow)
log = logging.getLogger("caseguard.worker")


def activities_for(db_url: str, channels: ChannelConfig | None = None,
                   documents_root: Path | None = None,
                   pdf_font: str | None = None) -> list[Callable[..., Any]]:
    """The activity callables, wired to their outside systems (no channel config: the outbox)."""
    ledger = LedgerActivities(db_url)
    notify = NotifyActivities(db_url)
    gateways = GatewayActivities(SimulatedSiBureau(db_url))
    notices = NoticeActivities(db_url)
    send = ChannelActivities(channels or ChannelConfig(secret_key=DEV_SECRET), db_url)
    forms = FormActivities(db_url, documents_root or ROOT / "var" / "documents", pdf_font)
    injury = InjuryGatewayActivities()
    return [ledger.record_onboarding, ledger.record_case, notify.notify,
            gateways.submit_si_enrollment, notices.open_notice, notices.close_notice,
            notices.append_evidence, send.send_notice, forms.generate_determination_form,
            injury.submit_determination_application, injury.fetch_diagnosis,
            injury.claim_injury_benefits, injury.register_courier_tracking]


async def connect(settings: Settings) -> Client:
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                data_converter=pydantic_data_converter)


def build_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor) -> Worker:
    activities = activities_for(settings.db_url, ChannelConfig.from_settings(settings),
                                settings.documents_dir,
                                str(settings.pdf_font) if settings.pdf_font else None)
    return Worker(client, task_queue=settings.task_queue, workflows=list(WORKFLOWS),
                  activities=activities, activity_executor=executor)


async def serve(settings: Settings) -> None:
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor(max_workers=16) as executor:
        worker = build_worker(client, settings, executor)
        log.info("worker polling %s on %s", settings.task_queue, settings.temporal_address)
        async with worker:
            await stop.wait()
            log.info("worker stopping")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings()
    migrate(settings.db_url)
    asyncio.run(serve(settings))
    # sdk-python#300: the interpreter may crash while finalising after a clean shutdown.
    os._exit(0)


if __name__ == "__main__":
    main()
