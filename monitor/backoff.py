"""When to try again: one backoff policy for failing watches and failing alert channels.

A failure is retried after `first` seconds, doubling with each failure in a row, never later than
`cap` (a failing watch is never checked less often than its interval; a failing channel never waits
longer than its `retry_max_delay`). A server that says when to come back (`Retry-After`) is believed,
within the cap. Scheduled times get a ±5 % jitter so watches that started together drift apart.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_DOUBLINGS = 8  # 2**8: from 5 minutes to about 21 hours before the cap applies
JITTER = 0.05


def backoff_delay(first: float, failures: int, cap: float) -> float:
    """Seconds to wait after the `failures`-th failure in a row (1 = the first failure)."""
    return min(cap, first * 2 ** min(max(failures, 1) - 1, MAX_DOUBLINGS))


def next_check_at(
    fetched_at: datetime,
    interval: float,
    *,
    failures: int = 0,
    retry_first: float = 300.0,
    retry_after: float | None = None,
    jitter: float = JITTER,
) -> datetime:
    """When a watch is due again: after its interval when it is healthy (`failures` 0), else after
    the backoff (or the server's `Retry-After`), never later than the interval."""
    seconds = interval
    if failures > 0:
        seconds = backoff_delay(retry_first, failures, interval)
        if retry_after is not None:
            seconds = min(interval, max(seconds, retry_after))
    return fetched_at + timedelta(seconds=seconds * (1 + random.uniform(-jitter, jitter)))
