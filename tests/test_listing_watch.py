"""Listing watches end to end over real HTTP: the cards stored each day equal the demo market's truth,
the changes are exactly the moves the market made, and a broken listing is a failed observation,
never "all items removed"."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from local_http import PageHandler, origin, serving
from sqlalchemy import select

from models import Change, Watch
from models.crawl import Observation
from models.listing import ListingSnapshot
from monitor.crawl.runner import run_cycle
from monitor.demo.bad_pages import CAPTCHA_HTML, LOGIN_HTML
from monitor.watchlist import load_watchlist_text
from spiders.engine import quiet_scrapy_logs

DAYS = 4
SHOPS = ("alpha", "gamma")
T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)


# the demo market of the `market` fixture (conftest.py)
MARKET = {"seed": 5, "n_products": 40}


def _watchlist(listings: list[dict], competitors: list[dict] | None = None):  # noqa: ANN202
    data = {
        "settings": {"allow_private_addresses": True, "retries": 0, "download_timeout": 5},
        "competitors": competitors or [],
        "listings": listings,
    }
    return load_watchlist_text(yaml.safe_dump(data))


def _market_listings(market) -> tuple[list[dict], dict[str, tuple[str, str]]]:  # noqa: ANN001
    """Every category and "new arrivals" listing of two shops, read three different ways."""
    listings, where = [], {}
    for shop in SHOPS:
        for url in market.listing_urls(shop):
            category = "new" if url.endswith("/new") else url.rsplit("/", 1)[1]
            watch: dict = {"url": url, "competitor": shop, "max_pages": 20}
            if shop == "gamma" and category in ("phones", "new"):
                watch["selectors"] = {"card": "li.product-card", "price": ".price"}
            elif shop == "gamma":
                watch["pagination"] = "page_param"
            listings.append(watch)
            where[url] = (shop, category)
    competitors = [{"name": s, "domains": [market.base_urls[s].split("://")[1]]} for s in SHOPS]
    return listings, where, competitors


def _expected_changes(market, shop: str, old: list, new: list) -> list[tuple[str, str | None]]:  # noqa: ANN001
    """The listing moves between two days of the truth, worked out from the truth itself."""
    url = lambda item: market.url(shop, item.path)  # noqa: E731
    old_pos = {url(i): n for n, i in enumerate(old, 1)}
    new_pos = {url(i): n for n, i in enumerate(new, 1)}
    old_price = {url(i): i.price for i in old}
    out: list[tuple[str, str | None]] = []
    n0, n1 = len(old), len(new)
    if n0 and n0 != n1 and abs(n1 - n0) / n0 >= 0.2:
        out.append(("listing_count_shift", None))
    if n0 and n1 < 0.5 * n0:
        return out
    out += [("listing_item_added", u) for u in new_pos if u not in old_pos]
    out += [("listing_item_removed", u) for u in old_pos if u not in new_pos]
    for item in new:
        u = url(item)
        if u in old_pos:
            if abs(new_pos[u] - old_pos[u]) >= 3:
                out.append(("listing_item_moved", u))
            if item.price != old_price[u]:
                out.append(("listing_price_changed", u))
    return out


def _change_key(change: Change) -> tuple[str, str | None]:
    return change.kind, (change.details or {}).get("url")


def test_stored_listings_and_changes_match_the_market_truth(market, store) -> None:  # noqa: ANN001
    _engine, factory = store
    market.set_day(0)
    listings, where, competitors = _market_listings(market)
    watchlist = _watchlist(listings, competitors)
    compared = moves = 0
    for day in range(DAYS):
        market.set_day(day)
        summary = run_cycle(
            watchlist, factory, force=True, send_alerts=False, clock=lambda d=day: T0 + timedelta(days=d)
        )
        assert summary.by_kind["listing"].failed == 0, [o.reason for o in summary.stats.outcomes]
        assert summary.by_kind["listing"].ok == len(listings)
        with factory() as s:
            for watch in s.scalars(select(Watch).where(Watch.kind == "listing")):
                shop, category = where[watch.url]
                snapshots = s.scalars(
                    select(ListingSnapshot)
                    .where(ListingSnapshot.watch_id == watch.id)
                    .order_by(ListingSnapshot.id.desc())
                ).all()
                assert len(snapshots) == day + 1  # one snapshot per crawl, however many pages
                truth = market.listing_truth(shop, category, day)
                stored = [(i.position, i.url, i.title, i.price) for i in snapshots[0].items]
                assert stored == [(t.position, market.url(shop, t.path), t.title, t.price) for t in truth], (
                    day,
                    watch.url,
                )
                assert snapshots[0].item_count == len(truth)
                compared += len(truth)
                if day == 0:
                    continue
                before = market.listing_truth(shop, category, day - 1)
                expected = sorted(_expected_changes(market, shop, before, truth), key=str)
                got = sorted((_change_key(c) for c in summary.changes if c.watch_id == watch.id), key=str)
                assert got == expected, (day, watch.url)
                moves += len(got)
    assert compared > 200 and moves > 10  # the market did move: this test compared something


class _Shop(PageHandler):
    """A listing of 12 cards over 3 pages whose answers the test switches: `mode` on the server."""

    def do_GET(self) -> None:  # noqa: N802
        mode = self.server.mode  # type: ignore[attr-defined]
        page = int((parse_qs(urlsplit(self.path).query).get("page") or ["1"])[0])
        status, body = 200, _listing_html(page)
        if mode == "500" or (mode == "page2_500" and page == 2):
            status, body = 500, "<html><title>500 Internal Server Error</title><h1>Oops</h1></html>"
        elif mode == "empty":
            body = ""
        elif mode == "captcha":
            body = CAPTCHA_HTML
        elif mode == "login":
            body = LOGIN_HTML
        elif mode == "no_results":
            body = "<html><body><main><h1>Lamps</h1><p>0 results found.</p></main></body></html>"
        elif mode == "redesign":
            body = "<html><body><main><h1>Lamps</h1><p>We are updating our shop.</p></main></body></html>"
        self.send_page(status, body.encode())


def _listing_html(page: int) -> str:
    cards = "".join(
        f'<li class="card"><a href="/lamp/{n}"><h3>Desk lamp model {n}</h3></a>'
        f'<span class="price">${10 + n}.99</span></li>'
        for n in range((page - 1) * 4 + 1, page * 4 + 1)
    )
    nxt = f'<a rel="next" href="/lamps?page={page + 1}">Next</a>' if page < 3 else ""
    return f"<html><body><main><h1>Lamps</h1><ul class='grid'>{cards}</ul>{nxt}</main></body></html>"


@pytest.fixture()
def flaky_shop():  # noqa: ANN201
    with serving(_Shop) as server:
        server.mode = "ok"  # type: ignore[attr-defined]
        yield server


BROKEN = {
    "500": "HTTP 500",
    "page2_500": "page 2: HTTP 500",
    "empty": "empty page",
    "captcha": "blocked",
    "login": "blocked: login wall",
    "no_results": "no results (it had 12 items before)",
    "redesign": "no product cards found",
}


def test_a_broken_listing_is_a_failed_observation_never_all_items_removed(flaky_shop, store) -> None:  # noqa: ANN001
    _engine, factory = store
    quiet_scrapy_logs(logging.CRITICAL)
    url = f"{origin(flaky_shop)}/lamps"
    watchlist = _watchlist([{"url": url, "label": "Lamps"}])
    clock = iter(T0 + timedelta(hours=h) for h in range(100))

    def cycle():  # noqa: ANN202
        return run_cycle(watchlist, factory, force=True, send_alerts=False, clock=lambda: next(clock))

    first = cycle()
    assert first.stats.ok == 1 and not first.changes
    for mode, reason in BROKEN.items():
        flaky_shop.mode = mode
        summary = cycle()
        assert summary.stats.failed == 1, mode
        assert reason in summary.stats.outcomes[0].reason, (mode, summary.stats.outcomes[0].reason)
        assert summary.changes == [], mode
    flaky_shop.mode = "ok"
    back = cycle()
    assert back.stats.ok == 1 and back.changes == []  # compared with the last GOOD crawl
    with factory() as s:
        watch = s.scalars(select(Watch).where(Watch.kind == "listing")).one()
        assert watch.last_error is None and watch.consecutive_failures == 0
        observations = s.scalars(select(Observation).where(Observation.watch_id == watch.id)).all()
        assert [o.status for o in observations] == ["ok"] + ["failed"] * len(BROKEN) + ["ok"]
        snapshots = s.scalars(select(ListingSnapshot).where(ListingSnapshot.watch_id == watch.id)).all()
        assert [(sn.item_count, sn.pages_fetched) for sn in snapshots] == [(12, 3), (12, 3)]
        kinds = set(s.scalars(select(Change.kind)))
        assert "listing_item_removed" not in kinds


def test_a_one_page_listing_asks_conditionally_and_a_304_keeps_the_cards(market, store) -> None:  # noqa: ANN001
    """A listing read as one page sends the last read's validators; the shop's 304 is a good,
    unchanged observation with the same cards stored again, and a real change is still seen."""
    _engine, factory = store
    market.set_day(0)
    url = market.listing_urls("alpha")[0]
    watchlist = _watchlist([{"url": url, "pagination": "none"}])
    statuses, counts = [], []
    for day, run in ((0, 0), (0, 1), (3, 2)):
        market.set_day(day)
        summary = run_cycle(
            watchlist, factory, force=True, send_alerts=False, clock=lambda r=run: T0 + timedelta(hours=r)
        )
        (outcome,) = summary.stats.outcomes
        assert outcome.status == "ok", outcome.reason
        statuses.append((outcome.http_status, outcome.unchanged))
        counts.append(len(summary.changes))
    assert statuses[0] == (200, False) and statuses[1] == (304, True)
    assert counts[1] == 0 and statuses[2] == (200, False)
    with factory() as s:
        snaps = s.scalars(select(ListingSnapshot).order_by(ListingSnapshot.id)).all()
        assert len(snaps) == 3 and snaps[1].item_count == snaps[0].item_count > 0
        assert snaps[1].stop_reason == "not_modified"
        watch = s.scalars(select(Watch).where(Watch.url == url)).one()
        assert watch.etag and watch.last_error is None
        later = [i.url for i in snaps[2].items]
    # Three days on the page's bytes differ (prices, stock), so the shop answered in full, and what
    # was stored is that day's page.
    category = url.rsplit("/", 1)[1]
    assert later == [market.url("alpha", i.path) for i in market.listing_truth("alpha", category, 3)][: len(later)]
