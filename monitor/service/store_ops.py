"""The store queries and updates behind the scheduler: due watches, spreading, cron times, recovery.

Functions that take a session and return data (or apply one update); the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from alerts.outbox import enqueue_run_alerts
from models import CrawlRun, Watch
from models.crawl import Observation
from monitor.crawl.claims import release, run_owner, unclaimed
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


@dataclass(frozen=True)
class Recovered:
    run_id: int
    observations: int
    alerts_queued: int


def recover_interrupted_runs(
    session: Session,
    watchlist,  # noqa: ANN001
    now: datetime,
    trigger: str = "serve",
    run_ids: set[int] | None = None,
) -> list[Recovered]:
    """Runs of a service (or, `trigger="worker"`, of the crawl workers `run_ids`) that died mid-crawl:
    queue their stored changes' alerts, close them.

    Observations and their changes were committed batch by batch; the alerts of those changes are
    queued here (`enqueue_run_alerts` skips what was already queued), so a kill never loses an alert.
    """
    out = []
    query = select(CrawlRun).where(CrawlRun.status == "running", CrawlRun.trigger == trigger)
    if run_ids is not None:
        query = query.where(CrawlRun.id.in_(run_ids))
    runs = session.scalars(query).all()
    for run in runs:
        queued = 0
        if watchlist.channels and watchlist.rules:

            queued = enqueue_run_alerts(session, run.id, watchlist, now=now)
        counts = dict(
            session.execute(
                select(Observation.status, func.count())
                .where(Observation.run_id == run.id)
                .group_by(Observation.status)
            ).all()
        )
        run.ok, run.failed = counts.get("ok", 0), counts.get("failed", 0)
        run.status, run.finished_at = "interrupted", now
        release(session, run_owner(run.id))  # its holder is dead: what it did not check is due again
        out.append(Recovered(run.id, run.ok + run.failed, queued))
    return out


def mark_run(session: Session, run_id: int, status: str) -> None:
    session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(status=status))
