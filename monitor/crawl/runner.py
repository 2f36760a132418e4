"""One monitoring cycle: crawl what is due, store, detect, alert. The `run` command, and the service's crawls.

A cycle opens a crawl run and asks each kind for its crawl of its due watches (`WatchKind.prepare`),
gives each crawl the one generic sink (`monitor.crawl.sink`), runs every kind's crawl together on
the one reactor, then closes the run and queues its alerts. The watchlist is synced into the store
when a process starts (`sync=True` here, for the `run` command) and when the service reloads it.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import Change, CrawlRun, Watch
from monitor.config.secrets import resolve_env
from monitor.crawl.claims import DEFAULT_LEASE, claim_due, release, run_owner
from monitor.crawl.pool import shared_pool
from monitor.crawl.recovery import Recovered, close_interrupted, recover_interrupted_runs
from monitor.crawl.sink import KindSink, SinkStats, utc_now
from monitor.crawl.sync import SyncReport, sync_watchlist
from monitor.crawl.writer import StoreWriter
from monitor.kinds import KINDS
from monitor.kinds.base import CycleContext, KindCrawl
from monitor.kinds.outcome import Outcome
from monitor.watchlist import Watchlist

if TYPE_CHECKING:
    # Scrapy, the alerts' templates and the catalogue's edge are imported when a cycle needs them:
    # `rivalwatch run` with nothing due loads none of them (see run_cycle).
    from spiders.engine import CrawlEngine, CrawlSpec

log = logging.getLogger("rivalwatch.runner")


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
    recovered: list[Recovered] = field(default_factory=list)  # dead runs this one closed first


@dataclass
class Cycle:
    """An opened crawl run: each kind's crawl with the sink its spider hands items to."""

    run_id: int
    crawls: list[tuple[KindCrawl, KindSink]]

    @property
    def jobs(self) -> int:
        return sum(len(c.jobs) for c, _ in self.crawls)

    def specs(self) -> list[CrawlSpec]:
        from spiders.engine import CrawlSpec

        return [
            CrawlSpec(c.spider, c.settings, {"jobs": c.jobs, "sink": s, **c.plan.spider_kwargs})
            for c, s in self.crawls
        ]


def sync_store(watchlist: Watchlist, session_factory: sessionmaker[Session]) -> SyncReport:
    with session_factory.begin() as session:
        return sync_watchlist(session, watchlist)


def open_cycle(
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    *,
    force: bool = False,
    trigger: str = "run",
    clock: Callable[[], datetime] = utc_now,
    kinds: set[str] | None = None,
    watch_ids: set[int] | None = None,
    on_outcome: Callable[[Outcome[Any]], None] | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> Cycle:
    """Open a crawl run, claim its due watches (`monitor.crawl.claims`) and prepare each kind's crawl
    of them, with its sink."""
    now = clock()
    env = resolve_env(None, watchlist.settings.secrets_file)
    with session_factory.begin() as session:
        # The run's row first (on SQLite a write, so the claim below never meets a stale snapshot),
        # then the claim: a watch another run holds is theirs, and it is not due for this run.
        run = CrawlRun(
            started_at=now,
            trigger=trigger,
            host=socket.gethostname(),
            pid=os.getpid(),
            lease_until=now + lease,
        )
        session.add(run)
        session.flush()
        ids = claim_due(session, now, run_owner(run.id), lease, force=force, kinds=kinds, watch_ids=watch_ids)
        run.watches_due = len(ids)
    with session_factory.begin() as session:
        order = {watch_id: at for at, watch_id in enumerate(ids)}
        watches = sorted(session.scalars(select(Watch).where(Watch.id.in_(ids))), key=lambda w: order[w.id])
        run = session.get_one(CrawlRun, run.id)
        competitor_of = {w.id: w.competitor_id for w in watches}
        crawls = []
        for name, kind in KINDS.items():
            mine = [w for w in watches if w.kind == name]
            if not mine:
                continue
            ctx = CycleContext(
                watchlist.settings, watchlist.section(name), session_factory, run.id, clock, env
            )
            crawl = kind.prepare(ctx, session, mine)
            pool = shared_pool(watchlist.settings.extract_workers) if crawl.plan.use_pool else None
            writer = StoreWriter(session_factory, run.id, competitor_of, owner=run_owner(run.id), lease=lease)
            sink = KindSink(
                crawl.observer,
                crawl.plan.memories,
                writer,
                clock=clock,
                on_outcome=on_outcome,
                pool=pool,
                series=crawl.plan.series,
            )
            crawls.append((crawl, sink))
        return Cycle(run.id, crawls)


def prepare_sink(
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    *,
    kind: str = "product",
    force: bool = False,
    trigger: str = "run",
    clock: Callable[[], datetime] = utc_now,
) -> tuple[list[Any], KindSink | None]:
    """One kind's jobs and sink for a cycle, without crawling: for a crawl started elsewhere (`scrapy
    crawl products -a config=...`) or items handed over by hand. Syncs the watchlist first."""
    sync_store(watchlist, session_factory)
    cycle = open_cycle(watchlist, session_factory, force=force, trigger=trigger, clock=clock, kinds={kind})
    if not cycle.crawls:
        return [], None
    crawl, sink = cycle.crawls[0]
    return list(crawl.jobs), sink


def close_run(session: Session, run_id: int, total: SinkStats, clock: Callable[[], datetime]) -> list[Change]:
    run = session.get(CrawlRun, run_id)
    if run is not None:
        run.finished_at = clock()
        run.status = "done"
        run.ok, run.failed, run.changes = total.ok, total.failed, total.changes
    release(session, run_owner(run_id))  # what the crawl did not reach is due again for the next run
    return list(session.scalars(select(Change).where(Change.run_id == run_id).order_by(Change.id)))


def run_cycle(
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    *,
    engine: CrawlEngine | None = None,
    force: bool = False,
    clock: Callable[[], datetime] = utc_now,
    send_alerts: bool = True,
    trigger: str = "run",
    sync: bool = True,
    on_start: Callable[[int], None] | None = None,
    on_outcome: Callable[[Outcome[Any]], None] | None = None,
    kinds: set[str] | None = None,
    watch_ids: set[int] | None = None,
    on_open: Callable[[int], None] | None = None,
    extra_settings: dict[str, Any] | None = None,
    queue_alerts: bool | None = None,
) -> RunSummary:
    """`on_open` hears the run id as soon as the run is stored; `extra_settings` go over every crawl's
    Scrapy settings (a crawl worker's shared politeness). `queue_alerts` (default: `send_alerts`) puts
    the run's alerts in the outbox in the transaction that closes it, so a run is never closed with
    its alerts unqueued (the service and the workers send them from their own dispatcher)."""
    queue_alerts = send_alerts if queue_alerts is None else queue_alerts
    started = datetime.now(UTC)
    recovered: list[Recovered] = []
    if sync:  # a process starting: bring the store in line, and close what dead runs left open
        sync_store(watchlist, session_factory)
        with session_factory.begin() as session:
            recovered = recover_interrupted_runs(session, watchlist, clock())
    cycle = open_cycle(
        watchlist,
        session_factory,
        force=force,
        trigger=trigger,
        clock=clock,
        kinds=kinds,
        watch_ids=watch_ids,
        on_outcome=on_outcome,
    )
    if on_open is not None:
        on_open(cycle.run_id)
    summary = RunSummary(run_id=cycle.run_id, due=cycle.jobs, stats=SinkStats(), recovered=recovered)
    try:
        _crawl_and_close(cycle, summary, watchlist, session_factory, engine, clock, queue_alerts, on_start, extra_settings)
    except Exception as exc:
        _close_if_possible(session_factory, cycle.run_id, watchlist, clock)
        raise RunInterrupted(cycle.run_id, exc) from exc
    if send_alerts and watchlist.channels:
        from alerts.dispatcher import dispatch_pending

        report = dispatch_pending(session_factory, watchlist, now=clock())
        summary.alerts_sent, summary.alerts_failed = report.sent, report.failed
        summary.alert_errors = list(report.errors)
    summary.seconds = (datetime.now(UTC) - started).total_seconds()
    return summary


def _crawl_and_close(
    cycle: Cycle,
    summary: RunSummary,
    watchlist: Watchlist,
    session_factory: sessionmaker[Session],
    engine: CrawlEngine | None,
    clock: Callable[[], datetime],
    queue_alerts: bool,
    on_start: Callable[[int], None] | None,
    extra_settings: dict[str, Any] | None,
) -> None:
    if on_start is not None:
        on_start(cycle.jobs)
    if cycle.crawls:
        from spiders.engine import CrawlEngine, CrawlSpec

        specs = [CrawlSpec(c.spider, {**c.settings, **(extra_settings or {})}, c.kwargs) for c in cycle.specs()]
        with heap_frozen():
            (engine or CrawlEngine()).crawl_many(specs)
    total = summary.stats
    for crawl, sink in cycle.crawls:
        sink.flush()
        summary.by_kind[crawl.kind] = sink.stats
        total.add(sink.stats)
    if watchlist.catalogue is not None:  # the price matrix, its rules' changes
        from monitor.catalogue_cycle import after_crawl

        after_crawl(watchlist, session_factory, cycle.run_id, clock, engine)
    with session_factory.begin() as session:
        summary.changes = close_run(session, cycle.run_id, total, clock)
        if queue_alerts and watchlist.channels:
            from alerts.outbox import enqueue_run_alerts

            summary.alerts_queued = enqueue_run_alerts(session, cycle.run_id, watchlist, now=clock())


_heap_lock = threading.Lock()
_heap_crawls: list[tuple[int, int, int]] = []  # the collector's thresholds before the first running crawl


@contextmanager
def heap_frozen() -> Iterator[None]:
    """The objects made before the crawl (modules, the store's metadata, the watches' memories) set
    aside from garbage collection while it runs, and young collections ten times rarer: each full
    collection during a first run on 2,000 pages walked them all again (two of 0.1-0.3 s), and most of
    a page's objects are freed by their reference counts before a collection sees them. Undone when
    the last crawl of the process ends (the service runs several at once), so a long-lived process
    still collects what earlier cycles left in reference cycles."""
    with _heap_lock:
        _heap_crawls.append(gc.get_threshold())
        if len(_heap_crawls) == 1:
            gc.freeze()
            gc.set_threshold(10_000, *_heap_crawls[0][1:])
    try:
        yield
    finally:
        with _heap_lock:
            first = _heap_crawls[0]
            _heap_crawls.pop()
            if not _heap_crawls:
                gc.set_threshold(*first)
                gc.unfreeze()


def _close_if_possible(
    session_factory: sessionmaker[Session], run_id: int, watchlist: Watchlist, clock: Callable[[], datetime]
) -> None:
    """A crawl that failed (the store went away, a bug): queue what it stored and close it now if the
    store answers; if not, the run stays "running" for the next run (or the service) to recover."""
    try:
        with session_factory.begin() as session:
            run = session.get(CrawlRun, run_id)
            if run is not None and run.status == "running":
                close_interrupted(session, run, watchlist, clock())
    except Exception:  # noqa: BLE001  (the store is still away: recovery closes it later)
        log.warning("run %d left open for recovery: the store did not answer", run_id)


class RunInterrupted(Exception):
    """A run that could not finish (its crawl, its last write or its close failed); `__cause__` says why."""

    def __init__(self, run_id: int, cause: BaseException) -> None:
        super().__init__(f"run {run_id} interrupted: {type(cause).__name__}: {cause}")
        self.run_id = run_id
        self.cause = cause
