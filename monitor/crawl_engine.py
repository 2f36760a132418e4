"""One long-lived Scrapy/Twisted reactor for the whole process, run in a background thread.

Twisted's reactor cannot be restarted, so the CLI, the demo (one crawl per simulated day), the
service and the tests all submit crawls to this one reactor and wait for them from their own thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from scrapy.crawler import CrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor, is_reactor_installed

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


class CrawlEngine:
    _shared: CrawlEngine | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        if not is_reactor_installed():
            install_reactor(ASYNCIO_REACTOR)
        from twisted.internet import reactor

        self.reactor: Any = reactor
        loop = getattr(reactor, "_asyncioEventloop", None)

        def run() -> None:
            if loop is not None:
                asyncio.set_event_loop(loop)
            reactor.run(installSignalHandlers=False)

        self.thread = threading.Thread(target=run, name="crawl-reactor", daemon=True)
        self.thread.start()

    @classmethod
    def shared(cls) -> CrawlEngine:
        with cls._lock:
            if cls._shared is None:
                cls._shared = CrawlEngine()
            return cls._shared

    def crawl(self, spider_cls: type, settings: dict[str, Any], **spider_kwargs: Any) -> Any:
        """Run one crawl to completion on the reactor thread; returns the finished spider."""
        from twisted.internet.threads import blockingCallFromThread

        holder: dict[str, Any] = {}

        def start():  # noqa: ANN202
            base = Settings()
            base.setmodule("spiders.settings", priority="project")
            base.update(settings, priority="cmdline")
            runner = CrawlerRunner(base)
            crawler = runner.create_crawler(spider_cls)
            holder["crawler"] = crawler
            return runner.crawl(crawler, **spider_kwargs)

        blockingCallFromThread(self.reactor, start)
        return holder["crawler"].spider

    def crawl_many(self, crawls: list[tuple[type, dict[str, Any], dict[str, Any]]]) -> list[Any]:
        """Run several crawls at once (spider class, settings, spider kwargs) and wait for all of them."""
        from twisted.internet.defer import DeferredList
        from twisted.internet.threads import blockingCallFromThread

        crawlers: list[Any] = []

        def start():  # noqa: ANN202
            deferreds = []
            for spider_cls, settings, kwargs in crawls:
                base = Settings()
                base.setmodule("spiders.settings", priority="project")
                base.update(settings, priority="cmdline")
                runner = CrawlerRunner(base)
                crawler = runner.create_crawler(spider_cls)
                crawlers.append(crawler)
                deferreds.append(runner.crawl(crawler, **kwargs))
            return DeferredList(deferreds, consumeErrors=True)

        results = blockingCallFromThread(self.reactor, start)
        for ok, failure in results:
            if not ok:
                failure.raiseException()
        return [c.spider for c in crawlers]

    def call(self, fn: Any, *args: Any) -> Any:
        from twisted.internet.threads import blockingCallFromThread

        return blockingCallFromThread(self.reactor, fn, *args)


def quiet_scrapy_logs(level: int = logging.ERROR) -> None:
    for name in ("scrapy", "scrapy_playwright", "twisted", "py.warnings", "asyncio", "protego"):
        logging.getLogger(name).setLevel(level)
