"""`rivalwatch serve`: the long-running service. Schedules, crawls, queues and sends alerts, reports.

Threads, each with one job:
- the scheduler (every `tick`, or sooner when a crawl ends): reloads the watchlist when asked, picks
  due watches that are not in flight and whose domain no running crawl holds (`schedule.pick_batch`),
  hands each batch to a crawl worker, writes the heartbeat `rivalwatch status` reads, runs the weekly
  report when it is due;
- crawl workers (`max_crawls`): `monitor.crawl.runner.run_cycle(..., watch_ids=batch, trigger="serve")` on
  the one long-lived reactor; the run is closed and its alerts queued in the outbox in one transaction
  (`queue_alerts=True`), so a store lost right after the crawl cannot leave a closed run unalerted;
- the dispatcher: sends what the outbox holds, on its own tick and right after a crawl queued alerts,
  so a slow or failing channel never holds up crawling.

Nothing half-written: observations and their changes are committed in batches by the sinks; a stop
(SIGTERM/SIGINT) asks running crawls to finish what is in flight and drops what was not sent, which is
simply still due next time; a process that dies outright leaves its run "running", and the next start
(or the next `rivalwatch run`: `monitor.crawl.recovery`) queues that run's alerts and closes it
("interrupted"); a crawl of ours that fails because the store went away is closed the same way as soon
as the store answers again, without a restart. Runs of the service end "complete" (everything
due was checked) or "stopped" (a stop cut the crawl short).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.dispatcher import backlog, dispatch_pending
from models import CrawlRun, Watch
from models.db import StoreBeforeBaseline, database_url, open_store
from monitor.crawl.recovery import close_interrupted
from monitor.crawl.runner import RunInterrupted, run_cycle
from monitor.crawl.sync import sync_watchlist
from monitor.service import store_ops
from monitor.service.logs import LOGGER, event, log_recovered
from monitor.service.report_job import ReportHook, find_report_hook, report_due
from monitor.service.schedule import lag_percentiles, pick_batch, validate_crons
from monitor.service.state import ServiceState, read_state, state_path, write_state
from monitor.watchlist import ConfigError, Watchlist, load_watchlist
from spiders.engine import CrawlEngine

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ServiceError(Exception):
    """The service cannot start (the message says why and what to do)."""


@dataclass(frozen=True)
class ServiceOptions:
    tick: float = 1.0  # seconds between scheduling passes
    max_crawls: int = 2  # crawls at once; each holds its domains, so per-domain caps hold service-wide
    batch_limit: int = 2000  # watches per crawl at most
    spread_rate: float | None = (
        None  # watches/s that may come due after a restart (None: concurrent_requests)
    )
    dispatch_every: float = 10.0
    dispatch_limit: int = 500  # deliveries per dispatcher pass
    heartbeat_every: float = 2.0
    stop_timeout: float = 120.0
    report_hook: ReportHook | None | str = "auto"  # "auto": monitor.report's hook when importable


@dataclass
class ServiceStats:
    crawls: int = 0
    checks: int = 0
    failed: int = 0
    changes: int = 0
    alerts_queued: int = 0
    alerts_sent: int = 0
    alerts_failed: int = 0
    dispatch_seconds: float = 0.0
    crawl_seconds: float = 0.0
    reports: int = 0
    start_lags: deque[float] = field(default_factory=lambda: deque(maxlen=200_000))
    fetch_lags: deque[float] = field(default_factory=lambda: deque(maxlen=200_000))


class Service:
    def __init__(
        self, config_path: str | Path, options: ServiceOptions | None = None, *, clock: Clock = utc_now
    ) -> None:
        self.config_path = Path(config_path)
        self.options = options or ServiceOptions()
        self.clock = clock
        self.log = logging.getLogger(LOGGER)
        self.stats = ServiceStats()
        self._watchlist: Watchlist | None = None
        self._factory: sessionmaker[Session] | None = None
        self.engine: CrawlEngine | None = None
        self.state = ServiceState(config=str(self.config_path))
        self._state_file: Path | None = None
        self._lock = threading.Lock()  # in-flight watches, busy domains, running crawls, stats
        self._in_flight: set[int] = set()
        self._busy_domains: set[str] = set()
        self._interrupted: set[int] = set()  # our runs that failed mid-crawl, to close once the store answers
        self._crawls: set[Future[None]] = set()
        self._cron_ids: set[int] = set()
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._reload = threading.Event()
        self._wake = threading.Event()
        self._wake_dispatch = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pool = ThreadPoolExecutor(self.options.max_crawls, thread_name_prefix="rivalwatch-crawl")
        self._report_hook: ReportHook | None = None
        self._last_report: datetime | None = None
        self._last_heartbeat = 0.0
        self._finishing = False

    # ---- what `start` opens -------------------------------------------------------------------
    @property
    def watchlist(self) -> Watchlist:
        if self._watchlist is None:
            raise ServiceError("the service has not started")
        return self._watchlist

    @watchlist.setter
    def watchlist(self, value: Watchlist) -> None:
        self._watchlist = value

    @property
    def factory(self) -> sessionmaker[Session]:
        if self._factory is None:
            raise ServiceError("the service has not started")
        return self._factory

    @property
    def state_file(self) -> Path:
        if self._state_file is None:
            raise ServiceError("the service has not started")
        return self._state_file

    # ---- life cycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Load and check the watchlist, open the store, recover, spread due work, start the threads."""

        watchlist = self._load()
        self._state_file = state_path(watchlist.settings.database_url)
        previous = read_state(self.state_file)
        if previous is not None and previous.alive() and previous.pid != self.state.pid:
            raise ServiceError(
                f"a service is already running on this store (pid {previous.pid} on {previous.host}, "
                f"heartbeat {previous.heartbeat_at}); stop it first (kill -TERM {previous.pid})"
            )
        try:
            _engine, self._factory = open_store(database_url(watchlist.settings.database_url))
        except StoreBeforeBaseline as exc:  # what to do, not a traceback
            raise ServiceError(str(exc)) from None
        self.watchlist = watchlist
        self.engine = CrawlEngine()
        now = self.clock()
        self.state.started_at = now.isoformat()
        with self.factory.begin() as session:
            sync = sync_watchlist(session, watchlist)
            recovered = store_ops.recover_interrupted_runs(session, watchlist, now)
            moved = store_ops.reconcile_schedules(session, watchlist.settings.timezone, now)
            spread = store_ops.spread_due(session, now, self._spread_rate())
            self._cron_ids = self._cron_watch_ids(session)
        for r in recovered:
            log_recovered(self.log, r)
        self._report_hook = self._resolve_report_hook()
        self._last_report = _parse(previous.last_report_at) if previous else None
        self._last_report = self._last_report or now
        event(
            self.log,
            "start",
            pid=self.state.pid,
            config=str(self.config_path),
            watches_added=sync.added,
            watches_deactivated=sync.deactivated,
            rescheduled=moved,
            spread=spread,
            max_crawls=self.options.max_crawls,
            reports=self._report_hook is not None,
        )
        for target, name in ((self._schedule_loop, "scheduler"), (self._dispatch_loop, "dispatcher")):
            thread = threading.Thread(target=target, name=f"rivalwatch-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.state.status = "running"
        self._heartbeat(force=True)

    def request_reload(self) -> None:
        """Reload the watchlist at the next tick (SIGHUP); a bad file keeps the current one."""
        self._reload.set()
        self._wake.set()

    def request_stop(self) -> None:
        """Stop soon (SIGTERM/SIGINT): no new crawls; running ones finish what is in flight."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._wake.set()
        self._wake_dispatch.set()
        asked = self.engine.stop() if self.engine else 0
        event(self.log, "stopping", crawls_running=asked)

    def wait(self, timeout: float | None = None) -> bool:
        """True once the service has stopped completely."""
        return self._stopped.wait(timeout)

    def stop(self) -> None:
        """Stop and wait until everything in flight is stored and the last alerts are queued."""
        self.request_stop()
        self._finish()

    def join(self) -> None:
        """Block until a stop is requested (a signal, `request_stop`), then complete it in this thread."""
        while not self._stop.wait(0.5):
            pass
        self._finish()

    def _finish(self) -> None:
        with self._lock:
            if self._finishing:
                finishing = True
            else:
                finishing, self._finishing = False, True
        if finishing:
            self._stopped.wait()
            return
        deadline = time.monotonic() + self.options.stop_timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._pool.shutdown(wait=True)
        if self._watchlist is not None and self._watchlist.channels:
            self._dispatch_once(limit=self.options.dispatch_limit)  # what the last crawls queued
        self.state.status = "stopped"
        self._heartbeat(force=True)
        event(self.log, "stopped", crawls=self.stats.crawls, checks=self.stats.checks)
        self._stopped.set()

    # ---- scheduling -----------------------------------------------------------------------------
    def _schedule_loop(self) -> None:
        while not self._stop.is_set():
            try:
                if self._reload.is_set():
                    self._reload.clear()
                    self.reload()
                self._close_interrupted()
                self._schedule_once()
                self._maybe_report()
                self._heartbeat()
            except Exception as exc:  # noqa: BLE001  (a store hiccup must not end the service)
                event(
                    self.log, "error", logging.ERROR, where="scheduler", error=f"{type(exc).__name__}: {exc}"
                )
            self._wake.wait(self.options.tick)
            self._wake.clear()
        # Stopping: wait for running crawls here so the heartbeat keeps telling status what happens.
        while True:
            with self._lock:
                running = list(self._crawls)
            if not running:
                break
            self._heartbeat()
            self._wake.wait(0.5)
            self._wake.clear()

    def _schedule_once(self) -> None:
        now = self.clock()
        with self._lock:
            free = self.options.max_crawls - len(self._crawls)
            in_flight, busy = set(self._in_flight), set(self._busy_domains)
        if free <= 0:
            return
        with self.factory() as session:
            due = store_ops.due_now(session, now, self.options.batch_limit * free + len(in_flight))
        submitted = False
        for _ in range(free):
            ids, domains = pick_batch(due, in_flight, busy, self.options.batch_limit)
            if not ids or self._stop.is_set():
                break
            submitted = True
            chosen = set(ids)
            due_at = {w.watch_id: w.due_at or now for w in due if w.watch_id in chosen}
            in_flight |= chosen
            busy |= domains
            with self._lock:
                self._in_flight |= chosen
                self._busy_domains |= domains
                future = self._pool.submit(self._crawl, chosen, domains, due_at, now)
                self._crawls.add(future)
            future.add_done_callback(self._crawl_done)
        if submitted:
            self._heartbeat(force=True)  # status sees the new crawl at once

    def _crawl_done(self, future: Future[None]) -> None:
        with self._lock:
            self._crawls.discard(future)
        self._wake.set()

    def _crawl(self, ids: set[int], domains: set[str], due_at: dict[int, datetime], picked: datetime) -> None:

        watchlist = self.watchlist
        fetch_lags: list[float] = []

        def on_outcome(outcome: Any) -> None:  # on the reactor thread
            due = due_at.get(outcome.watch_id)
            if due is not None:
                fetch_lags.append((outcome.fetched_at - due).total_seconds())

        started = time.perf_counter()
        summary = error = None
        try:
            summary = run_cycle(
                watchlist,
                self.factory,
                engine=self.engine,
                clock=self.clock,
                send_alerts=False,  # the dispatcher thread sends them
                queue_alerts=True,  # queued as the run closes: a store lost right after cannot drop them
                trigger="serve",
                watch_ids=ids,
                sync=False,  # the watchlist was synced at start and on reload
                on_outcome=on_outcome,
            )
            queued = summary.alerts_queued
            self._close_run(summary.run_id, ids, summary.stats.ok + summary.stats.failed < summary.due)
        except Exception as exc:  # noqa: BLE001  (one bad crawl must not end the service)
            error, queued = f"{type(exc).__name__}: {exc}", 0
            if isinstance(exc, RunInterrupted):
                with self._lock:  # closed (its stored changes alerted) once the store answers again
                    self._interrupted.add(exc.run_id)
        finally:
            with self._lock:
                self._in_flight -= ids
                self._busy_domains -= domains
        if queued:
            self._wake_dispatch.set()
        start_lags = [(picked - d).total_seconds() for d in due_at.values()]
        self._record(summary, error, queued, start_lags, fetch_lags, domains, time.perf_counter() - started)

    def _close_interrupted(self) -> None:
        """Runs of ours that failed mid-crawl (the store went away): their stored changes' alerts
        queued and the runs closed as soon as the store answers, without waiting for a restart."""
        with self._lock:
            pending = sorted(self._interrupted)
        if not pending:
            return
        now = self.clock()
        with self.factory.begin() as session:
            for run_id in pending:
                run = session.get(CrawlRun, run_id)
                if run is not None and run.status == "running":
                    r = close_interrupted(session, run, self.watchlist, now)
                    log_recovered(self.log, r)
        with self._lock:
            self._interrupted -= set(pending)
        self._wake_dispatch.set()

    def _close_run(self, run_id: int, ids: set[int], cut_short: bool) -> None:
        """Say how the run ended (its alerts were queued as it closed); cron watches get their next fire time."""

        watchlist, now = self.watchlist, self.clock()
        with self.factory.begin() as session:
            crons = ids & self._cron_ids
            if crons:
                store_ops.reconcile_schedules(session, watchlist.settings.timezone, now, crons)
            store_ops.mark_run(session, run_id, "stopped" if cut_short else "complete")

    def _record(
        self,
        summary: Any,
        error: str | None,
        queued: int,
        start_lags: list[float],
        fetch_lags: list[float],
        domains: set[str],
        seconds: float,
    ) -> None:
        with self._lock:
            self.stats.crawls += 1
            self.stats.crawl_seconds += seconds
            self.stats.alerts_queued += queued
            self.stats.start_lags.extend(start_lags)
            self.stats.fetch_lags.extend(fetch_lags)
            if summary is not None:
                s = summary.stats
                self.stats.checks += s.ok + s.failed
                self.stats.failed += s.failed
                self.stats.changes += len(summary.changes)
                self.state.last_run_id = summary.run_id
            self.state.crawls_done = self.stats.crawls
            self.state.last_crawl_at = self.clock().isoformat()
        lag = lag_percentiles(fetch_lags or start_lags)
        if error is not None or summary is None:
            event(
                self.log,
                "crawl",
                logging.ERROR,
                watches=len(start_lags),
                error=error,
                seconds=round(seconds, 3),
            )
            return
        s = summary.stats
        event(
            self.log,
            "crawl",
            run_id=summary.run_id,
            watches=summary.due,
            ok=s.ok,
            failed=s.failed,
            unchanged=s.unchanged,
            changes=len(summary.changes),
            alerts_queued=queued,
            domains=sorted(domains),
            seconds=round(seconds, 3),
            lag_p50=round(lag["p50"], 3),
            lag_max=round(lag["max"], 3),
            status="stopped" if s.ok + s.failed < summary.due else "complete",
        )

    # ---- reload ---------------------------------------------------------------------------------
    def reload(self) -> bool:
        """Load the watchlist again; apply it only when it is valid. Returns whether it was applied."""

        now = self.clock()
        self.state.last_reload_at = now.isoformat()
        try:
            new = self._load()
        except (ConfigError, ServiceError) as exc:
            problems = [str(p) for p in getattr(exc, "problems", [])] or [str(exc)]
            self.state.last_reload_error = "; ".join(problems)[:2000]
            event(self.log, "reload_failed", logging.ERROR, config=str(self.config_path), problems=problems)
            return False
        if new.settings.database_url != self.watchlist.settings.database_url:
            event(
                self.log, "reload_warning", logging.WARNING, message="database_url changes apply on restart"
            )
        with self.factory.begin() as session:
            sync = sync_watchlist(session, new)
            moved = store_ops.reconcile_schedules(session, new.settings.timezone, now)
            spread = store_ops.spread_due(session, now, self._spread_rate(new))
            self._cron_ids = self._cron_watch_ids(session)
        self.watchlist = new
        self.state.last_reload_error = None
        event(
            self.log,
            "reloaded",
            config=str(self.config_path),
            added=sync.added,
            updated=sync.updated,
            deactivated=sync.deactivated,
            rescheduled=moved,
            spread=spread,
        )
        return True

    def _load(self) -> Watchlist:
        watchlist = load_watchlist(self.config_path)
        crons = [(f"{w.kind} {w.label or w.url}", w.cron) for w in watchlist.watch_specs() if w.cron]
        problems = validate_crons(crons, watchlist.settings.timezone)
        if problems:
            raise ServiceError(f"{self.config_path}: " + "; ".join(problems))
        return watchlist

    def _spread_rate(self, watchlist: Watchlist | None = None) -> float:
        watchlist = watchlist or self.watchlist
        return self.options.spread_rate or float(watchlist.settings.concurrent_requests)

    @staticmethod
    def _cron_watch_ids(session: Session) -> set[int]:

        return set(session.scalars(select(Watch.id).where(Watch.active.is_(True), Watch.cron.is_not(None))))

    # ---- alerts ---------------------------------------------------------------------------------
    def _dispatch_loop(self) -> None:
        while not self._stop.is_set():
            self._wake_dispatch.wait(self.options.dispatch_every)
            self._wake_dispatch.clear()
            if self._stop.is_set():
                break
            self._dispatch_once(limit=self.options.dispatch_limit)

    def _dispatch_once(self, limit: int | None = None) -> None:

        watchlist = self.watchlist
        if not watchlist.channels:
            return
        started = time.perf_counter()
        try:
            # The service's clock decides what is due: digest windows and quiet hours are in its time.
            report = dispatch_pending(self.factory, watchlist, now=self.clock(), limit=limit)
        except Exception as exc:  # noqa: BLE001  (the outbox keeps everything; try again next tick)
            event(self.log, "error", logging.ERROR, where="dispatcher", error=f"{type(exc).__name__}: {exc}")
            return
        with self._lock:
            if report.attempted:
                self.stats.dispatch_seconds += time.perf_counter() - started
            self.stats.alerts_sent += report.sent
            self.stats.alerts_failed += report.failed
            self.state.last_dispatch_at = self.clock().isoformat()
        if report.attempted >= (limit or 0) > 0:
            self._wake_dispatch.set()  # more are waiting: go again at once

    # ---- weekly report --------------------------------------------------------------------------
    def _resolve_report_hook(self) -> ReportHook | None:
        hook = self.options.report_hook
        if hook == "auto":
            hook = find_report_hook()
            if hook is None:
                event(self.log, "report_unavailable", message="monitor.report has no scheduled hook yet")
        return hook  # type: ignore[return-value]

    def _maybe_report(self) -> None:
        if self._report_hook is None:
            return
        now = self.clock()
        if not report_due(self.watchlist, self._last_report, now):
            return
        self._last_report = now
        self.state.last_report_at = now.isoformat()
        try:
            self._report_hook(self.watchlist, self.factory, now)
            self.stats.reports += 1
            event(self.log, "report", at=now.isoformat())
        except Exception as exc:  # noqa: BLE001
            event(self.log, "report_failed", logging.ERROR, error=f"{type(exc).__name__}: {exc}")

    # ---- heartbeat ------------------------------------------------------------------------------
    def _heartbeat(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._last_heartbeat < self.options.heartbeat_every:
            return
        self._last_heartbeat = time.monotonic()

        now = self.clock()
        with self.factory() as session:
            due = store_ops.count_due(session, now)
            outbox = backlog(session)
        with self._lock:
            s = self.state
            s.in_flight = len(self._in_flight)
            s.crawls_running = len(self._crawls)
            s.queue_depth = max(0, due - s.in_flight)
            s.outbox_pending = outbox.get("pending", 0) + outbox.get("sending", 0)
            lag = lag_percentiles(list(self.stats.fetch_lags)[-5000:])
            s.lag_p50, s.lag_p95, s.lag_max = (round(lag[k], 3) for k in ("p50", "p95", "max"))
            s.heartbeat_at = now.isoformat()
            if self._stop.is_set() and s.status == "running":
                s.status = "stopping"
            write_state(self.state_file, s)


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
