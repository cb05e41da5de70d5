"""The one place where activity timeouts and retry policies are chosen.

Every policy is bounded (issue 13): an activity that cannot succeed gives up, and the workflow turns
the give-up into an HR task and an evidence event instead of waiting on it for ever. Failures that
cannot heal (bad input, a missing font, a NUL character) are raised non-retryable by the activities
and give up at once. Changing these numbers is replay-safe: an activity's retry policy and timeouts
are not compared on replay (only its type and id), and an activity already scheduled keeps the
policy it was scheduled with.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

NON_RETRYABLE = ["InvalidInput", "PermanentFailure"]

# What an activity that gave up raises in the workflow: a regular activity's last failure comes
# wrapped in an ActivityError, a local activity's as its own ApplicationError (temporalio 1.35,
# after its retries are spent as after a non-retryable error). Catch both where a give-up is handled.
GAVE_UP = (ActivityError, ApplicationError)

# The database and the document store: 1 s, doubling to at most 1 min between attempts, at most 30
# attempts and 1 hour in all (a restart or a failover heals well within it).
DB_GIVES_UP_AFTER = timedelta(hours=1)
_DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                        maximum_interval=timedelta(minutes=1), maximum_attempts=30,
                        non_retryable_error_types=NON_RETRYABLE)

# Outside systems (authority, hospital, SI bureau, courier): 1 s, doubling to at most 5 min, at most
# 25 attempts and 2 hours in all; then HR does it by hand.
GATEWAY_GIVES_UP_AFTER = timedelta(hours=2)
_GATEWAY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                             maximum_interval=timedelta(minutes=5), maximum_attempts=25,
                             non_retryable_error_types=NON_RETRYABLE)

DB_ACTIVITY: dict[str, Any] = {"start_to_close_timeout": timedelta(seconds=30),
                               "schedule_to_close_timeout": DB_GIVES_UP_AFTER,
                               "retry_policy": _DB_RETRY}
# A message's notices, started by dispatch_notices: in a burst of alarms it may wait its turn in
# the dispatch queue for minutes (the hour counts it), or in a worker, heartbeating; a lost one is
# retried after 30 s.
DISPATCH_ACTIVITY: dict[str, Any] = {"start_to_close_timeout": timedelta(minutes=15),
                                     "heartbeat_timeout": timedelta(seconds=30),
                                     "schedule_to_close_timeout": DB_GIVES_UP_AFTER,
                                     "retry_policy": _DB_RETRY}
NOTIFY_ACTIVITY: dict[str, Any] = {"start_to_close_timeout": timedelta(seconds=60),
                                   "schedule_to_close_timeout": DB_GIVES_UP_AFTER,
                                   "retry_policy": _DB_RETRY}
GATEWAY_ACTIVITY: dict[str, Any] = {"start_to_close_timeout": timedelta(minutes=2),
                                    "schedule_to_close_timeout": GATEWAY_GIVES_UP_AFTER,
                                    "retry_policy": _GATEWAY_RETRY}

# A send is never retried blindly: the activity itself refuses to send twice for one key. After
# about 15 minutes of a provider being down the attempt counts as failed and the notice falls back.
SEND_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(minutes=2),
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                                maximum_interval=timedelta(minutes=5), maximum_attempts=10,
                                non_retryable_error_types=NON_RETRYABLE),
}

# A pull of a provider's reports (DingTalk read status, Aliyun delivery): a few tries, then the
# next scheduled pull asks again.
PULL_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(minutes=1),
    "schedule_to_close_timeout": timedelta(minutes=10),
    "retry_policy": RetryPolicy(initial_interval=timedelta(seconds=5), backoff_coefficient=2.0,
                                maximum_interval=timedelta(minutes=2), maximum_attempts=5,
                                non_retryable_error_types=NON_RETRYABLE),
}

# Reminders and escalations reach people of the directory (the owner, HR managers, the
# department's managers) on their channels; a role nobody reachable holds is an admin task.
DIRECTORY_PATCH = "2026-12-directory-recipients"
# A notice to the employee goes on the channels of the employee record, in its order, and carries
# the employee's id, not their phone or email (the activities read those from the record).
EMPLOYEE_CHANNELS_PATCH = "2026-12-employee-channels"
# An informational message (a reminder, an escalation) is routed and its notices started by one
# activity (DirectoryActivities.dispatch_notices), not a routing activity and then a child workflow
# per recipient, whose start and end each cost the asker a workflow task (cases since session 28,
# onboardings since session 29; each workflow type records it in its own history).
NOTICES_DISPATCHED_PATCH = "2026-12-notices-dispatched"
# A record's opening event is emitted in its first task's __init__, not in run: an update that
# came with the start runs its handler before run does, and would be recorded before the opening.
OPENS_FIRST_PATCH = "2026-12-opened-in-first-task"
