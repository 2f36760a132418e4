"""One monitoring cycle: sync the watchlist, crawl what is due, store, detect, alert. The `run` command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import Change, CrawlRun
from monitor.config import Watchlist
from monitor.jobs import due_watches
from monitor.sink import ObservationSink, SinkStats, utc_now
from monitor.sync import sync_watchlist
from monitor.watch_kinds import KINDS, CycleContext, KindCrawl
from spiders.engine import CrawlEngine, CrawlSpec
from spiders.fetch import FetchJob


@dataclass
class RunSummary:
    run_id: int
    due: int
    stats: SinkStats
    changes: list[Change] = field(default_factory=list)
    alerts_queued: int = 0
    alerts_sent: int = 0
    alerts_failed: int = 0
    alert_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    by_kind: dict[str, SinkStats] = field(default_factory=dict)


def open_cycle(
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    *,
    force: bool = False,
    trigger: str = "run",
    clock: Callable[[], datetime] = utc_now,
    kinds: set[str] | None = None,
    watch_ids: set[int] | None = None,
    on_outcome: Callable[[object], None] | None = None,
) -> tuple[int, list[KindCrawl]]:
    """Sync the watchlist, open a crawl run and prepare each kind's crawl of its due watches."""
    now = clock()
    with session_factory.begin() as session:
        sync_watchlist(session, watchlist)
        watches = due_watches(session, now, force=force)
        if watch_ids is not None:
            watches = [w for w in watches if w.id in watch_ids]
        if kinds is not None:
            watches = [w for w in watches if w.kind in kinds]
        run = CrawlRun(started_at=now, trigger=trigger, watches_due=len(watches))
        session.add(run)
        session.flush()
        ctx = CycleContext(watchlist, session_factory, run.id, clock, on_outcome)
        crawls = []
        for name, kind in KINDS.items():
            mine = [w for w in watches if w.kind == name]
            if mine:
                crawls.append(kind.prepare(ctx, session, mine))
        return run.id, crawls


def prepare_sink(
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    *,
    force: bool = False,
    trigger: str = "run",
    clock: Callable[[], datetime] = utc_now,
) -> tuple[list[FetchJob], ObservationSink]:
    """The product kind's jobs and sink for one cycle, without crawling (tests, `scrapy crawl products`)."""
    run_id, crawls = open_cycle(
        watchlist, session_factory, force=force, trigger=trigger, clock=clock, kinds={"product"}
    )
    if not crawls:
        from monitor.sink import ObservationSink as Sink

        return [], Sink(session_factory, run_id, {}, {}, {}, lambda *a, **k: None, clock=clock)
    crawl = crawls[0]
    return crawl.spider_kwargs["jobs"], crawl.sink


def run_cycle(
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    *,
    engine: CrawlEngine | None = None,
    force: bool = False,
    clock: Callable[[], datetime] = utc_now,
    send_alerts: bool = True,
    trigger: str = "run",
    on_start: Callable[[int], None] | None = None,
    on_outcome: Callable[[object], None] | None = None,
    kinds: set[str] | None = None,
    watch_ids: set[int] | None = None,
) -> RunSummary:
    started = datetime.now(UTC)
    run_id, crawls = open_cycle(
        watchlist,
        session_factory,
        force=force,
        trigger=trigger,
        clock=clock,
        kinds=kinds,
        watch_ids=watch_ids,
        on_outcome=on_outcome,
    )
    if on_start is not None:
        on_start(sum(c.jobs for c in crawls))
    if crawls:
        (engine or CrawlEngine()).crawl_many(
            [CrawlSpec(c.spider_cls, c.settings, c.spider_kwargs) for c in crawls]
        )
    total = SinkStats()
    summary = RunSummary(run_id=run_id, due=sum(c.jobs for c in crawls), stats=total)
    for c in crawls:
        c.sink.flush()
        s = c.sink.stats
        summary.by_kind[c.kind] = s
        total.ok += s.ok
        total.failed += s.failed
        total.unchanged += s.unchanged
        total.changes += s.changes
        total.outcomes.extend(s.outcomes)
    with session_factory.begin() as session:
        run = session.get(CrawlRun, run_id)
        run.finished_at = clock()
        run.status = "done"
        run.ok, run.failed, run.changes = total.ok, total.failed, total.changes
        summary.changes = list(
            session.scalars(select(Change).where(Change.run_id == run_id).order_by(Change.id))
        )
        if send_alerts and watchlist.channels:
            from alerts.outbox import enqueue_run_alerts

            summary.alerts_queued = enqueue_run_alerts(session, run_id, watchlist, now=clock())
    if send_alerts and watchlist.channels:
        from alerts.dispatcher import dispatch_pending

        report = dispatch_pending(session_factory, watchlist, now=clock())
        summary.alerts_sent = getattr(report, "sent", 0)
        summary.alerts_failed = getattr(report, "failed", 0)
        summary.alert_errors = list(getattr(report, "errors", []) or [])
    summary.seconds = (datetime.now(UTC) - started).total_seconds()
    return summary
