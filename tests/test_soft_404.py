"""A page that says it is not the product (HTTP 200 "Page not found" over a grid of recommended
products) is a failed observation, for a product and for a listing, never a change; a watch whose
price came from structured data and now only has a text guess under another name is suspect."""

from __future__ import annotations

import logging

from local_http import PageHandler, local_watchlist, origin, pages_handler, serving
from sqlalchemy import select

from models import Change, Watch
from models.crawl import Observation
from models.db import open_store
from monitor.crawl.runner import run_cycle
from spiders.engine import quiet_scrapy_logs

GRID = "".join(
    f'<li class="product"><a href="/p/{i}">Garden gnome {i}</a><span class="price">{19 + i}.99 €</span></li>'
    for i in range(3)
)
PRODUCT = (
    '<html><head><title>Kettle K1</title><script type="application/ld+json">{"@type":"Product","name":"Kettle K1",'
    '"offers":{"price":"131.99","priceCurrency":"EUR","availability":"https://schema.org/InStock"}}</script></head>'
    '<body><h1>Kettle K1</h1><span class="price">131.99 €</span></body></html>'
)
LISTING = (
    "<html><head><title>Kettles</title></head><body><h1>Kettles</h1><ul>"
    + "".join(
        f'<li class="product"><a href="/p/k{i}">Kettle {i}</a><span class="price">{30 + i}.00 €</span></li>'
        for i in range(30)
    )
    + "</ul></body></html>"
)
SOFT_404 = (
    "<html><head><title>Page not found | Shop</title></head><body><h1>Sorry, we can't find that page</h1>"
    f"<h2>You may also like</h2><ul>{GRID}</ul></body></html>"
)
ELSEWHERE = (  # no structured data, no "not found": a page of other products, one price guessable
    "<html><head><title>Shop</title></head><body><h1>Garden gnome deluxe</h1>"
    '<span class="price">19.99 €</span><button>Add to cart</button></body></html>'
)
PAGES: dict[str, str] = {}


Shop = pages_handler(PAGES)


def test_soft_404s_and_a_page_of_another_product_are_failures_not_changes(tmp_path) -> None:  # noqa: ANN001
    quiet_scrapy_logs(logging.CRITICAL)
    PAGES.update({"/kettle": PRODUCT, "/kettle2": PRODUCT, "/kettles": LISTING})
    with serving(Shop) as server:
        base = origin(server)
        wl = local_watchlist(base, products=["/kettle", "/kettle2"], listings=["/kettles"])
        _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
        first = run_cycle(wl, factory, send_alerts=False, force=True)
        assert (first.stats.ok, first.stats.failed) == (3, 0), [o.reason for o in first.stats.outcomes]
        PAGES.update({"/kettle": SOFT_404, "/kettle2": ELSEWHERE, "/kettles": SOFT_404})
        second = run_cycle(wl, factory, send_alerts=False, force=True)
    assert [(c.kind, c.summary) for c in second.changes] == [] and second.stats.failed == 3, [
        o.reason for o in second.stats.outcomes
    ]
    with factory() as s:
        reasons = {
            url.rsplit("/", 1)[1]: reason
            for url, reason in s.execute(
                select(Watch.url, Observation.error_reason)
                .join(Observation, Observation.watch_id == Watch.id)
                .where(Observation.run_id == second.run_id)
            )
        }
        assert s.scalars(select(Change)).all() == []
    assert reasons["kettle"] == "the page says it is not there (soft 404, title 'Page not found | Shop')"
    assert reasons["kettles"] == reasons["kettle"]
    assert reasons["kettle2"].startswith("suspect page: the price was in the page's data before")


MAINTENANCE = (
    "<html><head><title>We'll be right back</title></head><body><h1>Down for maintenance</h1></body></html>"
)
CONSENT = (
    "<html><head><title>Before you continue to Shop</title></head><body><form><button>Accept all</button>"
    "<button>Reject all</button></form></body></html>"
)


class Walls(PageHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/gone":
            self.send_response(302)
            self.send_header("Location", "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/cut":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<html><head><title>Kettle</title>")
            self.wfile.flush()
            self.connection.shutdown(2)
        else:
            page = {"/": "<html><head><title>Shop home</title></head><body><h1>Welcome</h1>"
                    '<span class="price">9.99 €</span></body></html>', "/maintenance": MAINTENANCE,
                    "/consent": CONSENT}.get(self.path)  # fmt: skip
            self.send_page(200 if page else 404, (page or "no").encode())


def test_maintenance_consent_home_redirects_and_resets_say_what_they_are(tmp_path) -> None:  # noqa: ANN001
    quiet_scrapy_logs(logging.CRITICAL)
    with serving(Walls) as server:
        base = origin(server)
        wl = local_watchlist(base, products=["/maintenance", "/consent", "/gone", "/cut"])
        _engine, factory = open_store(f"sqlite:///{tmp_path / 'rw.db'}")
        summary = run_cycle(wl, factory, send_alerts=False)
    reasons = {o.url.rsplit("/", 1)[1] or o.url: o.reason for o in summary.stats.outcomes}
    assert summary.stats.failed == 4, reasons
    by_start = sorted(r or "" for r in reasons.values())
    assert any(
        r.startswith('the site is down for maintenance (title "We\'ll be right back")') for r in by_start
    )
    assert any(
        r.startswith("a consent wall instead of the page (title 'Before you continue to Shop')")
        for r in by_start
    )
    assert any(r.startswith("redirected to the home page (") for r in by_start)
    assert any(r.startswith("connection reset: the server cut the page off") for r in by_start), by_start
