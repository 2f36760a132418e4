"""Stock state from the visible page: stock statements, buy buttons, and plain text as the last resort.

Evidence, strongest first:
- a stock statement in an element whose class or id speaks of stock ("Only 3 left",
  "Nicht auf Lager", "Sold out"), read by `stock_text` with its negations and counts;
- the product's buy button: enabled, it says the product can be bought; its label may itself say
  it cannot ("Sold out", "Notify me when available"); disabled, it is a weak sign against;
- on pages with neither (text-only pages, shops without stock vocabulary in their markup), any
  short visible text that makes a firm statement or gives a count.
A price on the page is no evidence of stock at all: a sold-out product usually keeps its price.
Blocks of other products (carousels, related items, grids of cards, page chrome) are never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from spiders.extract.product_candidates import Candidates
from spiders.extract.product_dom import SCAN_TAGS, bad_context, in_card_list, is_hidden, visible_text
from spiders.extract.stock_text import BUTTON, STATEMENT, StockReading, about_a_store, read_stock_text

# Attributes of the product's own buy button ("add-to-cart", "button-cart", "buy-now"): a button
# so marked whose label is in a language the tables lack still says the product can be bought.
_BUY_BUTTON_ATTR = re.compile(
    r"add[-_]?to[-_]?(?:cart|basket|bag|trolley)|addtocart|addtobasket|(?:button|btn)[-_]?(?:cart|buy)|"
    r"buy[-_]?(?:now|button|btn)|add[-_]cart|cart[-_]?(?:add|button|btn|submit)|purchase[-_]?button",
    re.I,
)
# A disabled button waiting for a choice ("Select a size") says nothing about stock.
_CHOOSE = re.compile(r"select|choose|pick|wählen|auswählen|choisi|selecciona|scegli|kies|wybierz|vyberte|выбер", re.I)
_CART_LINK = re.compile(r"/(?:cart|basket|bag|checkout|warenkorb|panier|carrito|carrello|koszyk|kosik|korzina)\b", re.I)
# Class words of layout blocks that often hold the product's own controls.
_LAYOUT_WORDS = {"~header", "~menu", "~nav"}
_MAX_STATEMENT = 60
_NOT_STATEMENTS = frozenset(("a", "option", "label", "th", "dt", "button"))  # characters: longer texts explain rather than state
_MAX_LABEL = 50


@dataclass(frozen=True)
class _Evidence:
    reading: StockReading
    text: str
    source: str  # "statement", "button", "disabled button", "page text"


def add_stock(
    cands: Candidates,
    root: etree._Element,
    buy_els: list[etree._Element],
    stock_els: list[etree._Element],
    memo: dict,
    cards: dict[etree._Element, bool],
) -> None:
    """Availability candidates from the visible page (see the module docstring); `cards` the
    `in_card_list` memo (`title_blocks`: the blocks holding the title are no other product's tile)."""
    statements = _statements(stock_els, memo)
    button = _button(buy_els, memo)
    if button is None:
        button = _image_button(root, memo)
    if not statements and button is None and not cands.by_field["availability"]:
        statements = _page_text(root, memo, cards)
    evidence = _decide(statements, button)
    if evidence is not None:
        bonus = {"statement": -1.0, "button": -1.0, "disabled button": -2.5, "page text": -2.0}[evidence.source]
        if not evidence.reading.strong and evidence.source != "button":
            bonus -= 1.0
        detail = f"{evidence.source} {evidence.text[:40]!r} (phrase {evidence.reading.phrase[:40]!r})"
        cands.add("availability", evidence.reading.term, "heuristic", bonus=bonus, detail=detail)


def _decide(statements: list[_Evidence], button: _Evidence | None) -> _Evidence | None:
    """An enabled buy button is the strongest sign of stock and a short stock statement the
    strongest sign against: when they disagree, the statement wins only if no statement says
    the product is in stock."""
    firm = [e for e in statements if e.reading.strong]
    said = {e.reading.term for e in firm}
    out = next((e for e in firm if e.reading.term == "OutOfStock"), None)
    if button is not None and button.source == "button" and button.reading.term == "InStock":
        return out if out is not None and "InStock" not in said else button
    if out is not None:
        return out
    if firm:
        return firm[0]
    if button is not None:
        return button
    return statements[0] if statements else None


def _statements(stock_els: list[etree._Element], memo: dict) -> list[_Evidence]:
    found: list[_Evidence] = []
    for el in stock_els[:200]:
        if el.tag in ("img", "script", "a") or is_hidden(el) or bad_context(el, memo, 8):
            continue
        text = visible_text(el, 100)
        if not text:
            continue
        if len(text) > _MAX_STATEMENT:
            # A stock block with an explanation after the statement ("Currently unavailable. We
            # don't know when..."): the statement is the first short piece inside it.
            text = next(
                (t for t in (visible_text(c, 100) for c in el.iterdescendants(SCAN_TAGS)) if t and len(t) <= _MAX_STATEMENT),
                "",
            )
        reading = read_stock_text(text) if text else None
        if reading is not None and reading.kind != BUTTON and all(e.text != text for e in found):
            if not _labelled_by_a_store(el):
                found.append(_Evidence(reading, text, "statement"))
    return found


def _labelled_by_a_store(el: etree._Element) -> bool:
    """Whether a bare statement ("No disponible") is the value of a store or pickup label written in
    the small block around it ("<p>Retiro en tienda</p> <span>No disponible</span>"): it then says
    how the product can be collected, not whether it can be bought."""
    node = el.getparent()
    for _ in range(3):
        if node is None:
            return False
        text = visible_text(node, 90)
        if len(text) > 80:
            return False
        if about_a_store(text):
            return True
        node = node.getparent()
    return False


def _disabled(el: etree._Element) -> bool:
    cls = (el.get("class") or "").lower()
    return el.get("disabled") is not None or el.get("aria-disabled") == "true" or "disabled" in cls


def _usable(el: etree._Element, memo: dict) -> int:
    """0: not the product's own control; 2: in the product's part of the page; 1: in a block
    whose class names a header or menu ("product-detail-header" is often the product's own)."""
    if is_hidden(el):
        return 0
    if el.tag == "a" and _CART_LINK.search(el.get("href") or ""):
        return 0  # a link to the cart page is navigation, not a buy button
    context = bad_context(el, memo, 8)
    if context is None:
        return 2
    return 1 if context in _LAYOUT_WORDS else 0


def _button(buy_els: list[etree._Element], memo: dict) -> _Evidence | None:
    """The product's buy button, in page order: the first whose label or attributes say buy, in
    the product's part of the page before any in a header- or menu-named block."""
    enabled: dict[int, _Evidence] = {}
    disabled: dict[int, _Evidence] = {}
    for el in buy_els[:300]:
        where = _usable(el, memo)
        if where == 0 or where in enabled:
            continue
        evidence = _button_evidence(el)
        if evidence is None:
            continue
        (enabled if evidence.source == "button" else disabled).setdefault(where, evidence)
        if where == 2 and evidence.source == "button":
            break
    for where in (2, 1):
        if where in enabled:
            return enabled[where]
    return disabled.get(2) or disabled.get(1)


def _button_evidence(el: etree._Element) -> _Evidence | None:
    text = (el.get("value") if el.tag == "input" else visible_text(el, 60)) or ""
    text = text or el.get("title") or el.get("aria-label") or _image_label(el)
    if len(text) > _MAX_LABEL or (el.tag == "input" and el.get("type") == "hidden"):
        return None
    reading = read_stock_text(text) if text else None
    if reading is None and el.tag in ("button", "input", "a") and _BUY_BUTTON_ATTR.search(
        f"{el.get('id') or ''} {el.get('class') or ''} {el.get('name') or ''}"
    ):
        # The shop's own buy button, labelled in a language the tables lack or by an image.
        text = text or "(buy button without text)"
        reading = StockReading("InStock", BUTTON, text[:30])
    if reading is None or (reading.kind not in (BUTTON, STATEMENT) and reading.term == "InStock"):
        return None  # a control that only says "available" is a filter, not a buy button
    if reading.term == "InStock" and _disabled(el):
        if _CHOOSE.search(text):
            return None
        return _Evidence(StockReading("OutOfStock", BUTTON, text), text, "disabled button")
    return _Evidence(reading, text, "button")


def _image_button(root: etree._Element, memo: dict) -> _Evidence | None:
    """A buy button drawn as a clickable image (`<img id="addToCartButton" alt="Add to Cart">`,
    scripts handle the click): its attributes must name a buy button, as for an unlabelled
    `<button>`, and its alt text, when it has one, must read as a buy label. Looked for only when
    the page has no other buy button, so the page's images cost nothing on most pages."""
    for el in root.iter("img"):
        if not _BUY_BUTTON_ATTR.search(f"{el.get('id') or ''} {el.get('class') or ''} {el.get('name') or ''}"):
            continue
        label = (el.get("alt") or el.get("title") or "").strip()
        reading = read_stock_text(label) if label else StockReading("InStock", BUTTON, "(buy image without text)")
        if reading is None or reading.kind != BUTTON or _usable(el, memo) != 2:
            continue
        return _Evidence(reading, label or reading.phrase, "button")
    return None


def _image_label(el: etree._Element) -> str:
    img = el.find(".//img")
    return (img.get("alt") or "").strip() if img is not None else ""


def _page_text(root: etree._Element, memo: dict, cards: dict[etree._Element, bool]) -> list[_Evidence]:
    """Firm statements and counts in any short visible text, outside other products' blocks."""
    found: list[_Evidence] = []
    for el in root.iter(SCAN_TAGS):
        text = el.text
        if not text or len(text) > _MAX_STATEMENT or el.tag in _NOT_STATEMENTS or text.rstrip().endswith(":"):
            continue  # links, options, and labels whose value is written elsewhere ("Auslaufartikel" | "Nein")
        reading = read_stock_text(text)
        if reading is None or not reading.strong:
            continue
        if is_hidden(el) or bad_context(el, memo) or in_card_list(el, cards) or _labelled_by_a_store(el):
            continue
        text = " ".join(text.split())
        found.append(_Evidence(reading, text, "page text"))
        if len(found) >= 5:
            break
    return found
