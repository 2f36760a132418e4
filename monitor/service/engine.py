"""The service's handle on the shared crawl reactor: the same `crawl_many`, plus a way to stop it.

`monitor.runner.run_cycle` takes any object with `crawl_many`; this one runs the crawls on the one
long-lived reactor of `CrawlEngine.shared()` (never a second reactor, never a restart) and remembers
the crawlers it started, so a SIGTERM can ask each of them to stop gracefully: Scrapy drops the
requests not yet sent, lets the ones in flight finish, and closes the spider, whose pipeline flushes
the sink. What was fetched is stored; what was not stays due.

It also carries AutoThrottle's learning from one crawl to the next: a service runs many small crawls,
and each new crawler would start every domain at AUTOTHROTTLE_START_DELAY again (and AutoThrottle never
lowers a delay on 304 responses, which an unchanged page usually is). The delay each domain's slot had
when its last crawl closed becomes the next crawl's start delay (the slowest of the crawl's domains).
"""

from __future__ import annotations

import threading
from typing import Any

from monitor.crawl_engine import CrawlEngine

STOP_RETRIES = 400  # x 50 ms: how long a stop waits for a crawl that is still starting


class StoppableEngine:
    def __init__(self, engine: CrawlEngine | None = None) -> None:
        self.engine = engine or CrawlEngine.shared()
        self._lock = threading.Lock()
        self._running: set[Any] = set()
        self._stopping = False
        self._delays: dict[str, float] = {}  # slot (host) -> AutoThrottle delay when its last crawl closed

    def crawl_many(self, crawls: list[tuple[type, dict[str, Any], dict[str, Any]]]) -> list[Any]:
        """Run several crawls at once on the shared reactor and wait for all of them (see CrawlEngine)."""
        from scrapy import signals
        from scrapy.crawler import CrawlerRunner
        from scrapy.settings import Settings
        from twisted.internet.defer import DeferredList
        from twisted.internet.threads import blockingCallFromThread

        reactor = self.engine.reactor
        crawlers: list[Any] = []

        def start():  # noqa: ANN202  (runs on the reactor thread)
            deferreds = []
            for spider_cls, settings, kwargs in crawls:
                base = Settings()
                base.setmodule("spiders.settings", priority="project")
                base.update(settings, priority="cmdline")
                self._carry_throttle(base, kwargs)
                runner = CrawlerRunner(base)
                crawler = runner.create_crawler(spider_cls)
                crawler.signals.connect(self._remember_throttle(crawler), signal=signals.spider_closed)
                crawlers.append(crawler)
                deferreds.append(runner.crawl(crawler, **kwargs))
            with self._lock:
                self._running.update(crawlers)
                stopping = self._stopping
            if stopping:  # a stop came while this cycle was opening: it stops too
                for crawler in crawlers:
                    _stop_when_started(reactor, crawler)
            return DeferredList(deferreds, consumeErrors=True)

        try:
            results = blockingCallFromThread(reactor, start)
        finally:
            with self._lock:
                self._running.difference_update(crawlers)
        for ok, failure in results:
            if not ok:
                failure.raiseException()
        return [c.spider for c in crawlers]

    def _carry_throttle(self, settings: Any, kwargs: dict[str, Any]) -> None:
        from monitor.service.schedule import domain_of

        hosts = {domain_of(getattr(job, "url", "")) for job in kwargs.get("jobs") or ()}
        with self._lock:
            known = [self._delays[h] for h in hosts if h in self._delays]
        if known and settings.getbool("AUTOTHROTTLE_ENABLED"):
            start = settings.getfloat("AUTOTHROTTLE_START_DELAY")
            settings.set("AUTOTHROTTLE_START_DELAY", min(start, max(known)), priority="cmdline")

    def _remember_throttle(self, crawler: Any):  # noqa: ANN202
        def closed(*_args: Any, **_kwargs: Any) -> None:
            slots = getattr(getattr(crawler.engine, "downloader", None), "slots", {}) or {}
            with self._lock:
                for key, slot in slots.items():
                    self._delays[str(key)] = float(slot.delay)

        return closed

    def stop(self) -> int:
        """Ask every running crawl (and any starting from now on) to stop gracefully; returns how many."""
        with self._lock:
            self._stopping = True
            crawlers = list(self._running)
        for crawler in crawlers:
            self.engine.reactor.callFromThread(_stop_when_started, self.engine.reactor, crawler)
        return len(crawlers)

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._running)


def _stop_when_started(reactor: Any, crawler: Any, tries: int = STOP_RETRIES) -> None:
    """On the reactor thread: stop a crawler, waiting (briefly) for its engine to run if it is starting."""
    from scrapy.utils.defer import deferred_from_coro

    engine = getattr(crawler, "engine", None)
    if engine is not None and getattr(engine, "running", False):
        if getattr(crawler, "crawling", False):
            # deferred_from_coro: on the asyncio reactor a coroutine must run as an asyncio task.
            deferred_from_coro(crawler.stop_async()).addErrback(lambda _failure: None)
        return
    if tries > 0:
        reactor.callLater(0.05, _stop_when_started, reactor, crawler, tries - 1)
