"""Cron expressions as users write them (`cron: "0 8,20 * * *"`), parsed once, the way the service runs them.

APScheduler's `CronTrigger.from_crontab` reads the five fields (minute hour day month day-of-week).
The watchlist refuses what it refuses (`0 25 * * *`) and expressions that never fire (`0 0 31 2 *`),
so `check` and the loader reject what the service's scheduler would otherwise trip over later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from apscheduler.triggers.cron import CronTrigger


class CronError(ValueError):
    """A cron expression that cannot be scheduled; the message says why."""


@lru_cache(maxsize=512)
def parse_cron(expr: str, timezone: str = "UTC") -> CronTrigger:
    """The trigger for a crontab line in a time zone, or CronError with APScheduler's reason."""
    try:
        return CronTrigger.from_crontab(expr, timezone=timezone)
    except (ValueError, KeyError) as exc:
        raise CronError(f"not a cron expression: {expr!r} ({exc})") from None


@lru_cache(maxsize=512)
def _fires(expr: str) -> bool:
    # Asking for the next fire time costs APScheduler a search of the calendar (a fraction of a
    # second for `0 0 31 2 *`), so each distinct expression is asked once per process.
    return parse_cron(expr).get_next_fire_time(None, datetime.now(UTC)) is not None


def check_cron(expr: str) -> str:
    """A usable crontab line (five fields that APScheduler accepts, firing at least once more)."""
    parse_cron(expr)
    if not _fires(expr):
        raise CronError(f"cron expression {expr!r} never fires (no such date)")
    return expr


def check_schedule_cron(expr: str | None, interval: object) -> str | None:
    """A watch's (or keyword group's) `cron:`, checked; refused beside an `interval:` (one schedule each)."""
    if expr is None:
        return None
    if interval is not None:
        raise ValueError("give either interval or cron, not both")
    return check_cron(expr)
