"""When each watch runs: cron next-fire times, jitter, spreading overdue work, and picking a batch. Pure.

The sink already moves an interval watch's `next_due_at` forward after each check (its interval with
+-5 % jitter, or a backoff after a failure); the service owns three more decisions, all here:

- cron watches: the next fire time of the expression after the last check, in the watchlist's time zone,
  plus a small jitter that is stable per watch (so 2,000 watches on "0 9 * * *" do not all start at 09:00:00);
- overdue work after a restart (or a first start, or a reload adding watches) is spread: at most
  `rate` watches become due per second, oldest debt first, so nothing fires all at once;
- a batch takes due watches that are not in flight and whose domain is not being crawled by another
  batch, so Scrapy's per-domain cap (settings.concurrency_per_domain) holds across the whole service.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from apscheduler.triggers.cron import CronTrigger

from monitor.config.cron import CronError, parse_cron

CRON_JITTER_FRACTION = 0.02  # of the gap between two fire times
CRON_JITTER_MAX = 60.0  # seconds


class ScheduleError(ValueError):
    """A schedule in the watchlist cannot be used (the message names the watch and the reason)."""


def cron_trigger(expr: str, timezone: str) -> CronTrigger:
    """APScheduler's CronTrigger for a crontab line (5 fields: minute hour day month day-of-week).

    Parsed by `monitor.config.cron`, the same code the watchlist loader validates with."""
    try:
        return parse_cron(expr, timezone)
    except CronError as exc:
        raise ScheduleError(str(exc)) from None


def stable_fraction(watch_id: int) -> float:
    """A number in [0, 1) fixed for a watch: its place in any spread, the same after every restart."""
    digest = hashlib.blake2b(str(watch_id).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def next_cron_due(expr: str, timezone: str, after: datetime, watch_id: int) -> datetime:
    """The first fire time strictly after `after`, plus the watch's stable jitter (aware UTC)."""
    trigger = cron_trigger(expr, timezone)
    fire = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    if fire is None:
        raise ScheduleError(f"cron expression {expr!r} never fires again")
    following = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    gap = (following - fire).total_seconds() if following else 3600.0
    jitter = min(CRON_JITTER_MAX, gap * CRON_JITTER_FRACTION) * stable_fraction(watch_id)
    return (fire + timedelta(seconds=jitter)).astimezone(after.tzinfo)


def validate_crons(crons: Iterable[tuple[str, str]], timezone: str) -> list[str]:
    """Problems with the (label, expression) pairs given; empty when all of them are usable."""
    problems = []
    for label, expr in crons:
        try:
            cron_trigger(expr, timezone)
        except ScheduleError as exc:
            problems.append(f"{label}: {exc}")
    return problems


@dataclass(frozen=True)
class DueWatch:
    """What the scheduler needs to know about one due watch (read with one light query)."""

    watch_id: int
    url: str
    due_at: datetime | None  # None: never checked
    interval_s: float | None = None


def spread_overdue(
    overdue: list[DueWatch], now: datetime, rate: float, floor: datetime | None = None
) -> dict[int, datetime]:
    """New due times for overdue watches so that at most `rate` per second start from `now` (or `floor`).

    Oldest debt first (never-checked watches count as the oldest), ties broken by the watch's stable
    fraction. No watch is pushed later than half its interval. Watches whose slot is now keep their time.
    """
    if rate <= 0 or not overdue:
        return {}
    start = max(now, floor) if floor is not None else now
    ordered = sorted(
        overdue,
        key=lambda w: (w.due_at is not None, w.due_at or now, stable_fraction(w.watch_id)),
    )
    out: dict[int, datetime] = {}
    for rank, w in enumerate(ordered):
        offset = rank / rate
        if w.interval_s:
            offset = min(offset, w.interval_s / 2)
        slot = start + timedelta(seconds=offset)
        if slot > now:
            out[w.watch_id] = slot
    return out


def domain_of(url: str) -> str:
    """The netloc a crawl's per-domain cap applies to (Scrapy keys its slots by hostname)."""
    return (urlsplit(url).hostname or "").lower()


def pick_batch(
    due: list[DueWatch], in_flight: set[int], busy_domains: set[str], limit: int
) -> tuple[list[int], set[str]]:
    """Watch ids for the next crawl: due, not in flight, of a domain no running crawl holds; up to `limit`.

    Oldest due first. A domain is taken whole by one crawl at a time, so Scrapy's per-domain concurrency
    cap inside that crawl is the cap for the whole service.
    """
    ids: list[int] = []
    domains: set[str] = set()
    for w in sorted(due, key=lambda w: (w.due_at is not None, w.due_at or datetime.min, w.watch_id)):
        if len(ids) >= limit:
            break
        if w.watch_id in in_flight:
            continue
        domain = domain_of(w.url)
        if domain in busy_domains:
            continue
        ids.append(w.watch_id)
        domains.add(domain)
    return ids, domains


def lag_percentiles(lags: list[float]) -> dict[str, float]:
    """p50, p95 and max of a list of seconds (0s when empty)."""
    if not lags:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    s = sorted(lags)

    def pct(p: float) -> float:
        return s[min(len(s) - 1, int(round(p * (len(s) - 1))))]

    return {"p50": pct(0.5), "p95": pct(0.95), "max": s[-1]}
