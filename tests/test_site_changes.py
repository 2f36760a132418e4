"""Site diffs: new and removed pages, changed titles/descriptions/h1s, new posts; failed crawls are silent."""

from __future__ import annotations

from monitor.kinds.site.changes import SiteSnapshot, diff_site, is_published_content, usable_snapshot
from spiders.extract.site import PageFacts

BASE = "https://rival.example"


def facts(
    path: str, status: int = 200, title: str | None = None, desc: str = "d", h1: str = "h", types=()
) -> PageFacts:
    return PageFacts(
        url=BASE + path,
        status=status,
        title=title if title is not None else f"Title {path}",
        meta_description=desc,
        h1=h1,
        structured_data_types=list(types),
    )


def snap(*pages: PageFacts, sitemap=(), failed=False) -> SiteSnapshot:
    return SiteSnapshot(pages={p.url: p for p in pages}, sitemap_urls=set(sitemap), failed=failed)


OLD = snap(facts("/"), facts("/pricing"), facts("/about"), facts("/blog/"), facts("/features"))


def kinds(changes) -> list[str]:
    return sorted(c.kind for c in changes)


def test_same_site_no_changes():
    assert diff_site(OLD, snap(*OLD.pages.values())) == []


def test_page_added_and_new_content_published():
    new = snap(*OLD.pages.values(), facts("/careers"), facts("/blog/launch-v2"), facts("/2024/05/notes"))
    changes = diff_site(OLD, new)
    assert kinds(changes) == ["new_content_published", "new_content_published", "page_added"]
    assert next(c for c in changes if c.kind == "page_added").new == BASE + "/careers"


def test_article_markup_counts_as_published_content():
    assert is_published_content(facts("/resources-x/thing", types=["BlogPosting"]))
    assert not is_published_content(facts("/pricing"))


def test_page_removed_when_404_or_gone_from_crawl_and_sitemap():
    pages = [p for p in OLD.pages.values() if not p.url.endswith(("/about", "/features"))]
    new = snap(*pages, facts("/about", status=404))
    changes = diff_site(OLD, new)
    assert kinds(changes) == ["page_removed", "page_removed"]


def test_page_still_in_sitemap_or_answering_5xx_is_not_removed():
    pages = [p for p in OLD.pages.values() if not p.url.endswith(("/about", "/features"))]
    new = snap(*pages, facts("/about", status=503), sitemap=[BASE + "/features"])
    assert diff_site(OLD, new) == []


def test_title_description_h1_changed():
    pages = dict(OLD.pages)
    pages[BASE + "/pricing"] = facts("/pricing", title="New pricing", desc="cheaper", h1="Plans")
    changes = diff_site(OLD, SiteSnapshot(pages=pages))
    assert kinds(changes) == ["description_changed", "h1_changed", "title_changed"]
    title = next(c for c in changes if c.kind == "title_changed")
    assert (title.old, title.new) == ("Title /pricing", "New pricing")


def test_failed_or_empty_or_thin_crawl_never_reports_all_pages_removed():
    assert diff_site(OLD, snap(failed=True)) == []
    assert diff_site(OLD, snap()) == []
    all_500 = snap(*(facts(p.url[len(BASE) :], status=500) for p in OLD.pages.values()))
    assert diff_site(OLD, all_500) == []
    login_wall = snap(facts("/"))
    assert diff_site(OLD, login_wall) == []
    assert "under 50%" in usable_snapshot(OLD, login_wall)
    assert usable_snapshot(OLD, snap(failed=True)) == "crawl failed"


def test_section_counts():
    assert OLD.section_counts() == {"/": 4, "/blog/": 1}
