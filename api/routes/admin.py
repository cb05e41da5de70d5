"""Admin: load an official holiday schedule (the State Council's notice for a year) or a period's
policy figures (average and minimum wages, contribution bases, ...); read the access log of
personal information."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, StrictInt
from sqlmodel import Session

from api import load_signals
from api.deps import SettingsDep, TemporalDep, require
from api.errors import ApiError
from api.responses.records import AccessLogPage
from api.routes.compensation import compensation_tables
from api.schemas import Body, Offset
from domain.compensation.data import CompensationTables
from domain.injury.estimate_figures import EstimateFiguresUpdate
from domain.onboarding.policy import PolicyTable
from domain.onboarding.policy_update import PolicyUpdate
from domain.policy import targets
from domain.shared.calendar import CalendarYear, check_calendar_year
from domain.shared.calendar_sources import official_calendar
from domain.shared.calendar_update import CalendarUpdate
from domain.shared.people import Actor
from domain.shared.policy_rows import RowError
from store import access_log, policy_loads
from store import calendar as stored
from store.running import open_cases, open_onboardings, open_workflow_ids

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class CalendarLoad(Body):
    """One year's schedule: 国务院办公厅关于YYYY年部分节假日安排的通知."""

    year: StrictInt
    holidays: list[date]
    workdays: list[date] = []
    source: str


class CalendarYearOut(BaseModel):
    year: int
    holidays: list[date]
    workdays: list[date]
    source: str
    loaded: bool


class CalendarLoaded(BaseModel):
    year: CalendarYearOut
    replaced: bool
    applies_to: str
    signalled: int = 0  # running onboardings and cases told (signal calendar_updated)
    not_signalled: int = 0  # listed as running but closed meanwhile: nothing to tell
    queued: int = 0  # not yet told when answered: the delivery goes on (workflow `delivery`)
    delivery: str | None = None  # the LoadDelivery workflow telling them (None: none needed yet)


class CalendarList(BaseModel):
    items: list[CalendarYearOut]


APPLIES_TO = ("onboardings and cases started from now on count with it; every running one is "
              "told, and where the fallback counted this year (no official schedule was pinned "
              "for it) it counts its open deadlines again, recording each one that moves "
              "(deadline_recomputed: from, to, source); a reminder or escalation already sent is "
              "not sent again, a met deadline stays met, and a year already pinned from an "
              "official schedule is kept")


def _out(year: CalendarYear, loaded: bool) -> CalendarYearOut:
    return CalendarYearOut(year=year.year, holidays=list(year.holidays),
                           workdays=list(year.workdays), source=year.source, loaded=loaded)


@router.post("/calendar", status_code=201, response_model=CalendarLoaded)
async def load_calendar(body: CalendarLoad, actor: Annotated[Actor, require("load_calendar")],
                        settings: SettingsDep, client: TemporalDep) -> CalendarLoaded:
    """Load (or correct) a year's official holiday schedule and tell every running onboarding and
    case (they count again what the fallback counted for that year); 422 names the field."""
    year = CalendarYear(body.year, tuple(sorted(body.holidays)), tuple(sorted(body.workdays)),
                        body.source)
    check_calendar_year(year)
    loaded_at = datetime.now(UTC)
    running = await asyncio.to_thread(open_workflow_ids, settings.db_url)
    update = CalendarUpdate(year, actor.name, loaded_at)
    signals = load_signals.queued("calendar_updated", [(i, update) for i in running])
    replaced = await asyncio.to_thread(stored.save_year, settings.db_url, year, actor.name,
                                       loaded_at, signals)
    delivery = await load_signals.deliver(client, settings.db_url, settings.task_queue,
                                          stored.load_key(year.year, loaded_at), len(signals))
    return CalendarLoaded(year=_out(year, True), replaced=replaced, applies_to=APPLIES_TO,
                          signalled=delivery.told, not_signalled=delivery.not_running,
                          queued=delivery.queued, delivery=delivery.workflow_id)


@router.get("/calendar", response_model=CalendarList)
async def list_calendar(actor: Annotated[Actor, require("read")],
                        settings: SettingsDep) -> CalendarList:
    """Every year an official schedule is known for, and where it comes from."""
    loaded = await asyncio.to_thread(stored.loaded_years, settings.db_url)
    loaded_years = {y.year for y in loaded}
    return CalendarList(items=[_out(y, y.year in loaded_years)
                               for y in official_calendar(loaded).years])


@router.get("/access-log", response_model=AccessLogPage)
async def read_access_log(actor: Annotated[Actor, require("read_access_log")],
                          settings: SettingsDep, principal: str | None = None,
                          subject_id: str | None = None, since: datetime | None = None,
                          until: datetime | None = None, limit: int = Query(100, ge=1, le=1000),
                          offset: Offset = 0) -> AccessLogPage:
    """Who read which employee's personal information, newest first: by principal, subject and
    time (since inclusive, until exclusive, both with an offset)."""
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise ApiError(422, f"{name}.timezone", f"{name} needs a timezone offset "
                           "(e.g. 2026-12-01T00:00:00+08:00)", name)
    total, rows = await asyncio.to_thread(
        access_log.page, settings.db_url,
        access_log.AccessQuery(principal=principal, subject_id=subject_id, since=since,
                               until=until), offset=offset, limit=limit)
    return AccessLogPage.model_validate({"total": total, "limit": limit, "offset": offset,
                                         "items": [r.model_dump() for r in rows]})


Rows = list[dict[str, Any]]
POLICY_SECTIONS = ("contribution_bases", "withdrawal_windows", "contribution_rates", "regions",
                   "termination_subsidies", "national_income", "average_wages", "minimum_wages")
POLICY_APPLIES_TO = ("every onboarding registered and every estimate made from now on uses these "
                     "rows over the bundled ones and the policy file (a row replaces the rows of "
                     "its region and table whose periods overlap it); a running onboarding whose "
                     "region and hire date a contribution_bases row covers is told "
                     "(policy_updated), and where it pinned provisional or unverified limits it "
                     "takes the row again, recording old and new (policy_recomputed) and telling "
                     "HR when a held enrolment request's base is outside the new limits; limits "
                     "pinned from a verified row are kept; likewise a contribution_rates row of "
                     "its own region: unverified rates are taken again and HR told of a held "
                     "back-payment request priced at the old ones; likewise a withdrawal_windows "
                     "row of its region (or the default row where the region has none): an "
                     "unverified window is taken for the enrolments executed after the load "
                     "(withdrawal_window_recomputed); a running case whose estimate "
                     "figures change is told and records what moved (estimate_figures_changed)")


class PolicyLoad(Body):
    """A period's policy figures, the same sections and row shape as CASEGUARD_POLICY_FILE."""

    source: str
    contribution_bases: Rows = []
    withdrawal_windows: Rows = []
    contribution_rates: Rows = []
    regions: Rows = []
    termination_subsidies: Rows = []
    national_income: Rows = []
    average_wages: Rows = []
    minimum_wages: Rows = []


class PolicyLoaded(BaseModel):
    id: int
    source: str
    rows: dict[str, int]
    unverified: int  # rows loaded with verified false: every answer using one says so
    applies_to: str
    signalled: int = 0  # running onboardings and cases told (signal policy_updated)
    not_signalled: int = 0  # concerned but closed meanwhile: nothing to tell
    queued: int = 0  # not yet told when answered: the delivery goes on (workflow `delivery`)
    delivery: str | None = None  # the LoadDelivery workflow telling them (None: none concerned)
    told: dict[str, int] = {}  # of those concerned: {"onboardings": n, "cases": m}


@router.post("/policy", status_code=201, response_model=PolicyLoaded)
async def load_policy(body: PolicyLoad, request: Request,
                      actor: Annotated[Actor, require("load_policy")],
                      settings: SettingsDep, client: TemporalDep) -> PolicyLoaded:
    """Load a period's figures without a deploy, checked as the policy file is (422 names the
    section, row and field); stored, recorded as evidence, used over the bundled rows; running
    onboardings and cases whose figures it changes are told (signal policy_updated)."""
    if not body.source:
        raise ApiError(422, "policy.source_required", "source (the notice the figures come "
                       "from, or where they were read) is required", "source")
    sections = {name: rows for name in POLICY_SECTIONS if (rows := getattr(body, name))}
    if not sections:
        raise ApiError(422, "policy.empty", f"no rows: give at least one of "
                       f"{', '.join(POLICY_SECTIONS)}", "contribution_bases")
    for name, rows in sections.items():
        for index, row in enumerate(rows):
            _check_policy_row(name, index, row)
    policy: PolicyTable = request.app.state.policy
    tables = compensation_tables(request)
    new_policy, new_tables = policy.with_overrides(sections), tables.with_overrides(sections)
    loaded_at = datetime.now(UTC)
    told: dict[str, int] = {}

    def signals_for(session: Session, load_id: int) -> list[tuple[str, str, str]]:
        load = targets.Load(load_id, body.source, actor.name, loaded_at, sections, policy,
                            tables, new_tables)
        onboardings, cases = _concerned(session, load)
        told.update(onboardings=len(onboardings), cases=len(cases))
        return load_signals.queued("policy_updated", [*onboardings, *cases])

    load_id = await asyncio.to_thread(policy_loads.save_load, settings.db_url, sections,
                                      body.source, actor.name, loaded_at, signals_for)
    state = request.app.state
    state.policy, state.compensation_tables, state.policy_load_id = new_policy, new_tables, load_id
    delivery = await load_signals.deliver(client, settings.db_url, settings.task_queue,
                                          policy_loads.load_key(load_id), sum(told.values()))
    return PolicyLoaded(id=load_id, source=body.source,
                        rows={name: len(rows) for name, rows in sections.items()},
                        unverified=sum(row.get("verified") is not True
                                       for name, rows in sections.items() if name != "regions"
                                       for row in rows),
                        applies_to=POLICY_APPLIES_TO, signalled=delivery.told,
                        not_signalled=delivery.not_running, queued=delivery.queued,
                        delivery=delivery.workflow_id, told=told)


def _concerned(session: Session, load: targets.Load
               ) -> tuple[list[tuple[str, PolicyUpdate]], list[tuple[str, EstimateFiguresUpdate]]]:
    """The running onboardings and cases the load concerns, each with its signal, read in the
    load's transaction (a case's figures are looked up in the tables before and after)."""
    return (targets.onboarding_targets(load, open_onboardings(session)),
            targets.case_targets(load, open_cases(session)))


def _check_policy_row(section: str, index: int, row: dict[str, Any]) -> None:
    """One row parsed exactly as the policy file's rows are; 422 naming section[index].field."""
    where = f"{section}[{index}]"
    try:
        if section in ("contribution_bases", "withdrawal_windows", "contribution_rates"):
            PolicyTable.from_rows(**{section: [row]})
        else:
            CompensationTables.from_rows(**{section: [row]})
    except RowError as exc:
        raise ApiError(422, "policy.invalid_row", f"{where}: {exc.key} {exc.problem}",
                       f"{where}.{exc.key}") from None
    except (ValueError, TypeError, AttributeError) as exc:
        raise ApiError(422, "policy.invalid_row", f"{where}: {exc}", where) from None

