"""Site observations (pure) and crawl scope: failed crawls, "listed before" is not new, sections."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.kinds.site.observe import SiteMemory, conclude_site, remember_site
from spiders.extract.site import PageFacts
from spiders.site_crawl import CrawledPage, SiteCrawlResult, SiteJob
from spiders.site_scope import CrawlScope, crawl_key

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ROOT = "https://rival.example/"
JOB = SiteJob(watch_id=1, url=ROOT)


def crawl(paths: list[str], *, sitemap=(), unfetched=(), truncated=False, errors=None) -> SiteCrawlResult:  # noqa: ANN001
    pages = []
    for p in paths:
        url = ROOT.rstrip("/") + p
        err = (errors or {}).get(p)
        facts = PageFacts(url=url, status=200, title=f"T {p}", h1=f"H {p}")
        pages.append(CrawledPage(url, 200, 0, False, err, None if err else facts))
    return SiteCrawlResult(
        JOB,
        ROOT,
        root_status=200,
        pages=pages,
        sitemap_urls={ROOT.rstrip("/") + p for p in sitemap},
        unfetched_urls={ROOT.rstrip("/") + p for p in unfetched},
        truncated=truncated,
    )


def test_first_crawl_is_a_baseline_then_pages_and_posts_are_found() -> None:
    memory = SiteMemory(1, "rival", 86400)
    base = [f"/p/{i}" for i in range(6)]
    first = conclude_site(crawl(["/", *base]), memory, NOW)
    assert first.status == "ok" and first.changes == []
    remember_site(memory, first)
    second = conclude_site(crawl(["/", *base[1:], "/blog/new-post", "/p/9"]), memory, NOW)
    kinds = sorted((c.kind, c.new or c.old) for c in second.changes)
    assert kinds == [
        ("new_content_published", ROOT + "blog/new-post"),
        ("page_added", ROOT + "p/9"),
        ("page_removed", ROOT + "p/0"),
    ]


def test_pages_listed_before_are_not_new_when_fetched_now() -> None:
    memory = SiteMemory(1, "rival", 86400)
    remember_site(
        memory, conclude_site(crawl(["/", "/a", "/b"], unfetched=["/c"], truncated=True), memory, NOW)
    )
    later = conclude_site(crawl(["/", "/a", "/c"], sitemap=["/b"], truncated=True), memory, NOW)
    assert later.changes == []  # /c was known (not fetched for the budget); /b still listed


def test_failed_or_thin_crawls_are_failures_never_removals() -> None:
    memory = SiteMemory(1, "rival", 86400)
    remember_site(memory, conclude_site(crawl(["/", *(f"/p/{i}" for i in range(10))]), memory, NOW))
    down = crawl([])
    down.root_error = "HTTP 500"
    outcome = conclude_site(down, memory, NOW)
    assert outcome.status == "failed" and "HTTP 500" in outcome.reason and outcome.changes == []
    thin = conclude_site(crawl(["/", "/p/1"], errors={"/p/1": "timed out"}), memory, NOW)
    assert thin.status == "failed" and "under 50%" in thin.reason


def test_section_counts_move_only_between_complete_crawls() -> None:
    memory = SiteMemory(1, "rival", 86400)
    remember_site(memory, conclude_site(crawl(["/", *(f"/p/{i}" for i in range(10))]), memory, NOW))
    grown = conclude_site(crawl(["/", *(f"/p/{i}" for i in range(14))]), memory, NOW)
    sections = [c for c in grown.changes if c.kind == "section_count_changed"]
    assert [(c.details["section"], c.old, c.new) for c in sections] == [("/p/", "10", "14")]
    cut = conclude_site(crawl(["/", *(f"/p/{i}" for i in range(14))], truncated=True), memory, NOW)
    assert not [c for c in cut.changes if c.kind == "section_count_changed"]


def test_scope_same_site_patterns_and_files() -> None:
    scope = CrawlScope("https://www.rival.example/", include=["/blog/", "/p/*"], exclude=["re:\\?sort="])
    assert scope.allows("https://rival.example/blog/2024/post")
    assert scope.allows("https://www.rival.example/p/1")
    assert not scope.allows("https://www.rival.example/about")
    assert not scope.allows("https://www.rival.example/p/1?sort=price")
    assert not scope.allows("https://cdn.rival.example/p/1")
    assert not scope.allows("https://www.rival.example/p/manual.pdf")
    assert not scope.allows("https://www.rival.example:8443/p/1")
    assert crawl_key("https://r.example/a?b=2&a=1#top") == crawl_key("https://r.example/a?a=1&b=2")


def test_query_variants_of_kept_pages_are_not_pages_added_or_removed() -> None:
    memory = SiteMemory(1, "rival", 86400)
    remember_site(memory, conclude_site(crawl(["/", "/c/a", "/c/a?page=2", "/p/1"]), memory, NOW))
    later = conclude_site(crawl(["/", "/c/a", "/c/a?page=3", "/p/1"]), memory, NOW)
    assert later.changes == []
    gone = conclude_site(crawl(["/", "/c/a", "/c/a?page=2"]), memory, NOW)
    assert [(c.kind, c.old) for c in gone.changes] == [("page_removed", ROOT + "p/1")]
