"""How a domain refusal leaves a workflow's Update validator: the error the API maps to 422/409/403."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.shared.errors import ActionRefused, RuleViolation


def refusal(exc: Exception) -> ApplicationError:
    """RuleViolation → InvalidInput (422); ActionRefused → Conflict (409) or Forbidden (403)."""
    if isinstance(exc, RuleViolation):
        return ApplicationError(exc.message, exc.as_dict(), type="InvalidInput", non_retryable=True)
    assert isinstance(exc, ActionRefused)
    kind = "Forbidden" if exc.http_status == 403 else "Conflict"
    details = {"code": exc.code, "message": exc.message, "field": exc.field, **exc.details}
    return ApplicationError(exc.message, details, type=kind, non_retryable=True)
