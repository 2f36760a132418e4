"""The roles of a scaled-out deployment: scheduler, crawl worker, dispatcher (`serve --role ...`).

Each role is one loop in one process; any number of each may run on any machine, sharing the store
(PostgreSQL, RIVALWATCH_DATABASE_URL) and the queue (Redis, RIVALWATCH_QUEUE_URL):
- scheduler: only the one holding the lease acts (`leader.Leadership`); it syncs the watchlist into
  the store when it takes over, queues every due watch with its due time (`queue.WatchQueue`), and
  closes the runs of workers that died (their stored changes' alerts are queued, as after a service
  crash);
- worker: reads jobs from the consumer group (its fair share of the queue: the depth divided among
  the live workers, at least `batch`, so one crawl's set-up and close are paid for many pages, as in
  the single-process service), keeps those whose watch is still due at the job's due time, crawls them with the one crawl path (`run_cycle(..., watch_ids=...)`) under politeness shared
  through Redis, queues the run's alerts, then acknowledges; its heartbeat thread keeps its jobs
  young so no other worker takes them while it lives;
- dispatcher: sends the outbox (`alerts.dispatcher.dispatch_pending`; rows claimed with SKIP LOCKED).

A lost Redis or PostgreSQL is waited for: the failing pass is logged and tried again after a pause.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from alerts.dispatcher import dispatch_pending
from models import CrawlRun, Watch
from models.db import database_url, make_engine, upgrade
from monitor.crawl.runner import run_cycle
from monitor.crawl.sync import sync_watchlist
from monitor.kinds import KINDS
from monitor.scale.connect import QueueConfig, require_shared_store
from monitor.scale.leader import Leadership
from monitor.scale.members import Member, Members
from monitor.scale.queue import Job, WatchQueue, due_text
from monitor.service import store_ops
from monitor.service.logs import LOGGER, event, log_recovered
from monitor.watchlist import Watchlist, load_watchlist
from spiders.engine import CrawlEngine

# What "the store or the queue is gone for now" looks like; anything else is a bug and is logged too.
OUTAGES = (redis.ConnectionError, redis.TimeoutError, OperationalError, DBAPIError)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RoleOptions:
    tick: float = 1.0  # seconds between scheduler passes
    batch: int = 200  # jobs a worker takes per crawl at least
    batch_max: int = 2000  # at most: a worker takes its fair share of a deep queue, up to this
    lease: float = 60.0  # seconds after which a silent worker's jobs, or the scheduler's lock, pass on
    enqueue_limit: int = 20_000  # due watches the scheduler looks at per pass
    spread_rate: float | None = None  # watches/s that may come due when a scheduler takes over
    dispatch_every: float = 2.0
    dispatch_limit: int = 500
    alert_lease: float = 300.0  # seconds a dispatcher's claim on a delivery lasts
    domain_cap: int | None = None  # requests in flight per site across workers (None: concurrency_per_domain)
    heartbeat_every: float = 2.0
    # Seconds before the scheduler offers a (watch, due time) it queued again. Redis's marker already keeps
    # a pair from being queued twice; offering every due pair on every tick only re-asked Redis (thousands
    # of script calls per pass while a deep queue drains). A pair does need offering again when a stopping
    # worker gave it back still due: it waits this long at most.
    reoffer: float = 5.0


class Role(ABC):
    """What every role shares: the watchlist, the store, Redis, the heartbeat, stop and outage handling."""

    name = "role"

    def __init__(self, config_path: str | Path, options: RoleOptions, queue: QueueConfig) -> None:
        self.config_path = Path(config_path)
        self.options = options
        self.log = logging.getLogger(LOGGER)
        self.watchlist: Watchlist = load_watchlist(self.config_path)
        self.db_url = database_url(self.watchlist.settings.database_url)
        require_shared_store(self.name, self.db_url)
        self.queue_config = queue
        self.client = queue.client()
        self.members = Members(self.client, queue.prefix)
        self.me = Member(self.name)
        self._stop = threading.Event()
        self._factory: sessionmaker[Session] | None = None

    @property
    def factory(self) -> sessionmaker[Session]:
        if self._factory is None:
            engine = make_engine(self.db_url)
            # Every role may start first: one at a time migrates (alembic is not safe run concurrently).
            with self.client.lock(f"{self.queue_config.prefix}:migrate", timeout=300, blocking_timeout=300):
                upgrade(engine)
            self._factory = sessionmaker(engine, expire_on_commit=False)
        return self._factory

    def request_stop(self) -> None:
        self._stop.set()

    def request_reload(self) -> None:  # SIGHUP: roles read the watchlist when they start
        event(self.log, "reload_ignored", role=self.name, message="restart the role to apply a new watchlist")

    def beat(self, doing: str | None = None) -> None:
        if doing is not None:
            self.me.doing = doing
        self.members.beat(self.me)

    def run(self) -> None:
        """Work until a stop is asked; wait out outages of Redis or PostgreSQL."""
        event(self.log, "start", role=self.name, member=self.me.id, pid=self.me.pid)
        pause = 1.0
        while not self._stop.is_set():
            try:
                self.step()
                pause = 1.0
            except OUTAGES as exc:
                event(
                    self.log,
                    "waiting",
                    logging.WARNING,
                    role=self.name,
                    error=f"{type(exc).__name__}: {exc}"[:500],
                )
                self._stop.wait(pause)
                pause = min(pause * 2, 15.0)
            except Exception as exc:  # noqa: BLE001  (one bad pass must not end the role)
                event(
                    self.log,
                    "error",
                    logging.ERROR,
                    role=self.name,
                    error=f"{type(exc).__name__}: {exc}"[:500],
                )
                self._stop.wait(pause)
        self.stopping()
        try:
            self.members.leave(self.me)
        except redis.RedisError:
            pass
        event(self.log, "stopped", role=self.name, member=self.me.id)

    @abstractmethod
    def step(self) -> None:
        """One pass of the role (scheduling, crawling or dispatching)."""

    def stopping(self) -> None:  # noqa: B027  (an optional hook: most roles hold nothing to give up)
        """Give up what this member holds (override)."""


class Scheduler(Role):
    name = "scheduler"

    def __init__(self, config_path: str | Path, options: RoleOptions, queue: QueueConfig) -> None:
        super().__init__(config_path, options, queue)
        self.queue = WatchQueue(self.client, queue.prefix)
        self.leader = Leadership(self.client, queue.prefix, options.lease)
        self._last_recovery = 0.0
        self._offered: dict[tuple[int, str], float] = {}  # (watch, due text) -> when last offered (monotonic)

    def step(self) -> None:
        was_leading = self.leader.leading
        leading, won = self.leader.hold()
        if was_leading and not leading:
            event(self.log, "lease_lost", logging.WARNING, member=self.me.id)
        if not leading:
            self.beat("standby (another scheduler holds the lease)")
            self._stop.wait(self.options.tick)
            return
        if won:
            self._take_over()
        now = utc_now()
        with self.factory() as session:
            due = store_ops.due_now(session, now, self.options.enqueue_limit)
        added = self.queue.enqueue(self._to_offer([(w.watch_id, w.due_at) for w in due]))
        self.me.done += added
        if time.monotonic() - self._last_recovery > self.options.lease / 2:
            self._recover(now)
        self.beat(f"leading: {len(due)} due, {added} queued this pass")
        self._stop.wait(self.options.tick)

    def _to_offer(self, due: list[tuple[int, datetime | None]]) -> list[tuple[int, datetime | None]]:
        """The due pairs not offered to the queue in the last `reoffer` seconds (remembered from now)."""
        now, since = time.monotonic(), time.monotonic() - self.options.reoffer
        offered = {pair: t for pair, t in self._offered.items() if t > since}
        fresh = [(i, d) for i, d in due if offered.get((i, due_text(d)), since) <= since]
        offered.update(((i, due_text(d)), now) for i, d in fresh)
        self._offered = offered
        return fresh

    def _take_over(self) -> None:
        """What the single-process service does at start: the store follows the watchlist, due work spread."""
        now = utc_now()
        self.queue.ensure_group()
        settings = self.watchlist.settings
        rate = self.options.spread_rate or float(settings.concurrent_requests)
        with self.factory.begin() as session:
            sync = sync_watchlist(session, self.watchlist)
            moved = store_ops.reconcile_schedules(session, settings.timezone, now)
            spread = store_ops.spread_due(session, now, rate)
        event(self.log, "leading", member=self.me.id, added=sync.added, rescheduled=moved, spread=spread)

    def _recover(self, now: datetime) -> None:
        """Close the runs no live worker holds (older than a heartbeat's TTL: a new run beats at once)."""
        self._last_recovery = time.monotonic()
        held = self.members.open_runs()
        before = now - timedelta(seconds=self.members.ttl)
        with self.factory.begin() as session:
            orphans = (
                set(
                    session.scalars(
                        select(CrawlRun.id).where(
                            CrawlRun.status == "running",
                            CrawlRun.trigger == "worker",
                            CrawlRun.started_at < before,
                        )
                    )
                )
                - held
            )
            if not orphans:
                return
            recovered = store_ops.recover_interrupted_runs(session, self.watchlist, now, run_ids=orphans)
        for r in recovered:
            log_recovered(self.log, r)

    def stopping(self) -> None:
        try:
            self.leader.release()  # a standby takes over at its next pass, not after the lease
        except redis.RedisError:
            pass


# What a crawl imports at its first page, not at start (so that a process that never crawls does not
# pay for them): the extractors (a worker extracts inline), the price-anomaly feed the kinds' plans load
# and its scorer (numpy), which the feed imports at the first series that has a past. A worker imports
# them while warming up: a measured crawl never pays a process's start-up.
FIRST_USE = ("spiders.extract", "monitor.anomaly_feed", "monitor.anomaly.scorer")


def _first_use_modules() -> list[str]:
    names: list[str] = []
    for name in FIRST_USE:
        names.append(name)
        package = importlib.import_module(name)
        if hasattr(package, "__path__"):
            names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{name}.")]
    return names


class Worker(Role):
    name = "worker"

    def __init__(self, config_path: str | Path, options: RoleOptions, queue: QueueConfig) -> None:
        super().__init__(config_path, options, queue)
        self.queue = WatchQueue(self.client, queue.prefix)
        self.engine = CrawlEngine()
        self._holding: list[Job] = []
        self._hold_lock = threading.Lock()
        self._ensured = False
        threading.Thread(target=self._keep_alive, name="rivalwatch-heartbeat", daemon=True).start()

    def crawl_settings(self) -> dict[str, object]:
        cap = self.options.domain_cap or self.watchlist.settings.concurrency_per_domain
        return {
            "RIVALWATCH_SHARED_POLITENESS_URL": self.queue_config.url,
            "RIVALWATCH_SHARED_POLITENESS_PREFIX": self.queue_config.prefix,
            "RIVALWATCH_SHARED_DOMAIN_CONCURRENCY": cap,
        }

    def _keep_alive(self) -> None:
        """Heartbeat, and keep the jobs in hand young so they are not handed to another worker."""
        while not self._stop.wait(self.options.heartbeat_every):
            with self._hold_lock:
                holding = list(self._holding)
            try:
                self.queue.touch(self.me.id, holding)
                self.members.beat(self.me)
            except redis.RedisError:
                pass  # the main loop sees the outage too; the lease is far longer than a short blip

    def step(self) -> None:
        if not self._ensured:
            self.queue.ensure_group()
            self._warm_up()
            self._ensured = True
        lease_ms = int(self.options.lease * 1000)
        count = self._share()
        jobs = self.queue.read(self.me.id, count, block_ms=1000, lease_ms=lease_ms)
        if not jobs:
            self.me.doing, self.me.run_id = "idle", 0
            return
        if len(jobs) == count:  # woken from idle by a deep pass: take the rest of this worker's share
            more = self._share() - len(jobs)
            if more > 0:
                jobs += self.queue.read(self.me.id, more, block_ms=None, lease_ms=lease_ms)
        with self._hold_lock:
            self._holding = jobs
        try:
            self._work(jobs)
        finally:
            with self._hold_lock:
                self._holding = []
            self.me.run_id = 0

    def _warm_up(self) -> None:
        """Before the first job: a crawl of no pages per kind, so Scrapy's lazy imports and set-up (its
        download handlers, our middlewares, the spiders) are done when jobs come, not on the first crawl."""
        from scrapy.settings.default_settings import DOWNLOAD_HANDLERS_BASE
        from scrapy.utils.misc import load_object

        self.me.doing = "warming up"
        # The store's engine, its migration check, a pooled connection and SQLAlchemy's mapper set-up
        # (done at a process's first ORM query), not on the first jobs' time.
        with self.factory() as session:
            session.execute(select(Watch.id, Watch.next_due_at).where(Watch.id.in_([0]))).all()
        for handler in ("http", "https"):  # Scrapy imports its download handler at the first request
            try:
                load_object(DOWNLOAD_HANDLERS_BASE[handler])
            except Exception as exc:  # noqa: BLE001  (only a head start, as below)
                event(self.log, "warm_up_failed", logging.WARNING, handler=handler, error=str(exc)[:300])
        for name in _first_use_modules():
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001  (only a head start, as below)
                event(self.log, "warm_up_failed", logging.WARNING, module=name, error=str(exc)[:300])
        for kind in KINDS.values():
            try:
                self.engine.crawl(kind.spider, self.crawl_settings(), jobs=[])
            except Exception as exc:  # noqa: BLE001  (only a head start: the real crawl reports its errors)
                event(self.log, "warm_up_failed", logging.WARNING, kind=kind.name, error=str(exc)[:300])

    def _share(self) -> int:
        """Jobs to take now: the queue's depth divided among the live workers, within [batch, batch_max]."""
        workers = sum(1 for m in self.members.all() if m.role == "worker") or 1
        share = -(-self.queue.depth() // workers)
        return max(self.options.batch, min(self.options.batch_max, share))

    def _work(self, jobs: list[Job]) -> None:
        with self.factory() as session:
            due_at = dict(
                session.execute(
                    select(Watch.id, Watch.next_due_at).where(
                        Watch.id.in_({j.watch_id for j in jobs}), Watch.active.is_(True)
                    )
                ).all()
            )
        todo = {j.watch_id for j in jobs if j.watch_id in due_at and j.still_due(due_at[j.watch_id])}
        if todo:
            started = time.perf_counter()
            self.me.doing = f"crawling {len(todo)} watches"
            summary = run_cycle(
                self.watchlist,
                self.factory,
                engine=self.engine,
                send_alerts=False,  # the dispatcher role sends them
                queue_alerts=True,  # queued as the run closes: a store lost right after cannot drop them
                trigger="worker",
                watch_ids=todo,
                sync=False,  # the scheduler syncs the watchlist into the store
                on_open=self._opened,
                extra_settings=self.crawl_settings(),
            )
            self._close_run(summary.run_id, todo, summary.stats.ok + summary.stats.failed < summary.due)
            self.me.done += summary.stats.ok + summary.stats.failed
            event(
                self.log,
                "crawl",
                role="worker",
                run_id=summary.run_id,
                watches=summary.due,
                ok=summary.stats.ok,
                failed=summary.stats.failed,
                changes=len(summary.changes),
                skipped=len(jobs) - len(todo),
                seconds=round(time.perf_counter() - started, 3),
            )
        # Done (or checked meanwhile by someone else); one cut short by a stop is queued again.
        self.queue.done(jobs)

    def _opened(self, run_id: int) -> None:
        self.me.run_id = run_id
        self.members.beat(self.me)  # before the crawl: the scheduler must see this run is held

    def _close_run(self, run_id: int, ids: set[int], cut_short: bool) -> None:
        watchlist, now = self.watchlist, utc_now()
        with self.factory.begin() as session:
            crons = set(session.scalars(select(Watch.id).where(Watch.id.in_(ids), Watch.cron.is_not(None))))
            if crons:
                store_ops.reconcile_schedules(session, watchlist.settings.timezone, now, crons)
            store_ops.mark_run(session, run_id, "stopped" if cut_short else "complete")

    def request_stop(self) -> None:
        super().request_stop()
        self.engine.stop()  # crawls in flight finish what they fetch; the rest is queued again


class Dispatcher(Role):
    name = "dispatcher"

    def step(self) -> None:
        if not self.watchlist.channels:
            self.beat("idle (no channels)")
            self._stop.wait(self.options.dispatch_every)
            return
        self.beat("sending")
        report = dispatch_pending(
            self.factory,
            self.watchlist,
            now=utc_now(),
            limit=self.options.dispatch_limit,
            lease=self.options.alert_lease,
        )
        self.me.done += report.sent
        self.beat("idle")
        if report.attempted < self.options.dispatch_limit:
            self._stop.wait(self.options.dispatch_every)


ROLES: dict[str, type[Role]] = {"scheduler": Scheduler, "worker": Worker, "dispatcher": Dispatcher}
