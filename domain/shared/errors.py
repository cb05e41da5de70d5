"""One error type for every broken rule, so the API can answer with one JSON shape."""

from __future__ import annotations

from typing import Any


class RuleViolation(ValueError):
    """Input that breaks a rule: names the field, the rule (a stable code) and says why."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "field": self.field}


class ActionRefused(Exception):
    """An HR action that is well-formed but not allowed now (409) or not by this person (403)."""

    http_status = 409

    def __init__(self, code: str, message: str, field: str = "",
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.details = details or {}


class Forbidden(ActionRefused):
    http_status = 403
