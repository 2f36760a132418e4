"""Browser rendering through real Chromium: the demo market's JavaScript-only shop "delta" (product
prices and an infinite-scroll listing), a "load more" listing, page actions, the screenshot stored with
the observation, and a broken page in a browser reported as what it is (never "all items removed")."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from local_http import PageHandler, origin, serving
from sqlalchemy import select

from models import Body, ProductState, Watch
from models.crawl import Observation
from models.listing import ListingSnapshot
from monitor.crawl.runner import run_cycle
from monitor.demo.shops import DELTA_SELECTORS, HTTP_SHOPS
from monitor.watchlist import load_watchlist_text
from spiders.engine import quiet_scrapy_logs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path("/usr/bin/chromium").exists() and shutil.which("chromium") is None,
        reason="Chromium is not installed (/usr/bin/chromium): browser rendering cannot be tested",
    ),
]

T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)


# the demo market of the `market` fixture (conftest.py)
MARKET = {"seed": 3, "n_products": 40, "shops": (HTTP_SHOPS[0], "delta")}


def _watchlist(products: list[dict], listings: list[dict]):  # noqa: ANN202
    data = {
        "settings": {"allow_private_addresses": True, "retries": 0, "download_timeout": 20},
        "products": products,
        "listings": listings,
    }
    return load_watchlist_text(yaml.safe_dump(data))


def test_delta_prices_and_infinite_scroll_listing_through_chromium(market, tmp_path) -> None:  # noqa: ANN001
    from models.db import open_store

    _engine, factory = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    delta = [(pid, url) for shop, pid, url in market.product_urls(day=0) if shop == "delta"][:4]
    plain = next(url for shop, _pid, url in market.product_urls(day=0) if shop != "delta")
    products = [
        {"url": url, "render": "browser", "wait_for": ".pdp-price", "selectors": DELTA_SELECTORS}
        for _pid, url in delta
    ]
    products[0]["screenshot"] = True
    products.append({"url": plain})  # an HTTP watch in the same cycle
    categories = ["phones", "watches"]
    listings = [
        {
            "url": market.url("delta", f"/category/{c}"),
            "render": "browser",
            "scroll": 30,
            "screenshot": c == "phones",
        }
        for c in categories
    ]
    listings.append({"url": market.url("delta", "/bad/500"), "render": "browser", "scroll": 3})
    watchlist = _watchlist(products, listings)
    for day in (0, 1):
        market.set_day(day)
        summary = run_cycle(
            watchlist, factory, force=True, send_alerts=False, clock=lambda d=day: T0 + timedelta(days=d)
        )
        assert summary.by_kind["product"].ok == len(products), [o.reason for o in summary.stats.outcomes]
        listing_stats = summary.by_kind["listing"]
        assert listing_stats.ok == len(categories) and listing_stats.failed == 1
        failed = next(o for o in listing_stats.outcomes if o.status == "failed")
        assert failed.reason.startswith("HTTP 500")  # what the page said, not a browser timeout
        truth = market.truth(day)["delta"]
        with factory() as s:
            watches = {w.url: w for w in s.scalars(select(Watch))}
            for pid, url in delta:
                state = s.scalars(
                    select(ProductState)
                    .where(ProductState.watch_id == watches[url].id)
                    .order_by(ProductState.id.desc())
                ).first()
                assert state.price == truth[pid].price and state.availability == truth[pid].availability
            for c in categories:
                snap = s.scalars(
                    select(ListingSnapshot)
                    .where(ListingSnapshot.watch_id == watches[market.url("delta", f"/category/{c}")].id)
                    .order_by(ListingSnapshot.id.desc())
                ).first()
                expected = [
                    (market.url("delta", t.path), t.price) for t in market.listing_truth("delta", c, day)
                ]
                assert len(expected) > market.listing_page_size()  # more than the first screenful
                assert [(i.url, i.price) for i in snap.items] == expected
            shots = s.scalars(
                select(Observation.screenshot_hash).where(Observation.screenshot_hash.is_not(None))
            ).all()
            assert len(shots) == 2 * (day + 1)  # one product and one listing asked for a screenshot
            assert all(s.get(Body, h).raw().startswith(b"\x89PNG") for h in shots)


class _LoadMore(PageHandler):
    """A listing that shows 4 cards and a "Load more" button adding 4 more (16 in all), behind a
    cookie banner that covers the button until it is dismissed, and a search box."""

    def do_GET(self) -> None:  # noqa: N802
        self.send_page(200, PAGE.encode())


PAGE = """<!DOCTYPE html><html><head><title>Lamps</title><style>
#banner{position:fixed;inset:0;background:#fff;z-index:9}</style></head><body>
<div id="banner"><button id="accept">Accept cookies</button></div>
<form id="search"><input name="q"><button>Go</button></form><p id="searched"></p>
<ul id="grid"></ul><button class="more">Load more</button>
<script>
var n = 0;
function more() {
  for (var i = 0; i < 4 && n < 16; i++) { n++;
    var li = document.createElement('li'); li.className = 'card';
    li.innerHTML = '<a href="/lamp/' + n + '"><h3>Desk lamp model ' + n + '</h3></a><span class="price">$' + (10 + n) + '.99</span>';
    document.getElementById('grid').appendChild(li); }
  if (n >= 16) document.querySelector('.more').remove();
}
more();
document.querySelector('.more').addEventListener('click', function () { setTimeout(more, 200); });
document.getElementById('accept').addEventListener('click', function () { document.getElementById('banner').remove(); });
document.getElementById('search').addEventListener('submit', function (e) {
  e.preventDefault(); document.getElementById('searched').textContent = 'searched ' + this.q.value; });
</script></body></html>"""


def test_load_more_and_page_actions(tmp_path) -> None:  # noqa: ANN001
    from models.db import open_store

    quiet_scrapy_logs(logging.CRITICAL)
    with serving(_LoadMore) as server:
        url = f"{origin(server)}/lamps"
        listing = {
            "url": url,
            "render": "browser",
            "load_more": "button.more",
            "max_pages": 10,
            "actions": [
                {"click": "#accept"},
                {"fill": "input[name=q]", "value": "lamp", "submit": True},
                {"wait_for": "#searched:not(:empty)"},
            ],
        }
        _engine, factory = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        summary = run_cycle(
            _watchlist([], [listing]), factory, force=True, send_alerts=False, clock=lambda: T0
        )
        outcome = summary.stats.outcomes[0]
        assert outcome.status == "ok", outcome.reason
        assert [i.url for i in outcome.value.items] == [f"{url.rsplit('/', 1)[0]}/lamp/{n}" for n in range(1, 17)]
        with factory() as s:
            obs = s.scalars(select(Observation)).one()
            assert b"searched lamp" in s.get(Body, obs.content_hash).raw()  # the actions ran, in order
