"""A listing card's price: the money amount the card shows for its item, and its currency.

Money is an amount written against a currency sign or code ("$22.09", "129,00 €", "US $6.26",
"￥3580.00"); bare numbers are counts (reviews, ratings, "3 bids", "38+ Watching"), sizes, part
numbers or dates, and are never a price. A sign between two numbers belongs to the one it
touches: in "2,292 ₹110" the review count is "2,292" and the price "₹110". Amounts shops show
beside the price are left out: struck-through and "was"/list prices, shipping, unit prices
("$0.34/count"), savings and coupons, and anything inside the card's title.

Numbers that are the day or year of a date ("Jul 30, 2013"), digits ending a word (a shop name,
a part number) and numbers inside the title's link or a heading are no amount either.

Among the card's amounts the first one in a price-named element wins, else the first one. Shops
split a price across elements (`<span>$</span><span>19</span><sup>99</sup>`), so small elements
are also read as a whole, with their element boundaries kept (`bounded_text`): the pieces of one
price touch, but a count in the next element is never glued to the price. Where a card shows an amount without any sign in a price-named element,
the currency the other cards of the page show is taken (`page_currency`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import lxml.html

from spiders.extract.currency import country_of, to_iso
from spiders.extract.listing_tuning import DEFAULT_LISTING_TUNING, ListingTuning
from spiders.extract.price import parse_price

_SIGNS = r"US\s?\$|AU\$|A\$|CA\$|C\$|NZ\$|HK\$|S\$|NT\$|R\$|MX\$|[$€£¥￥₹₩₽₺₴₫₪฿₱₦₸]|円|元|원|руб\.?|₽|грн|zł|Kč|kr\.?|Ft|lei|лв\.?|TL|CHF|Fr\.|Rs\.?|RM|Rp"
_CODES = r"USD|EUR|GBP|JPY|CNY|RMB|INR|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|CZK|HUF|RON|BRL|MXN|RUB|TRY|KRW|HKD|SGD|TWD|ZAR"
_SIGN = MONEY_SIGN = re.compile(rf"(?:{_SIGNS})|\b(?:{_CODES})\b")
# An amount: digit groups with one kind of thousands mark, an optional decimal part of 1 or 2
# digits (3 after "." in "1.299" is a thousands group). A plain space is a thousands mark only
# before exactly three digits: "144 11,99 €" is a review count beside a price, not 14411.99.
_AMOUNT = (
    r"\d{1,3}(?:[,.'\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|"
    r"\d{1,3}(?: \d{3})+(?:,\d{1,2})?(?![\d.])|"  # "1 299,00 €": a space before exactly three digits
    r"\d+(?:[.,]\d{1,2})?"
)
# An amount before a sign starts a word of its own: the digits ending "SilverStudio99" or a part
# number are no amount (scripts written without spaces excepted: "价格3580元" is one), but a
# currency code may touch it ("SGD4.90 $").
_AMOUNT_END = re.compile(
    rf"(?<![0-9.,])(?:(?<![A-Za-z\u00c0-\u024f\u0370-\u04ff])|(?<=\b[A-Z]{{3}}))(?:{_AMOUNT})(\s?)$"
)
# An amount after a sign ends where its digits end: digits glued on ("£2.2038+ Watching", a watch
# count run into the price) make the whole no amount, rather than a wrong one (2203 or 2.20 of 2.2038).
_AMOUNT_START = re.compile(rf"^(\s?)(?:{_AMOUNT})(?!\d|[.,]\d)")
# The start of a range before an amount: "26 to 50", "12,50 – 19,99" (group 2: a word or tilde).
_RANGE_FROM = re.compile(rf"(?<![0-9.,])({_AMOUNT})\s*(?:-|–|—|(~|\bto\b|\bbis\b))\s*$", re.IGNORECASE)
# Signs written before the amount by convention; the others ("€" in most of Europe, "zł", "kr")
# are written after it. Used only when a sign has an amount on both sides at the same distance.
_PREFIX_SIGN = re.compile(r"^(?:US\s?\$|AU\$|A\$|CA\$|C\$|NZ\$|HK\$|S\$|NT\$|R\$|MX\$|[$£¥￥₹₩₱₦]|Rs\.?|RM|Rp)$")
# Words next to an amount that make it something other than the item's price; "free shipping"
# and "75% off" say nothing about the amount beside them and are dropped before looking.
_NOT_THE_PRICE = re.compile(
    r"shipping|delivery|postage|versand|livraison|envío|envio|spedizione|frete|доставк|运费|配送|送料|"
    r"\bsave\b|saving|coupon|\bp\s?&\s?p\b",
    re.IGNORECASE,
)
# Words that announce an old price; they stand before it ("Was $30", "Original Price $25.00",
# "statt 4,50 €"), so they say nothing of the amount before them ("$12.50 Original Price $25.00").
_OLD_BEFORE = re.compile(
    r"\bwas\b|\blist\b|rrp|msrp|typical|\bstatt\b|uvp|\bavant\b|antes|"
    r"\boriginal\b|\bregular\b|\bnormally\b",
    re.IGNORECASE,
)
# A unit price's mark right after its amount ("$0.34/count", "2,29 €/100 g", "$5 each"): it makes
# that amount a unit price, not the price beside it ("11,99 € (2,29 €/100 g)" costs 11,99 €).
_UNIT_AFTER = re.compile(
    r"^\s*(?:/\s*(?:count|oz|ounce|lb|kg|g|ml|l|m|unit|item|each|stück|st|100\s?g|100\s?ml)\b|"
    r"(?:per|each|je|pro|le|la)\b)",
    re.IGNORECASE,
)
_WORD_START = re.compile(r"\w+$")
_WORD_END = re.compile(r"^\w+")
_HARMLESS = re.compile(
    r"free\s+(?:shipping|delivery|postage)|(?:shipping|delivery)\s+free|kostenlose?r?\s+versand|"
    r"livraison\s+gratuite|envío\s+gratis|\d+\s?%\s*off",
    re.IGNORECASE,
)
# Class names of amounts that are not the current price (one class name at a time, so that
# "list-item" or "listing-card" mean nothing here while "list-price" does).
_OLD_CLASS = re.compile(
    r"(?:^|[-_])(?:old|was|strike|strikethrough|striked|crossed|rrp|msrp|previous|original|before|"
    r"coupon|shipping|ship|delivery|saving|savings|discount)(?:$|[-_])|"
    r"(?:list|regular|compare|unit|text|retail)[-_]?price|price[-_]?(?:old|was|list|before|regular|"
    r"compare|unit|original|retail)|line-?through",
    re.IGNORECASE,
)
# Month names (English, German, French, Spanish, Italian abbreviations and their longer forms):
# a number after a month name and its day, or before a month name, is part of a date ("Jul 30,
# 2013", "30 Jul 2013"), never an amount.
_MONTH = (
    r"\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|may|june|"
    r"july|august|september|october|november|december|januar|februar|märz|mai|juni|juli|oktober|"
    r"dezember|okt|dez|janv|févr|mars|avr|avril|juin|juil|juillet|août|déc|janvier|février|"
    r"septembre|octobre|novembre|décembre|ene|abr|ago|dic|enero|febrero|marzo|abril|mayo|junio|"
    r"julio|agosto|septiembre|octubre|noviembre|diciembre)\b\.?"
)
_DATE_BEFORE = re.compile(rf"{_MONTH},?\s*(?:\d{{1,2}}(?:st|nd|rd|th)?\.?,?\s*)?$", re.IGNORECASE)
_DATE_AFTER = re.compile(rf"\s*(?:\.\s*)?{_MONTH}", re.IGNORECASE)
_PRICE_CLASS = re.compile(r"price|cost|amount|preis|prix|precio|prezzo|cena|цена|价", re.IGNORECASE)
# An empty element whose class names a currency: the sign is drawn by a font or a background image.
_CURRENCY_ICON = re.compile(rf"(?:currency|\bfa|\bicon)[-_]?({_CODES})\b", re.IGNORECASE)
# A Latin letter touching a currency written in letters ("kr", "RM", "Ft") makes it part of a word.
_LATIN = re.compile(r"[A-Za-z]")
_STRUCK = {"del", "s", "strike"}
_SKIP = {"script", "style", "noscript", "template", "svg", "option", "select"}


@dataclass(frozen=True)
class _Money:
    amount: Decimal
    sign: str
    in_price_element: bool


def money_in(text: str, context: int = DEFAULT_LISTING_TUNING.price_context) -> tuple[Decimal, str] | None:
    """The first amount written against a currency sign in `text` that no neighbouring word makes
    a shipping cost, a saving, an old or a unit price (see the module docstring)."""
    for sign in _SIGN.finditer(text):
        before, after = text[: sign.start()], text[sign.end() :]
        if sign.group(0)[0].isascii() and sign.group(0)[0].isalpha() and _LATIN.search(before[-1:] + after[:1]):
            continue  # a sign written in letters is a word of its own: not the "kr" of "Ukraine"
        left = _AMOUNT_END.search(before)
        right = _AMOUNT_START.search(after)
        if left is not None and _DATE_BEFORE.search(before[: left.start()]):
            left = None  # "Jul 30, 2013 USD 5.00": the year or day of a date
        if right is not None and _DATE_AFTER.match(after[right.end() :]):
            right = None  # "€ 30 Jul"
        chosen = _side(left, right, sign.group(0))
        if chosen is None:
            continue
        if chosen == "left":
            start, end, amount_text = left.start(), sign.end(), left.group(0)  # type: ignore[union-attr]
            low = _range_start(before[:start], amount_text.strip())
            if low is not None:  # "26 to 50 €": the sign after a range is both ends'; the price is its start
                start, amount_text = low
        else:
            start, end, amount_text = sign.start(), sign.end() + right.end(), right.group(0)  # type: ignore[union-attr]
        if _UNIT_AFTER.match(text[end:]):
            continue
        before, after = _around(text, start, end, context)
        if _NOT_THE_PRICE.search(_HARMLESS.sub(" ", f"{before} {after}")) or _OLD_BEFORE.search(before):
            continue
        amount = _amount(amount_text.strip())
        if amount is not None:
            return amount, sign.group(0)
    return None


def _around(text: str, start: int, end: int, context: int) -> tuple[str, str]:
    """The words before and after text[start:end]: `context` characters either side, widened to
    whole words (a window that cuts "riginal Price $25" still sees "Original"), and ending at the
    nearest other number (in "Was $30 now $20" the "was" is the $30's, not the $20's)."""
    low, high = max(0, start - context), min(len(text), end + context)
    cut = _WORD_START.search(text[:low]) if low and text[low - 1 : low + 1].isalnum() else None
    if cut is not None:
        low = cut.start()
    cut = _WORD_END.match(text[high:]) if high < len(text) and text[high - 1 : high + 1].isalnum() else None
    if cut is not None:
        high += cut.end()
    before, after = text[low:start], text[end:high]
    digit = _LAST_DIGIT.search(before)
    if digit is not None:
        before = before[digit.end() :]
    digit = _FIRST_DIGIT.search(after)
    if digit is not None:
        after = after[: digit.start()]
    return before, after


_LAST_DIGIT = re.compile(r"\d(?=\D*$)")
_FIRST_DIGIT = re.compile(r"\d")


def _range_start(before: str, high: str) -> tuple[int, str] | None:
    """Where the range ending in `high` starts ("26 to 50 €", "12,50 – 19,99 €") and its first
    amount. A dash joins two amounts only when both show cents: "Set of 3 - 12,99 €" is no range."""
    match = _RANGE_FROM.search(before)
    if match is None:
        return None
    low_amount, high_amount = _amount(match.group(1)), _amount(high)
    if low_amount is None or high_amount is None or not low_amount < high_amount:
        return None
    if match.group(2) is None and not (_CENTS.search(match.group(1)) and _CENTS.search(high)):
        return None
    return match.start(), match.group(1)


_CENTS = re.compile(r"[.,]\d{2}$")


def _side(left: re.Match[str] | None, right: re.Match[str] | None, sign: str) -> str | None:
    """Which amount a sign belongs to: the one it touches; a spaced one by the sign's convention."""
    if left is None and right is None:
        return None
    if left is None:
        return "right"
    if right is None:
        return "left"
    left_gap, right_gap = len(left.group(1)), len(right.group(1))
    if left_gap != right_gap:
        return "left" if left_gap < right_gap else "right"
    return "right" if _PREFIX_SIGN.match(sign.strip()) else "left"


def _amount(text: str) -> Decimal | None:
    parsed = parse_price(text)
    if parsed.amount is not None:
        return parsed.amount
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _struck(el: lxml.html.HtmlElement) -> bool:
    """Struck through, or named an old, list or shipping amount, by its own tag or class."""
    return el.tag in _STRUCK or any(_OLD_CLASS.search(word) for word in (el.get("class") or "").split())


def _excluded(el: lxml.html.HtmlElement, card: lxml.html.HtmlElement) -> bool:
    """Struck-through, old or list price, shipping, unit price: up to the card, by tag or class."""
    node: lxml.html.HtmlElement | None = el
    while node is not None:
        if node.tag in _SKIP or _struck(node):
            return True
        if node is card:
            return False
        node = node.getparent()
    return False


def _price_named(el: lxml.html.HtmlElement, card: lxml.html.HtmlElement) -> bool:
    node: lxml.html.HtmlElement | None = el
    for _ in range(4):
        if node is None:
            return False
        if _PRICE_CLASS.search(f"{node.get('class') or ''} {node.get('itemprop') or ''}"):
            return True
        if node is card:
            return False
        node = node.getparent()
    return False


def _texts(el: lxml.html.HtmlElement, join_max: int) -> list[str]:
    """The element's own text, then the whole of a small element (a price split across spans)."""
    texts = [el.text or ""]
    if len(el):
        whole = bounded_text(el)
        if len(whole) <= join_max:
            texts.append(whole)
    return [t for t in texts if t.strip()]


def _pieces(el: lxml.html.HtmlElement) -> list[tuple[str, lxml.html.HtmlElement]]:
    """The text pieces of an element in reading order, each with the element it is the text of
    (a tail belongs to the parent); invisible elements left out."""
    out: list[tuple[str, lxml.html.HtmlElement]] = []
    if el.text and el.text.strip():
        out.append((el.text, el))
    elif not len(el):
        icon = _CURRENCY_ICON.search(el.get("class") or "")
        if icon:  # a currency drawn by a font or an image ("currencyINR", "fa-eur"): its code
            out.append((f" {icon.group(1).upper()} ", el))
        elif el.text:
            out.append((el.text, el))
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _SKIP and not _struck(child):
            out += _pieces(child)  # a struck or old price inside a price block is not read with it
        if child.tail:
            out.append((child.tail, el))
    return out


def bounded_text(el: lxml.html.HtmlElement) -> str:
    """An element's text with its element boundaries kept where they matter. Pieces of a split
    price touch ("$" "22" "." "09" is "$22.09"; source whitespace is kept except around a decimal
    mark), but two words or numbers from different elements never merge into one ("144" "11,99 €"
    is a review count beside a price, "£2.20" "3 bids" a price beside a bid count: never 14411.99
    or 2203). Two digits in a superscript right after whole units are the cents
    ("$19<sup>99</sup>" is $19.99)."""
    text = ""
    gap = False  # source whitespace since the last character kept
    for raw, owner in _pieces(el):
        piece = " ".join(raw.split())
        if not piece:
            gap = gap or bool(raw)
            continue
        gap = gap or raw[0].isspace()
        if text and text[-1].isalnum() and piece[0].isalnum():
            cents = owner.tag == "sup" and re.fullmatch(r"\d{2}", piece) and re.search(r"(?<![.,\d])\d+$", text)
            text += "." if cents else " "
        elif text and gap and not (piece[0] in ".," or text[-1] in ".,"):
            text += " "
        text += piece
        gap = raw[-1].isspace()
    return text


def _title_texts(title: str | None) -> set[str]:
    return {" ".join(title.split())} if title else set()


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Tags that make a link a block around a card's parts (image, title, price) rather than its title.
_BLOCKS = {"div", "p", "ul", "ol", "li", "img", "picture", "section", "article", "table", "figure", *_HEADINGS}


def _title_holders(card: lxml.html.HtmlElement, titles: set[str]) -> set[lxml.html.HtmlElement]:
    """Elements that hold the card's title, whose numbers ("27-inch", "$199 bundle", a part
    number) are never its price: headings that are not price-named, and a link of plain text
    whose text is the title (a link wrapping the whole card is not one)."""
    holders: set[lxml.html.HtmlElement] = set()
    for el in card.iter():
        if el is card or not isinstance(el.tag, str):
            continue
        if el.tag in _HEADINGS and not _PRICE_CLASS.search(el.get("class") or ""):
            holders.add(el)
        elif el.tag == "a" and titles and " ".join(el.text_content().split()) in titles:
            if not any(d.tag in _BLOCKS for d in el.iterdescendants() if isinstance(d.tag, str)):
                holders.add(el)
    return holders


def card_money(
    card: lxml.html.HtmlElement, title: str | None = None, tuning: ListingTuning = DEFAULT_LISTING_TUNING
) -> list[_Money]:
    """Every money amount the card shows for its item, in page order (see the module docstring)."""
    found: list[_Money] = []
    titles = _title_texts(title)
    holders = _title_holders(card, titles)
    for el in card.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            continue
        if holders and any(n in holders for n in (el, *el.iterancestors())):
            continue
        for text in _texts(el, tuning.join_max):
            flat = " ".join(text.split())
            if flat in titles or (titles and len(flat) > 24 and any(flat in t for t in titles)):
                continue  # numbers of the title ("27-inch", "$199 bundle"): not the card's price
            for t in titles:
                flat = flat.replace(t, " | ")  # a block holding the title and more: the title's numbers out
            money = money_in(flat, tuning.price_context)
            if money is None or _excluded(el, card):
                continue
            found.append(_Money(money[0], money[1], _price_named(el, card)))
    return found


def card_price(
    card: lxml.html.HtmlElement,
    page_url: str = "",
    lang: str | None = None,
    title: str | None = None,
    page_currency: str | None = None,
    tuning: ListingTuning = DEFAULT_LISTING_TUNING,
) -> tuple[Decimal | None, str | None]:
    """(amount, currency) the card shows as its item's price, or (None, None)."""
    found = _without_feet(card_money(card, title, tuning), page_url, lang)
    if found:
        best = next((m for m in found if m.in_price_element), found[0])
        return best.amount, to_iso(_sign_text(best.sign), page_url, lang)
    if page_currency:
        return _unsigned_price(card, title), page_currency if _unsigned_price(card, title) is not None else None
    return None, None


def _without_feet(found: list[_Money], page_url: str, lang: str | None) -> list[_Money]:
    """"Ft" is the forint's sign and the foot's abbreviation ("HDMI Cable 6 Ft"): an amount signed
    "Ft" is a price only on a page that may be Hungarian (its country Hungary or unknown) and only
    when the card shows no amount in another currency (a forint card shows forints only)."""
    feet = [m for m in found if m.sign == "Ft"]
    if not feet:
        return found
    country = country_of(page_url, lang)
    if (country is not None and country != "HU") or len(feet) < len(found):
        return [m for m in found if m.sign != "Ft"]
    return found


def _sign_text(sign: str) -> str:
    sign = sign.strip().replace("￥", "¥")
    return re.sub(r"^US\s?\$$", "US$", sign)


_BARE = re.compile(rf"^\s*({_AMOUNT})\s*$")


def _unsigned_price(card: lxml.html.HtmlElement, title: str | None) -> Decimal | None:
    """A bare amount that is the whole text of a price-named element ("<b class=price>12.99</b>")."""
    for el in card.iter():
        if not isinstance(el.tag, str) or not _PRICE_CLASS.search(el.get("class") or ""):
            continue
        if _excluded(el, card):
            continue
        match = _BARE.match(" ".join(el.text_content().split()))
        if match:
            return _amount(match.group(1))
    return None


def page_currency(currencies: list[str | None]) -> str | None:
    """The currency most cards of a page show (ISO codes only), for cards that show none."""
    codes = Counter(c for c in currencies if c and len(c) == 3 and c.isupper())
    return codes.most_common(1)[0][0] if codes else None
