"""Reading a card's fields: its title and whether the page marks it sponsored (its price: `listing_price`)."""

from __future__ import annotations

import re

import lxml.html

from spiders.extract.listing_html import element_text
from spiders.extract.listing_price import MONEY_SIGN

# Labels shops put on paid placements, in the languages of the shops we watch.
_SPONSORED = re.compile(
    r"^(sponsored|sponsorisé|gesponsert|anzeige|patrocinado|sponsorizzato|gesponsord|annonse|"
    r"スポンサー|広告|广告|推广|贊助|赞助|ad|ads|promoted|werbung)$",
    re.IGNORECASE,
)
_AD_CLASS = re.compile(r"(^|[\s_-])(adholder|sponsored|s-sponsored|ad-slot|advert)([\s_-]|$)", re.IGNORECASE)


def card_title(anchors: list[lxml.html.HtmlElement], card: lxml.html.HtmlElement) -> str | None:
    """The card's title: the longest text of its item links, else a heading, else an image's alt."""
    best = ""
    for a in anchors:
        text = element_text(a)
        if len(text) > len(best) and not _price_only(text):
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


def _price_only(text: str) -> bool:
    """A link text with no word but currency signs and codes ("$2.99 $12.95", "-19% US $151.16",
    "1,299"): a price link, never the card's title."""
    return not re.search(r"[^\W\d_]", MONEY_SIGN.sub("", text))


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
