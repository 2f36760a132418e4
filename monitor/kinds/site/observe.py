"""From one crawl of a site to one observation of its site watch: failed, or a snapshot and its changes. Pure.

A crawl fails as a whole when the site root cannot be read (timeout, 5xx, empty page, challenge page,
login wall) or when it reached too little of the site to compare (`usable_snapshot`): a broken site
is a failed observation, never "all pages removed". Within a usable crawl, URLs the site listed last
time (in a sitemap, or linked but left unfetched by the limits) are not "new" when fetched now, and
page counts per section are compared only between complete crawls.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from models.site import SitePage, SiteSnapshotRow
from monitor.changes.record import DetectedChange
from monitor.kinds.base import Observer
from monitor.kinds.outcome import Memory, Outcome, RowPlan, advance, begin_outcome
from monitor.kinds.site.changes import SiteSnapshot, diff_site, usable_snapshot
from spiders.extract.site import PageFacts, section_counts, section_of
from spiders.site_crawl import SiteCrawled, SiteCrawlResult

ADDED_KINDS = ("page_added", "new_content_published")
# A section's page count is a change when it moves by at least this many pages and this share.
SECTION_MIN_PAGES = 2
SECTION_MIN_SHARE = 0.10


@dataclass
class SiteMemory(Memory):
    last: SiteSnapshot | None = None
    last_truncated: bool = False


SiteOutcome = Outcome[SiteSnapshot]


def snapshot_of(crawl: SiteCrawlResult) -> SiteSnapshot:
    """The crawl as a comparable snapshot; "listed" = in a sitemap, or seen and not fetched."""
    pages: dict[str, PageFacts] = {}
    for page in crawl.pages:
        facts = page.as_facts()
        if page.url not in pages or (facts.ok and not pages[page.url].ok):
            pages[page.url] = facts  # a redirect landing on a page fetched anyway: keep the good one
    return SiteSnapshot(
        pages=pages,
        sitemap_urls=set(crawl.sitemap_urls) | set(crawl.unfetched_urls),
        truncated=crawl.truncated,
    )


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


def facts_columns(facts: PageFacts | None) -> dict[str, Any]:
    if facts is None:
        return {}
    return {
        "title": facts.title,
        "meta_description": facts.meta_description,
        "meta_keywords": facts.meta_keywords,
        "h1": facts.h1,
        "h1_count": facts.h1_count,
        "canonical": facts.canonical,
        "hreflang": dict(facts.hreflang),
        "robots": (facts.robots or None) and facts.robots[:300],
        "noindex": facts.noindex,
        "word_count": facts.word_count,
        "internal_links": facts.internal_links,
        "outbound_links": facts.outbound_links,
        "structured_data_types": list(facts.structured_data_types),
    }


def snapshot_row(crawl: SiteCrawlResult, snapshot: SiteSnapshot, at: datetime) -> RowPlan:
    """The snapshot row of a good crawl, with one row of SEO facts per page reached."""
    pages = tuple(
        {
            "url": p.url,
            "status": p.status if not p.error else 0,
            "error": p.error,
            "depth": p.depth,
            "in_sitemap": p.in_sitemap or p.url in crawl.sitemap_urls,
            "section": section_of(p.url)[:300],
            **facts_columns(p.facts),
        }
        for p in crawl.pages
    )
    return RowPlan(
        SiteSnapshotRow,
        {
            "observed_at": at,
            "pages_fetched": len(crawl.pages),
            "pages_ok": len(snapshot.good_pages),
            "truncated": crawl.truncated,
            "sections": snapshot.section_counts(),
            "known_urls": sorted(snapshot.sitemap_urls),
            "sitemap_urls": len(crawl.sitemap_urls),
            "robots_error": crawl.robots_error,
            "sitemap_errors": list(crawl.sitemap_errors)[:50],
        },
        children=((SitePage, "snapshot_id", pages),),
    )


def conclude_site(crawl: SiteCrawlResult, memory: SiteMemory, now: datetime) -> SiteOutcome:
    """One observation for one crawl of a site watch."""
    base: SiteOutcome = begin_outcome(
        memory,
        now,
        crawl.root_url,
        http_status=crawl.root_status,
        elapsed_ms=crawl.elapsed_ms,
    )
    if crawl.root_error:
        return replace(base, reason=f"site root {crawl.root_url}: {crawl.root_error}")
    snapshot = snapshot_of(crawl)
    reason = usable_snapshot(memory.last, snapshot)
    if reason:
        return replace(base, reason=reason)
    ok = replace(base, status="ok", value=snapshot, rows=[snapshot_row(crawl, snapshot, now)])
    old = memory.last
    if old is None:
        return ok  # the first crawl is the baseline
    changes = [
        _with_path(c)
        for c in diff_site(old, snapshot)
        if not (c.kind in ADDED_KINDS and c.new in old.sitemap_urls)  # listed before: not new
        and not is_variant_of_kept_page(c.new or c.old or "", old, snapshot)
    ]
    if not crawl.truncated and not memory.last_truncated:
        changes += section_changes(old, snapshot)
    ok.changes = changes
    return ok


def observe_site(item: SiteCrawled, memory: SiteMemory, now: datetime) -> SiteOutcome:
    assert item.crawl is not None, "the site spider hands over finished crawls only"
    return conclude_site(item.crawl, memory, now)


def remember_site(memory: SiteMemory, outcome: Outcome[Any]) -> None:
    advance(memory, outcome)
    if outcome.ok and isinstance(outcome.value, SiteSnapshot):
        memory.last = outcome.value
        memory.last_truncated = outcome.value.truncated


# One site crawl is one observation of many pages: written as it ends.
OBSERVER: Observer[SiteCrawled, SiteMemory] = Observer(SiteCrawled, observe_site, remember_site, batch_size=1)
