"""The weekly report on the service's schedule, once the report feature (monitor/report/) provides it.

The hook contract, for the report module to fulfil: a callable importable as
`monitor.report.service:run_scheduled(watchlist, session_factory, now) -> object` that builds and sends
the report of the period ending at `now`. When it is not importable the service runs without reports
and says so once in its log. The schedule comes from the watchlist's `report:` section (`day`, `time`,
`timezone`, `enabled`; monitor/config/report_settings.py), else Mondays 08:00 in `settings.timezone`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from monitor.service.schedule import cron_trigger

DEFAULT_CRON = "0 8 * * mon"
HOOK = "monitor.report.service:run_scheduled"

ReportHook = Callable[[Any, Any, datetime], object]


def find_report_hook(spec: str = HOOK) -> ReportHook | None:
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    hook = getattr(module, attr, None)
    return hook if callable(hook) else None


def report_schedule(watchlist: Any) -> tuple[str, str] | None:
    """(cron expression, time zone) of the weekly report for this watchlist; None when disabled."""
    section = getattr(watchlist, "report", None)
    if section is not None and not getattr(section, "enabled", True):
        return None
    tz = getattr(section, "timezone", None) or watchlist.settings.timezone
    day, at = getattr(section, "day", None), getattr(section, "time", None)
    if day and at is not None:
        return f"{at.minute} {at.hour} * * {day}", tz
    return DEFAULT_CRON, tz


def report_due(watchlist: Any, last_run: datetime | None, now: datetime) -> bool:
    """True when a fire time of the report schedule lies in (last_run, now]; never on a first start."""
    schedule = report_schedule(watchlist)
    if last_run is None or schedule is None:
        return False
    expr, tz = schedule
    fire = cron_trigger(expr, tz).get_next_fire_time(None, last_run + timedelta(seconds=1))
    return fire is not None and last_run < fire <= now
