"""The listing watch's config section and its pure page-following rules."""

from __future__ import annotations

import pytest

from monitor.kinds.base import read_options, store_options
from monitor.kinds.listing.config import ListingOptions
from monitor.watchlist import ConfigError, load_watchlist_text
from spiders.extract.listing import ListingItem, ListingPage
from spiders.fetch import FetchedPage, FetchJob
from spiders.listing_follow import learn_card_selector, next_page, page_problem, read_page, with_page_param


def _load(text: str):  # noqa: ANN202
    return load_watchlist_text(text)


def test_listing_section_defaults_and_options() -> None:
    wl = _load(
        """
listings:
  - url: https://shop.example/category/lamps
  - url: https://spa.example/new
    render: browser
    scroll: 8
    load_more: button.more
    wait_for: .card
    actions: [{click: "#accept"}, {fill: "input[name=q]", value: lamp, submit: true}, {wait: 2s}]
    selectors: {card: li.card, price: .amount}
products:
  - url: https://shop.example/p/1
    render: browser
    actions: [{scroll: 2}]
"""
    )
    plain, spa = wl.listings
    assert (plain.max_pages, plain.pagination, plain.render, plain.selectors) == (
        5,
        "next_link",
        "http",
        None,
    )
    opts = store_options(spa.options())  # what the watch stores, read back by the same model
    assert read_options(ListingOptions, opts) == spa.options()
    assert opts["selectors"] == {"card": "li.card", "price": ".amount"}
    assert opts["actions"] == [
        {"click": "#accept"},
        {"fill": "input[name=q]", "value": "lamp", "submit": True},
        {"wait": 2.0},
    ]
    assert wl.products[0].actions[0].scroll == 2


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{url: 'https://a.example/x', scroll: 3}", "scroll needs render: browser"),
        ("{url: 'https://a.example/x', load_more: '.more'}", "load_more needs render: browser"),
        ("{url: 'https://a.example/x', render: browser, actions: [{click: a, scroll: 2}]}", "exactly one"),
        ("{url: 'https://a.example/x', render: browser, actions: [{fill: input}]}", "needs a value"),
        ("{url: 'https://a.example/x', pages: 3}", "pages"),
        ("{url: 'ftp://a.example/x'}", "only http and https"),
        ("{url: 'https://a.example/x', max_pages: 0}", "max_pages"),
        ("{url: 'https://a.example/x', selectors: {price: .p}}", "card"),
    ],
)
def test_listing_section_rejects_mistakes(entry: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        _load(f"listings:\n  - {entry}\n")
    assert message in str(err.value)


def _page(body: str, url: str = "http://shop.test/c", status: int = 200) -> FetchedPage:
    return FetchedPage(
        job=FetchJob(1, url),
        url=url,
        status=status,
        headers={"content-type": "text/html"},
        body=body.encode(),
    )


def _grid(n: int, first: int = 1) -> str:
    cards = "".join(
        f'<li class="card tile"><a href="/p/{i}"><h3>Product number {i}</h3></a><span>${i}.99</span></li>'
        for i in range(first, first + n)
    )
    return f"<html><body><main><ul class='grid'>{cards}</ul></main></body></html>"


def test_card_pattern_learnt_on_page_one_reads_a_last_page_with_one_card() -> None:
    learned = learn_card_selector(_grid(4).encode(), "http://shop.test/c")
    assert learned is not None and learned.card == "li.card.tile"
    last = _page(_grid(1, first=5), "http://shop.test/c?page=2")
    assert read_page(last, None).items == []  # one card: nothing repeats for the detector
    assert [i.url for i in read_page(last, None, learned).items] == ["http://shop.test/p/5"]


def test_page_problems() -> None:
    assert page_problem(_page("<html><title>Just a moment...</title></html>")).startswith("blocked")
    assert page_problem(_page("x", status=503)) == "HTTP 503"
    assert page_problem(_page("   ")) == "empty page (200 with no content)"
    assert page_problem(_page(_grid(3))) is None
    assert read_page(_page("<html><p>Lamps</p><p>0 results</p></html>"), None).reason == "no_results"


def _listing(
    url: str, keys: list[int], next_url: str | None = None, reason: str | None = None
) -> ListingPage:
    items = [ListingItem(n, f"http://shop.test/p/{k}") for n, k in enumerate(keys, 1)]
    return ListingPage(url, items, next_url, reason)


def test_next_page_rules() -> None:
    one = _listing("http://shop.test/c", [1, 2], "http://shop.test/c?page=2")
    assert next_page("next_link", "page", 5, [one], {"http://shop.test/c"}) == (
        "http://shop.test/c?page=2",
        "",
    )
    assert next_page("next_link", "page", 1, [one], set()) == (None, "max_pages")
    assert next_page("none", "page", 5, [one], set()) == (None, "last_page")
    assert next_page("page_param", "p", 5, [one], set()) == ("http://shop.test/c?p=2", "")
    same = _listing("http://shop.test/c?p=2", [1, 2])
    assert next_page("page_param", "p", 5, [one, same], set()) == (None, "repeated")
    loop = _listing("http://shop.test/c?page=2", [3], "http://shop.test/c")
    assert next_page("next_link", "page", 5, [one, loop], {"http://shop.test/c"}) == (None, "repeated")
    empty = _listing("http://shop.test/c", [], reason="no_results")
    assert next_page("next_link", "page", 5, [empty], set()) == (None, "no_results")
    assert next_page("next_link", "page", 5, [one, empty], set()) == (None, "last_page")
    assert with_page_param("http://shop.test/s?q=a&page=1", "page", 3) == "http://shop.test/s?q=a&page=3"
