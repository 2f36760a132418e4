"""The one item pipeline: hands each item a spider yields to the sink its crawl was started with.

Every spider (products, pages, listings, sites, result pages) yields one item per check; the sink
(`spider.sink`, the monitoring side's one generic sink) turns it into an observation and stores it.
The sink is looked up late: `scrapy crawl products -a config=...` creates it when the crawl starts.
"""

from __future__ import annotations

from typing import Any, Protocol

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector


class ItemSink(Protocol):
    item_type: type

    def bind_stats(self, counters: StatsCollector) -> None: ...

    async def accept_async(self, item: Any) -> object: ...

    def flush(self) -> None: ...


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def _sink(self) -> ItemSink | None:
        return getattr(self.crawler.spider, "sink", None)

    def open_spider(self, spider: Any = None) -> None:
        sink = self._sink()
        if sink is not None and self.crawler.stats is not None:
            sink.bind_stats(self.crawler.stats)

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        sink = self._sink()
        if sink is not None and isinstance(item, sink.item_type):
            await sink.accept_async(item)
            return None
        return item

    def close_spider(self, spider: Any = None) -> None:
        sink = self._sink()
        if sink is not None:
            sink.flush()
