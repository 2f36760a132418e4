"""Listing pages (category, search, "new arrivals"): bytes + URL -> the ordered product cards.

    page = extract_listing(body, "https://shop.example/search?q=lamp")
    for item in page.items: print(item.position, item.url, item.title, item.price)

By default the repeated card pattern is found automatically (see `listing_detect`); a watch can
instead give CSS selectors (`ListingSelectors`). Sponsored cards inside the results grid are kept,
since they hold positions on the page, but flagged `sponsored=True` so change detection can skip
them. A page that says it has no results yields no items and `reason="no_results"`, even when it
goes on to show suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

import lxml.html

from spiders.extract.listing_detect import Card, collect_links, detect_cards
from spiders.extract.listing_fields import card_title, is_sponsored
from spiders.extract.listing_html import drop_invisible, parse_html
from spiders.extract.listing_pages import find_next_page, find_no_results_message
from spiders.extract.listing_price import card_price, page_currency
from spiders.extract.listing_tuning import DEFAULT_LISTING_TUNING, ListingTuning
from spiders.extract.listing_urls import absolute_url, item_key


@dataclass(frozen=True)
class ListingSelectors:
    """CSS selectors for a shop whose cards the automatic detection gets wrong.

    `card` selects each product card; the others are relative to a card (`link` defaults to the
    card's first link, `title` to the link text, `price` to the first price-looking text).
    `next_page` selects the pagination link on the page.
    """

    card: str
    link: str | None = None
    title: str | None = None
    price: str | None = None
    next_page: str | None = None


@dataclass(frozen=True)
class ListingItem:
    """One product card of a listing page, in page order (`position` starts at 1)."""

    position: int
    url: str
    title: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    sponsored: bool = False
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", item_key(self.url))


@dataclass(frozen=True)
class ListingPage:
    """What one listing page shows. `reason` says why there are no items (`no_results`, `no_cards`)."""

    url: str
    items: list[ListingItem] = field(default_factory=list)
    next_page_url: str | None = None
    reason: str | None = None


def extract_listing(
    body: bytes | str,
    url: str,
    selectors: ListingSelectors | None = None,
    tuning: ListingTuning = DEFAULT_LISTING_TUNING,
) -> ListingPage:
    """Extract the product cards, their order and the next-page link from a listing page.
    `tuning` is for benchmarks that refit the few numeric parameters (see `listing_tuning`)."""
    root = parse_html(body)
    drop_invisible(root)
    next_url = _next_page(root, url, selectors)
    if selectors is None and find_no_results_message(root) is not None:
        return ListingPage(url=url, items=[], next_page_url=None, reason="no_results")
    cards = _selected_cards(root, url, selectors) if selectors else detect_cards(root, url, tuning)
    lang = root.get("lang") or root.get("xml:lang")
    items = [_item(i + 1, card, url, lang, selectors, tuning) for i, card in enumerate(cards)]
    items = _with_page_currency(items, cards, url, lang, selectors, tuning)
    return ListingPage(url=url, items=items, next_page_url=next_url, reason=None if items else "no_cards")


def _with_page_currency(
    items: list[ListingItem],
    cards: list[Card],
    url: str,
    lang: str | None,
    selectors: ListingSelectors | None,
    tuning: ListingTuning,
) -> list[ListingItem]:
    """Cards that show a bare amount take the currency the page's other cards show."""
    currency = page_currency([item.currency for item in items])
    if currency is None or selectors is not None:
        return items
    out = []
    for item, card in zip(items, cards, strict=True):
        if item.price is None:
            price, cur = card_price(card.element, url, lang, item.title, currency, tuning)
            if price is not None:
                item = replace(item, price=price, currency=cur)
        out.append(item)
    return out


def merge_listing_pages(pages: list[ListingPage]) -> list[ListingItem]:
    """The items of consecutive pages of one listing as one list: positions run on, and an item
    repeated on a later page (listings shift while they are crawled) keeps its first position."""
    merged: list[ListingItem] = []
    seen: set[str] = set()
    for page in pages:
        for item in page.items:
            if item.key in seen:
                continue
            seen.add(item.key)
            merged.append(replace(item, position=len(merged) + 1))
    return merged


def _next_page(root: lxml.html.HtmlElement, url: str, selectors: ListingSelectors | None) -> str | None:
    if selectors and selectors.next_page:
        for el in root.cssselect(selectors.next_page):
            found = absolute_url(el.get("href"), url)
            if found:
                return found
        return None
    return find_next_page(root, url)


def _item(
    position: int,
    card: Card,
    page_url: str,
    lang: str | None,
    selectors: ListingSelectors | None,
    tuning: ListingTuning = DEFAULT_LISTING_TUNING,
) -> ListingItem:
    # The link with the longest text is the title link; its URL is the one users click.
    best = max(range(len(card.anchors)), key=lambda i: len(card.anchors[i].text_content().strip()))
    title = card_title(card.anchors, card.element)
    price, currency = card_price(card.element, page_url, lang, title, tuning=tuning)
    if selectors is not None:
        chosen_title, price_el = _selected_fields(card.element, selectors)
        title = chosen_title if selectors.title else title
        if selectors.price:
            price, currency = card_price(price_el, page_url, lang) if price_el is not None else (None, None)
    return ListingItem(
        position=position,
        url=card.urls[best],
        title=title,
        price=price,
        currency=currency,
        sponsored=is_sponsored(card.element),
        key=card.key,
    )


def _selected_cards(root: lxml.html.HtmlElement, url: str, selectors: ListingSelectors) -> list[Card]:
    cards: list[Card] = []
    seen: set[str] = set()
    for el in root.cssselect(selectors.card):
        anchors = el.cssselect(selectors.link) if selectors.link else list(el.iter("a"))
        if el.tag == "a" and not selectors.link:
            anchors = [el]
        links = [(a, absolute_url(a.get("href"), url)) for a in anchors]
        links = [(a, u) for a, u in links if u]
        if not links:
            continue
        key = item_key(links[0][1])
        if key in seen:
            continue
        seen.add(key)
        card = Card(el, key, [a for a, _ in links[:1]], [u for _, u in links[:1]])
        cards.append(card)
    return cards


def _selected_fields(
    card: lxml.html.HtmlElement, selectors: ListingSelectors
) -> tuple[str | None, lxml.html.HtmlElement | None]:
    """Title text and price element picked by explicit selectors (None where a selector finds nothing)."""
    title = price_el = None
    if selectors.title:
        found = card.cssselect(selectors.title)
        title = (" ".join(found[0].text_content().split()) or None) if found else None
    if selectors.price:
        found = card.cssselect(selectors.price)
        if found:
            # Wrapped so the price reader sees the element's own text as well as its children's.
            price_el = lxml.html.Element("div")
            price_el.append(lxml.html.fromstring(lxml.html.tostring(found[0])))
    return title, price_el


__all__ = [
    "ListingItem",
    "ListingPage",
    "ListingSelectors",
    "collect_links",
    "extract_listing",
    "merge_listing_pages",
]
