"""Visible-page heuristics: the product's price, stock state, SKU and name when markup says little.

Price: elements whose id/class/itemprop speak of a price (in many languages) are read with the
price parser and scored by their vocabulary ("sale", "current" vs "old", "was", "unit",
"shipping"), by struck-through styling, by whether they sit in a carousel/related/footer block,
and by how close they come after the product title. Availability: buy buttons and stock
statements. SKU: labelled codes ("Art.-Nr. 12345", "Product code: 46286401") and sku-named
elements. Everything works on the lxml tree already parsed; nothing here knows any one shop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from lxml import etree

from spiders.extract.availability import availability_from_text
from spiders.extract.price import parse_price
from spiders.extract.product_candidates import Candidates
from spiders.extract.product_similarity import similarity

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
    r"total|cart|basket|filter|vat|tax|fee|points|label|title|suggest|history",
    re.I,
)
# Blocks holding other products' prices: strong words cost more than layout words.
_CONTEXT_BAD = re.compile(
    r"related|carousel|recommend|similar|upsell|up-sell|cross-?sell|also|recent|viewed|sponsor|"
    r"frequently|together|more-?from|bought|compar(?:e|ison)|accessor|bundle|review|mini-?cart|"
    r"cookie|popup|modal|newsletter",
    re.I,
)
_CONTEXT_WEAK = re.compile(r"slider|swiper|footer|header|\bnav|menu", re.I)
_SKU_WORDS = (
    r"(?:\bsku|art(?:ikel)?\.?[-\s]?n(?:r|o|um(?:mer|ber)?)\.?|artikelnummer|bestellnummer|best\.-nr\.?|"
    r"item\s*(?:number|no\.?|#|id)|product\s*(?:code|number|no\.?|id)|model\s*(?:number|no\.?)|"
    r"cat(?:alogue)?\.?\s*(?:no|number)\.?|r[ée]f[ée]rence|\bref\.|c[óo]digo|\bcod\.|codice(?:\s+articolo)?|"
    r"kód(?:\s+produktu)?|šifra|numer\s+katalogowy|kod\s+produktu|артикул|код\s+товара|货号|商品编号|商品編號|"
    r"型号|\bASIN|post\s+id|varenummer|artikelnr|tuotenumero|ürün\s+kodu)"
)
# The code itself: 3 to 31 characters with at least one digit ("B07C8KMQQ6", "466/7999", "VE900").
_SKU_LABEL = re.compile(_SKU_WORDS + r"\s*[:#.]?\s*(?=[A-Z./_-]*\d)([A-Z0-9][A-Z0-9./_-]{2,30})\b", re.I)
# Literal beginnings of the label words, to find where a label may start without the full pattern.
_SKU_HINT = re.compile(
    r"sku|art|best|item|product|model|cat|r[eé]f|c[oó]d|kód|šifra|numer|kod|артикул|код|货号|商品|型号|"
    r"asin|post|varenummer|tuotenumero|ürün",
)
_SKU_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9./_-]{2,30}")
_SKU_ATTR = re.compile(
    r"sku|product[-_]?(?:code|id|ref|number)|reference|item[-_]?(?:number|id)|art(?:icle)?[-_]?n", re.I
)
_BUY_ATTR = re.compile(
    r"cart|basket|buy|bag|purchase|checkout|warenkorb|panier|carrito|carrello|koszyk|kosik|"
    r"korzin|trolley|order|kaufen|comprar|acheter",
    re.I,
)
_STOCK_ATTR = re.compile(
    r"stock|avail|inventory|lager|dispon|verfueg|verfüg|skladem|sklad|delivery-?status|"
    r"out-?of|sold|soldout|estoque|existencia",
    re.I,
)
_ANY_ATTR = re.compile("|".join(p.pattern for p in (_PRICE_ATTR, _BUY_ATTR, _STOCK_ATTR, _SKU_ATTR)))
_NUMBER_GROUP = re.compile(r"\d+(?:[.,' \u00a0\u202f]\d+)*")
_BUY_TEXT = re.compile(
    r"cart|basket|bag|trolley|buy|bid|order|kaufen|warenkorb|panier|acheter|carrito|comprar|"
    r"carrello|koszyk|kupi|košík|košaric|корзин|купить|购|購|カート|장바구니|구매|varukorg|kurv|"
    r"ostoskori|sepet|kosár|ostukorvi|coș|cos|winkelwagen|reserv",
    re.I,
)
_MIN_PRICE_SCORE = 0.0  # weaker visible prices (carousel, no currency, far from the title) are not proposed
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
# Classes that hide an element until a script shows it (the other stock message, a variant's price).
_HIDDEN_CLASS = re.compile(r"(?:^|[\s_-])(?:hidden|hide|d-none|invisible)(?:$|\s)", re.I)
# "From $89", "ab 99,12 €", "à partir de", "desde": the lowest of several prices, not a firm one.
_FROM_TEXT = re.compile(
    r"^\W*(?:from|starting at|as low as|ab|von|à partir de|a partir de|desde|da|vanaf|od|от|від)\b|起",
    re.I,
)
_INSTALMENT_TEXT = re.compile(
    r"\b(?:fois|raten|mois|monat(?:lich)?|months?|monthly|/\s*mo|installments?|"
    r"instalments?|cuotas|rate|meses|x\s*\d|\d\s*x\b|per\s+(?:kg|l|m|unit)|/\s*(?:kg|l|m²|m2|100\s*g))",
    re.IGNORECASE,
)
_SKIP_TAGS = {
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
_STRIKE_TAGS = {"del", "s", "strike"}
# Tags whose elements can show a price, a stock statement, a buy button or a code.
_SCAN_TAGS = (
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
# What an element's attribute vocabulary speaks of, as bits.
_PRICE, _BUY, _STOCK, _SKU = 1, 2, 4, 8


# Case-sensitive copies for lower-cased text: re.IGNORECASE makes every comparison slower.
_ANY_LOW, _PRICE_LOW, _BUY_LOW, _STOCK_LOW, _SKU_LOW = (
    re.compile(p.pattern) for p in (_ANY_ATTR, _PRICE_ATTR, _BUY_ATTR, _STOCK_ATTR, _SKU_ATTR)
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


def _attrs(el: etree._Element) -> str:
    """The id, class, itemprop and data-* names of an element, where shops put their vocabulary."""
    parts = [el.get("id") or "", el.get("class") or "", el.get("itemprop") or ""]
    for key in el.keys():
        if key.startswith("data-"):
            parts.append(key)
    return " ".join(p for p in parts if p)


def _text(el: etree._Element, limit: int = 200) -> str:
    """Visible text of an element, whitespace collapsed, scripts left out, cut near `limit` characters."""
    out: list[str] = []
    size = 0
    stack: list[tuple[etree._Element, bool]] = [(el, False)]
    while stack and size <= limit:
        node, tail_only = stack.pop()
        if tail_only:
            if node.tail:
                out.append(node.tail)
                size += len(node.tail)
            continue
        if isinstance(node.tag, str) and node.tag not in _SKIP_TAGS:
            if node.text:
                out.append(node.text)
                size += len(node.text)
            children = list(node)
            for child in reversed(children):
                stack.append((child, True))
                stack.append((child, False))
    return " ".join(" ".join(out).split())[:limit]


def _in_strike(el: etree._Element, depth: int = 3) -> bool:
    node: etree._Element | None = el
    for _ in range(depth + 1):
        if node is None:
            return False
        if node.tag in _STRIKE_TAGS or "line-through" in (node.get("style") or ""):
            return True
        node = node.getparent()
    return False


def _hidden(el: etree._Element) -> bool:
    """Whether the element itself is hidden (inline style, `hidden` attribute or a hiding class)."""
    style = el.get("style")
    if (style and _HIDDEN_STYLE.search(style)) or el.get("hidden") is not None:
        return True
    cls = el.get("class")
    return bool(cls and _HIDDEN_CLASS.search(cls))


def _bad_context(el: etree._Element, memo: dict[etree._Element, str | None], depth: int = 14) -> str | None:
    """Why an element sits in a block that is not the product's own (carousel, footer...), else None."""
    path: list[etree._Element] = []
    node = el.getparent()
    found: str | None = None
    for _ in range(depth):
        if node is None:
            break
        if node in memo:
            found = memo[node]
            break
        path.append(node)
        if _hidden(node):
            found = "~hidden"
            break
        if node.tag in ("footer", "nav", "header", "aside"):
            found = "~" + node.tag
            break
        attrs = (node.get("id") or "") + " " + (node.get("class") or "")
        if len(attrs) > 1:
            match = _CONTEXT_BAD.search(attrs)
            if match:
                found = match.group(0)
                break
            match = _CONTEXT_WEAK.search(attrs)
            if match:
                found = "~" + match.group(0)
                break
        node = node.getparent()
    for visited in path:  # every node on the way shares the verdict of its nearest bad ancestor
        memo[visited] = found
    return found


def _in_card_list(el: etree._Element, memo: dict[etree._Element, bool], depth: int = 8) -> bool:
    """Whether an element sits in one card of a grid of alike cards (other products' tiles).

    A card is an ancestor whose parent holds at least three children of the same tag and class,
    and which links somewhere: the shape of every product grid, whatever the shop calls it.
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
            if alike >= 3 and (node.tag == "a" or node.find(".//a") is not None):
                verdict = True
                break
        node = parent
    for visited in path:
        memo[visited] = verdict
    return verdict


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
        text = _text(h1, 300)
        if not 2 <= len(text) <= 300:
            continue
        attrs = _attrs(h1) + " " + " ".join(_attrs(c) for c in h1[:2])
        score = similarity(text, reference) + (0.5 if re.search(r"title|product|name", attrs, re.I) else 0.0)
        if re.search(r"nav|menu|categor|sidebar|logo|modal|popup", attrs, re.I) or _bad_context(h1, memo, 10):
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


_URL_ID = re.compile(
    r"(?:[?&](?:sku|pid|id|item|itemid|product_?id|products_id)=|/|-|_|\b[a-z])(\d{6,14})(?=[/?&#._-]|$)",
    re.I,
)


def sku_from_url(url: str) -> str | None:
    """A long numeric product id in the page URL ("/deal/4548094738", "?pid=260591"), the last one."""
    matches = _URL_ID.findall(url.split("#", 1)[0])
    return matches[-1] if matches else None


def add_heuristics(
    cands: Candidates, doc: etree._Element, title_el: etree._Element | None, title: str | None
) -> None:
    """Price, availability, SKU and name candidates read from the visible page."""
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
    for pos, el in enumerate(root.iter(_SCAN_TAGS)):
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
    memo: dict[etree._Element, str | None] = {}
    _add_price(cands, price_els, positions, title_pos, memo)
    _add_availability(cands, buy_els, stock_els, memo)
    _add_sku(cands, doc, sku_els, memo)


def _add_price(
    cands: Candidates, els: list[etree._Element], positions: dict, title_pos: int, memo: dict
) -> None:
    hits: list[_PriceHit] = []
    els = els[:400]
    amounts_after_title: list[Decimal] = []
    cards: dict[etree._Element, bool] = {}
    for el in els:
        text = el.get("content") if el.tag == "meta" else _text(el, 80)
        if not text or len(text) > 60 or not re.search(r"\d", text):
            continue
        if len(_NUMBER_GROUP.findall(text)) > 2:
            continue  # a sentence with several numbers ("buy 2 boxes, 819 each"), not a price tag
        parsed = parse_price(text)
        if parsed.amount is None or parsed.amount == 0:
            continue
        attrs = _attrs(el)
        score = 0.0
        notes = []
        if _INSTALMENT_TEXT.search(text):
            score -= 3.0
            notes.append("instalment or unit price text")
        elif _FROM_TEXT.search(text):
            score -= 1.0
            notes.append("'from' price")
        if parsed.currency:
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
        if _in_strike(el):
            score -= 3.0
            notes.append("struck through")
        context = _bad_context(el, memo)
        if context:
            weak = context.startswith("~")
            score -= 1.0 if weak else 3.0
            notes.append(f"inside '{context.lstrip('~')}' block")
        if not context and _in_card_list(el, cards):
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
                score += 1.0
                notes.append("just after the title")
            elif 0 <= distance <= 300:
                score += 0.5
                notes.append("after the title")
            elif distance < 0:
                score -= 0.5
        hits.append(_PriceHit(parsed.amount, parsed.currency, score, ", ".join(notes), pos, el))
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
    hits = [h for h in hits if h.score >= _MIN_PRICE_SCORE]
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


def _add_availability(
    cands: Candidates, buy_els: list[etree._Element], stock_els: list[etree._Element], memo: dict
) -> None:
    """Stock state from stock statements and buy buttons, weighed together.

    An enabled "add to cart" button is the strongest sign of stock; a short stock statement
    ("Currently unavailable", "Ausverkauft") the strongest sign against. When they disagree the
    statement wins only if no statement says the opposite.
    """
    statements: list[tuple[str, str]] = []
    for el in stock_els[:200]:
        if el.tag in ("img", "script", "a") or _hidden(el) or _bad_context(el, memo, 8):
            continue
        text = _text(el, 100)
        if not text:
            continue
        if len(text) > 60:
            # A stock block with an explanation after the statement ("Currently unavailable. We
            # don't know when..."): the statement is the first short piece inside it.
            text = next(
                (t for t in (_text(c, 100) for c in el.iterdescendants(_SCAN_TAGS)) if t and len(t) <= 60), ""
            )
            if not text:
                continue
        term = availability_from_text(text)
        if term and (term, text) not in statements:
            statements.append((term, text))
    button: tuple[str, str] | None = None
    for el in buy_els[:300]:
        if _bad_context(el, memo, 8):
            continue
        text = el.get("value") if el.tag == "input" else _text(el, 60)
        text = text or el.get("title") or el.get("aria-label") or ""
        if not text or len(text) > 50:
            continue
        term = availability_from_text(text)
        if term is None or (term == "InStock" and _BUY_TEXT.search(text) is None):
            continue  # a button that only says "available" is a filter, not a buy button
        disabled = el.get("disabled") is not None or "disabled" in (el.get("class") or "").lower()
        if term == "InStock" and disabled:
            continue
        button = (term, text)
        break
    said = {term for term, _ in statements}
    if button and button[0] == "InStock":
        if "OutOfStock" in said and "InStock" not in said:
            text = next(t for term, t in statements if term == "OutOfStock")
            cands.add(
                "availability",
                "OutOfStock",
                "heuristic",
                bonus=-1.0,
                detail=f"stock text {text[:40]!r} despite button {button[1][:30]!r}",
            )
        else:
            cands.add("availability", "InStock", "heuristic", bonus=-1.0, detail=f"button {button[1][:40]!r}")
        return
    if statements:
        term, text = statements[0]
        if "OutOfStock" in said:
            term, text = next((tm, t) for tm, t in statements if tm == "OutOfStock")
        cands.add("availability", term, "heuristic", bonus=-1.0, detail=f"stock text {text[:40]!r}")
        return
    if button:
        cands.add("availability", button[0], "heuristic", bonus=-1.5, detail=f"button {button[1][:40]!r}")


def _add_sku(cands: Candidates, doc: etree._Element, sku_els: list[etree._Element], memo: dict) -> None:
    for el in sku_els[:200]:
        if el.tag in ("script", "img", "a", "form", "meta", "link") or _bad_context(el, memo, 8):
            continue
        text = _text(el, 80)
        match = _SKU_LABEL.search(text)
        if match:
            cands.add(
                "sku", match.group(1).rstrip("."), "heuristic", detail=f"labelled code in {text[:40]!r}"
            )
            return
        if 3 <= len(text) <= 30 and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9./_-]*\d[A-Za-z0-9./_-]*", text):
            cands.add("sku", text, "heuristic", bonus=-0.5, detail="sku-named element")
            return
    # Labels in plain text ("Bestellnummer: 106606", "<b>SKU:</b> 9470") outside any sku-named
    # element, looked for only when the structured data gave no SKU. The visible text is joined
    # once; a cheap literal scan finds where a label may start and the full pattern runs there only
    # (running it over the whole text costs more than the rest of the extraction).
    body = doc.find("body")
    if body is None or cands.by_field["sku"]:
        return
    joined = "\n".join([t for t in body.itertext(*_SCAN_TAGS) if len(t) <= 120])
    low = joined.lower()
    if len(low) != len(joined):
        return  # a few characters change length when lower-cased: offsets would not line up
    for hint in _SKU_HINT.finditer(low):
        start = hint.start()
        if start and low[start - 1].isalpha():
            continue  # inside a word ("cart", "start")
        match = _SKU_LABEL.search(joined, max(0, start - 1), start + 160)
        if match is None or match.start() > start + 1:
            continue
        if match.start() > 0 and joined[match.start() - 1].isalpha():
            continue  # inside a word ("Part Number" is no "Art.-Nr.")
        cands.add(
            "sku",
            match.group(1).rstrip("."),
            "heuristic",
            bonus=-1.0,
            detail=f"labelled code {' '.join(match.group(0).split())[:40]!r}",
        )
        return
