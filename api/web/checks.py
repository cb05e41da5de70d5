"""Two checks every workspace form makes: the record is one of the reader's departments (else
the 404 an unknown id gets), and what was filled in fits the API's body (else a 422 naming the
field, as the API's own answer would)."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from api.errors import ApiError
from api.web.auth import PageRefused, WebUser
from store import scoping

Body = TypeVar("Body", bound=BaseModel)


async def of_reader(request: Request, user: WebUser, id: str, prefix: str) -> None:
    """`id` is a record of kind `prefix` in the reader's departments, else PageRefused(404)."""
    if not id.startswith(prefix):
        raise PageRefused(404, "not_found")
    department = await asyncio.to_thread(scoping.department_of,
                                         request.app.state.settings.db_url, id)
    if not user.scope.sees(department):
        raise PageRefused(404, "not_found")


def validated(model: type[Body], given: dict[str, Any]) -> Body:
    """`given` as the API's body `model`; the first value it refuses is a 422 naming its field."""
    try:
        return model.model_validate(given)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        raise ApiError(422, f"{field}.invalid", str(first["msg"]), field) from None
