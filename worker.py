"""Runs the Caseguard worker: every workflow and activity on one task queue, and the messages'
dispatches on a queue of their own (activities/directory.py DISPATCHES_AT_ONCE)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.worker import Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.contract_watch import ContractWatchActivities
from activities.contributions import ContributionActivities
from activities.directory import DISPATCHES_AT_ONCE, DirectoryActivities, dispatch_queue
from activities.forms import FormActivities
from activities.gateways.injury import InjuryGatewayActivities
from activities.gateways.manual import (
    ManualCourier,
    ManualHospital,
    ManualInjuryAuthority,
    ManualSiBenefits,
    ManualSiBureau,
)
from activities.gateways.si_bureau import GatewayActivities, SimulatedSiBureau
from activities.ledger import LedgerActivities
from activities.load_delivery import LoadDeliveryActivities
from activities.notices.outbox import NotifyActivities
from activities.notices.providers import ChannelConfig
from activities.notices.pull import ReceiptActivities
from activities.notices.send import ChannelActivities
from activities.notices.store import NoticeActivities
from domain.shared.company import Company
from render.processes import Renderers
from settings import DEV_SECRET, GATEWAYS, ROOT, GatewayMode, Settings
from startup import freeze_startup_heap, limit_malloc_arenas
from store.db import migrate
from store.documents import ContentStore, content_store
from temporal_client import connect, connect_when_ready, data_converter
from workflow_runner import ReleasingWorkflowRunner
from workflows.contract_si import ContractSiWatchWorkflow
from workflows.injury_case import InjuryCaseWorkflow
from workflows.leave_delivery import LeaveDeliveryWorkflow
from workflows.load_delivery import LoadDeliveryWorkflow
from workflows.notice import NoticeWorkflow
from workflows.onboarding import OnboardingWorkflow
from workflows.si_account import SiAccountWorkflow
from workflows.si_stop import SiStopWorkflow
from workflows.written_contract import WrittenContractWorkflow

__all__ = ["GUARD_RUNNER", "WORKFLOWS", "WORKFLOW_RUNNER", "Workers", "activities_for",
           "activity_name", "build_worker", "connect", "connect_when_ready",
           "serve"]  # re-exported for tests, bench

WORKFLOWS: Sequence[type] = (OnboardingWorkflow, NoticeWorkflow, InjuryCaseWorkflow,
                             SiAccountWorkflow, SiStopWorkflow, ContractSiWatchWorkflow,
                             WrittenContractWorkflow, LeaveDeliveryWorkflow,
                             LoadDeliveryWorkflow)
log = logging.getLogger("caseguard.worker")


# Production runs workflows without the SDK sandbox: the sandbox re-imports a workflow's module
# and builds restricted proxies for every run, which cost ~110 KB and ~20 ms CPU per onboarding
# (docs/benchmarks.md). Determinism is guarded instead by
#   - the workflow tests (tests/workflows), which run every workflow in the SDK sandbox
#     (GUARD_RUNNER), so a clock, random, I/O or restricted import in workflow code fails there;
#   - the replay test, which replays every recorded history with this runner and in the sandbox;
#   - tests/unit/test_workflow_determinism.py, a static check of workflows/: no clock, random,
#     uuid, os or I/O calls, imports only from an allowed list, no module state written at run
#     time (unsandboxed runs share module globals).
# It frees a workflow as soon as the cache evicts it (workflow_runner.py).
WORKFLOW_RUNNER: WorkflowRunner = ReleasingWorkflowRunner()
GUARD_RUNNER: WorkflowRunner = SandboxedWorkflowRunner()  # the SDK's default sandbox, for tests
# A worker long-polls each queue for up to a minute; two minutes without a poll is not working.
POLL_RECENCY = timedelta(minutes=2)


def gateways_for(db_url: str, modes: Mapping[str, GatewayMode]
                 ) -> tuple[GatewayActivities, InjuryGatewayActivities]:
    """The outside systems by their mode (settings.gateway): simulators, or the manual answers."""
    def manual(name: str) -> bool:
        return modes.get(name, GatewayMode.simulator) is GatewayMode.manual
    bureau = ManualSiBureau() if manual("si_bureau") else SimulatedSiBureau(db_url)
    injury = InjuryGatewayActivities(
        authority=ManualInjuryAuthority() if manual("injury_authority") else None,
        hospital=ManualHospital() if manual("hospital") else None,
        benefits=ManualSiBenefits() if manual("si_benefits") else None,
        courier=ManualCourier() if manual("courier") else None)
    return GatewayActivities(bureau), injury


def activities_for(db_url: str, channels: ChannelConfig | None = None,
                   documents_root: Path | ContentStore | None = None, pdf_font: str | None = None,
                   gateway_modes: Mapping[str, GatewayMode] | None = None,
                   company: Company | None = None,
                   form_renderers: Renderers | None = None) -> list[Callable[..., Any]]:
    """The activity callables, wired to their outside systems (no channel config: the outbox; no
    gateway modes: the simulators, as in tests; no form renderers: forms in the activity's
    thread)."""
    ledger = LedgerActivities(db_url)
    notify = NotifyActivities(db_url)
    gateways, injury = gateways_for(db_url, gateway_modes or {})
    notices = NoticeActivities(db_url)
    send_config = channels or ChannelConfig(secret_key=DEV_SECRET)
    send = ChannelActivities(send_config, db_url)
    forms = FormActivities(db_url, documents_root or ROOT / "var" / "documents", pdf_font, company,
                           form_renderers)
    directory = DirectoryActivities(db_url)
    contributions = ContributionActivities(db_url)
    contract_watch = ContractWatchActivities(db_url)
    deliveries = LoadDeliveryActivities(db_url)
    return [ledger.record_onboarding, ledger.record_case, notify.notify,
            directory.route_recipients, directory.dispatch_notices, directory.employee_route,
            contributions.record_events, contributions.record_payment,
            contributions.interrupt_unpaid,
            contributions.record_stopped, contract_watch.si_status, contract_watch.record_events,
            gateways.submit_si_enrollment, notices.open_notice, notices.close_notice,
            notices.append_evidence, send.send_notice,
            ReceiptActivities(send_config, db_url).pull_receipts,
            forms.generate_determination_form,
            injury.submit_determination_application, injury.fetch_diagnosis,
            injury.claim_injury_benefits, injury.register_courier_tracking,
            deliveries.pending, deliveries.mark]


def form_renderers(settings: Settings) -> Renderers | None:
    """Forms render in processes of their own unless CASEGUARD_FORM_PROCESSES is 0: in a thread of
    this process, a form's pure-Python CPU holds the interpreter lock that the workflow tasks and
    their event writes wait for (a burst of case starts slowed every workflow here)."""
    if settings.form_processes == 0:
        return None
    return Renderers(settings.form_processes, settings.form_niceness)


# Regular and local activities run in one thread pool. A local activity (a workflow's write of
# its events) holds its workflow task open until it is done, so it must never queue behind regular
# activities (PDF forms, gateway calls): with the SDK's 100 + 100 slots on 16 threads, a burst of
# case starts kept writes waiting for seconds (workflow tasks over 5 s at 5,000 cases, issue 21).
# Each kind gets its own threads: at most ACTIVITY_THREADS regular activities run at once.
ACTIVITY_THREADS = 12
LOCAL_ACTIVITY_THREADS = 4


class Workers:
    """A Worker on `task_queue` and, if its activities include `dispatch_notices`, the worker of
    the dispatch queue beside it, which runs DISPATCHES_AT_ONCE: the dispatches wait there, on the
    server, not in the activity slots of the worker that the notices' sends and HR's forms and
    gateway calls need. Takes Worker's arguments; used as `async with` or by `run()`. The first
    worker keeps `dispatch_notices` for the dispatches scheduled on its queue before (they share
    one DirectoryActivities, so they still run one at a time)."""

    def __init__(self, client: Client, *, task_queue: str,
                 activities: Sequence[Callable[..., Any]] = (), **options: Any) -> None:
        self.main = Worker(client, task_queue=task_queue, activities=activities, **options)
        dispatches = [fn for fn in activities if activity_name(fn) == "dispatch_notices"]
        self.dispatch = Worker(
            client, task_queue=dispatch_queue(task_queue), activities=dispatches,
            max_concurrent_activities=DISPATCHES_AT_ONCE,
            identity=options.get("identity")) if dispatches else None
        self._workers = [w for w in (self.main, self.dispatch) if w is not None]
        self._running = AsyncExitStack()

    async def __aenter__(self) -> Workers:
        async with AsyncExitStack() as stack:
            for worker in self._workers:
                await stack.enter_async_context(worker)
            self._running = stack.pop_all()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._running.__aexit__(*exc)

    async def run(self) -> None:
        await asyncio.gather(*(w.run() for w in self._workers))

    async def shutdown(self) -> None:
        await asyncio.gather(*(w.shutdown() for w in self._workers))


def activity_name(fn: Callable[..., Any]) -> str | None:
    """The name an activity is registered under (its `activity.defn(name=…)`)."""
    return activity._Definition.must_from_callable(fn).name


def build_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor,
                 **options: Any) -> Workers:
    """The production worker; `options` are extra Worker arguments (the benchmark's RSS run gives
    both its workers the same max_cached_workflows and an identity). The client must encrypt
    payloads (`connect`): a worker writes every activity's input and result to Temporal."""
    if client.data_converter.payload_codec is None:
        raise RuntimeError("the worker's Temporal client has no payload codec: connect it with "
                           "temporal_client.data_converter(settings)")
    activities = activities_for(settings.db_url, ChannelConfig.from_settings(settings),
                                content_store(settings),
                                str(settings.pdf_font) if settings.pdf_font else None,
                                {name: settings.gateway(name) for name in GATEWAYS},
                                settings.company(), form_renderers(settings))
    return Workers(client, task_queue=settings.task_queue, workflows=list(WORKFLOWS),
                   workflow_runner=WORKFLOW_RUNNER, activities=activities,
                   activity_executor=executor, max_concurrent_activities=ACTIVITY_THREADS,
                   max_concurrent_local_activities=LOCAL_ACTIVITY_THREADS, **options)


async def serve(settings: Settings, **options: Any) -> None:
    """Run the worker until SIGINT/SIGTERM; `options` as for build_worker."""
    limit_malloc_arenas()  # before connect: the Core SDK's threads start there
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor(max_workers=ACTIVITY_THREADS + LOCAL_ACTIVITY_THREADS) as executor:
        worker = build_worker(client, settings, executor, **options)
        freeze_startup_heap()
        log.info("worker polling %s and %s on %s", settings.task_queue,
                 dispatch_queue(settings.task_queue), settings.temporal_address)
        async with worker:
            await stop.wait()
            log.info("worker stopping")


async def not_polling(settings: Settings, within: timedelta = POLL_RECENCY) -> str | None:
    """Why this host's worker is not working, or None: it polled each of its task queues (workflow
    and activity, and the dispatch queue's activities) within `within`. The container health
    check (`python worker.py --check`): a live process that cannot reach Temporal is not a healthy
    worker."""
    converter = data_converter(settings)  # keys missing: the RuntimeError naming the setting
    try:
        client = await connect_when_ready(settings.temporal_address, settings.temporal_namespace,
                                          converter, ready_within=5)
    except Exception as error:  # noqa: BLE001 - any failure to connect is the answer
        return f"Temporal at {settings.temporal_address} unreachable: {error}"
    host = socket.gethostname()
    now = datetime.now(UTC)
    for queue, kind, name in (
            (settings.task_queue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, "workflow"),
            (settings.task_queue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, "activity"),
            (dispatch_queue(settings.task_queue), TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
             "activity")):
        answer = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace, task_queue=TaskQueue(name=queue),
            task_queue_type=kind))
        if not any(poller.identity.endswith(f"@{host}")
                   and now - poller.last_access_time.ToDatetime(tzinfo=UTC) <= within
                   for poller in answer.pollers):
            return f"no {name} poll from {host} on {queue} within {within}"
    return None


def check() -> None:
    reason = asyncio.run(not_polling(Settings()))
    if reason:
        print(f"unhealthy: {reason}", file=sys.stderr)
        sys.exit(1)
    print("ok")


def main() -> None:
    if sys.argv[1:] == ["--check"]:
        check()
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings()
    migrate(settings.db_url)
    asyncio.run(serve(settings))
    # sdk-python#300: the interpreter may crash while finalising after a clean shutdown.
    os._exit(0)


if __name__ == "__main__":
    main()
