"""The records that cross the crawl boundary for listing watches: what to read, and what came back.

A listing watch is read as a chain of pages (next links, a page parameter, or one browser page that
was scrolled and clicked); the spider hands the sink ONE `ListingFetch` per watch with every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spiders.extract.listing import ListingPage, ListingSelectors
from spiders.fetch import FetchedPage, FetchJob, WatchRequest


@dataclass(frozen=True)
class ListingJob(WatchRequest):
    """One listing watch to read now."""

    selectors: ListingSelectors | None = None
    max_pages: int = 5
    pagination: str = "next_link"  # next_link | page_param | none
    page_param: str = "page"
    scroll: int = 0
    load_more: str | None = None
    actions: tuple[dict[str, Any], ...] = ()
    screenshot: bool = False
    # Validators of the last good read, sent with page 1 of a one-page listing: a 304 means the
    # listing is as it was (a paginated listing cannot be judged by its first page alone).
    etag: str | None = None
    last_modified: str | None = None

    def fetch_job(self, url: str, first: bool) -> FetchJob:
        """The page request as the shared fetch code sees it (browser options apply to page 1 only
        where they are about one page: the screenshot)."""
        return self.page_request("listing", url, screenshot=self.screenshot and first)


@dataclass
class ListingFetch:
    """Everything read for one listing watch in one crawl. `parsed[i]` is the extraction of
    `pages[i]` for every page that was read as a listing (a failed last page has none)."""

    job: ListingJob
    pages: list[FetchedPage] = field(default_factory=list)
    parsed: list[ListingPage] = field(default_factory=list)
    stop: str = "last_page"  # last_page | max_pages | no_results | repeated | error | not_modified
    notes: list[str] = field(default_factory=list)  # browser steps that did not happen (timeouts)
    learned: ListingSelectors | None = None  # the card pattern of page 1, for pages too small to detect
    not_modified: bool = False  # page 1 answered 304 to our validators

    @property
    def url(self) -> str:
        return self.job.url
