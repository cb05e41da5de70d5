"""The FastAPI app: one Temporal client and the database, built in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from api import bundles, edges, errors, load_signals, privacy, web
from api.routes import (
    admin,
    assignment,
    cases,
    china_callbacks,
    codec,
    compensation,
    disputes,
    documents,
    employee,
    employee_channels,
    employees,
    evidence,
    expenses,
    health,
    kpis,
    letters,
    notices,
    onboardings,
    outbox,
    people,
    reviews,
    self_service,
    si_accounts,
    si_stops,
    subject_rights,
    webhooks,
    written_contracts,
)
from api.routes.dev import mount_dev_routes
from api.web import dev_logins
from domain.injury.intake import CaseSettings
from domain.onboarding.intake import ProcessSettings
from domain.shared.people import Contact
from settings import Env, GatewayMode, Settings
from startup import freeze_startup_heap
from store import people as directory
from store import policy_loads
from store.db import migrate
from temporal_client import connect


def process_settings(settings: Settings) -> ProcessSettings:
    contact = settings.hr_manager_contact
    return ProcessSettings(
        escalation_interval=timedelta(hours=settings.escalation_interval_hours),
        enrollment_hold=timedelta(minutes=settings.enrollment_hold_minutes),
        time_scale=settings.time_scale, quiet_hours=settings.notice_quiet_hours,
        hr_manager=Contact(**contact.model_dump()) if contact else None,
        si_bureau="manual" if settings.gateway("si_bureau") is GatewayMode.manual else "gateway",
    )


def case_settings(settings: Settings) -> CaseSettings:
    contact = settings.hr_manager_contact
    return CaseSettings(
        materials_sla=timedelta(hours=settings.case_materials_sla_hours),
        reminder_days=settings.case_reminder_days,
        return_notice_lead=timedelta(days=settings.return_notice_lead_days),
        notice_response=timedelta(hours=settings.notice_response_hours),
        settlement_target_days=settings.settlement_target_days,
        time_scale=settings.time_scale, quiet_hours=settings.notice_quiet_hours,
        notice_fallback=timedelta(hours=settings.notice_fallback_hours),
        hr_manager=Contact(**contact.model_dump()) if contact else None,
        company=settings.company_name,
        notify_emergency_contact=settings.notify_emergency_contact,
        hr_phone=settings.hr_phone,
    )


def check_admin_can_get_in(config: Settings) -> None:
    """Outside dev the keys live in the directory (CASEGUARD_API_KEYS only seeds it): refuse to
    start when no active admin holds a working key, since nobody could manage the directory."""
    if config.env is not Env.dev and not directory.admin_key_on_file(config.db_url):
        raise RuntimeError(
            "no active admin holds an API key in the directory: set CASEGUARD_API_KEYS once "
            '(JSON {"<key>": {"name": "...", "role": "admin"}}) to create the first admin; '
            "later starts need no CASEGUARD_API_KEYS")


def create_app(settings: Settings | None = None, *, freeze_heap: bool = False) -> FastAPI:
    """Build the app; settings come from the environment unless given (tests). A server process
    (not a test) sets `freeze_heap`: start-up's objects leave the collector's sight once it is done
    (worker.freeze_startup_heap)."""
    config = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = config
        api_keys = config.resolved_api_keys()
        app.state.process = process_settings(config)
        app.state.case_settings = case_settings(config)
        migrate(config.db_url)
        app.state.policy, app.state.compensation_tables, app.state.policy_load_id = \
            policy_loads.in_force(config.db_url, config.policy_file)
        directory.bootstrap(config.db_url, {k: (h.name, h.role) for k, h in api_keys.items()},
                            directory.now())
        dev_logins.apply(config)  # dev only: one workspace login per role (api/web)
        check_admin_can_get_in(config)
        app.state.temporal = await connect(config)
        # An admin's load whose signals are still queued (the API stopped before its delivery
        # finished, or the delivery gave up) is delivered now.
        await load_signals.resume(app.state.temporal, config.db_url, config.task_queue)
        if freeze_heap:
            bundles.start_builders(config)  # a server process: the first bundle waits for none
            freeze_startup_heap()
        yield

    docs = config.docs_enabled  # off in production unless CASEGUARD_API_DOCS=true
    app = FastAPI(title="Caseguard", version="0.1.0", lifespan=lifespan,
                  responses=errors.ERROR_RESPONSES, docs_url="/docs" if docs else None,
                  redoc_url="/redoc" if docs else None,
                  openapi_url="/openapi.json" if docs else None,
                  description="Statutory clocks, notices and evidence for HR: work-injury "
                              "cases (工伤) and new-hire social-insurance onboarding (社保增员).")
    errors.install(app)
    app.include_router(onboardings.router)
    app.include_router(cases.router)
    app.include_router(outbox.router)
    app.include_router(evidence.router)
    app.include_router(evidence.case_router)
    app.include_router(documents.router)
    app.include_router(compensation.router)
    app.include_router(compensation.case_router)
    app.include_router(expenses.router)
    app.include_router(notices.router)
    app.include_router(webhooks.router)
    app.include_router(china_callbacks.router)
    app.include_router(self_service.router)
    app.include_router(employee.router)
    app.include_router(employees.router)
    app.include_router(written_contracts.router)
    app.include_router(disputes.router)
    app.include_router(health.router)
    app.include_router(admin.router)
    app.include_router(people.router)
    app.include_router(subject_rights.router)
    app.include_router(assignment.router)
    app.include_router(si_accounts.router)
    app.include_router(si_stops.router)
    app.include_router(employee_channels.router)
    app.include_router(reviews.router)
    app.include_router(codec.router)
    app.include_router(letters.router)
    app.include_router(kpis.router)
    if config.codec_cors_origins:  # the Temporal UI's origins (README, "Temporal payload encryption")
        app.add_middleware(codec.CodecCors, origins=config.codec_cors_origins)
    mount_dev_routes(app, config)
    web.install(app)  # the HR workspace under /hr (api/web)
    app.add_middleware(privacy.MaskedAnswers)  # managers read masked answers (api/privacy.py)
    edges.install(app, config, too_many=employee.too_many_requests)

    return app


def app() -> FastAPI:
    """Factory for `uvicorn --factory api.main:app`."""
    return create_app(freeze_heap=True)
