"""The listing spider: reads each due listing watch across its pages and hands on ONE result per watch.

Pages of one watch are read one after the other (the next URL is on the page just read); watches run
in parallel. With `render: browser` a page is loaded in Chromium and scrolled or clicked there
(infinite scroll, "load more") before its HTML is read; next links are then followed the same way.
Everything read (or the error that stopped it) becomes a `ListingFetch` item, which the
item pipeline hands to the sink. Decisions about pages live in `listing_follow` (pure).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.browser import PagePlan, plan_notes, playwright_meta
from spiders.fetch import FetchedPage
from spiders.job_spider import JobSpider
from spiders.listing_fetch import ListingFetch, ListingJob
from spiders.listing_follow import (
    empty_page_blocked,
    learn_card_selector,
    next_page,
    page_problem,
    read_page,
)
from spiders.responses import close_browser_page, conditional_headers, describe_failure, fetched_page


class ListingSpider(JobSpider[ListingJob]):
    name = "listings"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for job in self.jobs:
            yield self.request_for(ListingFetch(job), job.url)

    def request_for(self, fetch: ListingFetch, url: str) -> scrapy.Request:
        job = fetch.job
        first = not fetch.pages
        meta: dict = {"fetch": fetch, "dont_obey_robotstxt": not job.obey_robots}
        if job.render == "browser":

            # Scrolling and "load more" happen in the first page; next links are plain page loads.
            plan = PagePlan(
                wait_for=job.wait_for,
                actions=job.actions if first else (),
                scroll=job.scroll if first else 0,
                load_more=job.load_more if first else None,
                load_more_clicks=max(0, job.max_pages - 1) if first else 0,
            )
            meta.update(playwright_meta(job.fetch_job(url, first), plan))
        headers = conditional_headers(job.etag, job.last_modified) if first and job.render == "http" else {}
        return scrapy.Request(
            url, headers=headers, meta=meta, callback=self.parse, errback=self.failed, dont_filter=True
        )

    async def parse(self, response: Response) -> AsyncIterator[ListingFetch | scrapy.Request]:
        fetch: ListingFetch = response.meta["fetch"]
        job = fetch.job
        if response.meta.get("playwright_page") is not None:
            fetch.notes.extend(plan_notes(response.meta))
        fetched = await fetched_page(job.fetch_job(response.url, not fetch.pages), response)
        number = len(fetch.pages) + 1
        fetch.pages.append(fetched)
        if number == 1 and fetched.status == 304:
            fetch.not_modified, fetch.stop = True, "not_modified"
            yield fetch
            return
        if page_problem(fetched) is not None:
            if job.pagination == "page_param" and number > 1 and fetched.status == 404:
                # Asking for one page past the end of a numbered listing: the end, not an error.
                fetch.pages.pop()
                fetch.stop = "last_page"
            else:
                fetch.stop = "error"
            yield fetch
            return
        if number == 1 and job.selectors is None:
            fetch.learned = learn_card_selector(fetched.body, fetched.url)
        listing = read_page(fetched, job.selectors, fetch.learned)
        if not listing.items and listing.reason != "no_results":
            if job.pagination == "page_param" and number > 1 and not empty_page_blocked(fetched):
                # An empty grid past the last numbered page: the end of the listing.
                fetch.pages.pop()
                fetch.stop = "last_page"
            else:
                fetch.parsed.append(listing)
                fetch.stop = "error"  # a page without cards: the sink says why (block, login, layout)
            yield fetch
            return
        fetch.parsed.append(listing)
        visited = {p.url for p in fetch.pages} | {job.url}
        url, why = next_page(job.pagination, job.page_param, job.max_pages, fetch.parsed, visited)
        if url is None:
            fetch.stop = why
            yield fetch
            return
        yield self.request_for(fetch, url)

    async def failed(self, failure: Failure) -> AsyncIterator[ListingFetch]:
        request = failure.request  # type: ignore[attr-defined]
        fetch: ListingFetch = request.meta["fetch"]
        await close_browser_page(request.meta)
        job = fetch.job
        fetch.pages.append(
            FetchedPage(
                job=job.fetch_job(request.url, not fetch.pages),
                url=request.url,
                error=describe_failure(failure),
            )
        )
        fetch.stop = "error"
        yield fetch
