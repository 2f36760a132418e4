"""The store queries and updates behind the scheduler: due watches, spreading, cron times, recovery
(`monitor.crawl.recovery`, shared with `run`).

Functions that take a session and return data (or apply one update); the caller owns the transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from models import CrawlRun, Watch
from monitor.crawl.claims import unclaimed
from monitor.crawl.recovery import Recovered, recover_interrupted_runs  # noqa: F401  (the service's names for them)
from monitor.service.schedule import DueWatch, next_cron_due, spread_overdue, stable_fraction

INTERVAL_SLACK = 1.06  # the sink's jitter is +-5 %: a due time beyond 106 % of the interval is stale


def _due_clause(now: datetime):  # noqa: ANN202
    # A watch another crawl holds (another `run`, a worker) is not due here until it lets go; a paused one never.
    return (
        Watch.active.is_(True),
        Watch.paused.is_(False),
        or_(Watch.next_due_at.is_(None), Watch.next_due_at <= now),
        unclaimed(now),
    )


def due_now(session: Session, now: datetime, limit: int) -> list[DueWatch]:
    """Watches due at `now`, oldest debt first (never checked first), at most `limit`."""
    rows = session.execute(
        select(Watch.id, Watch.url, Watch.next_due_at, Watch.interval_s)
        .where(*_due_clause(now))
        .order_by(Watch.next_due_at.is_not(None), Watch.next_due_at, Watch.id)
        .limit(limit)
    ).all()
    return [DueWatch(i, u, d, s) for i, u, d, s in rows]


def count_due(session: Session, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Watch).where(*_due_clause(now))) or 0


def spread_due(session: Session, now: datetime, rate: float) -> int:
    """Spread every watch due now so at most `rate` start per second (see schedule.spread_overdue)."""
    overdue = due_now(session, now, limit=10**9)
    slots = spread_overdue(overdue, now, rate)
    if slots:
        session.execute(update(Watch), [{"id": i, "next_due_at": t} for i, t in slots.items()])
    return len(slots)


def reconcile_schedules(
    session: Session, timezone: str, now: datetime, watch_ids: set[int] | None = None
) -> int:
    """Bring due times in line with each watch's schedule; returns how many moved.

    Cron watches: the next fire time after the last check (a failing one keeps the sink's sooner retry).
    Interval watches: a due time further out than the (possibly shortened) interval is pulled in.
    """
    query = select(Watch).where(Watch.active.is_(True), Watch.last_checked_at.is_not(None))
    if watch_ids is not None:
        query = query.where(Watch.id.in_(watch_ids))
    moved = []
    for w in session.scalars(query):
        checked = w.last_checked_at
        if checked is None:  # excluded by the query; here for the type checker
            continue
        if w.cron:
            want = next_cron_due(w.cron, timezone, checked, w.id)
            if w.last_error and w.next_due_at is not None and w.next_due_at < want:
                continue
        elif w.interval_s:
            latest = checked + timedelta(seconds=w.interval_s * INTERVAL_SLACK)
            if w.next_due_at is None or w.next_due_at <= latest:
                continue
            jitter = 1 + (stable_fraction(w.id) - 0.5) * 0.1
            want = checked + timedelta(seconds=w.interval_s * jitter)
        else:
            continue
        if w.next_due_at is None or abs((w.next_due_at - want).total_seconds()) > 1:
            moved.append({"id": w.id, "next_due_at": want})
    if moved:
        session.execute(update(Watch), moved)
    return len(moved)


def mark_run(session: Session, run_id: int, status: str) -> None:
    session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(status=status))
