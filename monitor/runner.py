"""One monitoring cycle: sync the watchlist, crawl what is due, store, detect, alert. The `run` command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import Change, CrawlRun
from monitor.config import Watchlist
from monitor.crawl_engine import CrawlEngine
from monitor.jobs import crawl_settings, due_watches, jobs_for
from monitor.sink import ObservationSink, SinkStats, load_memories, utc_now
from monitor.sync import sync_watchlist
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


def _extractor() -> Callable[..., object]:
    from spiders.extract.product import extract_product

    return extract_product


def prepare_sink(
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    *,
    now: datetime | None = None,
    force: bool = False,
    trigger: str = "run",
    clock: Callable[[], datetime] = utc_now,
    watch_ids: list[int] | None = None,
) -> tuple[list[FetchJob], ObservationSink]:
    now = now or clock()
    with session_factory.begin() as session:
        sync_watchlist(session, watchlist)
        watches = due_watches(session, now, force=force)
        if watch_ids is not None:
            wanted = set(watch_ids)
            watches = [w for w in watches if w.id in wanted]
        run = CrawlRun(started_at=now, trigger=trigger, watches_due=len(watches))
        session.add(run)
        session.flush()
        jobs = jobs_for(session, watches)
        memories = load_memories(session, [w.id for w in watches], watchlist.settings.gone_after)
        intervals = {w.id: w.interval_s or watchlist.settings.default_interval for w in watches}
        competitor_of = {w.id: w.competitor_id for w in watches}
        run_id = run.id
    from monitor.extract_pool import MIN_PAGES_FOR_POOL, shared_pool

    workers = watchlist.settings.extract_workers
    pool = shared_pool(workers) if workers and len(jobs) >= MIN_PAGES_FOR_POOL else None
    sink = ObservationSink(
        session_factory,
        run_id,
        memories,
        intervals,
        competitor_of,
        _extractor(),
        gone_after=watchlist.settings.gone_after,
        clock=clock,
        pool=pool,
    )
    return jobs, sink


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
) -> RunSummary:
    from spiders.product_spider import ProductSpider

    started = datetime.now(UTC)
    jobs, sink = prepare_sink(watchlist, session_factory, force=force, trigger=trigger, clock=clock)
    sink.on_outcome = on_outcome
    if on_start is not None:
        on_start(len(jobs))
    if jobs:
        need_browser = any(j.render == "browser" for j in jobs)
        (engine or CrawlEngine.shared()).crawl(
            ProductSpider, crawl_settings(watchlist, need_browser), jobs=jobs, sink=sink
        )
    sink.flush()
    summary = RunSummary(run_id=sink.run_id or 0, due=len(jobs), stats=sink.stats)
    with session_factory.begin() as session:
        run = session.get(CrawlRun, sink.run_id)
        run.finished_at = clock()
        run.status = "done"
        run.ok, run.failed, run.changes = sink.stats.ok, sink.stats.failed, sink.stats.changes
        summary.changes = list(
            session.scalars(select(Change).where(Change.run_id == run.id).order_by(Change.id))
        )
        if send_alerts and watchlist.channels:
            from alerts.outbox import enqueue_run_alerts

            summary.alerts_queued = enqueue_run_alerts(session, run.id, watchlist, now=clock())
    if send_alerts and watchlist.channels:
        from alerts.dispatcher import dispatch_pending

        report = dispatch_pending(session_factory, watchlist, now=clock())
        summary.alerts_sent = getattr(report, "sent", 0)
        summary.alerts_failed = getattr(report, "failed", 0)
        summary.alert_errors = list(getattr(report, "errors", []) or [])
    summary.seconds = (datetime.now(UTC) - started).total_seconds()
    return summary
