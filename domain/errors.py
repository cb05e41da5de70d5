"""One error type for every broken rule, so the API can answer with one JSON shape."""

from __future__ import annotations


class RuleViolation(ValueError):
    """Input that breaks a rule: names the field, the rule (a stable code) and says why."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "field": self.field}
