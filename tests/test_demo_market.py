"""The demo market: deterministic simulation, evolution, pages in each shop's markup, HTTP behaviour."""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from monitor.demo import GAMMA_SELECTORS, HUALI_SELECTORS, Catalogue, DemoMarket

AVAIL_TEXT = {
    "In stock": "InStock",
    "Out of stock": "OutOfStock",
    "Pre-order": "PreOrder",
    "Available on backorder": "BackOrder",
    "有货": "InStock",
    "缺货": "OutOfStock",
    "预售": "PreOrder",
    "可预订": "BackOrder",
}
OG_AVAIL = {"instock": "InStock", "oos": "OutOfStock", "preorder": "PreOrder", "backorder": "BackOrder"}


@pytest.fixture(scope="module")
def market():
    with DemoMarket(seed=7, n_products=50) as m:
        yield m


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(
        url, method=method, headers=headers or {}, data=b"" if method == "POST" else None
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def visible_price(text: str) -> Decimal:
    """Shopper-facing price strings: $1,299.99 / £12.99 / ¥8999.00 / 1.299,99 €."""
    text = text.strip()
    if text.endswith("€"):
        return Decimal(text.rstrip(" €").replace(".", "").replace(",", "."))
    return Decimal(re.sub(r"[^\d.]", "", text))


def extract(shop: str, body: bytes) -> dict:
    """Read the page the way its declared markup says, as a user's configuration would."""
    sel = Selector(text=body.decode())
    if shop == "alpha":
        for raw in sel.css('script[type="application/ld+json"]::text').getall():
            data = json.loads(raw)
            if data.get("@type") == "Product":
                offer = data["offers"]
                return {
                    "price": Decimal(offer["price"]),
                    "currency": offer["priceCurrency"],
                    "availability": offer["availability"].rsplit("/", 1)[-1],
                    "name": data["name"],
                }
        raise AssertionError("no JSON-LD Product")
    if shop == "beta":
        assert not sel.css('script[type="application/ld+json"]')
        offer = sel.css('[itemtype="https://schema.org/Offer"]')
        return {
            "price": Decimal(offer.css('[itemprop="price"]::attr(content)').get()),
            "currency": offer.css('[itemprop="priceCurrency"]::attr(content)').get(),
            "availability": offer.css('[itemprop="availability"]::attr(href)').get().rsplit("/", 1)[-1],
            "name": sel.css('[itemprop="name"]::text').get(),
            "visible": visible_price(offer.css('[itemprop="price"]::text').get()),
        }
    if shop == "gamma":
        assert not sel.css('script[type="application/ld+json"], [itemprop], meta[property^="product:"]')
        return {
            "price": visible_price(sel.css(GAMMA_SELECTORS["price"] + "::text").get()),
            "currency": "GBP",
            "availability": AVAIL_TEXT[sel.css(GAMMA_SELECTORS["availability"] + "::text").get()],
            "name": sel.css(GAMMA_SELECTORS["name"] + "::text").get(),
        }
    if shop == "huali":
        return {
            "price": Decimal(sel.css('meta[property="product:price:amount"]::attr(content)').get()),
            "currency": sel.css('meta[property="product:price:currency"]::attr(content)').get(),
            "availability": OG_AVAIL[sel.css('meta[property="product:availability"]::attr(content)').get()],
            "name": sel.css(HUALI_SELECTORS["name"] + "::text").get(),
            "visible": visible_price(sel.css(HUALI_SELECTORS["price"] + "::text").get()),
            "visible_availability": AVAIL_TEXT[sel.css(HUALI_SELECTORS["availability"] + "::text").get()],
        }
    raise AssertionError(shop)


# ---- simulation ------------------------------------------------------------------------------


def test_same_seed_gives_same_truth_whatever_order_days_are_asked():
    a, b = Catalogue(7, 50), Catalogue(7, 50)
    later_first = {d: b.truth(d) for d in (9, 3, 0, 14)}
    for d in (0, 3, 9, 14):
        assert a.truth(d) == later_first[d]
    assert Catalogue(8, 50).truth(5) != a.truth(5)


def test_market_evolves_like_a_market():
    cat = Catalogue(7, 50)
    days = [cat.truth(d) for d in range(15)]
    stable = moved = outs = restocks = removed = added = on_sale = 0
    for prev, cur in zip(days, days[1:], strict=False):
        for shop, rows in cur.items():
            for pid, row in rows.items():
                old = prev[shop].get(pid)
                if old is None:
                    added += 1
                    continue
                if old.exists and not row.exists:
                    removed += 1
                if not (old.exists and row.exists):
                    continue
                if row.price == old.price:
                    stable += 1
                else:
                    moved += 1
                outs += old.availability == "InStock" and row.availability == "OutOfStock"
                restocks += old.availability == "OutOfStock" and row.availability == "InStock"
                on_sale += row.on_sale
    assert stable > 5 * moved > 0  # most prices stay put
    assert outs > 5 and restocks > 5 and removed > 2 and added > 5
    assert on_sale > 20  # campaigns happened
    for rows in days[14].values():
        for row in rows.values():
            assert row.price > 0 and row.price == row.price.quantize(Decimal("0.01"))
            assert not row.on_sale or row.price < row.list_price


def test_campaign_cuts_many_prices_of_one_shop_at_once():
    cat = Catalogue(7, 50)
    best = 0
    for d in range(1, 12):
        for shop, rows in cat.truth(d).items():
            prev = cat.truth(d - 1)[shop]
            cuts = [
                1 - r.price / prev[p].price
                for p, r in rows.items()
                if p in prev and r.exists and prev[p].exists and r.on_sale and not prev[p].on_sale
            ]
            if len(cuts) >= 10:
                assert all(Decimal("0.05") < c < Decimal("0.40") for c in cuts)
                best = max(best, len(cuts))
    assert best >= 10


def test_our_prices_cover_the_base_catalogue_and_some_are_undercut():
    cat = Catalogue(7, 50)
    ours = cat.our_prices()
    assert len(ours) == 50 and all(isinstance(v, Decimal) for v in ours.values())
    in_gbp = cat.our_prices("gamma")
    gamma = cat.truth(0)["gamma"]
    undercut = [p for p, price in in_gbp.items() if gamma[p].price < price]
    assert 0 < len(undercut) < 50


# ---- pages over HTTP -------------------------------------------------------------------------


@pytest.mark.parametrize("day", [0, 6])
def test_each_shop_carries_the_true_price_in_its_declared_form(market, day):
    market.set_day(day)
    truth = market.truth()
    urls = market.product_urls()
    assert {shop for shop, _, _ in urls} == {"alpha", "beta", "gamma", "huali"}
    for shop, pid, url in urls:
        status, headers, body = fetch(url)
        assert status == 200, url
        got = extract(shop, body)
        want = truth[shop][pid]
        assert (got["price"], got["currency"], got["availability"]) == (
            want.price,
            want.currency,
            want.availability,
        )
        assert got["name"] == want.name
        assert got.get("visible", want.price) == want.price
        assert got.get("visible_availability", want.availability) == want.availability
        if want.on_sale:  # the old price is shown struck through
            sel = Selector(text=body.decode())
            assert sel.css("s, del").get() is not None
    market.set_day(0)


def test_product_pages_look_like_real_shop_pages(market):
    market.set_day(0)
    _, _, url = market.product_urls(shops=("gamma",))[0]
    sel = Selector(text=fetch(url)[2].decode())
    assert sel.css("nav.breadcrumbs li")
    assert len(sel.css(".carousel .card-price")) >= 2  # other prices on the page
    assert sel.css("footer")
    assert len(sel.css(GAMMA_SELECTORS["price"])) == 1


def test_removed_product_answers_404_from_its_removal_day(market):
    for shop in market.shop_names:
        pid, url, removal_day = market.vanishing_product(shop)
        market.set_day(removal_day - 1)
        assert fetch(url)[0] == 200
        assert market.truth()[shop][pid].exists
        market.set_day(removal_day)
        status, _, body = fetch(url)
        assert status == 404 and b"404" in body
        assert not market.truth()[shop][pid].exists
        assert url not in {u for _, _, u in market.product_urls()}
    market.set_day(0)


def test_new_products_appear_and_are_served(market):
    before = {pid for _, pid, _ in market.product_urls(day=0)}
    new = [(shop, pid, url) for shop, pid, url in market.product_urls(day=6) if pid not in before]
    assert new
    shop, pid, url = new[0]
    market.set_day(0)
    assert fetch(url)[0] == 404
    market.set_day(6)
    assert fetch(url)[0] == 200
    market.set_day(0)


def test_conditional_requests_answer_304_when_unchanged(market):
    market.set_day(0)
    _, _, url = market.product_urls()[0]
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", parts.path)
    resp = conn.getresponse()
    body = resp.read()
    etag, modified = resp.getheader("ETag"), resp.getheader("Last-Modified")
    assert resp.status == 200 and etag and modified and body
    # Same connection (keep-alive), validators back: 304 without a body.
    conn.request("GET", parts.path, headers={"If-None-Match": etag})
    resp = conn.getresponse()
    assert resp.status == 304 and resp.read() == b"" and resp.getheader("ETag") == etag
    conn.request("GET", parts.path, headers={"If-Modified-Since": modified})
    resp = conn.getresponse()
    assert resp.status == 304 and resp.read() == b""
    conn.request("GET", parts.path, headers={"If-None-Match": '"something-else"'})
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == body
    conn.close()


def test_etag_changes_when_the_price_changes(market):
    truth0, truth9 = market.truth(0), market.truth(9)
    shop, pid = next(
        (s, p)
        for s in truth9
        for p, r in truth9[s].items()
        if r.exists and truth0[s].get(p) and truth0[s][p].price != r.price
    )
    url = market.product_url(shop, pid)
    market.set_day(0)
    _, h0, _ = fetch(url)
    market.set_day(9)
    status, h9, _ = fetch(url, headers={"If-None-Match": h0["ETag"]})
    assert status == 200 and h9["ETag"] != h0["ETag"]
    market.set_day(0)


def test_head_has_headers_but_no_body(market):
    _, _, url = market.product_urls()[0]
    status, headers, body = fetch(url, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def test_each_shop_has_its_own_netloc_robots_and_sitemap(market):
    from protego import Protego

    market.set_day(0)
    netlocs = {urlsplit(u).netloc for u in market.base_urls.values()}
    assert len(netlocs) == len(market.base_urls)
    for shop, base in market.base_urls.items():
        status, headers, body = fetch(base + "/robots.txt")
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        robots = Protego.parse(body.decode())
        assert not robots.can_fetch(base + "/private/prices", "rivalwatch")
        assert robots.can_fetch(base + "/", "rivalwatch")
        assert fetch(base + "/private/prices")[0] == 200  # only robots keeps crawlers out
        sitemaps = list(robots.sitemaps)
        assert sitemaps == [base + "/sitemap.xml"]
        index = Selector(text=fetch(sitemaps[0])[2].decode(), type="xml")
        index.remove_namespaces()
        locs = index.xpath("//loc/text()").getall()
        products = Selector(text=fetch(locs[0])[2].decode(), type="xml")
        products.remove_namespaces()
        listed = set(products.xpath("//loc/text()").getall())
        assert listed == {u for s, _, u in market.product_urls() if s == shop}


def test_unknown_paths_are_404_and_other_methods_405(market):
    base = market.base_urls["alpha"]
    assert fetch(base + "/no/such/page")[0] == 404
    assert fetch(base + "/products/nothing-999999.html")[0] == 404
    assert fetch(base + "/", method="POST")[0] == 405
