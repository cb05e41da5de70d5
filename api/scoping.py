"""Each caller reads the onboardings and cases of their departments (domain.shared.scoping): the
caller's scope, and the check every route naming one record makes.

- `api.deps.get_principal` puts the caller's scope in `request.state.scope`, from the roles their
  key acts with and their departments in the directory; `CallerScope` hands it to list routes,
  which keep to it in SQL (store/scoping.py).
- `check_record` runs in `api.deps.permit`, after the role check, on every route under
  `/api/v1/onboardings/{id}` or `/api/v1/cases/{id}` (detail, evidence, documents, expenses,
  compensation, bundles, actions): a record outside the caller's departments gets the 404 an
  unknown id gets, `<what>.not_found`. An unknown id is refused the same way, before anything
  else is read, so the two answers cannot differ. The refused read is not an access-log entry
  (nothing was read); it is logged on `caseguard.scoping` for the operator.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Request

from api.errors import ApiError
from domain.shared.masking import mask_text
from domain.shared.people import Actor
from domain.shared.scoping import NOWHERE, Scope
from store import scoping
from store.db import point_read

log = logging.getLogger("caseguard.scoping")

RECORD_ROUTES = {"/api/v1/onboardings/{id}": "onboarding", "/api/v1/cases/{id}": "case"}
"""Route templates whose `{id}` names one record, and what the record is called in its 404."""


async def caller_scope(request: Request) -> Scope:
    """The caller's scope; none without an authenticated caller (never wider by accident)."""
    scope: Scope = getattr(request.state, "scope", NOWHERE)
    return scope


CallerScope = Annotated[Scope, Depends(caller_scope)]


async def check_record(request: Request, actor: Actor) -> None:
    """404 unless the onboarding or case the route's `{id}` names is of a department the caller
    sees; nothing to check on other routes or for a company-wide reader."""
    scope = await caller_scope(request)
    what = _record_kind(request)
    if what is None or scope.company:
        return
    record_id = str(request.path_params["id"])
    db_url: str = request.app.state.settings.db_url
    if scope.sees(await point_read(db_url, scoping.department_of, record_id)):
        return
    log.info("%s (%s) refused %s %s: unknown or not of their departments", actor.name,
             actor.role, request.method, mask_text(record_id))
    raise ApiError(404, f"{what}.not_found", f"no {what} with id {record_id}", "id")


def _record_kind(request: Request) -> str | None:
    route = request.scope.get("route")
    path = str(getattr(route, "path", ""))
    return next((what for prefix, what in RECORD_ROUTES.items()
                 if path == prefix or path.startswith(prefix + "/")), None)
