"""Item pipeline: hands each FetchedPage to the observation sink the crawl was started with."""

from __future__ import annotations

from typing import Any

from spiders.fetch import FetchedPage


class ObservationPipeline:
    """The sink (monitor.sink.ObservationSink) classifies, extracts, detects and stores in batches."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ObservationPipeline:
        return cls(crawler)

    def _sink(self) -> Any:
        # Looked up late: `scrapy crawl products -a config=...` creates its sink when the crawl starts.
        return getattr(self.crawler.spider, "sink", None)

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        sink = self._sink()
        if sink is not None and isinstance(item, FetchedPage):
            await sink.accept_async(item)
            return None
        return item

    def close_spider(self, spider: Any = None) -> None:
        sink = self._sink()
        if sink is not None:
            sink.flush()
