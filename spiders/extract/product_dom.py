"""The visible page as the product heuristics read it: text of an element, hidden elements, and
the blocks that hold other products (carousels, related items, grids of cards, page chrome).

Shared by the price, stock and SKU heuristics; pure functions over an lxml tree.
"""

from __future__ import annotations

import re
from itertools import islice

from lxml import etree

from spiders.extract.product_similarity import similarity

# Blocks holding other products' prices: strong words cost more than layout words.
CONTEXT_BAD = re.compile(
    r"related|carousel|recommend|similar|upsell|up-sell|cross-?sell|also|recent|viewed|sponsor|"
    r"frequently|together|more-?from|bought|compar(?:e|ison)|accessor|bundle|review|mini-?cart|"
    r"cookie|popup|modal|newsletter",
    re.I,
)
# Layout blocks that may hold other products; "no-slider" says the block is none.
CONTEXT_WEAK = re.compile(r"(?<!no-)(?:slider|swiper)|footer|header|\bnav|menu", re.I)
# The property itself, not "-webkit-backface-visibility: hidden" (which hides nothing).
HIDDEN_STYLE = re.compile(r"(?<![\w-])(?:display\s*:\s*none|visibility\s*:\s*hidden)")
# Classes that hide an element until a script shows it (the other stock message, a variant's price):
# whole class names only, since "focusmanager-hide" or "hidden-xs" (hidden on phones) hide nothing.
HIDDEN_CLASS = re.compile(
    r"(?:^|\s)(?:hidden|hide|d-none|invisible|is-hidden|u-hidden|js-hidden|display-none|no-display)(?:$|\s)",
    re.I,
)
SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "head",
    "title",
    "meta",
    "link",
    "option",
    "select",
}
STRIKE_TAGS = {"del", "s", "strike"}
# Tags whose elements can show a price, a stock statement, a buy button or a code.
SCAN_TAGS = (
    "div",
    "span",
    "p",
    "strong",
    "b",
    "em",
    "i",
    "ins",
    "del",
    "s",
    "strike",
    "small",
    "big",
    "font",
    "bdi",
    "sup",
    "dd",
    "dt",
    "td",
    "th",
    "li",
    "label",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "button",
    "input",
    "a",
    "section",
    "article",
    "main",
    "aside",
    "footer",
    "nav",
    "header",
    "form",
    "ul",
    "dl",
    "table",
    "tr",
    "tbody",
    "abbr",
    "data",
    "output",
    "meta",
)


# Beginnings of the attribute names by which shops name elements for their own tests (the
# conventions of Testing Library, Cypress and QA teams: data-testid="price", data-test="sku",
# data-cy, data-qa-...="product-reference"): in shops whose class names are hashed (CSS-in-JS)
# their values are often the only words that say what an element shows.
TEST_ATTRS = ("data-test", "data-qa", "data-cy", "data-automation")
# Whether a page's source names any of them: one regular expression search (the parser factors out
# "data-") costs a fifth of four substring scans, which stumble over every other data-* attribute.
TEST_ATTRS_IN_SOURCE = re.compile("|".join(re.escape(name) for name in TEST_ATTRS))


def attrs_of(el: etree._Element) -> str:
    """The id, class, itemprop and data-* names of an element, where shops put their vocabulary."""
    parts = [el.get("id") or "", el.get("class") or "", el.get("itemprop") or ""]
    parts.extend(str(v) for k, v in el.items() if isinstance(k, str) and k.startswith(TEST_ATTRS))
    for key in el.keys():
        if isinstance(key, str) and key.startswith("data-"):
            parts.append(key)
    return " ".join(p for p in parts if p)


def visible_text(el: etree._Element, limit: int = 200) -> str:
    """Visible text of an element, whitespace collapsed, scripts left out, cut near `limit` characters.
    The limit counts visible characters: templates indent a price with hundreds of blanks."""
    out: list[str] = []
    size = 0
    stack: list[tuple[etree._Element, bool]] = [(el, False)]
    while stack and size <= limit:
        node, tail_only = stack.pop()
        if tail_only:
            if node.tail:
                out.append(node.tail)
                size += len(node.tail.strip())
            continue
        if isinstance(node.tag, str) and node.tag not in SKIP_TAGS:
            if node.text:
                out.append(node.text)
                size += len(node.text.strip())
            children = list(node)
            for child in reversed(children):
                stack.append((child, True))
                stack.append((child, False))
    return " ".join(" ".join(out).split())[:limit]


def in_strike(el: etree._Element, depth: int = 3) -> bool:
    node: etree._Element | None = el
    for _ in range(depth + 1):
        if node is None:
            return False
        if node.tag in STRIKE_TAGS or "line-through" in (node.get("style") or ""):
            return True
        node = node.getparent()
    return False


def is_hidden(el: etree._Element) -> bool:
    """Whether the element itself is hidden (inline style, `hidden` attribute or a hiding class)."""
    style = el.get("style")
    if (style and HIDDEN_STYLE.search(style)) or el.get("hidden") is not None:
        return True
    cls = el.get("class")
    return bool(cls and HIDDEN_CLASS.search(cls))


def bad_context(el: etree._Element, memo: dict[etree._Element, str | None], depth: int = 14) -> str | None:
    """Why an element sits in a block that is not the product's own (carousel, footer...), else None."""
    path: list[etree._Element] = []
    node = el.getparent()
    found: str | None = None
    for _ in range(depth):
        if node is None or node.tag in ("body", "html"):
            break  # their classes describe the page's state ("js-wide-navigation"), not a block
        if node in memo:
            found = memo[node]
            break
        path.append(node)
        if is_hidden(node):
            found = "~hidden"
            break
        if node.tag in ("footer", "nav", "header", "aside"):
            found = f"~<{node.tag}>"  # page chrome by its tag; "~header" below is a class word
            break
        attrs = (node.get("id") or "") + " " + (node.get("class") or "")
        if len(attrs) > 1:
            match = CONTEXT_BAD.search(attrs)
            if match:
                found = match.group(0)
                break
            match = CONTEXT_WEAK.search(attrs)
            if match:
                found = "~" + match.group(0)
                break
        node = node.getparent()
    for visited in path:  # every node on the way shares the verdict of its nearest bad ancestor
        memo[visited] = found
    return found


def _named_section(node: etree._Element) -> bool:
    ident = node.get("id")
    return bool(ident) and not any(ch.isdigit() for ch in ident or "")


def in_card_list(el: etree._Element, memo: dict[etree._Element, bool], depth: int = 8) -> bool:
    """Whether an element sits in one card of a grid of alike cards (other products' tiles).

    A card is an ancestor whose parent holds at least three children of the same tag and class,
    and which links somewhere: the shape of every product grid, whatever the shop calls it. An
    ancestor with an id that is a name, not a number ("desktop_unifiedPrice" among the page's
    other "celwidget" blocks), is a named section of the page, not one of many alike tiles.
    """
    node = el.getparent()
    path: list[etree._Element] = []
    verdict = False
    for _ in range(depth):
        if node is None:
            break
        if node in memo:
            verdict = memo[node]
            break
        path.append(node)
        parent = node.getparent()
        cls = node.get("class")
        if parent is not None and cls and len(parent) >= 3:
            alike = sum(1 for sib in parent if sib.tag == node.tag and sib.get("class") == cls)
            if alike >= 3 and (node.tag == "a" or node.find(".//a") is not None) and not _named_section(node):
                verdict = True
                break
        node = parent
    for visited in path:
        memo[visited] = verdict
    return verdict


def title_blocks(title_el: etree._Element | None) -> dict[etree._Element, bool]:
    """A memo for `in_card_list` that knows the blocks holding the product's title: none of them is
    another product's tile, however alike its siblings look (layout rows of the product's own
    block, "row" among "row"s, are no grid of cards)."""
    return {} if title_el is None else dict.fromkeys(title_el.iterancestors(), False)


def title_context(title_el: etree._Element | None) -> dict[etree._Element, str | None]:
    """A memo for `bad_context` that knows the blocks holding the product's title: none of them is
    a carousel, footer or banner of the page, whatever its class says (a page wrapper named
    "with-cookie-info" holds the product itself)."""
    return {} if title_el is None else dict.fromkeys(title_el.iterancestors(), None)


def page_title(doc: etree._Element, meta: dict[str, list[str]]) -> tuple[str | None, etree._Element | None]:
    """The product title as the page shows it: the <h1> that best matches og:title / <title>."""
    reference = " ".join((meta.get("og:title") or [""])[:1])
    for title in doc.iter("title"):
        reference += " " + (title.text or "")
        break
    best: tuple[float, str, etree._Element] | None = None
    memo: dict[etree._Element, str | None] = {}
    for index, h1 in enumerate(doc.iter("h1")):
        if index >= 12:
            break
        text = visible_text(h1, 300)
        if not 2 <= len(text) <= 300:
            continue
        attrs = attrs_of(h1) + " " + " ".join(attrs_of(c) for c in islice(h1, 2))
        score = similarity(text, reference) + (0.5 if re.search(r"title|product|name", attrs, re.I) else 0.0)
        if re.search(r"nav|menu|categor|sidebar|logo|modal|popup", attrs, re.I) or bad_context(h1, memo, 10):
            score -= 1.0
        score += 0.2 * min(len(text.split()), 8) / 8 - 0.05 * index
        if best is None or score > best[0]:
            best = (score, text, h1)
    if best is not None:
        return best[1], best[2]
    og = meta.get("og:title")
    if og:
        return og[0], None
    reference = reference.strip()
    return (reference or None), None


