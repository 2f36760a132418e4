"""Reading a card's fields: its main link, title, price and whether the page marks it sponsored."""

from __future__ import annotations

import re
from decimal import Decimal

import lxml.html
from price_parser import Price

from spiders.extract.currency import to_iso
from spiders.extract.listing_html import element_text

# Labels shops put on paid placements, in the languages of the shops we watch.
_SPONSORED = re.compile(
    r"^(sponsored|sponsorisé|gesponsert|anzeige|patrocinado|sponsorizzato|gesponsord|annonse|"
    r"スポンサー|広告|广告|推广|贊助|赞助|ad|ads|promoted|werbung)$",
    re.IGNORECASE,
)
_AD_CLASS = re.compile(r"(^|[\s_-])(adholder|sponsored|s-sponsored|ad-slot|advert)([\s_-]|$)", re.IGNORECASE)
_SYMBOL = (
    r"(?:[$€£¥￥₹₩₽]|円|元|руб|zł|\b(?:USD|EUR|GBP|JPY|CNY|RMB|INR|CAD|AUD|CHF|SEK|NOK|DKK|PLN|BRL|MXN|RUB)\b|"
    r"\b(?:US|AU|CA|C|A|NZ|HK|S)\$)"
)
_AMOUNT = r"\d[\d.,\s\u00a0\u202f']*\d|\d"
# A currency next to an amount, either way round: "$ 1,299.00", "12,50 €", "EUR 3", "¥39.00".
_PRICE_EXPR = re.compile(rf"{_SYMBOL}\s*(?:{_AMOUNT})|(?:{_AMOUNT})\s*{_SYMBOL}", re.IGNORECASE)


def card_title(anchors: list[lxml.html.HtmlElement], card: lxml.html.HtmlElement) -> str | None:
    """The card's title: the longest text of its item links, else a heading, else an image's alt."""
    best = ""
    for a in anchors:
        text = element_text(a)
        if len(text) > len(best) and not _PRICE_ONLY.match(text):
            best = text
        title_attr = (a.get("title") or "").strip()
        if len(title_attr) > len(best):
            best = title_attr
    if len(best) < 3:
        for h in card.iter("h1", "h2", "h3", "h4"):
            text = element_text(h)
            if len(text) > len(best):
                best = text
    if len(best) < 3:
        for img in card.iter("img"):
            alt = (img.get("alt") or "").strip()
            if len(alt) > len(best):
                best = alt
    return best[:500] or None


_PRICE_ONLY = re.compile(r"^[^\w]*[\d.,\s]+[^\w]*$")


def card_price(
    card: lxml.html.HtmlElement, page_url: str = "", lang: str | None = None
) -> tuple[Decimal | None, str | None]:
    """The first price shown on the card (amount, currency), from its text nodes in order.

    Text fragments are tried one by one, and then joined per element, because shops split prices
    across spans (`<span>$</span><span>19</span><sup>99</sup>`). Ambiguous symbols (`$`, `¥`) are
    settled by the page's language tag and country domain.
    """
    for el in card.iter():
        if not isinstance(el.tag, str) or el.tag == "a" and _is_title_link(el):
            continue
        texts = [(el.text or "").strip()]
        if len(el) and len(el) <= 6:
            texts.append(element_text(el))
        for text in texts:
            match = _PRICE_EXPR.search(text) if text else None
            if match:
                found = _parse(match.group(0), page_url, lang)
                if found[0] is not None:
                    return found
    return None, None


def _is_title_link(el: lxml.html.HtmlElement) -> bool:
    return len(element_text(el)) > 40


def _parse(text: str, page_url: str, lang: str | None) -> tuple[Decimal | None, str | None]:
    price = Price.fromstring(text)
    if price.amount is None:
        return None, None
    currency = (price.currency or "").strip().replace("￥", "¥") or None
    return price.amount, to_iso(currency, page_url, lang)


def is_sponsored(card: lxml.html.HtmlElement) -> bool:
    """True when the card carries a visible sponsored label or an ad marker class."""
    node = card
    for _ in range(3):
        if node is None:
            break
        if _AD_CLASS.search(node.get("class") or ""):
            return True
        node = node.getparent()
    for el in card.iter():
        if not isinstance(el.tag, str):
            continue
        if _AD_CLASS.search(el.get("class") or ""):
            return True
        text = (el.text or "").strip()
        if text and len(text) < 20 and _SPONSORED.match(text):
            return True
    return False
