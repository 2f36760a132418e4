"""Finding the product cards of a listing page without per-shop rules.

The idea: a results grid is many sibling blocks built from the same template, each linking to one
item page. So links are grouped by their tag path from the root (the template position of the
link), each group's links are lifted to their card (the largest ancestor that holds links to one
item only), and the groups are scored by how much they look like a product grid: how many distinct
items, whether cards carry images, prices and titles, whether the URLs share one item-like shape,
and whether the cards repeat as siblings. Navigation, headers, footers and asides are never cards.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import lxml.html

from spiders.extract.listing_html import element_text
from spiders.extract.listing_tuning import DEFAULT_LISTING_TUNING, ListingTuning
from spiders.extract.listing_urls import absolute_url, first_per_key, item_key, looks_like_item_url, url_shape

_NON_CONTENT = {"nav", "footer", "header", "aside", "form", "select", "button", "option"}
_NON_CONTENT_ROLES = {"navigation", "contentinfo", "banner", "menu", "menubar", "search", "dialog"}
_PRICE_TEXT = re.compile(
    r"(?:[$€£¥￥₹₩₽]|\b(?:US|AU|CA|C|A|NZ|HK|S)\$|\b(?:USD|EUR|GBP|JPY|CNY|RMB|INR|CAD|AUD|CHF|SEK|NOK|DKK|PLN|BRL|MXN|RUB)\b|円|元|руб)"
    r"\s*\d|\d[\d.,\s]*\s*(?:[$€£¥￥₹₩₽]|円|元|руб|zł|kr|\b(?:USD|EUR|GBP|JPY|CNY|INR|CAD|AUD|CHF)\b)",
    re.IGNORECASE,
)


@dataclass
class Card:
    """One repeated block of the listing and the links inside it that point to its item."""

    element: lxml.html.HtmlElement
    key: str
    anchors: list[lxml.html.HtmlElement] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


@dataclass
class _Link:
    anchor: lxml.html.HtmlElement
    url: str
    key: str


def _is_content(el: lxml.html.HtmlElement) -> bool:
    """False when the element sits inside navigation, header, footer or other page chrome."""
    node = el
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _NON_CONTENT:
            return False
        role = (node.get("role") or "").lower()
        if role in _NON_CONTENT_ROLES:
            return False
        node = node.getparent()
    return True


def _tag_path(el: lxml.html.HtmlElement) -> str:
    parts = []
    node = el
    while node is not None:
        parts.append(node.tag if isinstance(node.tag, str) else "?")
        node = node.getparent()
    return "/".join(reversed(parts))


def collect_links(root: lxml.html.HtmlElement, base_url: str) -> list[_Link]:
    """Every content link on the page with an absolute http(s) URL, in document order."""
    links = []
    for a in root.iter("a"):
        url = absolute_url(a.get("href"), base_url)
        if url is None:
            continue
        links.append(_Link(a, url, item_key(url)))
    return links


def _lift_to_cards(links: list[_Link]) -> dict[int, lxml.html.HtmlElement]:
    """For each link, the largest ancestor whose group links all point to that link's item."""
    keys_under: dict[lxml.html.HtmlElement, set[str]] = defaultdict(set)
    for link in links:
        node = link.anchor
        while node is not None:
            keys_under[node].add(link.key)
            node = node.getparent()
    cards = {}
    for i, link in enumerate(links):
        node = link.anchor
        parent = node.getparent()
        while parent is not None and len(keys_under[parent]) == 1:
            node = parent
            parent = node.getparent()
        cards[i] = node
    return cards


def _has_price(el: lxml.html.HtmlElement) -> bool:
    return bool(_PRICE_TEXT.search(element_text(el)[:600]))


def _score(cards: list[Card], page_shape: str) -> float:
    n = len(cards)
    if n < 2:
        return 0.0
    shapes = Counter(url_shape(c.urls[0]) for c in cards)
    top_shape, top_count = shapes.most_common(1)[0]
    shape_share = top_count / n
    item_like = sum(looks_like_item_url(c.urls[0]) for c in cards) / n
    with_img = sum(c.element.find(".//img") is not None for c in cards) / n
    with_price = sum(_has_price(c.element) for c in cards) / n
    texts = sorted(len(element_text(c.element)) for c in cards)
    median_text = texts[n // 2]
    text_factor = min(median_text, 60) / 60
    # Cards of one grid are siblings, or cousins through the same parent template.
    parents = Counter(id(c.element.getparent()) for c in cards)
    sibling_share = parents.most_common(1)[0][1] / n
    same_as_page = 0.3 if top_shape == page_shape else 1.0
    if with_img < 0.3 and with_price < 0.3:
        # Text-only link lists (related searches, tag clouds) are not product grids.
        return 0.0
    return (
        n
        * shape_share
        * (0.2 + item_like)
        * (0.4 + with_img)
        * (0.5 + with_price)
        * (0.3 + text_factor)
        * (0.5 + sibling_share)
        * same_as_page
    )


def detect_cards(
    root: lxml.html.HtmlElement, base_url: str, tuning: ListingTuning = DEFAULT_LISTING_TUNING
) -> list[Card]:
    """The cards of the best repeated link group on the page, in document order ([] if none)."""
    links = [link for link in collect_links(root, base_url) if _is_content(link.anchor)]
    groups: dict[str, list[_Link]] = defaultdict(list)
    for link in links:
        groups[_tag_path(link.anchor) + " " + url_shape(link.url)].append(link)
    page_shape = url_shape(base_url)
    best: list[Card] = []
    best_score = 0.0
    for group in groups.values():
        if len({link.key for link in group}) < 2:
            continue
        cards = _cards_of(group)
        score = _score(cards, page_shape)
        if score > best_score:
            best, best_score = cards, score
    if not best:
        return _single_card(links, page_shape)
    return _finish(best, links, tuning.grid_share)


def _single_card(links: list[_Link], page_shape: str) -> list[Card]:
    """A search that found one item: nothing repeats, so the card is the lowest element holding
    every link to the page's one item-like link target whose element shows an image and a price.
    Two or more such targets without a grid between them: nothing is sure, so no card."""
    by_key: dict[str, list[_Link]] = defaultdict(list)
    for link in links:
        if url_shape(link.url) != page_shape and looks_like_item_url(link.url):
            by_key[link.key].append(link)
    found: list[Card] = []
    for key, key_links in by_key.items():
        element = _common_ancestor([link.anchor for link in key_links])
        if element is None or element.tag in ("html", "body") or element.find(".//img") is None:
            continue
        if _has_price(element):
            found.append(Card(element, key, [link.anchor for link in key_links], [link.url for link in key_links]))
    return found if len(found) == 1 else []


def _common_ancestor(anchors: list[lxml.html.HtmlElement]) -> lxml.html.HtmlElement | None:
    chains = [[anchor, *anchor.iterancestors()] for anchor in anchors]
    shared = set(chains[0]).intersection(*chains[1:])
    return next((el for el in chains[0] if el in shared), None)


def _cards_of(group: list[_Link]) -> list[Card]:
    lifted = _lift_to_cards(group)
    by_element: dict[lxml.html.HtmlElement, Card] = {}
    order: list[Card] = []
    for i, link in enumerate(group):
        el = lifted[i]
        card = by_element.get(el)
        if card is None:
            card = Card(el, link.key)
            by_element[el] = card
            order.append(card)
        card.anchors.append(link.anchor)
        card.urls.append(link.url)
    return order


def _finish(cards: list[Card], links: list[_Link], grid_share: float = DEFAULT_LISTING_TUNING.grid_share) -> list[Card]:
    """Widen the chosen grid to sibling cards built from a variant template, pick each card's main
    link, and drop repeats of an item (a pinned copy keeps its first position)."""
    by_card: dict[lxml.html.HtmlElement, list[_Link]] = defaultdict(list)
    elements = {c.element for c in cards}
    containers = {c.element.getparent() for c in cards if c.element.getparent() is not None}
    card_tags = Counter(c.element.tag for c in cards)
    candidates = set(elements)
    siblings: set[lxml.html.HtmlElement] = set()
    for container in containers:
        for child in container:
            if child not in candidates and child.tag in card_tags:
                siblings.add(child)
    candidates |= siblings
    # The same card template elsewhere on the page (a second block of the same results).
    signature = Counter(_signature(c.element) for c in cards).most_common(1)[0][0]
    if signature[1]:
        for el in cards[0].element.getroottree().iter(signature[0]):
            if el not in candidates and _signature(el) == signature and _is_content(el):
                candidates.add(el)
    slots = _grid_slots(cards, grid_share)
    candidates |= slots
    # Nested candidates: keep the outermost.
    candidates = {el for el in candidates if not any(a in candidates for a in el.iterancestors())}
    for link in links:
        node = link.anchor
        while node is not None and node not in candidates:
            node = node.getparent()
        if node is not None:
            by_card[node].append(link)
    shapes = Counter(url_shape(c.urls[0]) for c in cards)
    main_shape = shapes.most_common(1)[0][0]
    out: list[Card] = []
    for element in sorted(by_card, key=_doc_order(links)):
        card_links = by_card[element]
        keys = {link.key for link in card_links if url_shape(link.url) == main_shape}
        if not keys and element in slots:
            # A grid slot whose item link is written another way (an ad redirect's target
            # without the locale prefix of the organic links): any one item link will do.
            keys = {link.key for link in card_links if looks_like_item_url(link.url)}
        elif not keys and element in siblings:
            # A sibling card likewise, when its link names the same kind of page (same host and
            # last fixed path word: ".../en/dp/X" and ".../dp/Y"); a shop's or a category's tile
            # in the grid does not.
            keys = {link.key for link in card_links if looks_like_item_url(link.url) and _same_kind(link.url, main_shape)}
        if element not in elements and len(keys) != 1:
            # A sibling block with many items (a carousel) or none is not one card.
            continue
        main = _main_link(card_links, main_shape)
        card = Card(element, main.key)
        for link in card_links:
            if link.key == main.key:
                card.anchors.append(link.anchor)
                card.urls.append(link.url)
        out.append(card)
    return first_per_key(out)


def _same_kind(url: str, shape: str) -> bool:
    mine = url_shape(url)
    return mine.split("/", 1)[0] == shape.split("/", 1)[0] and mine.rsplit("/", 1)[-1] == shape.rsplit("/", 1)[-1]


def _grid_slots(cards: list[Card], share: float) -> set[lxml.html.HtmlElement]:
    """The other slots of the results grid: children of the deepest element that holds most of
    the chosen cards, where no chosen card is. Shops build sponsored and featured cards from
    another template inside the same grid; they hold a position on the page all the same (a slot
    that links to more than one item, such as a carousel, is dropped later)."""
    if len(cards) < 3:
        return set()
    holding: Counter[lxml.html.HtmlElement] = Counter()
    for card in cards:
        for ancestor in card.element.iterancestors():
            holding[ancestor] += 1
    need = max(3, math.ceil(len(cards) * share))  # most cards: the grid, not one row of it
    grids = [a for a, n in holding.items() if n >= need]
    if not grids:
        return set()
    grid = max(grids, key=lambda a: sum(1 for _ in a.iterancestors()))
    taken = {a for card in cards for a in card.element.iterancestors()} | {c.element for c in cards}
    return {child for child in grid if isinstance(child.tag, str) and child not in taken and _is_content(child)}


def _signature(el: lxml.html.HtmlElement) -> tuple[str, str]:
    """A card's template: its tag and class words without digits (ids and positions vary)."""
    words = sorted(w for w in (el.get("class") or "").split() if not any(ch.isdigit() for ch in w))
    return el.tag, " ".join(words)


def _doc_order(links: list[_Link]):
    position: dict[lxml.html.HtmlElement, int] = {}
    for i, link in enumerate(links):
        node = link.anchor
        while node is not None and node not in position:
            position[node] = i
            node = node.getparent()
    return lambda el: position.get(el, 0)


def _main_link(card_links: list[_Link], main_shape: str) -> _Link:
    """The card's link to its item: the key linked most, from the image and the longest text."""
    scores: dict[str, float] = defaultdict(float)
    first: dict[str, _Link] = {}
    for link in card_links:
        first.setdefault(link.key, link)
        scores[link.key] += 1.0
        if link.anchor.find(".//img") is not None:
            scores[link.key] += 2.0
        scores[link.key] += min(len(element_text(link.anchor)), 80) / 40
        if url_shape(link.url) == main_shape:
            scores[link.key] += 2.0
    best = max(scores, key=lambda k: scores[k])
    return first[best]
