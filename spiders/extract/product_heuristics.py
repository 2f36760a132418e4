"""Visible-page heuristics: the product's price when markup says little, and the element scan that
feeds the stock and SKU heuristics.

Price: elements whose id/class/itemprop speak of a price (in many languages) are read with the
price parser and scored by their vocabulary ("sale", "current" vs "old", "was", "unit",
"shipping"), by struck-through styling, by whether they sit in a carousel/related/footer block,
and by how close they come after the product title. Stock (`product_stock`) and SKU
(`product_sku`) read the buy buttons, stock statements and code elements this scan finds.
Everything works on the lxml tree already parsed; nothing here knows any one shop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from lxml import etree

from spiders.extract.price import parse_price
from spiders.extract.product_candidates import Candidates
from spiders.extract.product_dom import (
    SCAN_TAGS,
    TEST_ATTRS,
    attrs_of,
    bad_context,
    in_card_list,
    in_strike,
    is_hidden,
    title_blocks,
    title_context,
    visible_text,
)
from spiders.extract.product_sku import SKU_ATTR, add_sku
from spiders.extract.product_stock import add_stock
from spiders.extract.product_tuning import DEFAULT_TUNING, ProductTuning

_PRICE_ATTR = re.compile(
    r"price|preis|prix|precio|preco|preço|prezzo|cena|цена|价|價|kaina|hinta|\bpris|fiyat|amount", re.I
)
_GOOD = re.compile(
    r"our|sale|deal|current|final|now|actual|special|selling|buy|main|big|large|offer|promo|new|"
    r"product[-_]?price|price[-_]?(?:value|amount|tag|box|block|new)|new[-_]?price|aktuell",
    re.I,
)
_BAD = re.compile(
    r"old|was|list|regular|strike|before|original|rrp|msrp|compare|sav(?:e|ing)|discount|unit|per[-_]|"
    r"ship|deliver|instal|month|crossed|previous|retail|reference|uvp|statt|range|from|min|max|"
    r"total|cart|basket|filter|vat|tax|fee|points|label|title|suggest|history|"
    # struck-through prices by name: "prix barré", "prezzo barrato", "Streichpreis", "tachado", "full price"
    r"barr[eéa]|streich|tachad|doorgestre|przekre|full[-_]?price|"
    # a price converted into the visitor's currency ("convPrice", "convertedPrice"): an estimate
    r"conv(?:e?r?t|(?:bin)?[-_]?price|\b|(?=_))",
    re.I,
)
# Buy buttons and controls that look like buttons.
_BUY_ATTR = re.compile(
    r"cart|basket|buy|bag|purchase|checkout|warenkorb|panier|carrito|carrello|koszyk|kosik|"
    r"korzin|trolley|order|kaufen|comprar|acheter|"
    r"btn|button|(?<![a-z])cta(?![a-z])",  # links and divs styled as buttons
    re.I,
)
_STOCK_ATTR = re.compile(
    r"stock|avail|inventory|lager|dispon|verfueg|verfüg|skladem|sklad|delivery-?status|"
    r"out-?of|sold|soldout|estoque|existencia",
    re.I,
)
_ANY_ATTR = re.compile("|".join(p.pattern for p in (_PRICE_ATTR, _BUY_ATTR, _STOCK_ATTR, SKU_ATTR)))
_NUMBER_GROUP = re.compile(r"\d+(?:[.,' \u00a0\u202f]\d+)*")
# "From $89", "ab 99,12 €", "à partir de", "desde": the lowest of several prices, not a firm one.
_FROM_TEXT = re.compile(
    r"^\W*(?:from|starting at|as low as|ab|von|à partir de|dès|a partire da|a partir de|desde|da|vanaf|od|от|від|"
    r"alkaen|från|fra|frá|alates|nuo)\b|起",
    re.I,
)
_INSTALMENT_TEXT = re.compile(
    r"\b(?:fois|raten|mois|monat(?:lich)?|months?|monthly|/\s*mo|installments?|"
    r"instalments?|cuotas|rate|meses|x\s*\d|\d\s*x\b|per\s+(?:kg|l|m|unit)|/\s*(?:kg|l|m²|m2|100\s*g))",
    re.IGNORECASE,
)
# "Approximately US $2.66", "(approx. €3)", "ca. 12 €", "≈ 5 $": an estimate in another currency
# shown beside the price, never the price the shop charges.
_APPROX_TEXT = re.compile(
    r"(?:\b(?:approx(?:imately)?|about|environ|circa|ca|etwa|ungef[äa]hr|aprox(?:imadamente)?|"
    r"circa|ongeveer|oko[lł]o|примерно|около)\b\.?|≈|~)\s*\(?\s*$",
    re.I,
)
# What an element's attribute vocabulary speaks of, as bits.
_PRICE, _BUY, _STOCK, _SKU = 1, 2, 4, 8


# Case-sensitive copies for lower-cased text: re.IGNORECASE makes every comparison slower.
_ANY_LOW, _PRICE_LOW, _BUY_LOW, _STOCK_LOW, _SKU_LOW = (
    re.compile(p.pattern) for p in (_ANY_ATTR, _PRICE_ATTR, _BUY_ATTR, _STOCK_ATTR, SKU_ATTR)
)


@lru_cache(maxsize=1 << 16)
def _classify(attr: str) -> int:
    """The _PRICE/_BUY/_STOCK/_SKU bits of an element's class, id or itemprop (0: none).

    Memoised across pages: a shop's pages share their class names, and the crawler reads
    thousands of pages of the same shops.
    """
    low = attr.lower()
    if not _ANY_LOW.search(low):
        return 0
    return (
        _PRICE * bool(_PRICE_LOW.search(low))
        | _BUY * bool(_BUY_LOW.search(low))
        | _STOCK * bool(_STOCK_LOW.search(low))
        | _SKU * bool(_SKU_LOW.search(low))
    )


@dataclass
class _PriceHit:
    amount: Decimal
    currency: str | None
    score: float
    detail: str
    position: int
    element: etree._Element


def add_heuristics(
    cands: Candidates,
    doc: etree._Element,
    title_el: etree._Element | None,
    title: str | None,
    tuning: ProductTuning = DEFAULT_TUNING,
    test_attrs: bool = True,
) -> None:
    """Price, availability, SKU and name candidates read from the visible page; `test_attrs` False
    when the page has no test attributes (`TEST_ATTRS`), which spares looking for them."""
    cands.add("name", title, "heuristic", detail="page title (h1)")
    positions: dict[etree._Element, int] = {}
    title_pos = -1
    price_els: list[etree._Element] = []
    buy_els: list[etree._Element] = []
    stock_els: list[etree._Element] = []
    sku_els: list[etree._Element] = []
    classify = _classify
    body = doc.find("body")
    root = body if body is not None else doc
    # Only tags that can show text are visited (lxml filters them in C): svg paths, images, scripts
    # and option lists cost no Python step. This loop is the extractor's hot path.
    for pos, el in enumerate(root.iter(SCAN_TAGS)):
        if el is title_el:
            title_pos = pos
        kinds = 0
        cls = el.get("class")
        if cls:
            kinds = classify(cls)
        ident = el.get("id")
        if ident:
            kinds |= classify(ident)
        prop = el.get("itemprop")
        if prop:
            kinds |= classify(prop)
        if not kinds and test_attrs and len(el.attrib) > (cls is not None) + (ident is not None) + (prop is not None):
            # Other attributes than those three: test attributes may name the element.
            for name, named in el.items():
                if named and isinstance(name, str) and name.startswith(TEST_ATTRS):
                    kinds |= classify(named)
        if not kinds:
            if el.tag == "button" or el.tag == "input":
                positions[el] = pos
                buy_els.append(el)
            continue
        positions[el] = pos
        if kinds & _PRICE:
            price_els.append(el)
        if kinds & _BUY or el.tag == "button" or el.tag == "input":
            buy_els.append(el)
        if kinds & _STOCK:
            stock_els.append(el)
        if kinds & _SKU:
            sku_els.append(el)
    memo = title_context(title_el)
    cards = title_blocks(title_el)
    _add_price(cands, price_els, positions, title_pos, memo, cards, tuning)
    if not cands.by_field["price"]:
        _add_labelled_price(cands, root, memo, cards)
    if not cands.by_field["price"] and title_el is not None:
        _add_price_after_title(cands, root, title_el, memo, cards)
    add_stock(cands, root, buy_els, stock_els, memo, cards)
    add_sku(cands, doc, sku_els, memo)


_CENTS = re.compile(r"\d{2}")
_HAS_CENTS = re.compile(r"\d[.,]\d{2}$")
_FOOTNOTE = re.compile(r"\d|[^\w\s]{1,2}")  # "¹", "1", "*", "†": a note's marker, one digit or symbol


def _price_text(el: etree._Element) -> str:
    """The visible text of a price element as a buyer reads it: cents written apart as a superscript
    or a smaller last part ("63<sup>07</sup> Lei", "$249<span>99</span>") joined to the units by
    the decimal separator the units do not use for thousands ("63,07", "1,299.99"; not 6307), and
    a footnote marker ("19,99<sup>1</sup> €", or any number after a price that has its cents) left
    out (not 19991)."""
    if not len(el):
        return visible_text(el, 80)
    parts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")  # a comment ("CHF <!-- -->19.50"): its tail only
            continue
        mark = visible_text(child, 40) if len(child) else (child.text or "").strip()
        units = "".join(parts).rstrip()
        tail = child.tail or ""
        if _is_cents(mark, units) and not any(ch.isdigit() for ch in tail):
            parts = [units, "." if "," in units else ",", mark]
        elif not (child.tag == "sup" and _is_footnote(mark, units)):
            parts.append(mark if len(child) else visible_text(child, 40))
        parts.append(tail)
    return _SPLIT_DECIMAL.sub(lambda m: m.group(1) or m.group(2), " ".join("".join(parts).split()))


# A decimal mark the template set apart by blanks ("25 ,99 zł": <b>25</b> ,<b>99</b>): the units,
# the mark and one or two digits of cents are one amount (price-parser reads "25 ,99" as 99).
_SPLIT_DECIMAL = re.compile(r"(?<=\d)(?: ([.,]) ?| ?([.,]) )(?=\d{1,2}(?!\d))")


def _is_cents(mark: str, units: str) -> bool:
    """Two digits right after units that have no cents yet."""
    return bool(_CENTS.fullmatch(mark)) and units[-1:].isdigit() and not _HAS_CENTS.search(units)


def _is_footnote(mark: str, units: str) -> bool:
    return bool(_FOOTNOTE.fullmatch(mark)) or (mark.isdigit() and bool(_HAS_CENTS.search(units)))


def _cents_part(el: etree._Element, text: str) -> bool:
    """Whether an element is only the cents of a price written around it ("$249<span>99</span>")."""
    if not _CENTS.fullmatch(text):
        return False
    prev = el.getprevious()
    parent = el.getparent()
    before = prev.tail if prev is not None else (parent.text if parent is not None else None)
    return (before or "").rstrip()[-1:].isdigit()


# A percentage ("-50%", "50 % off"): a discount, never an amount of money.
_DISCOUNT_TEXT = re.compile(r"\d\s*%")
# Words that announce the old price in running text ("statt 4.50", "was £20", "UVP 39,99 €").
_OLD_TEXT = re.compile(
    r"^\W*(?:statt|was|uvp|rrp|msrp|vorher|ehemals|avant|au lieu de|antes|invece di|zamiast|"
    r"istället för|i stedet for|in plaats van|regular price|list price)\b",
    re.I,
)
# How many parts of one price block are read: a price, an old price, a saving and a unit price.
_MAX_PARTS = 8


def _block_parts(el: etree._Element) -> list[etree._Element]:
    """The elements inside a price-named block that show one number each, in page order (the
    block's discount, old and current price written side by side)."""
    parts: list[etree._Element] = []
    for part in el.iterdescendants():
        if not isinstance(part.tag, str) or is_hidden(part):
            continue
        text = _price_text(part)
        if text and len(text) <= 60 and 1 <= len(_NUMBER_GROUP.findall(text)) <= 2:
            parts.append(part)
            if len(parts) >= _MAX_PARTS:
                break
    return parts


def _text_before(el: etree._Element) -> str:
    """The text just before an element inside its parent (the previous sibling's tail, or the parent's text)."""
    prev = el.getprevious()
    parent = el.getparent()
    return (prev.tail if prev is not None else (parent.text if parent is not None else None)) or ""


def _approximate(el: etree._Element, text: str) -> bool:
    """Whether an amount is announced as an estimate ("Approximately <span>US $2.66</span>")."""
    amount_at = re.search(r"\d", text)
    own = text[: amount_at.start()] if amount_at else ""
    return bool(_APPROX_TEXT.search(own) or _APPROX_TEXT.search(_text_before(el)[-40:]))


def _currency_beside(el: etree._Element) -> str | None:
    """The currency written just outside a price element that holds only the amount
    ("<strong>€ <span class="price">17,10</span></strong>", "<span>19.50</span> CHF")."""
    around = f"{_text_before(el).strip()[-4:]} 1 {(el.tail or '').strip()[:4]}"
    return parse_price(around).currency if around.strip() != "1" else None


def _add_price(
    cands: Candidates,
    els: list[etree._Element],
    positions: dict,
    title_pos: int,
    memo: dict,
    cards: dict[etree._Element, bool],
    tuning: ProductTuning = DEFAULT_TUNING,
) -> None:
    hits: list[_PriceHit] = []
    els = els[:400]
    amounts_after_title: list[Decimal] = []
    seen: set[etree._Element] = set(els)
    block_parts: set[etree._Element] = set()
    for el in els:  # grows while it runs: the parts of a price block are read after it
        text = el.get("content") if el.tag == "meta" else _price_text(el)
        if not text or len(text) > 60 or not re.search(r"\d", text) or _cents_part(el, text):
            continue
        if len(_NUMBER_GROUP.findall(text)) > 2:
            # A sentence with several numbers ("buy 2 boxes, 819 each") is no price tag, but a
            # price block ("-50% statt 4.50 CHF 2.25") is read by its parts, as its own elements.
            parts = [part for part in _block_parts(el) if part not in seen]
            for part in parts:
                positions[part] = positions.get(el, 0)
            seen.update(parts)
            block_parts.update(parts)
            els.extend(parts)
            continue
        if el in block_parts and (_DISCOUNT_TEXT.search(text) or _OLD_TEXT.search(text)):
            continue  # "-50%", "statt 4.50": the block's saving or old price
        parsed = parse_price(text)
        if parsed.amount is None or parsed.amount == 0:
            continue
        currency = parsed.currency or _currency_beside(el)
        attrs = attrs_of(el)
        score = 0.0
        notes = []
        if _INSTALMENT_TEXT.search(text):
            score -= 3.0
            notes.append("instalment or unit price text")
        elif _FROM_TEXT.search(text):
            score -= 1.0
            notes.append("'from' price")
        if _approximate(el, text):
            score -= 2.0
            notes.append("approximate amount")
        if currency:
            score += 1.5
        else:
            score -= 1.0
        if _GOOD.search(attrs):
            score += 1.0
            notes.append("price vocabulary")
        bad = _BAD.search(attrs)
        if bad:
            score -= 2.0
            notes.append(f"'{bad.group(0)}' in attributes")
        if in_strike(el):
            score -= 3.0
            notes.append("struck through")
        context = bad_context(el, memo)
        if context:
            weak = context.startswith("~")
            score -= 1.0 if weak else 3.0
            notes.append(f"inside '{context.lstrip('~')}' block")
        if not context and in_card_list(el, cards):
            context = "card list"
            score -= 2.0
            notes.append("inside a grid of product cards")
        pos = positions.get(el, 0)
        if title_pos >= 0:
            distance = pos - title_pos
            if distance >= 0 and not (context and not context.startswith("~")):
                if parsed.amount not in amounts_after_title:
                    amounts_after_title.append(parsed.amount)
                if amounts_after_title.index(parsed.amount) == 0:
                    score += 1.0
                    notes.append("first price after the title")
            if 0 <= distance <= 80:
                score += tuning.title_near_bonus
                notes.append("just after the title")
            elif 0 <= distance <= 300:
                score += 0.5
                notes.append("after the title")
            elif distance < 0:
                score -= 0.5
        hits.append(_PriceHit(parsed.amount, currency, score, ", ".join(notes), pos, el))
    # A container of price elements (old + new price together) is ambiguous: its parts speak instead.
    hit_els = {h.element for h in hits}
    containers: set[etree._Element] = set()
    for hit in hits:
        parent = hit.element.getparent()
        for _ in range(4):
            if parent is None:
                break
            if parent in hit_els:
                containers.add(parent)
            parent = parent.getparent()
    hits = [h for h in hits if h.element not in containers]
    cands.visible_prices.update(h.amount for h in hits if h.score > -1.0)
    hits = [h for h in hits if h.score >= tuning.min_price_score]
    if not hits:
        return
    hits.sort(key=lambda h: (-h.score, h.position))
    for hit in hits[:5]:
        cands.add(
            "price",
            hit.amount,
            "heuristic",
            bonus=min(hit.score, 4.0) - 4.0,
            detail=hit.detail or "price element",
            currency=hit.currency,
        )
    best = hits[0]
    cands.add("currency", best.currency, "heuristic", bonus=-4.0)




# "Price: $10.99", "Preis: 24,90 €", "价格：199元", "가격: 10,900원": a price written after its label
# in plain text, or as the value beside a label cell ("<td>Price:</td><td>$10.99</td>", "<dt>Price</dt>").
_PRICE_WORDS = (
    r"(?:(?:our|sale|special|your|current)\s+)?(?:price|preis|prix|precio|preço|preco|prezzo|cena|"
    r"цена|ціна|价格|售价|價格|售價|価格|販売価格|가격|판매가|fiyat|hinta|pris|prijs|kaina)"
)
_PRICE_LABEL = re.compile(rf"^\s*{_PRICE_WORDS}\s*[:：]\s*(.{{1,40}}?)\s*$", re.I)
_PRICE_LABEL_ALONE = re.compile(rf"^\s*{_PRICE_WORDS}\s*[:：]?\s*$", re.I)
_LABEL_TAGS = frozenset(("td", "th", "dt", "span", "div", "b", "strong", "label", "p"))


def _labelled_value(el: etree._Element, text: str) -> str | None:
    """The price text a label announces: after its colon, or in the element just after a label
    that stands alone ("<dt>Price</dt><dd>$10.99</dd>")."""
    match = _PRICE_LABEL.match(text)
    if match is not None:
        return match.group(1)
    if el.tag in _LABEL_TAGS and len(text) <= 20 and _PRICE_LABEL_ALONE.match(text):
        value = el.getnext()
        if value is not None and isinstance(value.tag, str):
            return visible_text(value, 40) or None
    return None


def _add_labelled_price(
    cands: Candidates, root: etree._Element, memo: dict, cards: dict[etree._Element, bool]
) -> None:
    """On pages with no price element (text-only pages), a labelled price in the visible text."""
    for el in root.iter(SCAN_TAGS):
        text = el.text
        if not text or len(text) > 60:
            continue
        value = _labelled_value(el, text)
        if value is None or len(value) > 40:
            continue
        parsed = parse_price(value)
        if parsed.amount is None or parsed.amount == 0:
            continue
        if bad_context(el, memo) or in_card_list(el, cards):
            continue
        bonus = -2.5 if parsed.currency else -3.5
        detail = f"labelled price {' '.join([text.strip(), value])[:30]!r}"
        cands.add("price", parsed.amount, "heuristic", bonus=bonus, detail=detail, currency=parsed.currency)
        cands.add("currency", parsed.currency, "heuristic", bonus=-4.0)
        return


# How far after the title a price without any price-named element may sit: the reach of
# `ProductTuning.title_near_bonus` ("just after the title"), the block a buyer reads with the title.
_AFTER_TITLE = 80


def _add_price_after_title(
    cands: Candidates, root: etree._Element, title_el: etree._Element, memo: dict, cards: dict[etree._Element, bool]
) -> None:
    """On pages whose class names say nothing (hashed CSS-in-JS names such as "uqkIZw ka2E9k") and
    that have no structured or labelled price: the first money amount, with its currency shown,
    in a short text just after the product title. A buyer reads the price under the title; struck,
    hidden, instalment and other products' amounts are passed over."""
    after = -1
    for el in root.iter(SCAN_TAGS):
        if el is title_el:
            after = 0
            continue
        if after < 0:
            continue
        after += 1
        if after > _AFTER_TITLE:
            return
        text = (el.text or "").strip() or (visible_text(el, 40) if len(el) <= 3 else "")
        if not text or len(text) > 40 or not any(ch.isdigit() for ch in text):
            continue
        if len(_NUMBER_GROUP.findall(text)) > 2 or _INSTALMENT_TEXT.search(text):
            continue
        parsed = parse_price(text)
        if parsed.amount is None or parsed.amount == 0 or not parsed.currency:
            continue
        if is_hidden(el) or in_strike(el) or bad_context(el, memo) or in_card_list(el, cards):
            continue
        detail = f"first amount after the title {' '.join(text.split())[:30]!r}"
        cands.add("price", parsed.amount, "heuristic", bonus=-3.0, detail=detail, currency=parsed.currency)
        cands.add("currency", parsed.currency, "heuristic", bonus=-4.0)
        return
