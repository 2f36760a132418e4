"""The weekly report end to end: 8 weeks of the demo market go through the real product sink (pages
rendered by the demo shops, extracted and stored exactly as a crawl would, minus the network), and
listing, site, page and keyword rows are derived from the market's truth through the real change
detectors. The report's numbers must equal what the store holds, and the HTML must show every section
and chart in headless Chromium (a screenshot is kept under artifacts/)."""

from __future__ import annotations

import json
import logging
import statistics
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from models import Change, Competitor, CrawlRun, Observation, ProductState, Watch
from models.db import open_store
from monitor.anomaly import SeriesScorer
from monitor.crawl.runner import open_cycle, sync_store
from monitor.demo import DemoMarket
from monitor.demo.catalogue import sim_date
from monitor.demo.session import demo_watchlist
from monitor.kinds.keyword.ranks import RankObservation, compare, host_of
from monitor.kinds.listing.changes import detect_listing_changes
from monitor.kinds.page.changes import detect_page_changes
from monitor.report import build, build_and_deliver, iso_week
from monitor.report.render_json import plain
from monitor.watchlist import load_watchlist_text
from spiders.extract.listing import ListingItem
from spiders.fetch import FetchedPage

REPO = Path(__file__).resolve().parents[1]
DAYS = 56
TZ = "Asia/Shanghai"
WEEK = "2026-W08"  # day 0 is Monday 2026-01-05 (ISO week 2): the store holds W02..W09; W08 has a campaign
KEYWORDS = 6


def _moment(day: int, minutes: int = 0) -> datetime:
    local = datetime.combine(sim_date(day), time(9, 0), tzinfo=ZoneInfo(TZ)) + timedelta(minutes=minutes)
    return local.astimezone(UTC)


def _crawl_products(market: DemoMarket, watchlist, factory, day: int) -> None:  # noqa: ANN001
    ticks = iter(range(10**9))

    def clock() -> datetime:
        return _moment(day) + timedelta(milliseconds=next(ticks))

    cycle = open_cycle(watchlist, factory, force=True, clock=clock, kinds={"product"}, trigger="test")
    run_id = cycle.run_id
    shop_of = {urlsplit(b).netloc: s for s, b in market.base_urls.items()}
    for crawl, sink in cycle.crawls:
        for job in crawl.jobs:
            parts = urlsplit(job.url)
            reply = market.sites[shop_of[parts.netloc]].handle(
                "GET", parts.path + (f"?{parts.query}" if parts.query else "")
            )
            page = FetchedPage(
                job, job.url, reply.status, {"content-type": reply.content_type}, reply.body, 5.0
            )
            sink.accept(page)
        sink.flush()
    with factory.begin() as session:
        run = session.get(CrawlRun, run_id)
        run.finished_at, run.status = clock(), "done"


def _add_watch(session, kind: str, url: str, label: str, competitor_id: int | None) -> int:  # noqa: ANN001
    w = Watch(kind=kind, url=url, label=label, competitor_id=competitor_id, options={}, active=False)
    session.add(w)
    session.flush()
    return w.id


def _store_changes(session, watch_id, competitor_id, at, changes, run_id=None) -> int:  # noqa: ANN001
    obs = Observation(watch_id=watch_id, fetched_at=at, status="ok", http_status=200, run_id=run_id)
    session.add(obs)
    session.flush()
    for c in changes:
        session.add(
            Change(
                watch_id=watch_id, observation_id=obs.id, competitor_id=competitor_id, detected_at=at, kind=c.kind,
                summary=c.summary, field=c.field, old=c.old, new=c.new, magnitude=c.magnitude, details=c.details,
            )
        )  # fmt: skip
    return obs.id


def _seed_other_kinds(market: DemoMarket, factory) -> None:  # noqa: ANN001
    """Listings, blog (site), blog index (page) and keyword ranks, from the market's truth."""
    from models.rank import DomainRank, RankCheck, RankResult

    with factory.begin() as session:
        comp = {c.name: c.id for c in session.scalars(select(Competitor))}
        shops = list(market.base_urls)
        ids = {}
        for shop in shops:
            base, cid = market.base_urls[shop], comp[shop.capitalize()]
            ids[shop] = (
                _add_watch(session, "listing", base + "/new", f"{shop} new arrivals", cid),
                _add_watch(session, "site", base + "/", f"{shop} site", cid),
                _add_watch(session, "page", base + "/blog", f"{shop} blog", cid),
            )
        domains = [urlsplit(b).netloc for b in market.base_urls.values()]
        keywords = market.keywords()[:KEYWORDS]
        kw_watch = {k: _add_watch(session, "keyword", f"serp://google/{k}", k, None) for k in keywords}
        previous: dict[str, object] = {}
        for day in range(DAYS):
            at = _moment(day, 30)
            for shop in shops:
                base, cid = market.base_urls[shop], comp[shop.capitalize()]
                listing_w, site_w, page_w = ids[shop]
                items = [
                    ListingItem(i.position, base + i.path, i.title, i.price, i.currency)
                    for i in market.listing_truth(shop, "new", day)
                ]
                posts = market.blog_truth(shop, day)
                if day:
                    old_items, old_posts = previous[shop]
                    _store_changes(session, listing_w, cid, at, detect_listing_changes(old_items, items))
                    known = {p.path for p in old_posts}
                    site_changes = [_published(base, p) for p in posts if p.path not in known]
                    _store_changes(session, site_w, cid, at, site_changes)
                    old_text = "\n".join(p.title for p in old_posts)
                    _store_changes(
                        session,
                        page_w,
                        cid,
                        at,
                        detect_page_changes(old_text, "\n".join(p.title for p in posts)),
                    )
                previous[shop] = (items, posts)
            for k in keywords:
                results = market.serp_truth(k, day)
                obs_now = RankObservation(k, "google", "en-US", "desktop", sim_date(day),
                                          tuple((r.rank, r.url) for r in results), depth=30)  # fmt: skip
                changes = compare(previous.get(k), obs_now, domains)  # type: ignore[arg-type]
                obs_id = _store_changes(session, kw_watch[k], None, at, changes)
                check = RankCheck(
                    watch_id=kw_watch[k], observation_id=obs_id, checked_at=at, group_name="demo", keyword=k,
                    engine="google", locale="en-US", device="desktop", status="ok", page_kind="results",
                    pages_checked=3, depth=30,
                )  # fmt: skip
                session.add(check)
                session.flush()
                session.add_all(
                    RankResult(
                        check_id=check.id, rank=r.rank, url=r.url, domain=host_of(r.url), title=r.title
                    )
                    for r in results
                )
                for d in domains:
                    hit = next((r for r in results if host_of(r.url) == d), None)
                    session.add(DomainRank(check_id=check.id, watch_id=kw_watch[k], checked_at=at, domain=d,
                                           rank=hit.rank if hit else None, url=hit.url if hit else None))  # fmt: skip
                previous[k] = obs_now


def _published(base: str, post) -> object:  # noqa: ANN001
    from monitor.changes.record import DetectedChange

    url = base + post.path
    return DetectedChange(
        kind="new_content_published",
        summary=f"new post: {post.title}",
        details={"url": url, "title": post.title, "section": "/blog/"},
    )


def _score_anomalies(factory) -> None:  # noqa: ANN001
    """What the anomaly stage does: each price change gets the score its day has in the watch's daily
    price series (the last known price of each day, scored from the past only)."""
    with factory.begin() as session:
        states = session.execute(
            select(ProductState.watch_id, ProductState.observed_at, ProductState.price)
            .where(ProductState.price.is_not(None))
            .order_by(ProductState.watch_id, ProductState.observed_at)
        ).all()
        by_watch: dict[int, dict[int, float]] = defaultdict(dict)
        for w, at, price in states:
            by_watch[w][(at - _moment(0)).days] = float(price)
        scored: dict[tuple[int, int], object] = {}
        for w, prices in by_watch.items():
            scorer, last = SeriesScorer(label="price"), None
            for day in range(DAYS):
                last = prices.get(day, last)
                if last is not None:
                    scored[(w, day)] = scorer.update(_moment(day), last)
        for change in session.scalars(select(Change).where(Change.kind.in_(["price_down", "price_up"]))):
            s = scored.get((change.watch_id, (change.detected_at - _moment(0)).days))
            if s is not None:
                change.anomaly_score, change.anomaly_explanation = s.score, s.explanation


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):  # noqa: ANN201
    from spiders.engine import quiet_scrapy_logs

    quiet_scrapy_logs(logging.CRITICAL)
    workdir = tmp_path_factory.mktemp("report")
    _engine, factory = open_store(f"sqlite:///{workdir / 'store.db'}")
    market = DemoMarket(seed=11, n_products=12)
    market.bind({shop: f"http://127.0.0.1:{9301 + i}" for i, shop in enumerate(market.shop_names)})
    market.search.base = market.search_url = "http://127.0.0.1:9300"
    data = demo_watchlist(market, "json://127.0.0.1:9/unused")
    data["channels"] = []
    data["settings"].update(extract_workers=0, timezone=TZ)
    watchlist = load_watchlist_text(yaml.safe_dump(data))
    sync_store(watchlist, factory)
    for day in range(DAYS):
        market.set_day(day)
        _crawl_products(market, watchlist, factory, day)
    _seed_other_kinds(market, factory)
    _score_anomalies(factory)
    return factory, watchlist, market, workdir


def _price_before(rows, moment):  # noqa: ANN001, ANN202
    price = None
    for at, p in rows:
        if at >= moment:
            break
        price = p if p is not None else price
    return price


def test_report_numbers_equal_the_store(seeded) -> None:  # noqa: ANN001
    factory, watchlist, market, _ = seeded
    period = iso_week(WEEK, TZ)
    report = build(factory, period, rules=watchlist.rules)
    assert report.sections[:2] == ["prices", "stock"] and "keywords" in report.sections
    assert {"assortment", "search", "site", "anomalies"} <= set(report.sections)
    with factory() as session:
        comp = {c.id: c.name for c in session.scalars(select(Competitor))}
        watches = {w.id: w for w in session.scalars(select(Watch).where(Watch.kind == "product"))}
        history = defaultdict(list)
        for s in session.scalars(select(ProductState).order_by(ProductState.observed_at)):
            history[s.watch_id].append((s.observed_at, s.price))
        changes = list(
            session.scalars(
                select(Change).where(Change.detected_at >= period.start, Change.detected_at < period.end)
            )
        )
    by_name = {c.name: c for c in report.competitors}
    assert set(by_name) == set(comp.values())
    last_day = (period.last_day - sim_date(0)).days
    product_of = {url: (shop, pid) for shop, pid, url in market.product_urls(day=0)}
    for cid, name in comp.items():
        section = by_name[name].prices
        mine = [w for w in watches.values() if w.competitor_id == cid]
        up = down = 0
        ratios = []
        for w in mine:
            start, end = _price_before(history[w.id], period.start), _price_before(history[w.id], period.end)
            if start is not None and end is not None:
                up += end > start
                down += end < start
            if end is not None and w.options.get("our_price"):
                ratios.append(float(end / Decimal(w.options["our_price"])))
        assert (section.net_up.this_week, section.net_down.this_week) == (up, down), name
        assert section.index_vs_ours.this_week == pytest.approx(100 * statistics.median(ratios))
        kinds = defaultdict(int)
        for c in changes:
            if c.competitor_id == cid:
                kinds[c.kind] += 1
        assert section.changes.this_week == kinds["price_up"] + kinds["price_down"]
        assert (section.moves_up.this_week, section.moves_down.this_week) == (kinds["price_up"], kinds["price_down"])
        stock = by_name[name].stock
        if stock is not None:
            assert stock.stock_outs.this_week == kinds["out_of_stock"]
            assert stock.restocks.this_week == kinds["back_in_stock"]
        assortment = by_name[name].assortment
        assert assortment.listing_added.this_week == kinds["listing_item_added"]
        assert assortment.listing_removed.this_week == kinds["listing_item_removed"]
        site = by_name[name].site
        assert site.pages_added.this_week == kinds["new_content_published"] + kinds["page_added"]
        # the biggest moves are stored price changes of the week, the largest of each product
        mine_changes = [c for c in changes if c.competitor_id == cid and c.kind in ("price_up", "price_down")]
        moved = {c.watch_id for c in mine_changes}
        assert len(section.moves) == min(len(moved), 10)
        for move in section.moves:
            own = [c for c in mine_changes if c.watch_id == move.watch_id]
            biggest = max(own, key=lambda c: abs(c.magnitude))
            assert (move.before, move.after) == (Decimal(biggest.old), Decimal(biggest.new))
            assert product_of[move.url][0].capitalize() == name
    # keyword positions at the end of the week are the ranks of its last check
    for c in report.competitors:
        if c.keywords is None:
            continue
        for pos in c.keywords.positions:
            results = market.serp_truth(pos.keyword, last_day)
            expected = next((r.rank for r in results if host_of(r.url) == pos.domain), None)
            assert pos.current == expected
    shares = [v.share.this_week for v in report.share_of_voice]
    assert sum(shares) == pytest.approx(1.0)
    assert report.summary and report.summary[0].severity is not None


def test_files_carry_the_same_numbers_in_both_languages(seeded, tmp_path) -> None:  # noqa: ANN001
    factory, watchlist, _, _ = seeded
    run = build_and_deliver(watchlist, factory, week=WEEK, out_dir=tmp_path, send=[], locale="zh-CN")
    assert set(run.files) == {"html", "md", "csv", "json"}
    data = json.loads(run.files["json"].read_text(encoding="utf-8"))
    assert data["period_label"] == WEEK and data["locale"] == "zh-CN"
    assert data["competitors"] == plain(run.report.competitors)
    csv_text = run.files["csv"].read_text(encoding="utf-8")
    first = run.report.competitors[0]
    assert (
        f"prices,{first.name},,moves_down,{first.prices.moves_down.this_week},{first.prices.moves_down.last_week}"
        in csv_text
    )
    md = run.files["md"].read_text(encoding="utf-8")
    assert "竞争对手周报" in md and f"## {first.name}" in md
    html = run.files["html"].read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.split("<body", 1)[0]


@pytest.mark.browser
def test_html_report_shows_every_section_and_chart_in_chromium(seeded) -> None:  # noqa: ANN001
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is missing")
    from playwright.sync_api import sync_playwright

    from spiders.settings import PLAYWRIGHT_LAUNCH_OPTIONS

    factory, watchlist, _, _ = seeded
    out = REPO / "artifacts" / "report"
    run = build_and_deliver(
        watchlist, factory, week=WEEK, out_dir=out, send=[], formats=["html"], locale="en"
    )
    html_path = run.files["html"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**PLAYWRIGHT_LAUNCH_OPTIONS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.route(
                "**/*",
                lambda route: (
                    route.abort() if not route.request.url.startswith("file:") else route.continue_()
                ),
            )
            page.goto(html_path.as_uri())
            assert page.locator("#summary").is_visible()
            assert page.locator("#summary tbody tr").count() >= 3
            for section in ("prices", "stock", "assortment", "keywords", "site", "anomalies", "search"):
                assert page.locator(f"[data-section='{section}']").first.is_visible(), section
            for chart in ("price-history", "rank-history", "share-of-voice"):
                svg = page.locator(f"svg[data-chart='{chart}']").first
                assert svg.is_visible(), chart
                box = svg.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 80, chart
            assert page.locator("svg[data-chart='price-history'] polyline").count() >= 1
            shot = REPO / "artifacts" / "report-2026-W08.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    print(f"\nreport screenshot: {shot}\nreport html: {html_path}")
    assert shot.stat().st_size > 10_000
