"""The records of a site crawl: what to crawl for one site watch, and what one crawl of it found.

A site watch yields ONE `SiteCrawled` item per crawl (a `FetchedPage`, so the observation pipeline
hands it to the site sink like any other fetch), carrying every page reached, the URLs the sitemaps
listed, and the URLs seen but left unfetched (page budget or depth limit).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spiders.extract.site import PageFacts
from spiders.fetch import FetchedPage, FetchJob, WatchRequest


@dataclass(frozen=True)
class SiteJob(WatchRequest):
    """One site watch to crawl now, with its limits. Its `url` is the site root: fetched first, and
    the crawl fails when it cannot be read."""

    max_pages: int = 500
    max_depth: int = 3
    use_sitemap: bool = True
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_sitemaps: int = 50

    def fetch_job(self) -> FetchJob:
        return self.page_request("site")


@dataclass
class CrawledPage:
    """One page of a site crawl. `status` 0 with `error`: no usable answer (timeout, challenge page)."""

    url: str
    status: int
    depth: int = 0
    in_sitemap: bool = False
    error: str | None = None
    facts: PageFacts | None = None

    def as_facts(self) -> PageFacts:
        """The page's facts for comparison; an unusable answer becomes status 0 (not good, not gone)."""
        if self.error or self.facts is None:
            return PageFacts(url=self.url, status=0 if self.error else self.status)
        return self.facts


@dataclass
class SiteCrawlResult:
    job: SiteJob
    root_url: str
    root_error: str | None = None  # the root could not be read: the whole crawl failed
    root_status: int | None = None
    pages: list[CrawledPage] = field(default_factory=list)
    sitemap_urls: set[str] = field(default_factory=set)
    unfetched_urls: set[str] = field(default_factory=set)
    truncated: bool = False
    robots_error: str | None = None
    sitemap_errors: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0


@dataclass
class SiteCrawled(FetchedPage):
    """The pipeline's item for a finished site crawl (`job.kind == "site"`)."""

    crawl: SiteCrawlResult | None = None
