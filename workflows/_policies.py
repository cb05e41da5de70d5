"""The one place where activity timeouts and retry policies are chosen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy

_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=["InvalidInput", "PermanentFailure"],
)

DB_ACTIVITY: dict[str, Any] = {"start_to_close_timeout": timedelta(seconds=30), "retry_policy": _RETRY}
NOTIFY_ACTIVITY: dict[str, Any] = {"start_to_close_timeout": timedelta(seconds=60), "retry_policy": _RETRY}
GATEWAY_ACTIVITY: dict[str, Any] = {"start_to_close_timeout": timedelta(minutes=2), "retry_policy": _RETRY}

# A send is never retried blindly: the activity itself refuses to send twice for one key. After
# about 15 minutes of a provider being down the attempt counts as failed and the notice falls back.
SEND_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(minutes=2),
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                                maximum_interval=timedelta(minutes=5), maximum_attempts=10,
                                non_retryable_error_types=["InvalidInput", "PermanentFailure"]),
}
