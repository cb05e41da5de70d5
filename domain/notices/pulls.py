"""When to ask a provider again for the reports it keeps (DingTalk read status, Aliyun delivery):
soon after the send, then less often, at most hourly, until the attempt is final or the notice
closes. A notice open three days costs about 80 pulls."""

from __future__ import annotations

from datetime import timedelta

FIRST_PULL = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)


def pull_wait(pulls_done: int) -> timedelta:
    """The wait before the next pull: 1, 2, 4 … minutes, then every hour."""
    return min(FIRST_PULL * (1 << min(pulls_done, 10)), LONGEST_WAIT)
