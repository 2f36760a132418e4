"""The demo market's listings, blog, JavaScript-only shop and search engine, against their truths."""

from __future__ import annotations

import gzip
import json
import os
import urllib.error
import urllib.request
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from parsel import Selector

from monitor.demo import DELTA_SELECTORS, HTTP_SHOPS, DemoMarket

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def market():
    with DemoMarket(seed=7, n_products=50, shops=(*HTTP_SHOPS, "delta")) as m:
        yield m


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def crawl_listing(url: str) -> list[tuple[str, str]]:
    """Follow rel=next pagination; return (absolute url, title) of every card in order."""
    cards = []
    while url:
        status, _, body = fetch(url)
        assert status == 200, url
        sel = Selector(text=body.decode())
        for card in sel.css("li.product-card"):
            cards.append(
                (urljoin(url, card.css("a.card-link::attr(href)").get()), card.css(".card-title::text").get())
            )
        nxt = sel.css('a[rel="next"]::attr(href)').get()
        url = urljoin(url, nxt) if nxt else ""
    return cards


def test_category_listings_paginate_and_match_the_truth(market):
    market.set_day(0)
    assert market.listing_page_size() < 6  # so 50 products still give several pages
    for shop in HTTP_SHOPS:
        for category in ("laptops", "headphones"):
            truth = market.listing_truth(shop, category)
            got = crawl_listing(market.url(shop, f"/category/{category}"))
            assert got == [(market.url(shop, i.path), i.title) for i in truth]
            assert len(truth) > market.listing_page_size()
    assert fetch(market.url("alpha", "/category/laptops?page=99"))[0] == 404
    assert fetch(market.url("alpha", "/category/no-such-thing"))[0] == 404


def test_listings_change_from_day_to_day(market):
    moved = added = removed = 0
    for shop in HTTP_SHOPS:
        for category in ("laptops", "phones", "watches", "speakers", "routers"):
            for day in range(1, 10):
                before = [i.product_id for i in market.listing_truth(shop, category, day - 1)]
                after = [i.product_id for i in market.listing_truth(shop, category, day)]
                added += len(set(after) - set(before))
                removed += len(set(before) - set(after))
                common = [p for p in after if p in before]
                moved += common != [p for p in before if p in after]
    assert moved > 10 and added > 0 and removed > 0


def test_new_arrivals_page_lists_recent_products(market):
    market.set_day(6)
    truth = market.listing_truth("gamma", "new")
    assert truth and all(market.truth()["gamma"][i.product_id].exists for i in truth)
    got = crawl_listing(market.url("gamma", "/new"))
    assert [u for u, _ in got] == [market.url("gamma", i.path) for i in truth]
    market.set_day(0)


def test_blog_posts_appear_over_days_with_sitemap_entries(market):
    early, late = market.blog_truth("beta", 0), market.blog_truth("beta", 20)
    assert len(late) > len(early) >= 2
    assert [p.slug for p in late[-len(early) :]] == [p.slug for p in early]  # old posts stay
    market.set_day(20)
    sel = Selector(text=fetch(market.url("beta", "/blog/"))[2].decode())
    assert sel.css("article.post-summary h2 a::attr(href)").getall() == [p.path for p in late]
    status, _, body = fetch(market.url("beta", late[0].path))
    assert status == 200 and late[0].title.encode() in body
    index = Selector(text=fetch(market.url("beta", "/sitemap.xml"))[2].decode(), type="xml")
    index.remove_namespaces()
    blog_map = next(u for u in index.xpath("//loc/text()").getall() if "blog" in u)
    listed = Selector(text=fetch(blog_map)[2].decode(), type="xml")
    listed.remove_namespaces()
    assert {market.url("beta", p.path) for p in late} <= set(listed.xpath("//loc/text()").getall())
    market.set_day(0)
    assert fetch(market.url("beta", late[0].path))[0] == 404  # not yet published on day 0


def test_gzipped_pages_sitemap(market):
    index = Selector(text=fetch(market.url("alpha", "/sitemap.xml"))[2].decode(), type="xml")
    index.remove_namespaces()
    gz = next(u for u in index.xpath("//loc/text()").getall() if u.endswith(".gz"))
    text = gzip.decompress(fetch(gz)[2]).decode()
    assert market.url("alpha", "/category/laptops") in text


def test_delta_has_no_price_without_javascript_but_its_api_has(market):
    market.set_day(0)
    truth = market.truth()["delta"]
    shop, pid, url = market.product_urls(shops=("delta",))[0]
    status, _, body = fetch(url)
    sel = Selector(text=body.decode())
    assert status == 200 and sel.css("#app") and not sel.css(DELTA_SELECTORS["price"])
    assert str(truth[pid].price).encode() not in body.split(b"<script>")[0]
    num = url.rsplit("/", 1)[1]
    api = json.loads(fetch(market.url("delta", f"/api/product/{num}"))[2])
    assert (Decimal(api["price"]), api["availability"]) == (truth[pid].price, truth[pid].availability)
    _, removal_url, day = market.vanishing_product("delta")
    market.set_day(day)
    assert fetch(removal_url)[0] == 404
    market.set_day(0)


def test_delta_listing_api_pages_through_the_category(market):
    items, offset = [], 0
    while offset is not None:
        data = json.loads(
            fetch(market.url("delta", f"/api/products?category=phones&offset={offset}&limit=4"))[2]
        )
        items += data["items"]
        offset = data["next_offset"]
    assert [i["url"] for i in items] == [
        market.url("delta", i.path) for i in market.listing_truth("delta", "phones")
    ]


def test_search_engine_results_match_the_truth_and_move(market):
    from spiders.extract.serp import parse_serp

    market.set_day(0)
    keyword = market.keywords()[0]
    urls = []
    for start in (0, 10, 20):
        url = market.serp_url(keyword, start)
        page = parse_serp(fetch(url)[2], "google", url)
        assert page.kind == "results"
        urls += [r.url for r in page.organic]
    assert urls == [r.url for r in market.serp_truth(keyword)]
    shops_listed = {s for s, base in market.base_urls.items() if any(u.startswith(base) for u in urls)}
    assert len(shops_listed) >= 3 and any(".example/" in u for u in urls)
    moved = sum(
        [r.url for r in market.serp_truth(k, 0)][:10] != [r.url for r in market.serp_truth(k, 1)][:10]
        for k in market.keywords()
    )
    assert moved > 5
    none = market.search_url + "/search?q=nothing+like+this"
    assert parse_serp(fetch(none)[2], "google", none).kind == "no_results"
    blocked = market.search_url + "/search?q=captcha+please"
    status, _, body = fetch(blocked)
    assert status == 429 and parse_serp(body, "google", blocked).kind == "blocked"


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium at /usr/bin/chromium")
def test_delta_renders_prices_and_infinite_scroll_in_a_real_browser(market):
    from playwright.sync_api import sync_playwright

    market.set_day(0)
    truth = market.truth()["delta"]
    _, pid, url = market.product_urls(shops=("delta",))[3]
    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto(url)
            page.wait_for_selector(DELTA_SELECTORS["price"])
            price_text = page.inner_text(DELTA_SELECTORS["price"])
            assert Decimal(price_text.replace("$", "").replace(",", "")) == truth[pid].price
            assert page.inner_text(DELTA_SELECTORS["name"]) == truth[pid].name
            listing = market.listing_truth("delta", "laptops")
            page.goto(market.url("delta", "/category/laptops"))
            page.wait_for_selector("li.product-card")
            first = page.locator("li.product-card").count()
            assert first < len(listing)  # the rest waits for scrolling
            for _ in range(20):
                if page.get_attribute("#app", "data-complete"):
                    break
                page.mouse.wheel(0, 5000)
                page.wait_for_timeout(150)
            hrefs = page.eval_on_selector_all("li.product-card a", "els => els.map(e => e.href)")
            assert hrefs == [market.url("delta", i.path) for i in listing]
        finally:
            browser.close()
