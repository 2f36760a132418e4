"""One long-lived Scrapy/Twisted reactor for the whole process, and the engines that crawl on it.

Twisted's reactor cannot be restarted, so the CLI, the demo (one crawl per simulated day), the
service and the tests all submit crawls to the one reactor (`CrawlReactor.shared()`, run in a
background thread) and wait for them from their own thread.

A `CrawlEngine` is one user's handle on that reactor (the `run` command, the service, a preview): it
runs several crawls at once and waits for all of them, remembers the crawlers it started so a
SIGTERM can ask each to stop gracefully (Scrapy drops the requests not yet sent, lets the ones in
flight finish and closes the spider, whose pipeline flushes the sink: what was fetched is stored,
what was not stays due), and carries AutoThrottle's learning from one crawl to the next. A service
runs many small crawls, and each new crawler would start every domain at AUTOTHROTTLE_START_DELAY
again; the delay each domain's slot had when its last crawl closed becomes the next crawl's start
delay (the slowest of the crawl's domains).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from twisted.internet.defer import DeferredList
from twisted.internet.threads import blockingCallFromThread

from spiders.crawl_settings import quiet_scrapy_logs
from spiders.fetch import FetchedPage, FetchJob
from spiders.middlewares import install_resolver

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
__all__ = ["CrawlEngine", "CrawlReactor", "CrawlSpec", "fetch_page", "quiet_scrapy_logs"]

STOP_RETRIES = 400  # x 50 ms: how long a stop waits for a crawl that is still starting


class CrawlReactor:
    """The process's one reactor, running in a daemon thread from the first use on."""

    _shared: CrawlReactor | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        if not is_reactor_installed():
            install_reactor(ASYNCIO_REACTOR)
        from twisted.internet import reactor  # installed just above: importing it earlier picks the default

        self.reactor: Any = reactor
        install_resolver(reactor)  # CrawlerRunner installs no resolver: the address policy's, for every crawl
        loop = getattr(reactor, "_asyncioEventloop", None)

        def run() -> None:
            if loop is not None:
                asyncio.set_event_loop(loop)
            reactor.run(installSignalHandlers=False)  # type: ignore[attr-defined]  (an IReactorCore)

        self.thread = threading.Thread(target=run, name="crawl-reactor", daemon=True)
        self.thread.start()

    @classmethod
    def shared(cls) -> CrawlReactor:
        with cls._lock:
            if cls._shared is None:
                cls._shared = CrawlReactor()
            return cls._shared

    def call(self, fn: Any, *args: Any) -> Any:
        """Run `fn(*args)` on the reactor thread and wait for its result (Deferreds are awaited)."""
        return blockingCallFromThread(self.reactor, fn, *args)


@dataclass(frozen=True)
class CrawlSpec:
    """One crawl to run: the spider (a class, or its dotted path), settings over spiders.settings, arguments."""

    spider: type[Spider] | str
    settings: dict[str, Any] = field(default_factory=dict)
    kwargs: dict[str, Any] = field(default_factory=dict)


def _domain_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class CrawlEngine:
    def __init__(self, reactor: CrawlReactor | None = None) -> None:
        self.reactor = reactor or CrawlReactor.shared()
        self._lock = threading.Lock()
        self._running: set[Crawler] = set()
        self._stopping = False
        self._delays: dict[str, float] = {}  # slot (host) -> AutoThrottle delay when its last crawl closed

    def crawl(self, spider: type[Spider] | str, settings: dict[str, Any], **kwargs: Any) -> Spider:
        """Run one crawl to completion; returns the finished spider."""
        return self.crawl_many([CrawlSpec(spider, settings, kwargs)])[0]

    def crawl_many(self, crawls: Sequence[CrawlSpec]) -> list[Spider]:
        """Run several crawls at once on the shared reactor and wait for all of them."""
        crawlers: list[Crawler] = []

        def start() -> DeferredList:  # on the reactor thread
            deferreds = []
            for spec in crawls:
                base = Settings()
                base.setmodule("spiders.settings", priority="project")
                base.update(spec.settings, priority="cmdline")
                # The spider is given, by class or dotted path: Scrapy's spider loader need not import
                # every module of SPIDER_MODULES (listing, site, result-page spiders) for each crawl.
                base.set("SPIDER_MODULES", [], priority="cmdline")
                self._carry_throttle(base, spec.kwargs)
                runner = CrawlerRunner(base)
                spider_cls = load_object(spec.spider) if isinstance(spec.spider, str) else spec.spider
                crawler = runner.create_crawler(spider_cls)
                crawler.signals.connect(self._remember_throttle(crawler), signal=signals.spider_closed)
                crawlers.append(crawler)
                deferreds.append(runner.crawl(crawler, **spec.kwargs))
            with self._lock:
                self._running.update(crawlers)
                stopping = self._stopping
            if stopping:  # a stop came while this cycle was opening: it stops too
                for crawler in crawlers:
                    _stop_when_started(self.reactor.reactor, crawler)
            return DeferredList(deferreds, consumeErrors=True)

        try:
            results = self.reactor.call(start)
        finally:
            with self._lock:
                self._running.difference_update(crawlers)
        for ok, failure in results:
            if not ok:
                failure.raiseException()
        return [c.spider for c in crawlers if c.spider is not None]

    def _carry_throttle(self, settings: Settings, kwargs: dict[str, Any]) -> None:
        hosts = {_domain_of(getattr(job, "url", "")) for job in kwargs.get("jobs") or ()}
        with self._lock:
            known = [self._delays[h] for h in hosts if h in self._delays]
        if known and settings.getbool("AUTOTHROTTLE_ENABLED"):
            start = settings.getfloat("AUTOTHROTTLE_START_DELAY")
            settings.set("AUTOTHROTTLE_START_DELAY", min(start, max(known)), priority="cmdline")

    def _remember_throttle(self, crawler: Crawler) -> Any:
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
            self.reactor.reactor.callFromThread(_stop_when_started, self.reactor.reactor, crawler)
        return len(crawlers)

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._running)


def _stop_when_started(reactor: Any, crawler: Crawler, tries: int = STOP_RETRIES) -> None:
    """On the reactor thread: stop a crawler, waiting (briefly) for its engine to run if it is starting."""
    engine = crawler.engine
    if engine is not None and getattr(engine, "running", False):
        if crawler.crawling:
            # deferred_from_coro: on the asyncio reactor a coroutine must run as an asyncio task.
            deferred_from_coro(crawler.stop_async()).addErrback(lambda _failure: None)
        return
    if tries > 0:
        reactor.callLater(0.05, _stop_when_started, reactor, crawler, tries - 1)


class Collect:
    """A sink that keeps what the spider fetched instead of storing it."""

    item_type = FetchedPage

    def __init__(self) -> None:
        self.pages: list[FetchedPage] = []

    def bind_stats(self, counters: Any) -> None:
        pass

    async def accept_async(self, page: FetchedPage) -> None:
        self.pages.append(page)

    def flush(self) -> None:
        pass


def fetch_page(job: FetchJob, settings: dict[str, Any], engine: CrawlEngine | None = None) -> FetchedPage:
    """Fetch one URL through the crawl path (address guard, robots.txt, browser), storing nothing."""
    collect = Collect()
    (engine or CrawlEngine()).crawl("spiders.page_spider.PageSpider", settings, jobs=[job], sink=collect)
    if not collect.pages:
        return FetchedPage(job=job, url=job.url, error="no answer (the request was dropped)")
    return collect.pages[0]
