"""Queries behind `rivalwatch status`: per-watch state and overall health. Functions that return data."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import redis
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import AlertDelivery, Competitor, CrawlRun, ProductState, Watch
from models.listing import ListingSnapshot
from models.rank import DomainRank, RankCheck
from monitor.scale.connect import QUEUE_ENV, queue_config
from monitor.scale.members import Member, Members
from monitor.scale.queue import WatchQueue
from monitor.service.state import read_state, state_path


@dataclass(frozen=True)
class WatchRow:
    watch_id: int
    competitor: str
    label: str
    last_checked_at: datetime | None
    next_due_at: datetime | None
    value: str | None
    last_error: str | None
    failures: int
    last_good_at: datetime | None = None
    paused: bool = False
    muted_until: datetime | None = None


@dataclass(frozen=True)
class Health:
    watches: int
    failing: int
    due: int
    last_run_at: datetime | None
    pending: int
    failed_alerts: int
    sent: int
    paused: int = 0
    muted: int = 0


def _latest(model, ids_of_kind, *where):  # noqa: ANN001, ANN202
    """The newest row of `model` per watch (by id: rows are written in time order)."""
    return (
        select(func.max(model.id)).where(model.watch_id.in_(ids_of_kind), *where).group_by(model.watch_id)
    ).scalar_subquery()


def _money(price: Decimal | None, currency: str | None) -> str:
    return f"{price.normalize():f} {currency or ''}".strip() if price is not None else "no price"


def last_good_values(session: Session) -> dict[int, str]:
    """Each active watch's last good value as one short text: a product's price and stock, a
    listing's item count, a keyword's ranks. Columns only, one query per kind, no ORM objects."""

    def active_of(kind: str):  # noqa: ANN202
        return select(Watch.id).where(Watch.active.is_(True), Watch.kind == kind)

    values: dict[int, str] = {}
    rows = session.execute(
        select(
            ProductState.watch_id, ProductState.price, ProductState.currency, ProductState.availability
        ).where(ProductState.id.in_(_latest(ProductState, active_of("product"))))
    )
    for watch_id, price, currency, availability in rows:
        values[watch_id] = f"{_money(price, currency)} · {availability or '?'}"
    rows = session.execute(
        select(ListingSnapshot.watch_id, ListingSnapshot.item_count, ListingSnapshot.pages_fetched).where(
            ListingSnapshot.id.in_(_latest(ListingSnapshot, active_of("listing")))
        )
    )
    for watch_id, items, pages in rows:
        values[watch_id] = f"{items} items" + (f" on {pages} pages" if pages and pages > 1 else "")
    ranks: dict[int, list[str]] = {}
    rows = session.execute(
        select(DomainRank.watch_id, DomainRank.domain, DomainRank.rank)
        .where(DomainRank.check_id.in_(_latest(RankCheck, active_of("keyword"), RankCheck.status == "ok")))
        .order_by(DomainRank.watch_id, DomainRank.id)
    )
    for watch_id, domain, rank in rows:
        ranks.setdefault(watch_id, []).append(f"{domain} #{rank}" if rank is not None else f"{domain} -")
    for watch_id, texts in ranks.items():
        values[watch_id] = ", ".join(texts[:3]) + (f" (+{len(texts) - 3})" if len(texts) > 3 else "")
    return values


def watch_rows(session: Session) -> list[WatchRow]:
    names = dict(session.execute(select(Competitor.id, Competitor.name)).all())
    values = last_good_values(session)
    query = (
        select(
            Watch.id,
            Watch.competitor_id,
            Watch.label,
            Watch.url,
            Watch.last_checked_at,
            Watch.next_due_at,
            Watch.last_error,
            Watch.consecutive_failures,
            Watch.last_good_at,
            Watch.paused,
            Watch.muted_until,
        )
        .where(Watch.active.is_(True))
        .order_by(Watch.competitor_id, Watch.id)
    )
    return [
        WatchRow(
            i,
            names.get(comp or 0, "-"),
            label or url,
            checked,
            due,
            values.get(i),
            error,
            failures,
            last_good_at=good,
            paused=paused,
            muted_until=muted_until,
        )
        for i, comp, label, url, checked, due, error, failures, good, paused, muted_until in session.execute(query)
    ]


def health(session: Session, now: datetime) -> Health:
    active = Watch.active.is_(True)
    count = lambda q: session.scalar(q) or 0  # noqa: E731
    outbox = dict(
        session.execute(select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)).all()
    )
    return Health(
        watches=count(select(func.count()).select_from(Watch).where(active)),
        failing=count(select(func.count()).select_from(Watch).where(active, Watch.last_error.is_not(None))),
        due=count(
            select(func.count())
            .select_from(Watch)
            .where(active, Watch.paused.is_(False), or_(Watch.next_due_at.is_(None), Watch.next_due_at <= now))
        ),
        paused=count(select(func.count()).select_from(Watch).where(active, Watch.paused.is_(True))),
        muted=count(
            select(func.count()).select_from(Watch).where(active, Watch.muted_until.is_not(None), Watch.muted_until > now)
        ),
        last_run_at=session.scalar(select(func.max(CrawlRun.started_at))),
        pending=outbox.get("pending", 0) + outbox.get("sending", 0),
        failed_alerts=outbox.get("failed", 0),
        sent=outbox.get("sent", 0),
    )


# ---- the running service (`rivalwatch serve`) ----------------------------------------------------


@dataclass(frozen=True)
class ServiceHealth:
    """What `status` says about the service: running or not, its queue, failures and next runs."""

    running: bool
    pid: int | None
    heartbeat_age: float | None
    queue_depth: int  # due now and not yet crawled
    in_flight: int
    outbox: dict[str, int]
    failing: list[tuple[str, str, int, datetime | None]]  # label, why, failures in a row, last good
    next_runs: list[tuple[str, datetime | None]]  # label, when
    lag_p50: float = 0.0
    lag_p95: float = 0.0
    last_reload_error: str | None = None


def service_health(
    session: Session, now: datetime, database_url: str | None, limit: int = 10
) -> ServiceHealth:

    state = read_state(state_path(database_url))
    alive = state is not None and state.alive(now)
    active = Watch.active.is_(True)
    due = session.scalar(
        select(func.count())
        .select_from(Watch)
        .where(active, Watch.paused.is_(False), or_(Watch.next_due_at.is_(None), Watch.next_due_at <= now))
    )
    in_flight = state.in_flight if alive and state else 0
    failing = [
        (w.label or w.url, w.last_error or "", w.consecutive_failures, w.last_good_at)
        for w in session.scalars(
            select(Watch)
            .where(active, Watch.last_error.is_not(None))
            .order_by(Watch.consecutive_failures.desc(), Watch.id)
            .limit(limit)
        )
    ]
    next_runs = [
        (label or url, when)
        for label, url, when in session.execute(
            select(Watch.label, Watch.url, Watch.next_due_at)
            .where(active, Watch.next_due_at.is_not(None), Watch.next_due_at > now)
            .order_by(Watch.next_due_at)
            .limit(limit)
        )
    ]
    outbox = dict(
        session.execute(select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)).all()
    )
    return ServiceHealth(
        running=alive,
        pid=state.pid if state else None,
        heartbeat_age=state.heartbeat_age(now) if state else None,
        queue_depth=max(0, (due or 0) - in_flight),
        in_flight=in_flight,
        outbox=outbox,
        failing=failing,
        next_runs=next_runs,
        lag_p50=state.lag_p50 if alive and state else 0.0,
        lag_p95=state.lag_p95 if alive and state else 0.0,
        last_reload_error=state.last_reload_error if alive and state else None,
    )


def service_lines(h: ServiceHealth, now: datetime) -> list[str]:
    """Plain lines for the status command (no markup)."""
    if h.running:
        head = (
            f"service: running (pid {h.pid}, heartbeat {h.heartbeat_age:.0f}s ago); queue {h.queue_depth} due, "
            f"{h.in_flight} in flight; schedule lag p50 {h.lag_p50:.1f}s p95 {h.lag_p95:.1f}s"
        )
    else:
        head = f"service: not running; {h.queue_depth} watches due"
    lines = [head]
    if h.last_reload_error:
        lines.append(f"  last reload refused: {h.last_reload_error}")
    pending = h.outbox.get("pending", 0) + h.outbox.get("sending", 0)
    lines.append(f"outbox backlog: {pending} pending, {h.outbox.get('failed', 0)} failed")
    for label, why, failures, last_good in h.failing:
        good = f"last good {last_good:%Y-%m-%d %H:%M} UTC" if last_good else "never good"
        lines.append(f"  failing: {label}: {why} ({failures}x; {good})")
    for label, when in h.next_runs:
        wait = f"in {max(0, (when - now).total_seconds()):.0f}s" if when else "now (never checked)"
        lines.append(f"  next: {label} {wait}")
    return lines


# ---- a scaled-out deployment (`serve --role ...`, RIVALWATCH_QUEUE_URL) --------------------------


@dataclass(frozen=True)
class ClusterHealth:
    """Every scheduler, worker and dispatcher beating in Redis, and the queue of due watches."""

    members: list[Member]
    depth: int  # jobs waiting or being worked on
    lag: float  # seconds the oldest job has waited
    error: str | None = None  # Redis could not be asked


def cluster_health(queue_url: str | None = None) -> ClusterHealth | None:
    """None when no queue is configured (a single-process service)."""
    if not (queue_url or os.environ.get(QUEUE_ENV)):
        return None
    cfg = queue_config(queue_url, role="status")
    client = cfg.client()
    try:
        queue = WatchQueue(client, cfg.prefix)
        return ClusterHealth(Members(client, cfg.prefix).all(), queue.depth(), queue.lag())
    except redis.RedisError as exc:
        return ClusterHealth([], 0, 0.0, f"{type(exc).__name__}: {exc}")
    finally:
        client.close()


def cluster_lines(c: ClusterHealth, now: datetime) -> list[str]:
    if c.error:
        return [f"queue: unreachable ({c.error})"]
    lines = [
        f"queue: {c.depth} jobs waiting or in progress; oldest {c.lag:.1f}s old; {len(c.members)} members"
    ]
    for m in c.members:
        run = f" (run {m.run_id})" if m.run_id else ""
        lines.append(
            f"  {m.role} {m.host} pid {m.pid}: heartbeat {m.heartbeat_age(now):.0f}s ago, {m.doing}{run}; "
            f"{m.done} done since {m.started_at}"
        )
    return lines
