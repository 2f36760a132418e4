"""Site watches: what changed on a competitor's site between two crawls of it.

A `SiteSnapshot` is one bounded crawl (sitemap URLs plus followed internal links): the facts of
every page reached, whether the crawl as a whole failed, and the URLs the sitemap listed.

Failed or thin crawls are not changes. `diff_site` reports nothing when the new snapshot is
marked `failed`, has no good (2xx) page, or reached fewer good pages than `min_coverage` (default
half) of the previous snapshot's: a site that answered 500, timed out, served an empty page or a
login wall looks exactly like that, and must not read as "all pages removed". `usable_snapshot`
says why, for the failed observation. Within a usable crawl, a page counts as removed only when it
answered 404/410 or vanished from both the crawl and the sitemap; a 5xx is an error, not a removal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from monitor.changes.kinds import ChangeKind
from monitor.changes.record import DetectedChange

if TYPE_CHECKING:  # the extractor is loaded where a site is diffed, not by every process loading the kinds
    from spiders.extract.site import PageFacts

CHANGE_KINDS = (
    ChangeKind("page_added", "site", "New page", "新页面", ("page_added",), "pages_added", "info"),
    ChangeKind(
        "new_content_published", "site", "New content published", "发布新内容",
        ("new_content_published", "page_added"), "pages_added", "info",
    ),
    ChangeKind("page_removed", "site", "Page removed", "页面移除", ("page_removed",), "pages_removed", "info"),
    ChangeKind("title_changed", "site", "Title changed", "标题变化", ("title_changed",), "titles_changed", "info"),
    ChangeKind(
        "description_changed", "site", "Description changed", "描述变化", ("meta_changed",),
        "descriptions_changed", "info",
    ),
    ChangeKind("h1_changed", "site", "Heading changed", "主标题变化", ("meta_changed",), "descriptions_changed", "info"),
    ChangeKind(
        "section_count_changed", "site", "Section size changed", "栏目页面数变化", ("section_count_changed",),
        None, "info",
    ),
)

# Sections and schema.org types that mark published content (posts, news, articles).
_CONTENT_SECTION = re.compile(
    r"^/(blog|blogs|news|press|articles?|posts?|stories|insights|resources|updates|journal|magazine|"
    r"changelog|releases|newsroom|actualites|aktuelles|noticias|notizie)/",
    re.IGNORECASE,
)
_DATED_PATH = re.compile(r"/(19|20)\d\d/(0?[1-9]|1[0-2])/")
_CONTENT_TYPES = {"Article", "BlogPosting", "NewsArticle", "TechArticle", "Report", "PressRelease", "Blog"}
_GONE = (404, 410)


@dataclass
class SiteSnapshot:
    """One crawl of a site. `pages` maps each reached URL to its facts."""

    pages: dict[str, PageFacts] = field(default_factory=dict)
    sitemap_urls: set[str] = field(default_factory=set)
    failed: bool = False
    reason: str | None = None
    truncated: bool = False  # max_pages stopped the crawl before every known page was fetched

    @property
    def good_pages(self) -> dict[str, PageFacts]:
        return {u: f for u, f in self.pages.items() if f.ok}

    def section_counts(self, depth: int = 1) -> dict[str, int]:
        """Good pages per section of the URL path tree."""
        from spiders.extract.site import section_counts

        return section_counts(list(self.good_pages), depth)


def usable_snapshot(old: SiteSnapshot | None, new: SiteSnapshot, min_coverage: float = 0.5) -> str | None:
    """Why `new` cannot be compared with `old` (a failed-observation reason), or None if it can."""
    if new.failed:
        return new.reason or "crawl failed"
    good = len(new.good_pages)
    if good == 0:
        return "crawl reached no page that answered 2xx"
    if old is not None:
        before = len(old.good_pages)
        if before and good < min_coverage * before:
            return f"crawl reached {good} good pages, under {min_coverage:.0%} of the {before} before"
    return None


def is_published_content(facts: PageFacts) -> bool:
    """True for a page that looks like a post: under a blog/news-like section, a dated path, or
    marked up as an Article / BlogPosting / NewsArticle."""
    if set(facts.structured_data_types) & _CONTENT_TYPES:
        return True
    path = "/" + facts.url.split("://", 1)[-1].split("/", 1)[-1] if "://" in facts.url else facts.url
    return bool(_CONTENT_SECTION.match(path) or _DATED_PATH.search(path))


def diff_site(old: SiteSnapshot, new: SiteSnapshot, min_coverage: float = 0.5) -> list[DetectedChange]:
    """Pages added and removed, titles, descriptions and h1s changed, and new content published."""
    if usable_snapshot(old, new, min_coverage) is not None:
        return []
    from spiders.extract.site import section_of

    changes: list[DetectedChange] = []
    old_good, new_good = old.good_pages, new.good_pages
    for url in sorted(set(new_good) - set(old_good)):
        facts = new_good[url]
        if url in old.pages and old.pages[url].status not in _GONE:
            continue  # it answered with an error last time; its comeback is not a new page
        published = is_published_content(facts)
        changes.append(
            DetectedChange(
                kind="new_content_published" if published else "page_added",
                summary=("new post: " if published else "new page: ") + (facts.title or url),
                new=url,
                details={"url": url, "title": facts.title, "section": section_of(url)},
            )
        )
    for url in sorted(set(old_good) - set(new_good)):
        now = new.pages.get(url)
        gone = now is not None and now.status in _GONE
        vanished = now is None and url not in new.sitemap_urls
        if not (gone or vanished):
            continue  # an error status, or simply not reached this time
        facts = old_good[url]
        changes.append(
            DetectedChange(
                kind="page_removed",
                summary=f"page removed{f' ({now.status})' if now else ''}: {facts.title or url}",
                old=url,
                details={"url": url, "title": facts.title, "status": now.status if now else None},
            )
        )
    for url in sorted(set(old_good) & set(new_good)):
        before, after = old_good[url], new_good[url]
        for kind, name, a, b in (
            ("title_changed", "title", before.title, after.title),
            ("description_changed", "meta_description", before.meta_description, after.meta_description),
            ("h1_changed", "h1", before.h1, after.h1),
        ):
            if (a or None) != (b or None):
                changes.append(
                    DetectedChange(
                        kind=kind,
                        summary=f"{name.replace('_', ' ')} changed on {url}: {a!r} -> {b!r}",
                        field=name,
                        old=a,
                        new=b,
                        details={"url": url},
                    )
                )
    return changes
