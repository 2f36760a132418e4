"""From one crawl of a site to one observation of its site watch: failed, or a snapshot and its changes. Pure.

A crawl fails as a whole when the site root cannot be read (timeout, 5xx, empty page, challenge page,
login wall) or when it reached too little of the site to compare (`usable_snapshot`): a broken site
is a failed observation, never "all pages removed". Within a usable crawl, URLs the site listed last
time (in a sitemap, or linked but left unfetched by the limits) are not "new" when fetched now, and
page counts per section are compared only between complete crawls.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from monitor.changes.record import DetectedChange
from monitor.changes.site import SiteSnapshot, diff_site, usable_snapshot
from spiders.extract.site import PageFacts, section_counts
from spiders.site_crawl import SiteCrawlResult

ADDED_KINDS = ("page_added", "new_content_published")
# A section's page count is a change when it moves by at least this many pages and this share.
SECTION_MIN_PAGES = 2
SECTION_MIN_SHARE = 0.10


@dataclass
class SiteMemory:
    watch_id: int
    label: str
    last: SiteSnapshot | None = None
    last_truncated: bool = False
    consecutive_failures: int = 0


@dataclass
class SiteOutcome:
    watch_id: int
    fetched_at: datetime
    status: str  # ok | failed
    url: str
    http_status: int | None = None
    elapsed_ms: float | None = None
    reason: str | None = None
    unchanged: bool = False
    snapshot: SiteSnapshot | None = None
    crawl: SiteCrawlResult | None = None
    changes: list[DetectedChange] = field(default_factory=list)


def snapshot_of(crawl: SiteCrawlResult) -> SiteSnapshot:
    """The crawl as a comparable snapshot; "listed" = in a sitemap, or seen and not fetched."""
    pages: dict[str, PageFacts] = {}
    for page in crawl.pages:
        facts = page.as_facts()
        if page.url not in pages or (facts.ok and not pages[page.url].ok):
            pages[page.url] = facts  # a redirect landing on a page fetched anyway: keep the good one
    return SiteSnapshot(pages=pages, sitemap_urls=set(crawl.sitemap_urls) | set(crawl.unfetched_urls))


def _without_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def _distinct_paths(snapshot: SiteSnapshot) -> list[str]:
    return sorted({_without_query(u) for u in snapshot.good_pages})


def is_variant_of_kept_page(url: str, old: SiteSnapshot, new: SiteSnapshot) -> bool:
    """A `?query` variant (pagination, sorting) of a page that is there in both crawls: its coming
    and going is the page's content moving, not a page added or removed."""
    if not urlsplit(url).query:
        return False
    plain = _without_query(url)
    return plain in old.good_pages and plain in new.good_pages


def _with_path(change: DetectedChange) -> DetectedChange:
    """Summaries name the page's path as well as its title (titles repeat across a site)."""
    url = change.new or change.old or ""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    title = (change.details or {}).get("title")
    if not title or path in change.summary:
        return change
    return replace(change, summary=f"{change.summary} ({path})")


def section_changes(old: SiteSnapshot, new: SiteSnapshot) -> list[DetectedChange]:
    """Sections whose page count (distinct paths) moved clearly between two complete crawls."""
    before, after = section_counts(_distinct_paths(old)), section_counts(_distinct_paths(new))
    changes = []
    for section in sorted(set(before) | set(after)):
        a, b = before.get(section, 0), after.get(section, 0)
        if abs(b - a) >= max(SECTION_MIN_PAGES, SECTION_MIN_SHARE * a):
            changes.append(
                DetectedChange(
                    kind="section_count_changed",
                    summary=f"pages in {section}: {a} -> {b}",
                    field="section",
                    old=str(a),
                    new=str(b),
                    magnitude=float(b - a),
                    details={"section": section, "before": a, "after": b},
                )
            )
    return changes


def conclude_site(crawl: SiteCrawlResult, memory: SiteMemory, now: datetime) -> SiteOutcome:
    """One observation for one crawl of a site watch."""
    base = SiteOutcome(
        watch_id=memory.watch_id,
        fetched_at=now,
        status="failed",
        url=crawl.root_url,
        http_status=crawl.root_status,
        elapsed_ms=crawl.elapsed_ms,
        crawl=crawl,
    )
    if crawl.root_error:
        base.reason = f"site root {crawl.root_url}: {crawl.root_error}"
        return base
    snapshot = snapshot_of(crawl)
    reason = usable_snapshot(memory.last, snapshot)
    if reason:
        base.reason = reason
        return base
    base.status, base.snapshot = "ok", snapshot
    old = memory.last
    if old is None:
        return base  # the first crawl is the baseline
    changes = [
        _with_path(c)
        for c in diff_site(old, snapshot)
        if not (c.kind in ADDED_KINDS and c.new in old.sitemap_urls)  # listed before: not new
        and not is_variant_of_kept_page(c.new or c.old or "", old, snapshot)
    ]
    if not crawl.truncated and not memory.last_truncated:
        changes += section_changes(old, snapshot)
    base.changes = changes
    return base


def remember_site(memory: SiteMemory, outcome: SiteOutcome) -> None:
    if outcome.status != "ok":
        memory.consecutive_failures += 1
        return
    memory.consecutive_failures = 0
    memory.last = outcome.snapshot
    memory.last_truncated = bool(outcome.crawl and outcome.crawl.truncated)
