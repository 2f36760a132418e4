"""The site spider: robots.txt (Protego), sitemaps (indexes, .gz), then a bounded internal link crawl.

Per site watch: robots.txt first (its rules and its `Sitemap:` lines), then the root page and the
sitemaps together (an index's children followed, at most `max_sitemaps` files), then every page the
sitemaps list and every internal link found, breadth first, within `max_depth` link hops and
`max_pages` pages. When the site's last request is answered the spider yields ONE `SiteCrawled`
item for it; the site sink turns it into one observation. Robots rules are applied here (with the
parsed policy) so robots.txt is fetched once per crawl, not once more by Scrapy's middleware.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.browser import playwright_meta
from spiders.extract.blocked import block_reason_from_title, block_reason_when_empty
from spiders.extract.site import RobotsPolicy, extract_page_facts, parse_robots, parse_sitemap
from spiders.job_spider import JobSpider
from spiders.responses import close_browser_page, describe_failure, response_headers
from spiders.site_crawl import CrawledPage, SiteCrawled, SiteCrawlResult, SiteJob
from spiders.site_scope import CrawlScope, crawl_key

HTML_TYPES = ("text/html", "application/xhtml")
# A root page with a password field or captcha and fewer internal links than this is a wall, not a home page.
WALL_MAX_LINKS = 10


@dataclass
class _Site:
    """The crawl state of one site watch."""

    job: SiteJob
    scope: CrawlScope
    started: float
    result: SiteCrawlResult
    policy: RobotsPolicy | None = None
    seen: set[str] = field(default_factory=set)  # crawl keys of pages scheduled
    sitemaps_seen: set[str] = field(default_factory=set)
    sitemap_pending: int = 0
    sitemap_queue: list[tuple[str, str | None]] = field(default_factory=list)
    scheduled: int = 0
    outstanding: int = 0
    emitted: bool = False


class SiteSpider(JobSpider[SiteJob]):
    name = "sites"

    def __init__(self, jobs: Iterable[SiteJob] | None = None, **kwargs) -> None:
        super().__init__(jobs, **kwargs)
        self.sites: dict[int, _Site] = {}

    # ---- requests ------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for job in self.jobs:
            site = _Site(
                job,
                CrawlScope(job.url, job.include, job.exclude),
                time.monotonic(),
                SiteCrawlResult(job, job.url),
            )
            self.sites[job.watch_id] = site
            parts = urlsplit(job.url)
            yield self._request(
                site, f"{parts.scheme}://{parts.netloc}/robots.txt", self.parse_robots, "robots"
            )

    def _request(self, site: _Site, url: str, callback, role: str, depth: int = 0, **meta) -> scrapy.Request:  # noqa: ANN001
        site.outstanding += 1
        meta.update({"site": site.job.watch_id, "role": role, "depth": depth, "dont_obey_robotstxt": True})
        if role == "page" and site.job.render == "browser":

            meta.update(playwright_meta(site.job.fetch_job()))
        return scrapy.Request(
            url, callback=callback, errback=self.failed, meta=meta, dont_filter=True, priority=-depth
        )

    def _page_request(
        self, site: _Site, url: str, depth: int, in_sitemap: bool = False
    ) -> scrapy.Request | None:
        """A request for a page, or None when it is out of scope, seen, disallowed or over the limits."""
        url = url.split("#", 1)[0]
        key = crawl_key(url)
        if key in site.seen or not site.scope.allows(url):
            return None
        if site.job.obey_robots and site.policy is not None and not site.policy.can_fetch(url, self._agent()):
            return None
        if depth > site.job.max_depth:
            site.result.unfetched_urls.add(url)
            return None
        if site.scheduled >= site.job.max_pages:
            site.result.unfetched_urls.add(url)
            site.result.truncated = True
            return None
        site.seen.add(key)
        site.scheduled += 1
        return self._request(site, url, self.parse_page, "page", depth, in_sitemap=in_sitemap)

    def _agent(self) -> str:
        return self.crawler.settings.get("USER_AGENT") or "*" if hasattr(self, "crawler") else "*"

    # ---- robots.txt and sitemaps ------------------------------------------------------------
    async def parse_robots(self, response: Response) -> AsyncIterator:
        site = self.sites[response.meta["site"]]
        if 200 <= response.status < 300:
            site.policy = parse_robots(response.body, response.url)
            site.result.robots_error = site.policy.error
        else:
            site.result.robots_error = f"HTTP {response.status}" if response.status != 404 else None
        for request in self._after_robots(site):
            yield request
        for item in self._finish(site):
            yield item

    def _after_robots(self, site: _Site) -> list[scrapy.Request]:
        """The root page and the sitemaps, requested together once robots.txt is known."""
        root = site.job.url
        if (
            site.job.obey_robots
            and site.policy is not None
            and not site.policy.can_fetch(root, self._agent())
        ):
            site.result.root_error = "robots.txt disallows the site root for our user agent"
            return []
        site.seen.add(crawl_key(root))
        site.scheduled += 1
        requests = [self._request(site, root, self.parse_page, "page", 0)]
        if site.job.use_sitemap:
            parts = urlsplit(root)
            declared = site.policy.sitemaps if site.policy else []
            guessed = [f"{parts.scheme}://{parts.netloc}/sitemap.xml"]
            for url in declared or guessed:
                request = self._sitemap_request(site, url, explicit=bool(declared))
                if request is not None:
                    requests.append(request)
        return requests

    def _sitemap_request(self, site: _Site, url: str, explicit: bool = True) -> scrapy.Request | None:
        if url in site.sitemaps_seen or len(site.sitemaps_seen) >= site.job.max_sitemaps:
            return None
        if not site.scope.same_site(url):
            return None  # sitemaps of other sites (a CDN, a sister shop) are not this site's pages
        site.sitemaps_seen.add(url)
        site.sitemap_pending += 1
        return self._request(site, url, self.parse_sitemap, "sitemap", explicit=explicit)

    async def parse_sitemap(self, response: Response) -> AsyncIterator:
        site = self.sites[response.meta["site"]]
        site.sitemap_pending -= 1
        if 200 <= response.status < 300:
            sitemap = parse_sitemap(response.body, response.url)
            if sitemap.error:
                site.result.sitemap_errors.append(f"{response.url}: {sitemap.error}")
            for child in sitemap.child_sitemaps:
                request = self._sitemap_request(site, child)
                if request is not None:
                    yield request
            for entry in sitemap.urls:
                if site.scope.same_site(entry.loc):
                    site.result.sitemap_urls.add(entry.loc)
                    site.sitemap_queue.append((entry.loc, entry.lastmod))
        elif response.status != 404 or response.meta.get("explicit"):
            site.result.sitemap_errors.append(f"{response.url}: HTTP {response.status}")
        for request in self._sitemap_pages(site):
            yield request
        for item in self._finish(site):
            yield item

    def _sitemap_pages(self, site: _Site) -> list[scrapy.Request]:
        """Once every sitemap is read: their pages, the most recently modified first (new posts
        get in even when the page budget is smaller than the site)."""
        if site.sitemap_pending > 0 or not site.sitemap_queue:
            return []
        queue, site.sitemap_queue = site.sitemap_queue, []
        queue.sort(key=lambda entry: entry[1] or "", reverse=True)
        return [
            r
            for r in (self._page_request(site, url, 0, in_sitemap=True) for url, _ in queue)
            if r is not None
        ]

    # ---- pages ------------------------------------------------------------------------------
    async def parse_page(self, response: Response) -> AsyncIterator:
        site = self.sites[response.meta["site"]]
        depth = response.meta["depth"]
        await close_browser_page(response.meta)
        first_url = (response.meta.get("redirect_urls") or [response.url])[0]
        is_root = crawl_key(first_url) == crawl_key(site.job.url)
        if is_root and not site.scope.same_site(response.url):
            site.scope.rebase(response.url)  # http -> https, or to www.: the site is where it landed
        ctype = response_headers(response).get("content-type", "")
        crawled = CrawledPage(response.url, response.status, depth, bool(response.meta.get("in_sitemap")))
        body = response.body or b""
        links: list[str] = []
        if 200 <= response.status < 300:
            if not body.strip():
                crawled.error = "empty page (200 with no content)"
            elif ctype and not ctype.split(";")[0].strip().lower().startswith(HTML_TYPES):
                crawled = None  # a file, not a page: neither counted nor compared
            else:
                facts = extract_page_facts(body, response.url, response.status, response_headers(response))
                crawled.facts = facts
                crawled.error = block_reason_from_title(body)
                if is_root and crawled.error is None and facts.internal_links < WALL_MAX_LINKS:
                    crawled.error = block_reason_when_empty(body)
                links = facts.internal_urls if crawled.error is None else []
        if is_root:
            site.result.root_url, site.result.root_status = response.url, response.status
            if crawled is None:
                site.result.root_error = f"the site root is not an HTML page ({ctype})"
            elif crawled.error or not 200 <= response.status < 300:
                site.result.root_error = crawled.error or f"HTTP {response.status}"
        if crawled is not None:
            site.result.pages.append(crawled)
        if site.scope.same_site(response.url) and not site.result.root_error:
            for link in links:
                request = self._page_request(site, link, depth + 1)
                if request is not None:
                    yield request
        for item in self._finish(site):
            yield item

    async def failed(self, failure: Failure) -> AsyncIterator:
        request = failure.request  # type: ignore[attr-defined]
        site = self.sites[request.meta["site"]]
        await close_browser_page(request.meta)
        role, reason = request.meta["role"], describe_failure(failure)
        if role == "robots":
            site.result.robots_error = reason
            for r in self._after_robots(site):
                yield r
        elif role == "sitemap":
            site.sitemap_pending -= 1
            site.result.sitemap_errors.append(f"{request.url}: {reason}")
            for r in self._sitemap_pages(site):
                yield r
        else:
            site.result.pages.append(
                CrawledPage(
                    request.url, 0, request.meta["depth"], bool(request.meta.get("in_sitemap")), reason
                )
            )
            if crawl_key((request.meta.get("redirect_urls") or [request.url])[0]) == crawl_key(site.job.url):
                site.result.root_error = reason
        for item in self._finish(site):
            yield item

    # ---- the one item per site --------------------------------------------------------------
    def _finish(self, site: _Site) -> list[SiteCrawled]:
        site.outstanding -= 1
        if site.outstanding > 0 or site.emitted:
            return []
        return [self._item(site)]

    def _item(self, site: _Site) -> SiteCrawled:
        site.emitted = True
        result = site.result
        result.elapsed_ms = (time.monotonic() - site.started) * 1000
        fetched = {crawl_key(p.url) for p in result.pages}
        result.unfetched_urls = {u for u in result.unfetched_urls if crawl_key(u) not in fetched}
        return SiteCrawled(
            job=site.job.fetch_job(),
            url=result.root_url,
            status=result.root_status,
            error=result.root_error,
            elapsed_ms=result.elapsed_ms,
            crawl=result,
        )

    def closed(self, reason: str) -> None:
        """A site whose last request never came back (crawl cancelled) still gets its observation."""
        sink = getattr(self, "sink", None)
        for site in self.sites.values():
            if not site.emitted and sink is not None:
                item = self._item(site)
                if item.crawl is not None and not item.error:
                    item.error = item.crawl.root_error = f"crawl stopped before the site was done ({reason})"
                sink.accept(item)
