"""The product spider: fetches the due watches' pages (HTTP or Chromium) and hands each result on.

It does no extraction itself: every response or error becomes a `FetchedPage` item, and the
item pipeline hands it to the sink.  Standalone use: `scrapy crawl products -a config=FILE`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import scrapy
from scrapy.http import Response
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from spiders.browser import playwright_meta
from spiders.fetch import FetchedPage, FetchJob
from spiders.job_spider import JobSpider
from spiders.responses import close_browser_page, conditional_headers, describe_failure, fetched_page


class ProductSpider(JobSpider[FetchJob]):
    name = "products"

    def __init__(self, jobs: Iterable[FetchJob] | None = None, config: str | None = None, **kwargs) -> None:
        super().__init__(jobs, **kwargs)
        self.config_path = config

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.jobs and self.config_path:
            self.jobs = self._jobs_from_config(self.config_path)
        for job in self.jobs:
            yield self.request_for(job)

    def _jobs_from_config(self, path: str) -> list[FetchJob]:
        # The monitoring side owns watchlists and the store; it is named in settings, not imported.
        jobs_for_watchlist = load_object(self.settings["RIVALWATCH_CONFIG_JOBS"])
        return jobs_for_watchlist(path, self)

    def request_for(self, job: FetchJob) -> scrapy.Request:
        headers = conditional_headers(job.etag, job.last_modified)
        meta: dict = {"job": job, "dont_obey_robotstxt": not job.obey_robots}
        if job.render == "browser":

            meta.update(playwright_meta(job))
        return scrapy.Request(
            job.url, headers=headers, meta=meta, callback=self.parse, errback=self.failed, dont_filter=True
        )

    async def parse(self, response: Response) -> AsyncIterator[FetchedPage]:
        yield await fetched_page(response.meta["job"], response)

    async def failed(self, failure: Failure) -> AsyncIterator[FetchedPage]:
        request = failure.request  # type: ignore[attr-defined]
        job: FetchJob = request.meta["job"]
        await close_browser_page(request.meta)
        yield FetchedPage(job=job, url=request.url, error=describe_failure(failure))
