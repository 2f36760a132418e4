"""The result-page spider: fetches each due keyword's result pages 1..depth, politely, engine by engine.

Each engine is one download slot (its own delay, jitter and concurrency), and the spider feeds it one
keyword check at a time from a queue, so the slot's pace is the engine's pace. A check's pages share
one user agent and one proxy, rotated between checks. Pages are parsed here (pure `parse_serp`) only to
know whether to go on: a page that is not ``results`` ends the check. A block page (captcha, HTTP 429)
also pauses the engine for the rest of the crawl: the checks still queued for it are handed on as
skipped, to be stored as failed observations and retried after the backoff.

Every check becomes one `SerpFetch` item; the sink decides what it means.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterable

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.browser import playwright_meta
from spiders.extract.serp import BLOCKED, RESULTS, parse_serp
from spiders.fetch import FetchJob
from spiders.responses import close_browser_page, describe_failure, latency_ms
from spiders.serp_fetch import SeenPage, SerpFetch, SerpJob, blocked_status


class SerpSpider(scrapy.Spider):
    name = "serp"
    custom_settings: dict = {}

    def __init__(
        self, jobs: Iterable[SerpJob] | None = None, concurrency: dict[str, int] | None = None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.queues: dict[str, deque[SerpJob]] = {}
        self.unrunnable: list[SerpJob] = []
        for job in sorted(jobs or [], key=lambda j: (j.slot, j.watch_id)):
            if job.problem:
                self.unrunnable.append(job)
            else:
                self.queues.setdefault(job.slot, deque()).append(job)
        self.concurrency = dict(concurrency or {})
        self.paused: dict[str, str] = {}  # slot -> why

    async def start(self) -> AsyncIterator[scrapy.Request | SerpFetch]:
        for job in self.unrunnable:
            yield SerpFetch(job, skipped=job.problem)
        for slot, queue in self.queues.items():
            for _ in range(min(self.concurrency.get(slot, 1), len(queue))):
                yield self.request_for(queue.popleft(), 1, [])

    def request_for(self, job: SerpJob, page: int, seen: list[SeenPage]) -> scrapy.Request:
        url = job.page_url(page)
        meta: dict = {
            "serp_job": job,
            "serp_page": page,
            "serp_seen": seen,
            "download_slot": job.slot,
            "dont_obey_robotstxt": not job.obey_robots,
            "dont_merge_cookies": True,
        }
        if job.proxy:
            meta["proxy"] = job.proxy
        if job.render == "browser":

            meta.update(playwright_meta(FetchJob(job.watch_id, url, "keyword", "browser", job.wait_for)))
        headers = {}
        if job.user_agent:
            headers["User-Agent"] = job.user_agent
        if job.language:
            headers["Accept-Language"] = f"{job.language},en;q=0.5"
        return scrapy.Request(
            url, headers=headers, meta=meta, callback=self.parse, errback=self.failed, dont_filter=True
        )

    def _next_of(self, slot: str) -> Iterable[scrapy.Request | SerpFetch]:
        """The slot's next check, or, when the slot is paused, every check still queued as skipped."""
        queue = self.queues.get(slot)
        if not queue:
            return []
        if slot in self.paused:
            skipped = [SerpFetch(job, skipped=self.paused[slot]) for job in queue]
            queue.clear()
            return skipped
        return [self.request_for(queue.popleft(), 1, [])]

    async def parse(self, response: Response) -> AsyncIterator[scrapy.Request | SerpFetch]:
        job: SerpJob = response.meta["serp_job"]
        number: int = response.meta["serp_page"]
        await close_browser_page(response.meta)
        parsed = parse_serp(response.body, job.engine, response.url)
        content_type = (response.headers.get(b"content-type") or b"").decode("latin-1", "replace")
        seen = [
            *response.meta["serp_seen"],
            SeenPage(
                number,
                response.url,
                response.status,
                response.body,
                content_type,
                latency_ms(response.meta),
                parsed,
            ),
        ]
        if response.status < 400 and parsed.kind == RESULTS and number < job.depth:
            yield self.request_for(job, number + 1, seen)
            return
        if parsed.kind == BLOCKED or blocked_status(response.status):
            self.paused.setdefault(
                job.slot,
                f"not checked: {job.engine} answered with a block page earlier in this crawl; backing off",
            )
        yield SerpFetch(job, seen)
        for item in self._next_of(job.slot):
            yield item

    async def failed(self, failure: Failure) -> AsyncIterator[scrapy.Request | SerpFetch]:
        request = failure.request  # type: ignore[attr-defined]
        job: SerpJob = request.meta["serp_job"]
        await close_browser_page(request.meta)
        reason = describe_failure(failure)
        # Retries are behind us (RetryMiddleware): an engine we cannot reach is left alone this crawl.
        self.paused.setdefault(
            job.slot, f"not checked: {job.engine} unreachable earlier in this crawl ({reason})"
        )
        yield SerpFetch(job, list(request.meta["serp_seen"]), reason, request.url)
        for item in self._next_of(job.slot):
            yield item
