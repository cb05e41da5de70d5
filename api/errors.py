"""One error shape everywhere: {"error": {"code", "message", "field"}} (plus details when useful)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.shared.errors import ActionRefused, RuleViolation


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str
    details: dict[str, Any] | None = None


class ErrorResponse(BaseModel):
    """The one error shape of every route."""

    error: ErrorDetail


_ERROR_STATUSES = {
    400: "The body cannot be read (not UTF-8, not the declared format)",
    401: "No or an unknown API key", 403: "The caller's role may not do this",
    404: "No such resource", 409: "Not possible in the resource's current state",
    413: "The request body or upload is too large (refused before it is read)",
    422: "Bad input: `field` names it, `code` the rule it breaks; nothing was changed",
    429: "Too many failed API keys from this address: Retry-After says when to try again",
    503: "A dependency (Temporal, the PDF font) is unavailable",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description, "content": {"application/json": {}}}
    for status, description in _ERROR_STATUSES.items()}
"""Documented on every route (FastAPI(responses=…)), so the schema lists every answer it gives; JSON
even on the routes whose success is a page or a file."""


def file_response(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route whose success is a file, not JSON."""
    return {200: {"description": description, "content": {media_type: {}}}}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str = "",
                 details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.details = details or {}
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, field: str = "",
                   details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.field, exc.details,
                              exc.headers)

    @app.exception_handler(RuleViolation)
    async def _rule(_: Request, exc: RuleViolation) -> JSONResponse:
        return error_response(422, exc.code, exc.message, exc.field)

    @app.exception_handler(ActionRefused)
    async def _refused(_: Request, exc: ActionRefused) -> JSONResponse:
        return error_response(exc.http_status, exc.code, exc.message, exc.field, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        field = _field(first.get("loc", ()))
        message = f"{field or 'request'}: {first.get('msg', 'invalid')}"
        return error_response(422, f"invalid.{first.get('type', 'value')}", message, field,
                              {"errors": [_plain(e) for e in exc.errors()]})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "body.unreadable", 401: "auth.missing_key", 404: "not_found",
                405: "method_not_allowed"}.get(
            exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))


_UNION_MEMBER_TAGS = frozenset({"int", "str", "bool", "float", "decimal", "date", "datetime", "none"})


def _field(loc: Any) -> str:
    """The field a validation error names: without where it came from (body, query, …) and without
    the union member pydantic tried (`grade.int` is the field `grade`)."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header")]
    return ".".join(p for p in parts if p not in _UNION_MEMBER_TAGS and "[" not in p
                    and not p.startswith(("function-", "constrained-")))


def _plain(error: Any) -> dict[str, Any]:
    return {"loc": [str(p) for p in error.get("loc", ())], "msg": error.get("msg", ""),
            "type": error.get("type", "")}
