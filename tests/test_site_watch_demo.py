"""Site and page-content watches over real HTTP against the demo market, several simulated days.

The changes stored are the moves the market made: new blog posts are published content, products
taken off the shop are removed pages, a page whose only change is its rotating banner (ignored)
reports nothing, and trigger text alerts once, when it appears.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import yaml
from sqlalchemy import func, select

from models import PageDiff, PageText, SitePage, SiteSnapshotRow, Watch
from models.crawl import Observation
from monitor.crawl.runner import run_cycle
from monitor.demo import DemoMarket
from monitor.watchlist import load_watchlist_text

SHOP = "alpha"
DAYS = 8
BANNERS = "/Spring deals are here|Members save more|Trade in and save|Top brands, low prices/"


def _watchlist(market: DemoMarket, trigger: str):  # noqa: ANN202
    base = market.base_urls[SHOP]
    data = {
        "settings": {"allow_private_addresses": True, "retries": 0, "download_timeout": 5},
        "competitors": [{"name": "Alpha", "domains": [base.split("://", 1)[1]]}],
        "sites": [{"url": base + "/", "label": "alpha site", "max_pages": 400}],
        "pages": [
            # The home page minus its product cards: only the daily banner moves, and it is ignored.
            {"url": base + "/", "label": "alpha home", "remove": [".card"], "ignore": [BANNERS]},
            {"url": base + "/blog/", "label": "alpha blog", "css": "main.blog", "trigger": [trigger]},
        ],
    }
    return load_watchlist_text(yaml.safe_dump(data))


def test_site_and_page_watches_follow_the_market(market, store) -> None:  # noqa: ANN001
    _engine, factory = store
    base = market.base_urls[SHOP]
    first_new_post = next(p for p in reversed(market.blog_truth(SHOP, DAYS - 1)) if p.day > 0)
    watchlist = _watchlist(market, first_new_post.title)
    t0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
    seen_posts = seen_removed = 0
    for day in range(DAYS):
        market.set_day(day)
        summary = run_cycle(
            watchlist, factory, force=True, send_alerts=False, clock=lambda d=day: t0 + timedelta(days=d)
        )
        assert summary.by_kind["site"].ok == 1 and summary.by_kind["page"].ok == 2, day
        with factory() as s:
            kind_of = {w.id: (w.kind, w.label) for w in s.scalars(select(Watch))}
        site = [c for c in summary.changes if kind_of[c.watch_id][0] == "site"]
        home = [c for c in summary.changes if kind_of[c.watch_id][1] == "alpha home"]
        blog = [c for c in summary.changes if kind_of[c.watch_id][1] == "alpha blog"]
        assert home == [], f"day {day}: only the ignored banner changed, got {[c.summary for c in home]}"
        if day == 0:
            assert summary.changes == []  # the first check of every watch is its baseline
            continue
        # Blog posts published today, exactly.
        old_posts = {p.path for p in market.blog_truth(SHOP, day - 1)}
        new_posts = {base + p.path for p in market.blog_truth(SHOP, day) if p.path not in old_posts}
        published = {c.new for c in site if c.kind == "new_content_published"}
        assert published == new_posts, f"day {day}"
        seen_posts += len(new_posts)
        # Products taken off the shop are removed pages; products still live never are.
        before, after = market.truth(day - 1)[SHOP], market.truth(day)[SHOP]
        was_live = {pid for pid, t in before.items() if t.exists}
        gone = {base + t.path for pid, t in after.items() if pid in was_live and not t.exists}
        added = {base + t.path for pid, t in after.items() if t.exists and pid not in was_live}
        live = {base + t.path for t in after.values() if t.exists}
        removed = {c.old for c in site if c.kind == "page_removed"}
        assert gone <= removed, f"day {day}"
        assert not removed & live, f"day {day}: live pages reported removed"
        assert added <= {c.new for c in site if c.kind == "page_added"}, f"day {day}"
        seen_removed += len(gone)
        # The blog page watch: its diff adds the new post titles; the trigger fires on its day only.
        content = [c for c in blog if c.kind == "content_changed"]
        if new_posts:
            assert content and any(
                p.title in content[0].details["added_lines"]
                for p in market.blog_truth(SHOP, day)
                if base + p.path in new_posts
            )
        else:
            assert content == []
        triggers = [c for c in blog if c.kind == "trigger_text_appeared"]
        assert len(triggers) == (1 if day == first_new_post.day else 0), f"day {day}"
    assert seen_posts > 0 and seen_removed > 0  # the market did move: the test compared something
    with factory() as s:
        blog_watch = s.scalars(select(Watch).where(Watch.label == "alpha blog")).one()
        diffs = s.scalars(select(PageDiff).where(PageDiff.watch_id == blog_watch.id)).all()
        assert diffs and all(d.unified.startswith("--- before") and d.change_id for d in diffs)
        # A text row per good check; distinct texts stored once.
        texts = s.scalar(select(func.count()).select_from(PageText).where(PageText.watch_id == blog_watch.id))
        assert texts == DAYS
        snap = s.scalars(select(SiteSnapshotRow).order_by(SiteSnapshotRow.id.desc())).first()
        assert snap.pages_ok > 20 and "/blog/" in snap.sections and not snap.truncated
        post = s.scalars(
            select(SitePage).where(
                SitePage.snapshot_id == snap.id, SitePage.url == base + first_new_post.path
            )
        ).one()
        assert post.title.startswith(first_new_post.title) and post.h1 == first_new_post.title
        assert post.canonical == base + first_new_post.path and post.word_count > 10
        assert post.in_sitemap and post.section == "/blog/"
        # robots.txt was obeyed: the disallowed areas were never fetched.
        fetched = set(s.scalars(select(SitePage.url)))
        assert not any("/account/" in u or u.endswith("/cart") or "/private/" in u for u in fetched)
        assert (
            s.scalar(select(func.count()).select_from(Observation).where(Observation.status == "failed")) == 0
        )


def test_page_watch_filter_matching_nothing_is_a_failure(market, store) -> None:  # noqa: ANN001
    _engine, factory = store
    market.set_day(0)
    base = market.base_urls[SHOP]
    data = {
        "settings": {"allow_private_addresses": True, "retries": 0, "download_timeout": 5},
        "pages": [
            {"url": base + "/about", "label": "gone part", "css": "#no-such-element"},
            {"url": base + "/bad/captcha", "label": "captcha"},
            {"url": base + "/bad/404", "label": "missing"},
        ],
    }
    summary = run_cycle(load_watchlist_text(yaml.safe_dump(data)), factory, force=True, send_alerts=False)
    reasons = {o.url.rsplit("/", 1)[-1]: o.reason for o in summary.stats.outcomes}
    assert summary.stats.failed == 3 and summary.changes == []
    assert "filter matched nothing" in reasons["about"] and "css '#no-such-element'" in reasons["about"]
    assert reasons["captcha"].startswith("blocked")
    assert reasons["404"].startswith("HTTP 404")
