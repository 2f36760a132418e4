"""The product spider: fetches the due watches' pages (HTTP or Chromium) and hands each result on.

It does no extraction itself: every response or error becomes a `FetchedPage` item, and the
item pipeline hands it to the sink.  Standalone use: `scrapy crawl products -a config=FILE`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from spiders.browser import playwright_meta
from spiders.fetch import FetchedPage, FetchJob


def describe_failure(failure: Failure) -> str:
    """A short reason a user can act on, for a transport-level failure."""

    exc = failure.value
    name = type(exc).__name__
    text = str(exc)
    lowered = f"{name} {text}".lower()
    if isinstance(exc, IgnoreRequest):
        return "blocked by robots.txt" if "robots" in lowered else (text or "request ignored")
    if "dnslookup" in lowered or "dns lookup" in lowered or "name or service not known" in lowered:
        return "host not found (DNS lookup failed)"
    if "connectionrefused" in lowered or "connection refused" in lowered:
        return "connection refused (site down?)"
    if "timeout" in lowered or "timed out" in lowered:
        return "timed out"
    if "maxsize" in lowered or ("size" in lowered and ("exceed" in lowered or "larger" in lowered)):
        return f"page too large (over the download size cap): {text}"[:300]
    if "connectionlost" in lowered or "connection was closed" in lowered or "responsenevereceived" in lowered:
        return f"connection lost before the page was complete ({name})"
    return f"{name}: {text}"[:500]


class ProductSpider(scrapy.Spider):
    name = "products"
    custom_settings: dict = {}

    def __init__(self, jobs: Iterable[FetchJob] | None = None, config: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.jobs = list(jobs or [])
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
        headers = {}
        if job.etag:
            headers["If-None-Match"] = job.etag
        if job.last_modified:
            headers["If-Modified-Since"] = job.last_modified
        meta: dict = {"job": job, "dont_obey_robotstxt": not job.obey_robots}
        if job.render == "browser":

            meta.update(playwright_meta(job))
        return scrapy.Request(
            job.url, headers=headers, meta=meta, callback=self.parse, errback=self.failed, dont_filter=True
        )

    async def parse(self, response: Response) -> AsyncIterator[FetchedPage]:
        job: FetchJob = response.meta["job"]
        screenshot = None
        page = response.meta.get("playwright_page")
        if page is not None:
            try:
                if job.screenshot:
                    screenshot = await page.screenshot(full_page=True, type="png")
            finally:
                await page.close()
        headers = {
            k.decode("latin-1").lower(): b", ".join(v).decode("latin-1", "replace")
            for k, v in response.headers.items()
        }
        yield FetchedPage(
            job=job,
            url=response.url,
            status=response.status,
            headers=headers,
            body=response.body,
            elapsed_ms=(response.meta.get("download_latency") or 0) * 1000,
            screenshot=screenshot,
            rendered=job.render == "browser",
        )

    async def failed(self, failure: Failure) -> AsyncIterator[FetchedPage]:
        request = failure.request  # type: ignore[attr-defined]
        job: FetchJob = request.meta["job"]
        page = request.meta.get("playwright_page")
        if page is not None:
            await page.close()
        yield FetchedPage(job=job, url=request.url, error=describe_failure(failure))
